// hindsight aggregate: pipeline stage 4, the training set (originals + labelled regenerations).
#include "app/cli/args.h"
#include "app/cli/command.h"
#include "app/cli/pipeline_options.h"

#include "core/pipeline/stage_registry.h"
#include "core/store/database.h"

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight aggregate PROJECT.hwb [options]

Builds a training set of the task's labelled original dialogues plus labelled regenerations, up
to k times the number of originals (regenerations are sampled with the seed when there are more
than needed). Dialogues flagged unfinished are left out. The set is stored in the project and can
be written as chat-layout JSON Lines.

  --k X                   target size as a multiple of the originals (default 5)
  --name NAME             training set name (default <task>-hindsight-k<k>, made unique)
  --include-imagined      labelled imagined dialogues count as regenerations
  -o, --output FILE       also write the set as JSON Lines
  --task NAME, --seed N, --json, --quiet   as for the other pipeline verbs
)";

int runAggregateCmd(const std::vector<std::string>& argv)
{
    std::vector<std::string> fixed = argv;
    for (auto& a : fixed)
        if (a == "-o")
            a = "--output";
    const Args args(fixed, {"task", "seed", "k", "name", "output"}, {"json", "quiet", "include-imagined"});
    const std::string& path = args.positional(0, "PROJECT.hwb");
    Database db = Database::open(path);
    StageDescription stage;
    stage.kind = "aggregate";
    stage.task = taskFromArgs(args, db);
    stage.seed = static_cast<uint64_t>(args.intValue("seed", 0));
    stage.options = {{"k", args.doubleValue("k", 5.0)},
                     {"name", args.value("name", "")},
                     {"includeImagined", args.flag("include-imagined")},
                     {"outputJsonl", args.value("output", "")}};
    SharedProject project(db);
    CliProgress progress(!args.flag("quiet"));
    const JobSummary s = runStage(project, stage, hooksFor(progress));
    progress.finish();
    if (!args.flag("json"))
        std::printf("%s\n", trainingSetLine(s).c_str());
    else
        reportSummary(s, true);
    if (s.status == "done")
        warnIfShort(s, "aggregate");
    return exitCodeFor(s.status);
}

const bool registered = registerCommand({"aggregate", "build the training set from originals and regenerations (stage 4)",
                                         kUsage, &runAggregateCmd});

} // namespace
} // namespace hw::cli
