// hindsight study: human studies (core/store/study_store.h): create one, add participants, list
// studies with their progress, print the results per agent. The trials themselves run in the
// workbench (Chat ▸ Human study), where a participant talks to one anonymised agent at a time.
#include "app/cli/args.h"
#include "app/cli/command.h"

#include "core/eval/eval_spec.h"
#include "core/eval/human_study.h"
#include "core/store/database.h"
#include "core/store/study_store.h"
#include "core/util/error.h"

#include <iostream>

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight study create PROJECT --task TASK --name NAME --agent SPEC [--agent SPEC ...]
                            [--trials N] [--max-turns N] [--seed S]
       hindsight study add-participant PROJECT STUDY ID [ID ...]
       hindsight study list PROJECT [--json]
       hindsight study report PROJECT STUDY [--format md|csv|json] [--seed S]

A human study: each participant (an id per person) talks to every agent in separate trials,
--trials times per agent (default 3), in a random order fixed when the participant is added; the
agents appear as "Agent A", "Agent B", ... (labels drawn from the study's seed). A trial ends at
the turn cap (default: the task's, 10 persuasion / 15 counseling) or earlier; the participant then
rates it (persuasion: naturalness/fluency, relevancy, donation $0-2; counseling: naturalness,
comforting, helpfulness, and the final emotional intensity: reward = initial - final). Trials run
in the workbench: Chat ▸ Human study.

  --agent SPEC   ckpt:DIR[,beta=B][,name=N] (π_β, or ILQL with β) or
                 endpoint:PROFILE_OR_URL,model=M,prompt=plain|cot|procot[,name=N]
  report         per agent (real names revealed): mean of the participants' means ± std over
                 trials [bootstrap 95% interval over participants]. The same rows appear in
                 `hindsight eval-report PROJECT RUN --study STUDY` above Reward (sim).
)";

ChatAgentSpec chatSpecOf(const std::string& text)
{
    const EvalAgentSpec e = parseAgentSpec(text);
    ChatAgentSpec s;
    s.name = e.name;
    if (e.kind == "ckpt") {
        s.kind = e.beta ? agent_kind::kIlql : agent_kind::kPolicy;
        s.checkpoint = e.checkpoint;
        if (e.beta)
            s.beta = *e.beta;
        return s;
    }
    s.kind = agent_kind::kEndpoint;
    s.endpoint = e.endpoint;
    s.model = e.model;
    if (e.prompt == "plain")
        s.prompting = prompting::kPlain;
    else if (e.prompt == "cot")
        s.prompting = prompting::kCot;
    else if (e.prompt == "procot")
        s.prompting = prompting::kProactiveCot;
    else
        throw Error("--agent " + text + ": prompt=" + e.prompt + " cannot chat with a person (plain, cot or procot)");
    return s;
}

int64_t studyId(const std::string& text)
{
    try {
        size_t used = 0;
        const long long id = std::stoll(text, &used);
        if (used == text.size())
            return id;
    } catch (const std::exception&) {
    }
    throw Error("STUDY must be a study id, not '" + text + "' (see `hindsight study list`)");
}

int runStudyCmd(const std::vector<std::string>& argv)
{
    const Args args(argv, {"task", "name", "agent", "trials", "max-turns", "seed", "format"}, {"json"});
    const std::string& action = args.positional(0, "create|add-participant|list|report");
    const std::string& project = args.positional(1, "PROJECT");
    if (action == "create") {
        StudySpec spec;
        spec.task = args.value("task", "");
        spec.name = args.value("name", "");
        if (spec.task.empty())
            throw Error("study create: --task is required");
        for (const auto& a : args.values("agent"))
            spec.agents.push_back(chatSpecOf(a));
        spec.trialsPerAgent = static_cast<int>(args.intValue("trials", 3));
        spec.maxTurns = static_cast<int>(args.intValue("max-turns", 0));
        spec.seed = static_cast<uint64_t>(args.intValue("seed", 0));
        Database db = Database::open(project);
        StudyStore store(db);
        const int64_t id = store.createStudy(spec);
        const auto s = *store.study(id);
        std::cout << "study " << id << " '" << s.name << "' (" << s.task << "), " << s.trialsPerAgent
                  << " trial(s) per agent, turn cap " << s.maxTurns << "\n";
        for (size_t i = 0; i < s.agents.size(); ++i)
            std::cout << "  " << s.labels[i] << " = " << s.agentName(static_cast<int>(i)) << "\n";
        return 0;
    }
    if (action == "add-participant") {
        const int64_t id = studyId(args.positional(2, "STUDY"));
        if (args.positional().size() < 4)
            throw Error("missing argument: ID (a participant id)");
        Database db = Database::open(project);
        StudyStore store(db);
        for (size_t i = 3; i < args.positional().size(); ++i) {
            store.addParticipant(id, args.positional()[i]);
            std::cout << "participant " << args.positional()[i] << ": "
                      << store.trials(id, args.positional()[i]).size() << " trials\n";
        }
        return 0;
    }
    if (action == "list") {
        Database db = Database::open(project, Database::Mode::ReadOnly);
        StudyStore store(db);
        nlohmann::json out = nlohmann::json::array();
        for (const auto& s : store.studies()) {
            int total = 0, done = 0;
            const auto people = store.participants(s.id);
            for (const auto& p : people) {
                total += p.total;
                done += p.done;
            }
            if (args.flag("json")) {
                out.push_back({{"id", s.id}, {"name", s.name}, {"task", s.task}, {"agents", s.agents.size()},
                               {"trials_per_agent", s.trialsPerAgent}, {"max_turns", s.maxTurns},
                               {"participants", people.size()}, {"trials", total}, {"done", done}});
                continue;
            }
            std::cout << s.id << "\t" << s.name << "\t" << s.task << "\t" << s.agents.size() << " agents\t"
                      << people.size() << " participants\t" << done << "/" << total << " trials done\n";
        }
        if (args.flag("json"))
            std::cout << out.dump(2) << "\n";
        return 0;
    }
    if (action == "report") {
        const int64_t id = studyId(args.positional(2, "STUDY"));
        Database db = Database::open(project, Database::Mode::ReadOnly);
        StudyStore store(db);
        const auto s = store.study(id);
        if (!s)
            throw Error(project + ": no study " + std::to_string(id) + " (see `hindsight study list`)");
        stats::Options o;
        o.seed = static_cast<uint64_t>(args.intValue("seed", 0));
        std::cout << formatHumanStudy(humanStudyResults(*s, store.trials(id), o), args.value("format", "md"));
        return 0;
    }
    throw Error("unknown study action '" + action + "' (create, add-participant, list or report)");
}

const bool registered = registerCommand({"study", "human studies: create, add participants, list, report",
                                         kUsage, &runStudyCmd});

} // namespace
} // namespace hw::cli
