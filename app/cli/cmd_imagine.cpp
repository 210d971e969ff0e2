// hindsight imagine: zero-shot imagined dialogues per persona.
#include "app/cli/args.h"
#include "app/cli/command.h"
#include "app/cli/pipeline_options.h"
#include "app/cli/stage_backends.h"

#include "core/pipeline/personas.h"
#include "core/prompts/prompt_library.h"
#include "core/pipeline/stage_registry.h"
#include "core/store/dialogue_store.h"
#include "core/store/database.h"

#include <iostream>

namespace hw::cli {
namespace {

const std::string kUsage = std::string(R"(usage: hindsight imagine PROJECT.hwb --endpoint NAME|URL [--model M] [options]

Generates whole dialogues from the task description and a simulated user persona
(prompts/<task>/imagine.txt, personas in prompts/<task>/personas.json), stored as unlabelled
dialogues with source "imagined".

  --per-persona N         dialogues per persona (default 10)
  --persona NAME          only this persona (repeatable)
  --list-personas         print the personas (and their hidden state) and exit
  --no-target-outcomes    let each dialogue end as it may (default: dialogue i of N aims at an
                          outcome in bin i of the reward range, so failures are imagined too)
)") + kEndpointOptionsHelp + kJobOptionsHelp;

int runImagineCmd(const std::vector<std::string>& argv)
{
    auto valueOptions = endpointValueOptions();
    for (const auto& o : jobValueOptions())
        valueOptions.insert(o);
    valueOptions.insert({"per-persona", "persona"});
    auto flags = jobFlags();
    flags.insert("list-personas");
    flags.insert("no-target-outcomes");
    const Args args(argv, valueOptions, flags);
    const std::string& path = args.positional(0, "PROJECT.hwb");
    Database db = Database::open(path);
    const JobOptions job = jobOptionsFromArgs(args, db);
    const PromptLibrary prompts;
    const auto task = DialogueStore(db).task(job.task);
    const std::vector<Persona> personas = loadPersonas(prompts, *task);
    if (args.flag("list-personas")) {
        for (const auto& p : personas)
            std::cout << p.name << ": " << p.description
                      << (p.hidden.is_object() && !p.hidden.empty() ? "\n  hidden: " + p.hidden.dump() : "") << "\n";
        return 0;
    }
    endpointFromArgs(args, true); // the generator needs an endpoint: say so in --endpoint's words
    SharedProject project(db);
    StageDescription stage;
    stage.kind = "imagine";
    stage.options = {{"perPersona", static_cast<int>(args.intValue("per-persona", 10))},
                     {"personas", args.values("persona")},
                     {"targetOutcomes", !args.flag("no-target-outcomes")}};
    fillStageFromArgs(stage, args, job);
    CliProgress progress(!job.quiet);
    JobSummary s = runStage(project, stage, hooksFor(progress));
    progress.finish();
    return reportSummary(s, job.json);
}

const bool registered = registerCommand({"imagine", "zero-shot imagined dialogues per user persona", kUsage,
                                         &runImagineCmd});

} // namespace
} // namespace hw::cli
