// hindsight label: pipeline stage 3, LLM reward labels for regenerated dialogues.
#include "app/cli/args.h"
#include "app/cli/command.h"
#include "app/cli/pipeline_options.h"
#include "app/cli/stage_backends.h"

#include "core/pipeline/stage_registry.h"
#include "core/store/database.h"

namespace hw::cli {
namespace {

const std::string kUsage = std::string(R"(usage: hindsight label PROJECT.hwb (--endpoint NAME|URL [--model M] | local stages) [options]

Labels each unlabelled regenerated dialogue with the reward model (prompts/<task>/reward.txt):
counseling predicts the final emotional intensity (reward = initial - final) from 10 few-shot
dialogues; persuasion first asks whether the dialogue is unfinished (those are discarded and
flagged), then the final donation from 5 few-shot dialogues. A task defined as data (`hindsight
task`) is scored with prompts/custom/reward.txt from its rubric, its own examples and labelled
dialogues of the project (5 in all). Labels are stored with source "llm" and the prompt and model
as provenance.

  --include-imagined      label imagined dialogues too
  --few-shots N           example dialogues in the prompt (default: 10 counseling, 5 otherwise)
)") + kEndpointOptionsHelp + kLocalStageOptionsHelp + kJobOptionsHelp;

int runLabelCmd(const std::vector<std::string>& argv)
{
    auto valueOptions = endpointValueOptions();
    for (const auto& o : jobValueOptions())
        valueOptions.insert(o);
    valueOptions.insert("few-shots");
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
    stage.kind = "label";
    stage.options = {{"includeImagined", args.flag("include-imagined")}};
    fillStageFromArgs(stage, args, job, static_cast<int>(args.intValue("few-shots", -1)));

    CliProgress progress(!job.quiet);
    const JobSummary s = runStage(project, stage, hooksFor(progress));
    progress.finish();
    return reportSummary(s, job.json);
}

const bool registered = registerCommand({"label", "reward labels for regenerated dialogues from an LLM (stage 3)", kUsage,
                                         &runLabelCmd});

} // namespace
} // namespace hw::cli
