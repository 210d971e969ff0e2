// hindsight imagine: zero-shot imagined dialogues per persona.
#include "app/cli/args.h"
#include "app/cli/command.h"
#include "app/cli/pipeline_options.h"

#include "core/pipeline/imagine_job.h"
#include "core/pipeline/llm_backend.h"
#include "core/pipeline/personas.h"
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
  --list-personas         print the personas and exit
)") + kEndpointOptionsHelp + kJobOptionsHelp;

int runImagineCmd(const std::vector<std::string>& argv)
{
    auto valueOptions = endpointValueOptions();
    for (const auto& o : jobValueOptions())
        valueOptions.insert(o);
    valueOptions.insert({"per-persona", "persona"});
    auto flags = jobFlags();
    flags.insert("list-personas");
    const Args args(argv, valueOptions, flags);
    const std::string& path = args.positional(0, "PROJECT.hwb");
    Database db = Database::open(path);
    const JobOptions job = jobOptionsFromArgs(args, db);
    const PromptLibrary prompts;
    const auto task = DialogueStore(db).task(job.task);
    const std::vector<Persona> personas = loadPersonas(prompts, *task);
    if (args.flag("list-personas")) {
        for (const auto& p : personas)
            std::cout << p.name << ": " << p.description << "\n";
        return 0;
    }
    const EndpointProfile profile = *endpointFromArgs(args, true);
    SharedProject project(db);
    LlmBackend llm(project, profile, job.task);
    ImagineConfig cfg;
    cfg.task = job.task;
    cfg.perPersona = static_cast<int>(args.intValue("per-persona", 10));
    cfg.personas = args.values("persona");
    cfg.seed = job.seed;
    cfg.concurrency = job.concurrency > 0 ? job.concurrency : profile.maxInFlight;
    cfg.stage = {{"generator", llm.describe()}};
    CliProgress progress(!job.quiet);
    JobSummary s = runImagine(project, cfg, personas, llm.generator(), hooksFor(progress));
    progress.finish();
    return reportSummary(s, job.json);
}

const bool registered = registerCommand({"imagine", "zero-shot imagined dialogues per user persona", kUsage,
                                         &runImagineCmd});

} // namespace
} // namespace hw::cli
