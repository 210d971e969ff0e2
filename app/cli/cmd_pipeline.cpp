// hindsight pipeline: relabel -> regenerate -> label -> aggregate in one go.
#include "app/cli/args.h"
#include "app/cli/command.h"
#include "app/cli/pipeline_options.h"
#include "app/cli/stage_backends.h"

#include "core/pipeline/llm_backend.h"
#include "core/pipeline/pipeline.h"
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
    valueOptions.insert({"mode", "samples", "hard-share", "turn-budget", "k", "name", "output", "suggestions"});
    for (const auto& o : localStageValueOptions())
        valueOptions.insert(o);
    const Args args(fixed, valueOptions, jobFlags());
    const std::string& path = args.positional(0, "PROJECT.hwb");
    Database db = Database::open(path);
    const JobOptions job = jobOptionsFromArgs(args, db);
    SharedProject project(db);
    StageNeeds needs;
    needs.controller = needs.forward = needs.labeler = true;
    needs.forwardHard = args.doubleValue("hard-share", 0.0) > 0;
    StageBackends backends(args, project, job.task, needs);
    const int concurrency = backends.concurrency(job.concurrency);
    PipelineConfig cfg;
    cfg.relabel.task = job.task;
    cfg.relabel.limit = job.limit;
    cfg.relabel.seed = job.seed;
    cfg.relabel.concurrency = concurrency;
    cfg.relabel.suggestions = static_cast<int>(args.intValue("suggestions", 3));
    cfg.relabel.stage = {{"controller", backends.describe("controller")}};
    cfg.regenerate.task = job.task;
    cfg.regenerate.mode = args.value("mode", "random");
    cfg.regenerate.samples = static_cast<int>(args.intValue("samples", 1));
    cfg.regenerate.hardShare = args.doubleValue("hard-share", 0.0);
    cfg.regenerate.turnBudget = static_cast<int>(args.intValue("turn-budget", 0));
    cfg.regenerate.seed = job.seed;
    cfg.regenerate.concurrency = concurrency;
    cfg.regenerate.stage = {{"forward", backends.describe("forward")}};
    cfg.label.task = job.task;
    cfg.label.seed = job.seed;
    cfg.label.concurrency = concurrency;
    cfg.label.stage = {{"labeler", backends.describe("labeler")}};
    cfg.aggregate.task = job.task;
    cfg.aggregate.seed = job.seed;
    cfg.aggregate.k = args.doubleValue("k", 5.0);
    cfg.aggregate.name = args.value("name", "");
    cfg.aggregate.outputJsonl = args.value("output", "");

    PipelineStages stages;
    stages.controller = &backends.controller();
    stages.forward = &backends.forward();
    stages.forwardHard = cfg.regenerate.hardShare > 0 ? &backends.forwardHard() : nullptr;
    stages.labeler = &backends.labeler();

    CliProgress progress(!job.quiet);
    const PipelineResult r = runPipeline(project, cfg, stages, hooksFor(progress));
    progress.finish();
    if (job.json) {
        std::cout << r.toJson().dump() << std::endl;
    } else {
        for (const auto& s : r.jobs)
            std::cout << summaryLine(s) << "\n";
        if (r.aggregate)
            std::cout << "training set '" << r.aggregate->name << "': " << r.aggregate->size << " dialogues ("
                      << r.aggregate->originals << " originals + " << r.aggregate->regenerations << " regenerations)\n";
    }
    for (const auto& s : r.jobs)
        if (!s.error.empty())
            std::cerr << "hindsight pipeline: " << s.kind << ": error: " << s.error << "\n";
    return exitCodeFor(r.status);
}

const bool registered = registerCommand({"pipeline", "all hindsight stages: relabel, regenerate, label, aggregate",
                                         kUsage, &runPipelineCmd});

} // namespace
} // namespace hw::cli
