// hindsight regenerate: pipeline stage 2, forward-model completions after the better utterance.
#include "app/cli/args.h"
#include "app/cli/command.h"
#include "app/cli/pipeline_options.h"
#include "app/cli/stage_backends.h"

#include "core/pipeline/stage_registry.h"
#include "core/store/database.h"

namespace hw::cli {
namespace {

const std::string kUsage = std::string(R"(usage: hindsight regenerate PROJECT.hwb (--endpoint NAME|URL [--model M] | local stages) [options]

For chosen suggestions, keeps the dialogue up to the replaced agent turn, puts the better
utterance there (the researcher's edit wins) and samples the rest of the dialogue from the
forward model (prompts/<task>/forward.txt). Valid completions become new dialogues (source
"regeneration") with their lineage.

  --mode random|accepted  random (default): one suggestion per dialogue, picked with the seed
                          among the proposed and accepted ones; accepted: every accepted one
  --samples N             completions per prefix (default 1)
  --hard-share X          share of completions from the "hard" forward model (0..1, default 0),
                          whose few-shot examples are the bottom 25% of dialogues by reward
  --hard-endpoint ..      a separate endpoint for the hard model (also --hard-model etc.)
  --turn-budget N         most continuation turns (default: the original's remaining turns + 4)
  --few-shots N           example dialogues in the prompt (default 3)
  --include-imagined      also regenerate suggestions on imagined dialogues (not those the
                          critique rejected); default: originals only
)") + kEndpointOptionsHelp + kLocalStageOptionsHelp + kJobOptionsHelp;

int runRegenerateCmd(const std::vector<std::string>& argv)
{
    auto valueOptions = endpointValueOptions();
    for (const auto& o : jobValueOptions())
        valueOptions.insert(o);
    valueOptions.insert({"mode", "samples", "hard-share", "turn-budget", "few-shots"});
    for (const auto& o : localStageValueOptions())
        valueOptions.insert(o);
    auto flags = jobFlags();
    flags.insert("include-imagined");
    const Args args(argv, valueOptions, flags);
    const std::string& path = args.positional(0, "PROJECT.hwb");
    Database db = Database::open(path);
    const JobOptions job = jobOptionsFromArgs(args, db);
    SharedProject project(db);
    StageDescription stage;
    stage.kind = "regenerate";
    stage.samples = static_cast<int>(args.intValue("samples", 1));
    stage.hardShare = args.doubleValue("hard-share", 0.0);
    stage.options = {{"mode", args.value("mode", "random")},
                     {"turnBudget", static_cast<int>(args.intValue("turn-budget", 0))},
                     {"includeImagined", args.flag("include-imagined")}};
    fillStageFromArgs(stage, args, job, static_cast<int>(args.intValue("few-shots", 3)));

    CliProgress progress(!job.quiet);
    const JobSummary s = runStage(project, stage, hooksFor(progress));
    progress.finish();
    return reportSummary(s, job.json);
}

const bool registered = registerCommand({"regenerate", "complete relabelled dialogues with a forward model (stage 2)",
                                         kUsage, &runRegenerateCmd});

} // namespace
} // namespace hw::cli
