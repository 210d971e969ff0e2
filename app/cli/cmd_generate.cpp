// hindsight generate: the next turn of a dialogue from a local checkpoint.
#include "app/cli/args.h"
#include "app/cli/command.h"

#include "core/model/device.h"
#include "core/model/dialogue_codec.h"
#include "core/model/generation.h"
#include "core/model/model_io.h"
#include "core/rl/ilql_policy.h"
#include "core/rl/ilql_sampling.h"
#include "core/store/database.h"
#include "core/store/dialogue_ref.h"
#include "core/store/dialogue_store.h"
#include "core/train/checkpoint.h"
#include "core/train/ilql_trainer.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <iostream>
#include <optional>

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight generate --checkpoint DIR (--prompt TEXT... | --project P.hwb --dialogue-id ID) [options]

Generates the next turn with a local model directory (config.json, model.safetensors,
tokenizer.model: a checkpoint of `hindsight train-lm` or a Llama-family model in the Hugging Face
layout). The dialogue is encoded in the workbench's one format (see core/model/dialogue_codec.h):
<s> [context </s>] user </s> agent </a> ...; the agent's reply ends at </a>, a simulated user's at </s>.
Text is streamed to stdout as it is generated.

  --checkpoint DIR        model directory, checkpoint OUT/step-N, or a run directory OUT (its
                          newest complete checkpoint), as serve and train-lm --resume take
  --device D              cpu | cuda | cuda:N | auto (default auto: CUDA when available)
  --prompt TEXT           a turn; repeat for a conversation (user first, then alternating)
  --context TEXT          context prefix for --prompt (task, situation, persona)
  --project P.hwb         project holding --dialogue-id
  --dialogue-id ID        continue a stored dialogue: its own id (as in its file and on the
                          Dialogues page), or #N for the project's row N ...
  --task NAME             ... of this task, when several tasks use that id
  --turns N               ... after its first N turns, 0 to its length (default: all but a
                          trailing turn of the --role side)
  --role agent|user       side to generate (default agent)
  --max-new-tokens N      default 128
  --temperature T         default 0.7; 0 = greedy
  --top-k K               default 0 (off)
  --top-p P               default 0.95
  --seed S                default 0
  --num N                 number of samples, decoded as one batch (default 1)
  --beta B                decode an ILQL checkpoint (value heads; `hindsight train --method ilql`)
                          as pi ~ pi_beta * exp(B (Q - V)) with the checkpoint's decoding options
                          (exp/sign weighting, adv_clip) and the sampling options above; without
                          it an ILQL checkpoint decodes as pi_beta
  --no-cache              recompute the prefix at every step (slow; for checks)
  --json                  print {"samples":[{"text":..,"tokens":N,"finish":..}],"tokens_per_second":..}
)";

const char* finishName(FinishReason r)
{
    switch (r) {
    case FinishReason::StopToken: return "stop";
    case FinishReason::Length: return "length";
    case FinishReason::Cancelled: return "cancelled";
    }
    return "?";
}

