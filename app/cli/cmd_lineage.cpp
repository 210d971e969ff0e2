// hindsight lineage: where an imagined dialogue came from and what became of it.
#include "app/cli/args.h"
#include "app/cli/command.h"

#include "core/store/database.h"
#include "core/store/imagined_lineage.h"

#include <iostream>
#include <sstream>

namespace hw::cli {
namespace {

const std::string kUsage = R"(usage: hindsight lineage PROJECT.hwb DIALOGUE_UID [--task NAME] [--json]

Prints the lineage of an imagined dialogue (or of a regeneration made from one):
persona (with its hidden state) -> target outcome -> dialogue (generator) -> critique -> reward
labels. --task is needed only when several tasks use the uid.
)";

std::string num(const nlohmann::json& v)
{
    if (v.is_null())
        return "none";
    std::ostringstream s;
    s << v.get<double>();
    return s.str();
}

void printLineage(const nlohmann::json& l, const std::string& indent)
{
    const auto& d = l["dialogue"];
    std::cout << indent << "dialogue " << d.value("uid", "") << " (id " << d.value("id", int64_t(0)) << ", task "
              << d.value("task", "") << ", " << d.value("source", "") << ", " << d.value("turns", 0) << " turns)\n";
    if (l.contains("derived_from")) {
        std::cout << indent << "derived from:\n";
        printLineage(l["derived_from"], indent + "  ");
    }
    if (l.contains("persona")) {
        const auto& p = l["persona"];
        std::cout << indent << "persona: " << p.value("name", "") << " - " << p.value("description", "") << "\n";
        if (p.contains("hidden") && !p["hidden"].empty())
            std::cout << indent << "  hidden: " << p["hidden"].dump() << "\n";
        if (l.contains("initial_emotion_intensity"))
            std::cout << indent << "  initial emotion intensity: " << l["initial_emotion_intensity"].dump() << "\n";
        if (l["target_outcome"].is_object())
            std::cout << indent << "target outcome: " << num(l["target_outcome"]["value"])
                      << (l["target_outcome"].value("anchor", "").empty() ? "" : " (" + l["target_outcome"].value("anchor", "") + ")")
                      << "\n";
        else
            std::cout << indent << "target outcome: none\n";
        const auto& g = l["generator"];
        std::cout << indent << "generator: " << g.value("model", "?") << ", prompt " << g.value("prompt", "?")
                  << ", llm call " << g.value("llm_call_id", int64_t(0)) << "\n";
        if (l["critique"].is_object()) {
            const auto& c = l["critique"];
            std::cout << indent << "critique: " << c.value("verdict", "") << (c.value("rewritten", false) ? " (turns rewritten, "
                      + std::to_string(c["original_turns"].size()) + " original turns kept)" : "")
                      << ", by " << c["critic"].value("model", "?") << " (llm call "
                      << c["critic"].value("llm_call_id", int64_t(0)) << ", job " << c["critic"].value("job_id", int64_t(0))
                      << ")\n";
            for (const auto& p : c.value("problems", nlohmann::json::array()))
                std::cout << indent << "  problem: " << p.get<std::string>() << "\n";
        } else {
            std::cout << indent << "critique: none yet\n";
        }
    }
    if (l.value("excluded", false))
        std::cout << indent << "excluded: rejected by the critique, no later stage uses it\n";
    std::cout << indent << "reward: " << num(l["reward"]) << "\n";
    for (const auto& r : l["reward_labels"])
        std::cout << indent << "  label " << r.value("id", int64_t(0)) << ": " << num(r["value"]) << " (" << r.value("source", "")
                  << (r["provenance"].contains("job_id") ? ", job " + r["provenance"]["job_id"].dump() : "") << ", "
                  << r.value("created_at", "") << ")\n";
}

int runLineageCmd(const std::vector<std::string>& argv)
{
    const Args args(argv, {"task"}, {"json"});
    const std::string& path = args.positional(0, "PROJECT.hwb");
    const std::string& uid = args.positional(1, "DIALOGUE_UID");
    Database db = Database::open(path, Database::Mode::ReadOnly);
    const nlohmann::json l = imaginedLineage(db, uid, args.value("task", ""));
    if (args.flag("json"))
        std::cout << l.dump(2) << "\n";
    else
        printLineage(l, "");
    return 0;
}

const bool registered = registerCommand({"lineage", "persona -> target -> dialogue -> critique -> labels of an imagined dialogue",
                                         kUsage, &runLineageCmd});

} // namespace
} // namespace hw::cli
