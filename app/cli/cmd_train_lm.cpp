// hindsight train-lm: trains one of the paper's language-model roles on a project.
#include "app/cli/args.h"
#include "app/cli/cli_progress.h"
#include "app/cli/command.h"
#include "app/cli/dist_launch.h"

#include "core/model/device.h"
#include "core/train/lm_training_job.h"
#include "core/util/error.h"

#include <cstdio>
#include <fstream>
#include <iostream>

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight train-lm PROJECT.hwb --role ROLE [options]

Trains a local language model for one of the paper's roles on the project's dialogues:
  forward       forward model: every turn token of all original dialogues (completes dialogues)
  forward-hard  the same on the bottom 25% of dialogues by reward (the "hard" forward model)
  policy-sft    policy by supervised fine-tuning: agent tokens of the top 25% by reward
  reward        reward model: the transformer with a regression head on dataset rewards;
                prints its MAE and Spearman rank correlation on the held-out split

A tokenizer is trained on the task's dialogues first unless --tokenizer (or --init) gives one.
Checkpoints go to OUT/step-N (model.safetensors with HF names, optimizer, scheduler and RNG
state, config.json, tokenizer.model, train_config.json); metrics go to the project's runs and
metrics tables as they happen (the workbench's training monitor shows them live).
Ctrl+C stops after the current step and writes a checkpoint; --resume continues exactly.
With --resume, the configuration is the checkpoint's, except --max-steps, --epochs and
--max-seconds given on the command line: they replace the checkpoint's values (said on stderr;
a new length recomputes the learning-rate cosine for the new end). Other configuration options
are ignored with --resume (also said on stderr).