int runGenerate(const std::vector<std::string>& argv)
{
    const Args args(argv,
                    {"checkpoint", "prompt", "context", "project", "dialogue-id", "task", "turns", "role", "max-new-tokens",
                     "temperature", "top-k", "top-p", "seed", "num", "device", "beta"},
                    {"no-cache", "json"});
    const auto checkpoint = args.value("checkpoint");
    if (!checkpoint)
        throw Error("--checkpoint DIR is required");
    const std::string role = args.value("role", "agent");
    if (role != "agent" && role != "user")
        throw Error("--role must be agent or user, not '" + role + "'");
    // The dialogue and its prefix are checked before the (slow) model load.
    std::optional<Dialogue> stored;
    size_t storedTurns = 0;
    if (const auto id = args.value("dialogue-id")) {
        const auto project = args.value("project");
        if (!project)
            throw Error("--dialogue-id needs --project P.hwb");
        Database db = Database::open(*project, Database::Mode::ReadOnly);
        stored = DialogueStore(db).get(resolveDialogueRef(db, *id, args.value("task", "")));
        if (!stored)
            throw Error(*project + ": no dialogue with id " + *id);
        storedTurns = stored->turns.size();
        if (args.value("turns")) {
            const long long t = args.intValue("turns", 0);
            if (t < 0 || static_cast<size_t>(t) > stored->turns.size())
                throw Error("--turns " + std::to_string(t) + ": dialogue '" + stored->uid + "' has "
                            + std::to_string(stored->turns.size()) + " turns; give 0 to "
                            + std::to_string(stored->turns.size()));
            storedTurns = static_cast<size_t>(t);
        } else {
            while (storedTurns > 0
                   && stored->turns[storedTurns - 1].role == (role == "agent" ? Role::Agent : Role::User))
                --storedTurns;
        }
    } else if (args.value("turns")) {
        throw Error("--turns applies to --dialogue-id");
    }

    LoadOptions lo;
    lo.device = deviceFromOption(args.value("device", "auto"));
    configureTorchThreads();

    LoadedModel lm = loadModelDirectory(resolveCheckpointDir(*checkpoint), lo);
    const Tokenizer& tok = *lm.tokenizer;
    const int64_t maxNew = args.intValue("max-new-tokens", 128);
    CodecOptions co;
    co.maxTokens = std::max<int64_t>(16, lm.config.maxPositionEmbeddings - maxNew);
    const DialogueCodec codec(tok, co);

    std::vector<int64_t> prompt;
    if (stored) {
        prompt = codec.encodePrompt(*stored, storedTurns);
    } else {
        const auto texts = args.values("prompt");
        if (texts.empty())
            throw Error("give --prompt TEXT or --project P.hwb --dialogue-id ID");
        std::vector<Turn> turns;
        for (size_t i = 0; i < texts.size(); ++i)
            turns.push_back({int(i), i % 2 == 0 ? Role::User : Role::Agent, texts[i], nlohmann::json::object()});
        prompt = codec.encodePrompt(args.value("context", ""), turns);
    }

    GenerationOptions g;
    g.maxNewTokens = maxNew;
    g.sampling.temperature = args.doubleValue("temperature", 0.7);
    g.sampling.topK = args.intValue("top-k", 0);
    g.sampling.topP = args.doubleValue("top-p", 0.95);
    g.sampling.seed = uint64_t(args.intValue("seed", 0));
    g.sampling.bannedTokens = {tok.special().pad, tok.special().bos};
    g.useCache = !args.flag("no-cache");
    g.padId = tok.special().pad;
    const auto& sp = tok.special();
    g.stopTokens = role == "agent" ? std::vector<int64_t>{sp.endOfAction, sp.endOfDialogue}
                                   : std::vector<int64_t>{sp.endOfState, sp.endOfDialogue};
    const int64_t num = std::max<int64_t>(1, args.intValue("num", 1));
    const bool stream = !args.flag("json") && num == 1;
    TextStreamer streamer(tok);
    TokenCallback onToken;
    if (stream)
        onToken = [&](const TokenEvent& e) {
            if (!e.stop && !tok.isSpecial(e.token)) {
                std::cout << streamer.push(e.token);
                std::cout.flush();
            }
        };
    LogitsHook hook;
    Transformer model = lm.model;
    std::optional<double> beta;
    if (args.value("beta")) {
        beta = args.doubleValue("beta", 0.0);
        const std::string dir = resolveCheckpointDir(*checkpoint);
        const auto dm = loadIlqlDecodingModel(dir, lo.device);
        if (dm.trunk->config().vocabSize != lm.model->config().vocabSize)
            throw Error(*checkpoint + ": the ILQL trunk's vocabulary (" + std::to_string(dm.trunk->config().vocabSize)
                        + ") differs from the tokenizer's model (" + std::to_string(lm.model->config().vocabSize) + ")");
        model = dm.trunk;
        useIlqlDecoding(g, hook, dm,
                        ilqlDecodeConfigFor(loadIlqlDecodeConfig(dir), g.sampling.temperature, g.sampling.topK, g.sampling.topP, *beta));
    }
    const auto result = generate(model, std::vector<std::vector<int64_t>>(size_t(num), prompt), g, hook, onToken);
    const double tps = result.seconds > 0 ? double(result.generatedTokens) / result.seconds : 0.0;
    if (args.flag("json")) {
        nlohmann::json samples = nlohmann::json::array();
        for (size_t i = 0; i < result.tokens.size(); ++i)
            samples.push_back({{"text", codec.decodeTurn(result.tokens[i])},
                               {"tokens", result.tokens[i].size()},
                               {"finish", finishName(result.finish[i])}});
        std::cout << nlohmann::json{{"samples", samples},
                                    {"prompt_tokens", prompt.size()},
                                    {"tokens_per_second", tps},
                                    {"first_token_ms", result.firstTokenSeconds * 1e3},
                                    {"device", lm.model->device().str()},
                                    {"beta", beta ? nlohmann::json(*beta) : nlohmann::json(nullptr)}}.dump()
                  << "\n";
        return 0;
    }
    if (stream) {
        std::cout << "\n";
    } else {
        for (size_t i = 0; i < result.tokens.size(); ++i)
            std::cout << "[" << i << "] " << codec.decodeTurn(result.tokens[i]) << "\n";
    }
    std::cerr << result.generatedTokens << " tokens in " << result.seconds << " s (" << tps << " tokens/s, "
              << lm.model->device().str() << ")\n";
    return 0;
}

const bool registered = registerCommand({"generate", "next turn of a dialogue from a local checkpoint", kUsage, &runGenerate});

} // namespace
} // namespace hw::cli
