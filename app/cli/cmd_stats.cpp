// hindsight stats: dialogue, turn and reward counts of a project.
#include "app/cli/args.h"
#include "app/cli/command.h"

#include "core/store/database.h"
#include "core/store/project_stats.h"
#include "core/util/error.h"

#include <cstdio>
#include <iostream>

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight stats PROJECT.hwb [--json]

Prints the number of dialogues, turns and labeled dialogues per task with the mean, min and max
of the current rewards, and where the dialogues came from.

  --json   one JSON object on stdout:
           {"dialogues":N,"turns":N,"labeled":N,"sources":{"esconv":N,...},
            "tasks":{"counseling":{"dialogues":N,"turns":N,"labeled":N,"flagged":N,
                     "reward_mean":X,"reward_min":X,"reward_max":X,"sources":{..},
                     "reward_sources":{"dataset":N,..}},...}}
           (reward_* are null for a task without labeled dialogues)
)";

std::string num(const std::optional<double>& v)
{
    if (!v)
        return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", *v);
    return buf;
}

std::string pad(const std::string& s, size_t width, bool right = true)
{
    if (s.size() >= width)
        return s;
    return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

int runStats(const std::vector<std::string>& argv)
{
    const Args args(argv, {}, {"json"});
    const std::string& project = args.positional(0, "PROJECT.hwb");
    Database db = Database::open(project, Database::Mode::ReadOnly);
    const ProjectStats s = computeStats(db);
    if (args.flag("json")) {
        std::cout << toJson(s).dump() << "\n";
        return 0;
    }
    std::cout << project << ": " << s.dialogues << " dialogues, " << s.turns << " turns, "
              << s.labeled << " labeled\n\n";
    std::cout << pad("task", 14, false) << pad("dialogues", 10) << pad("turns", 10)
              << pad("labeled", 9) << pad("flagged", 9) << pad("mean", 9) << pad("min", 9)
              << pad("max", 9) << "  sources\n";
    for (const auto& [name, t] : s.tasks) {
        std::string sources;
        for (const auto& [src, n] : t.sources)
            sources += (sources.empty() ? "" : ", ") + src + " " + std::to_string(n);
        std::cout << pad(name, 14, false) << pad(std::to_string(t.dialogues), 10)
                  << pad(std::to_string(t.turns), 10) << pad(std::to_string(t.labeled), 9)
                  << pad(std::to_string(t.flagged), 9) << pad(num(t.rewardMean), 9)
                  << pad(num(t.rewardMin), 9) << pad(num(t.rewardMax), 9) << "  "
                  << (sources.empty() ? "-" : sources) << "\n";
    }
    return 0;
}

const bool registered = registerCommand({"stats", "counts and reward summary of a project", kUsage, &runStats});

} // namespace
} // namespace hw::cli
