// hindsight train: trains one of the paper's agents (SFT, RFT, ILQL) on a saved training set.
#include "app/cli/args.h"
#include "app/cli/cli_progress.h"
#include "app/cli/command.h"
#include "app/cli/dist_launch.h"

#include "core/model/device.h"
#include "core/train/ilql_trainer_job.h"
#include "core/train/run_launcher.h"
#include "core/util/error.h"

#include <cstdio>
#include <fstream>
#include <iostream>

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight train PROJECT.hwb --set NAME --agent sft|rft|ilql [options]

Trains an agent on a saved training set (see `hindsight trainset`):
  sft    behaviour cloning of the agent turns (the SFT preset: top 25% of originals)
  rft    the same on the RFT set (top 25% of originals and regenerations)
  ilql   offline RL as in the authors' recipe: π_β by behaviour cloning first (its own run,
         unless --init names a π_β checkpoint), then ILQL initialised from it: expectile V,
         double Q with Polyak targets, CQL, AWAC/BC token loss (every option of the reference
         configuration under "ilql" in --config)

Defaults are the paper's: tau 0.8, gamma 0.99, batch 128 (16 x 8 accumulated), Polyak alpha
0.005 after every step, AdamW lr 1e-4, 100 iterations x 60 updates. Checkpoints (model with
π_β's head, ilql_heads.safetensors, target trunk, optimizer, state) go to OUT/step-N; metrics
(every loss term, mean Q, V and advantage, policy entropy, lr, grad norm, tokens/s, held-out
loss) and a few sampled replies go to the project as they happen. Ctrl+C stops after the
current step with a checkpoint; --resume continues exactly.

Options:
  --set NAME        training set (required for a new run)
  --agent A         sft | rft | ilql (required)
  --config F        configuration (JSON, keys of IlqlTrainConfig, all optional)
  --tiny            start from the tiny CPU configuration
  --preset P        default | paper: paper sets ILQL's CQL weight to the paper's Table 3
                    (alpha = 0.0; the default 1.0 is the ILQL reference's); --config and the
                    options here win over it
  --cql-weight W    ILQL's CQL loss weight (ilql.loss_weights.cql_loss_weight)
  --resume RUN      continue a stopped run: its checkpoint, output directory or run id
  --init DIR        π_β checkpoint to start ILQL from (skips behaviour cloning)
  --tokenizer F     use this tokenizer.model instead of training one
  --targets T       heads (target Q heads only) | trunk (also a Polyak target trunk)
  --beta B          β of the sampled evaluation replies (decode.adv_weight)
  --iterations N    ILQL iterations (x updates per iteration optimizer steps)
  --updates N       optimizer steps per iteration
  --bc-steps N      steps of the behaviour cloning stage / of an sft or rft run
  --max-seconds S   stop (with a checkpoint) after S seconds
  --seed N          seed of initialisation, data order and split
  --out DIR         output directory (default: next to the project, NAME.runs/AGENT-RUN)
  --no-record       do not write runs/metrics rows into the project
  --nproc N         data-parallel: N ranks on this machine (Gloo on CPU, NCCL on GPUs); or
                    start the ranks yourself with torchrun-style RANK, WORLD_SIZE, MASTER_ADDR,
                    MASTER_PORT (see README, "Distributed training")
  --json            print the result as JSON on stdout
  --quiet           no progress on stderr
)";

int runTrain(const std::vector<std::string>& argv)
{
    const Args args(argv,
                    {"set", "agent", "config", "resume", "init", "tokenizer", "targets", "beta", "iterations", "updates",
                     "bc-steps", "max-seconds", "seed", "out", "nproc", "preset", "cql-weight"},
                    {"tiny", "no-record", "json", "quiet"});
    if (const auto code = launchRanksIfAsked("train", argv, args))
        return *code;
    const std::string& project = args.positional(0, "PROJECT.hwb");
    const auto agent = args.value("agent");
    if (!agent)
        throw Error("missing --agent (sft, rft or ilql)");

    configureTorchThreads();
    const auto group = joinProcessGroupFromEnvironment();
    const bool mainRank = !group || group->rank() == 0;
    AgentJobOptions o;
    o.dist = group.get();
    o.projectPath = project;
    o.agent = *agent;
    o.trainingSet = args.value("set", "");
    // Merged as the Runs page does (core/train/run_launcher.h): defaults, --config file, then
    // the options below as overrides.
    RunLaunchRequest launch;
    launch.kind = *agent;
    launch.tiny = args.flag("tiny");
    launch.configPath = args.value("config", "");
    launch.preset = args.value("preset", "");
    nlohmann::json& over = launch.overrides;
    if (const auto i = args.value("init"))
        over["init"] = *i;
    if (const auto t = args.value("targets"))
        over["targets"] = *t;
    if (args.value("beta"))
        over["decode"]["adv_weight"] = args.doubleValue("beta", 0.0);
    if (args.value("cql-weight"))
        over["ilql"]["loss_weights"]["cql_loss_weight"] = args.doubleValue("cql-weight", 0.0);
    if (args.value("iterations"))
        over["iterations"] = static_cast<int64_t>(args.intValue("iterations", 0));
    if (args.value("updates"))
        over["updatesPerIteration"] = static_cast<int64_t>(args.intValue("updates", 0));
    if (args.value("bc-steps"))
        over["bcSteps"] = static_cast<int64_t>(args.intValue("bc-steps", 0));
    if (args.value("max-seconds"))
        over["maxSeconds"] = args.doubleValue("max-seconds", 0);
    if (args.value("seed"))
        over["seed"] = static_cast<uint64_t>(args.intValue("seed", 0));
    o.config = agentConfigOf(launch);
    if (group && group->backendName() == "nccl")
        o.config.device = "cuda:" + std::to_string(group->config().localRank);   // one GPU per rank
    o.outDir = args.value("out", "");
    o.resume = args.value("resume", "");
    o.tokenizerPath = args.value("tokenizer", "");
    o.record = !args.flag("no-record");
    if (o.trainingSet.empty() && o.resume.empty())
        throw Error("missing --set NAME (`hindsight trainset list` shows the project's sets)");

    const bool quiet = args.flag("quiet") || !mainRank;   // rank 0 speaks for the run
    CliProgress progress(!quiet);
    o.progress = progress.callback();
    o.stop = progress.stopToken();
    o.log = [&](const std::string& line) {
        if (quiet)
            return;
        progress.finish();
        std::cerr << line << "\n";
    };
    const AgentJobResult r = runAgentTrainingJob(o);
    progress.finish();

    if (!mainRank) {
    } else if (args.flag("json")) {
        std::cout << r.toJson().dump(2) << "\n";
    } else {
        std::printf("%s run %lld on set '%s' (task %s): %s after %lld/%lld steps (%.1f s, %.0f tokens/s)\n",
                    r.agent.c_str(), static_cast<long long>(r.runId), r.trainingSet.c_str(), r.task.c_str(),
                    r.train.stopped ? "stopped" : "done", static_cast<long long>(r.train.state.step),
                    static_cast<long long>(r.train.totalSteps), r.train.state.elapsedSeconds, r.train.tokensPerSecond);
        if (r.behaviourRunId > 0)
            std::printf("  π_β run     %lld (%s)\n", static_cast<long long>(r.behaviourRunId),
                        r.behaviourCheckpoint.c_str());
        for (const auto& [k, v] : r.train.lastTrain)
            if (k == "loss" || k == "q_mean" || k == "v_mean" || k == "advantage_mean")
                std::printf("  %-11s %.4f\n", k.c_str(), v);
        for (const auto& [k, v] : r.train.lastEval)
            std::printf("  %-11s %.4f\n", k.c_str(), v);
        std::printf("  checkpoint  %s\n", r.train.checkpointDir.c_str());
        if (r.train.stopped)
            std::printf("  resume with: hindsight train %s --agent %s --resume %s\n", project.c_str(), r.agent.c_str(),
                        r.train.checkpointDir.c_str());
    }
    return r.train.stopped && progress.stopToken().stopRequested() ? 130 : 0;
}

const bool registered = registerCommand({"train", "train an agent (sft, rft, ilql) on a training set", kUsage, &runTrain});

} // namespace
} // namespace hw::cli