Options:
  --role R          forward | forward-hard | policy-sft | reward (required)
  --config F        training configuration (JSON; keys of LmTrainConfig, all optional)
  --tiny            start from the tiny CPU configuration instead of the default one
  --task T          task to train on (default: the project's only task)
  --set NAME        train on a saved training set instead of the role's selection
  --out DIR         output directory (default: next to the project, NAME.runs/lm-ROLE-RUN)
  --resume DIR      continue a stopped run from its checkpoint (or run directory)
  --init DIR        start from a checkpoint or Hugging Face model directory
  --tokenizer F     use this tokenizer.model instead of training one
  --max-steps N     optimizer steps (overrides the config's epochs)
  --epochs N        passes over the training data
  --max-seconds S   stop (with a checkpoint) after S seconds
  --seed N          seed of initialisation, data order and split
  --no-record       do not write runs/metrics rows into the project
  --nproc N         data-parallel: N ranks on this machine (Gloo on CPU, NCCL on GPUs); or
                    start the ranks yourself with torchrun-style RANK, WORLD_SIZE, MASTER_ADDR,
                    MASTER_PORT (see README, "Distributed training")
  --json            print the result as JSON on stdout
  --quiet           no progress on stderr
)";

int runTrainLm(const std::vector<std::string>& argv)
{
    const Args args(argv,
                    {"role", "config", "task", "set", "out", "resume", "init", "tokenizer", "max-steps", "epochs",
                     "max-seconds", "seed", "nproc"},
                    {"tiny", "no-record", "json", "quiet"});
    if (const auto code = launchRanksIfAsked("train-lm", argv, args))
        return *code;
    const auto group = joinProcessGroupFromEnvironment();
    const bool mainRank = !group || group->rank() == 0;
    const std::string& project = args.positional(0, "PROJECT.hwb");
    const auto role = args.value("role");
    if (!role)
        throw Error("missing --role (forward, forward-hard, policy-sft or reward)");

    configureTorchThreads();
    LmJobOptions o;
    o.projectPath = project;
    o.role = lmRoleFromString(*role);
    o.config = args.flag("tiny") ? LmTrainConfig::tiny() : LmTrainConfig{};
    if (const auto f = args.value("config")) {
        nlohmann::json base = o.config.toJson();
        const auto file = LmTrainConfig::load(*f).toJson(); // validates keys and values
        // Keys of the file override the chosen base (--tiny or default) one by one.
        std::ifstream in(*f);
        const auto given = nlohmann::json::parse(in);
        for (const auto& item : given.items())
            base[item.key()] = file[item.key()];
        o.config = LmTrainConfig::fromJson(base, *f);
    }
    if (const auto t = args.value("task"))
        o.config.task = *t;
    if (const auto s = args.value("set"))
        o.config.trainingSet = *s;
    if (const auto i = args.value("init"))
        o.config.init = *i;
    if (args.value("max-steps"))
        o.config.maxSteps = args.intValue("max-steps", 0);
    if (args.value("epochs"))
        o.config.epochs = args.intValue("epochs", 1);
    if (args.value("max-seconds"))
        o.config.maxSeconds = args.doubleValue("max-seconds", 0);
    if (args.value("seed"))
        o.config.seed = static_cast<uint64_t>(args.intValue("seed", 0));
    o.config.validate();
    o.outDir = args.value("out", "");
    o.resumeDir = args.value("resume", "");
    if (!o.resumeDir.empty()) {
        if (args.value("max-steps"))
            o.resumeBudget.maxSteps = o.config.maxSteps;
        if (args.value("epochs"))
            o.resumeBudget.epochs = o.config.epochs;
        if (args.value("max-seconds"))
            o.resumeBudget.maxSeconds = o.config.maxSeconds;
    }
    std::string ignored;
    if (!o.resumeDir.empty())
        for (const char* option : {"config", "task", "set", "init", "tokenizer", "seed"})
            if (args.value(option))
                ignored += std::string(ignored.empty() ? "" : ", ") + "--" + option;
    if (!o.resumeDir.empty() && args.flag("tiny"))
        ignored += std::string(ignored.empty() ? "" : ", ") + "--tiny";
    o.tokenizerPath = args.value("tokenizer", "");
    o.record = !args.flag("no-record");
    o.dist = group.get();
    if (group && group->backendName() == "nccl")
        o.config.device = "cuda:" + std::to_string(group->config().localRank);   // one GPU per rank

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
    if (!ignored.empty())
        o.log("note: ignored with --resume (the checkpoint's configuration is used): " + ignored);
    const LmJobResult r = runLmTrainingJob(o);
    progress.finish();

    if (!mainRank) {
    } else if (args.flag("json")) {
        std::cout << r.toJson().dump(2) << "\n";
    } else {
        const auto j = r.toJson();
        std::printf("%s run %lld on '%s': %s after %lld/%lld steps (%.1f s, %.0f tokens/s)\n",
                    toString(r.role).c_str(), static_cast<long long>(r.runId), r.task.c_str(),
                    r.train.stopped ? "stopped" : "done", static_cast<long long>(r.train.state.step),
                    static_cast<long long>(r.train.totalSteps), r.train.state.elapsedSeconds, r.train.tokensPerSecond);
        for (const auto& [k, v] : r.train.lastTrain)
            if (k == "loss")
                std::printf("  train loss  %.4f\n", v);
        for (const auto& [k, v] : r.train.lastEval)
            std::printf("  %-11s %.4f\n", k.c_str(), v);
        if (r.reward)
            std::printf("  held-out (%lld dialogues): MAE %.3f (baseline: predict the mean %.3f), Spearman %.3f\n",
                        static_cast<long long>(r.reward->n), r.reward->mae, r.reward->baselineMae,
                        r.reward->spearman);
        std::printf("  checkpoint  %s\n", r.train.checkpointDir.c_str());
        if (r.train.stopped)
            std::printf("  resume with: hindsight train-lm %s --role %s --resume %s\n", project.c_str(),
                        toString(r.role).c_str(), r.train.checkpointDir.c_str());
    }
    return r.train.stopped && progress.stopToken().stopRequested() ? 130 : 0;
}

const bool registered = registerCommand({"train-lm", "train a local LM role (forward, reward, policy)", kUsage, &runTrainLm});

} // namespace
} // namespace hw::cli
