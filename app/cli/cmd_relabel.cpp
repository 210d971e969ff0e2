// hindsight relabel: pipeline stage 1, hindsight suggestions from an LLM controller.
#include "app/cli/args.h"
#include "app/cli/command.h"
#include "app/cli/pipeline_options.h"
#include "app/cli/stage_backends.h"

#include "core/pipeline/stage_registry.h"
#include "core/store/database.h"

#include <iostream>

namespace hw::cli {
namespace {

const std::string kUsage = std::string(R"(usage: hindsight relabel PROJECT.hwb (--endpoint NAME|URL [--model M] | local stages) [options]

Asks the hindsight controller (prompts/<task>/controller.txt) about each original dialogue of the
task that has no suggestions yet, and stores up to 3 suggestions per dialogue with status
"proposed": the agent turn it quotes, what could be better, and what the agent should have said.
Replies that cannot be parsed, or quotes that match no agent turn, are stored as "failed" with
the raw reply; run the command again to retry them.

  --suggestions N         suggestions asked per dialogue (default 3)
  --dialogue ID           only this dialogue (repeatable)
  --include-imagined      ask about imagined dialogues too (not those the critique rejected)
)") + kEndpointOptionsHelp + kLocalStageOptionsHelp + kJobOptionsHelp;

int runRelabelCmd(const std::vector<std::string>& argv)
{
    auto valueOptions = endpointValueOptions();
    for (const auto& o : jobValueOptions())
        valueOptions.insert(o);
    valueOptions.insert({"suggestions", "dialogue"});
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
    stage.kind = "relabel";
    stage.options = {{"suggestions", static_cast<int>(args.intValue("suggestions", 3))},
                     {"includeImagined", args.flag("include-imagined")}};
    for (const auto& id : args.values("dialogue"))
        stage.dialogueIds.push_back(std::stoll(id));
    fillStageFromArgs(stage, args, job);

    CliProgress progress(!job.quiet);
    const JobSummary s = runStage(project, stage, hooksFor(progress));
    progress.finish();
    return reportSummary(s, job.json);
}

const bool registered = registerCommand({"relabel", "hindsight suggestions for dialogues from an LLM (stage 1)", kUsage,
                                         &runRelabelCmd});

} // namespace
} // namespace hw::cli
