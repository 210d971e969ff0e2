#include "app/cli/stage_backends.h"

#include "core/pipeline/stage_registry.h"
#include "core/util/error.h"

#include <optional>

namespace hw::cli {

const char* kLocalStageOptionsHelp = R"(
local stages (no endpoint needed for them):
  --controller retrieval  hindsight controller = retrieval of agent utterances from top-quartile
                          dialogues with the most similar context (SQLite FTS5 / BM25)
  --forward-checkpoint D  forward model = a local LM (hindsight train-lm --role forward)
  --hard-checkpoint D     the "hard" forward model (hindsight train-lm --role forward-hard)
  --reward-checkpoint D   reward model = a local regression LM (hindsight train-lm --role reward)
  --device cpu|cuda       device of the local models (default: CUDA when available)
)";

std::set<std::string> localStageValueOptions()
{
    return {"controller", "forward-checkpoint", "hard-checkpoint", "reward-checkpoint", "device"};
}

void fillStageFromArgs(StageDescription& d, const Args& args, const JobOptions& job, int fewShots)
{
    const std::string controllerKind = args.value("controller", "llm");
    if (controllerKind != "llm" && controllerKind != "retrieval")
        throw Error("--controller must be llm or retrieval, not '" + controllerKind + "'");
    const std::string forwardDir = args.value("forward-checkpoint", "");
    const std::string hardDir = args.value("hard-checkpoint", "");
    const std::string rewardDir = args.value("reward-checkpoint", "");
    const std::string device = args.value("device", "");
    const std::optional<EndpointProfile> main = endpointFromArgs(args, false);
    const std::optional<EndpointProfile> hard = main ? endpointFromArgs(args, false, "hard-") : std::nullopt;

    d.task = job.task;
    d.seed = job.seed;
    d.limit = job.limit;
    // --concurrency, else the endpoint's maxInFlight, else the runner's default for local stages.
    d.concurrency = job.concurrency > 0 ? job.concurrency : main ? main->maxInFlight : 0;

    auto needLlm = [&](const std::string& which) -> const EndpointProfile& {
        if (!main)
            throw Error("missing --endpoint NAME|URL for " + which);
        return *main;
    };
    for (const std::string& r : stageNeeds(d)) {
        StageBackend b;
        if (r == role::kController)
            b = controllerKind == "retrieval"
                    ? StageBackend::retrieval()
                    : StageBackend::llm(needLlm("the controller (or --controller retrieval)"), -1);
        else if (r == role::kForward)
            b = !forwardDir.empty() ? StageBackend::local(forwardDir, device)
                                    : StageBackend::llm(needLlm("the forward model (or --forward-checkpoint DIR)"), fewShots);
        else if (r == role::kForwardHard)
            b = !hardDir.empty() ? StageBackend::local(hardDir, device)
                : hard          ? StageBackend::llm(*hard, fewShots)
                                : StageBackend::llm(needLlm("the hard forward model (or --hard-checkpoint DIR)"), fewShots);
        else if (r == role::kLabeler)
            b = !rewardDir.empty() ? StageBackend::local(rewardDir, device)
                                   : StageBackend::llm(needLlm("the reward model (or --reward-checkpoint DIR)"), fewShots);
        else
            b = StageBackend::llm(needLlm("the " + r), fewShots);
        d.backends[r] = b;
    }
}

} // namespace hw::cli
