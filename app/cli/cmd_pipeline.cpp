// hindsight pipeline: relabel -> regenerate -> label -> aggregate in one go.
#include "app/cli/args.h"
#include "app/cli/command.h"
#include "app/cli/pipeline_options.h"
#include "app/cli/stage_backends.h"

#include "core/pipeline/paper_preset.h"
#include "core/pipeline/pipeline.h"
#include "core/pipeline/stage_registry.h"
#include "core/store/database.h"

#include <iostream>

namespace hw::cli {
namespace {

const std::string kUsage = std::string(R"(usage: hindsight pipeline PROJECT.hwb (--endpoint NAME|URL [--model M] | local stages) [options]

Runs the four hindsight stages in order, each as its own resumable job: relabel (controller
suggestions), regenerate (forward model, one random suggestion per dialogue unless
--mode accepted), label (reward model) and aggregate (training set of k x the originals).
Stops at the first stage that fails or is cancelled; run it again to continue.

  --samples N, --hard-share X, --mode random|accepted, --turn-budget N, --hard-endpoint ...
                          as for `hindsight regenerate`
  --k X, --name NAME, -o FILE     as for `hindsight aggregate`
  --limit N               applies to relabel (dialogues)
  --preset default|paper  defaults of --k, --samples and --hard-share (options given win):
                          default: k 5, 1 completion per dialogue, no hard forward model;
                          paper (Hong et al. 2024): k 5 with enough completions per dialogue
                          to reach it (k - 1 plus a quarter spare: 5), a quarter of them by the
                          hard forward model (needs --hard-checkpoint or an endpoint)
A training set short of k x the originals is reported with the factor it reached (a warning on
stderr, "shortfall" and "achieved_k" in --json).
)") + kEndpointOptionsHelp + kLocalStageOptionsHelp + kJobOptionsHelp;

int runPipelineCmd(const std::vector<std::string>& argv)
{
    std::vector<std::string> fixed = argv;
    for (auto& a : fixed)
        if (a == "-o")
            a = "--output";
    auto valueOptions = endpointValueOptions();
    for (const auto& o : jobValueOptions())
        valueOptions.insert(o);
    valueOptions.insert({"mode", "samples", "hard-share", "turn-budget", "k", "name", "output", "suggestions", "preset"});
    for (const auto& o : localStageValueOptions())
        valueOptions.insert(o);
    const Args args(fixed, valueOptions, jobFlags());
    const std::string& path = args.positional(0, "PROJECT.hwb");
    Database db = Database::open(path);
    const JobOptions job = jobOptionsFromArgs(args, db);
    SharedProject project(db);
    // One description per stage, every one filled (and so checked) before the first runs.
    std::vector<StageDescription> stages(4);
    stages[0].kind = "relabel";
    stages[0].options = {{"suggestions", static_cast<int>(args.intValue("suggestions", 3))}};
    // The preset fills what the options leave unset; --samples follows --k under "paper".
    const RunPreset& preset = runPreset(args.value("preset", "default"));
    const double k = args.doubleValue("k", preset.aggregateK);
    stages[1].kind = "regenerate";
    stages[1].samples = static_cast<int>(
        args.intValue("samples", preset.samplesForK ? regenerationsFor(k) : preset.samples));
    stages[1].hardShare = args.doubleValue("hard-share", preset.hardShare);
    stages[1].options = {{"mode", args.value("mode", "random")},
                         {"turnBudget", static_cast<int>(args.intValue("turn-budget", 0))}};
    stages[2].kind = "label";
    stages[3].kind = "aggregate";
    stages[3].options = {{"k", k}, {"name", args.value("name", "")},
                         {"outputJsonl", args.value("output", "")}};
    fillStageFromArgs(stages[0], args, job);
    fillStageFromArgs(stages[1], args, job, 3);
    fillStageFromArgs(stages[2], args, job);
    fillStageFromArgs(stages[3], args, job);
    for (size_t i = 1; i < stages.size(); ++i)
        stages[i].limit = 0; // --limit counts the dialogues relabelled

    CliProgress progress(!job.quiet);
    PipelineResult r;
    r.jobs = runStages(project, stages, hooksFor(progress));
    progress.finish();
    r.status = r.jobs.size() == stages.size() && r.jobs.back().status == "done" ? "done" : r.jobs.back().status;
    if (job.json) {
        std::cout << r.toJson().dump() << std::endl;
    } else {
        for (const auto& s : r.jobs)
            std::cout << summaryLine(s) << "\n";
        if (r.status == "done")
            std::cout << trainingSetLine(r.jobs.back()) << "\n";
    }
    if (r.status == "done")
        warnIfShort(r.jobs.back(), "pipeline");
    for (const auto& s : r.jobs)
        if (!s.error.empty())
            std::cerr << "hindsight pipeline: " << s.kind << ": error: " << s.error << "\n";
    return exitCodeFor(r.status);
}

const bool registered = registerCommand({"pipeline", "all hindsight stages: relabel, regenerate, label, aggregate",
                                         kUsage, &runPipelineCmd});

} // namespace
} // namespace hw::cli
