#include "core/chat/local_checkpoint_agent.h"

#include "core/gen/generation_engine.h"
#include "core/model/dialogue_codec.h"
#include "core/model/generation.h"
#include "core/model/model_io.h"
#include "core/model/safetensors.h"
#include "core/rl/ilql_config.h"
#include "core/rl/ilql_heads.h"
#include "core/rl/ilql_policy.h"
#include "core/rl/ilql_sampling.h"
#include "core/train/ilql_trainer.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>

namespace hw {

// The ILQL trainer's separate layout (π_β + value trunk): see core/train/ilql_trainer.h.
constexpr const char* kSeparateValueHeads = "ilql_value_heads.safetensors";
namespace {

namespace fs = std::filesystem;

nlohmann::json readJsonFile(const fs::path& p)
{
    std::ifstream in(p);
    if (!in)
        return nlohmann::json();
    auto j = nlohmann::json::parse(in, nullptr, false);
    return j.is_discarded() ? nlohmann::json() : j;
}

// The ILQL options the checkpoint was trained with (value clipping matters for decoding);
// looked up under the keys trainers use, defaults otherwise.
IlqlConfig ilqlConfigOf(const std::string& dir)
{
    const auto cfg = readJsonFile(fs::path(dir) / "train_config.json");
    for (const char* key : {"ilql", "loss", "ilql_config"}) {
        if (cfg.is_object() && cfg.contains(key) && cfg[key].is_object()) {
            try {
                return cfg[key].get<IlqlConfig>();
            } catch (const std::exception&) {
            }
        }
    }
    return IlqlConfig::paperDefaults();
}

// Copies the tensors of a heads file into the module; names may carry a prefix ("heads.").
void loadHeads(IlqlHeads& heads, const std::string& file)
{
    auto tensors = safetensors::load(file);
    torch::NoGradGuard noGrad;
    for (auto& p : heads->named_parameters(/*recurse=*/true)) {
        const std::string& name = p.key();
        const torch::Tensor* found = nullptr;
        for (const auto& [k, t] : tensors) {
            if (k == name || (k.size() > name.size() && k.compare(k.size() - name.size(), name.size(), name) == 0
                              && k[k.size() - name.size() - 1] == '.')) {
                found = &t;
                break;
            }
        }
        if (!found)
            throw Error(file + ": tensor '" + name + "' of the ILQL heads is missing");
        if (found->sizes() != p.value().sizes())
            throw Error(file + ": tensor '" + name + "' has the wrong shape");
        p.value().copy_(found->to(p.value().dtype()));
    }
}

bool hasTensor(const std::map<std::string, torch::Tensor>& t, const std::string& suffix)
{
    for (const auto& [k, v] : t)
        if (k == suffix || (k.size() > suffix.size() && k.compare(k.size() - suffix.size(), suffix.size(), suffix) == 0))
            return true;
    return false;
}

} // namespace

std::string ilqlHeadsFile(const std::string& dir)
{
    if (fs::is_regular_file(fs::path(dir) / kSeparateValueHeads))
        return (fs::path(dir) / kSeparateValueHeads).string();
    for (const char* name : {"ilql_heads.safetensors", "heads.safetensors"}) {
        const fs::path p = fs::path(dir) / name;
        std::error_code ec;
        if (fs::is_regular_file(p, ec))
            return p.string();
    }
    return {};
}

struct LocalCheckpointAgent::Impl {
    LoadedModel loaded;
    std::unique_ptr<DialogueCodec> codec;
    std::optional<IlqlDecodingModel> decoding;   // set when the checkpoint has ILQL value heads
    IlqlDecodeConfig decode;                     // the checkpoint's decoding options (train_config.json)
    IlqlConfig ilql;
    std::atomic<double> beta{8.0};
    torch::Device device{torch::kCPU};
    std::unique_ptr<GenerationEngine> engine;    // batched decoding (ChatAgentEnv::batchSlots)
};

LocalCheckpointAgent::LocalCheckpointAgent(ChatAgentSpec spec, int64_t batchSlots)
    : ChatAgent(std::move(spec)), m(std::make_unique<Impl>())
{
    const std::string& dir = m_spec.checkpoint;
    if (dir.empty())
        throw Error("chat agent '" + m_spec.displayName() + "': no checkpoint directory given");
    LoadOptions lo;
    lo.device = m_spec.device;
    m->loaded = loadModelDirectory(dir, lo);
    if (!m->loaded.tokenizer)
        throw Error(dir + ": the checkpoint has no tokenizer (tokenizer.model)");
    m->device = m->loaded.model->device();

    CodecOptions co;
    const auto trainCfg = readJsonFile(fs::path(dir) / "train_config.json");
    if (trainCfg.is_object() && trainCfg.contains("includeContext") && trainCfg["includeContext"].is_boolean())
        co.includeContext = trainCfg["includeContext"].get<bool>();
    if (trainCfg.is_object() && trainCfg.contains("maxSeqLen") && trainCfg["maxSeqLen"].is_number_integer())
        co.maxTokens = trainCfg["maxSeqLen"].get<int64_t>();
    m->codec = std::make_unique<DialogueCodec>(*m->loaded.tokenizer, co);

    const std::string headsFile = ilqlHeadsFile(dir);
    if (fs::is_regular_file(fs::path(dir) / kSeparateValueHeads)) {
        // The trainer's default layout: π_β generates, V and Q̂ sit on their own value trunk
        // (and target trunk when trained with one), run on the same tokens at each step.
        m->decoding = loadIlqlDecodingModel(dir, m_spec.device);
        m->decoding->trunk = m->loaded.model;
        m->ilql = m->decoding->config;
    } else if (!headsFile.empty()) {
        const auto tensors = safetensors::load(headsFile);
        IlqlHeadsOptions ho;
        ho.hidden = m->loaded.config.hiddenSize;
        ho.vocab = m->loaded.model->config().vocabSize;
        ho.doubleQ = hasTensor(tensors, "q2.fc2.weight");
        IlqlHeads heads(ho);
        loadHeads(heads, headsFile);
        heads->to(m->device);
        heads->eval();
        m->ilql = ilqlConfigOf(dir);
        IlqlDecodingModel d;   // shared layout: the heads read π's own hidden states
        d.trunk = m->loaded.model;
        d.heads = heads;
        d.config = m->ilql;
        m->decoding = d;
    } else if (m_spec.kind == agent_kind::kIlql) {
        throw Error(dir + ": ILQL decoding needs the value heads (ilql_heads.safetensors), "
                          "which this checkpoint does not have; choose π_β instead");
    }
    if (m->decoding)
        m->decode = loadIlqlDecodeConfig(dir);
    m->beta = m_spec.beta;
    // The engine decodes one model; a separate value trunk would need its own caches in lockstep.
    if (batchSlots > 0 && (!m->decoding || ilqlCompanionTrunks(*m->decoding).empty())) {
        EngineOptions eo;
        eo.maxBatch = batchSlots;
        eo.maxQueue = std::max<int64_t>(64, 4 * batchSlots);
        eo.maxLength = m->loaded.model->config().maxPositionEmbeddings;
        m->engine = std::make_unique<GenerationEngine>(m->loaded.model, eo);
    }
}

bool LocalCheckpointAgent::reentrant() const { return m->engine != nullptr; }

LocalCheckpointAgent::~LocalCheckpointAgent() = default;

bool LocalCheckpointAgent::hasValues() const { return m->decoding.has_value(); }

void LocalCheckpointAgent::setBeta(double beta) { m->beta = beta; }

ChatReply LocalCheckpointAgent::reply(const ChatReplyRequest& request, const TokenStreamFn& onToken, const StopToken& stop)
{
    const Tokenizer& tok = *m->loaded.tokenizer;
    const auto& sp = tok.special();

    Dialogue d;
    d.task = request.task.name;
    if (!request.context.empty())
        d.metadata["situation"] = request.context;
    d.turns = request.history;
    for (size_t i = 0; i < d.turns.size(); ++i)
        d.turns[i].index = static_cast<int>(i);
    const std::vector<int64_t> prompt = m->codec->encodePrompt(d, d.turns.size());

    GenerationOptions go;
    go.sampling.temperature = m_spec.temperature;
    go.sampling.topK = m_spec.topK;
    go.sampling.topP = m_spec.topP;
    go.sampling.seed = m_spec.seed;
    for (int64_t id : {sp.pad, sp.bos, sp.beginAction, sp.unk})
        if (id >= 0)
            go.sampling.bannedTokens.push_back(id);
    go.maxNewTokens = m_spec.maxNewTokens;
    for (int64_t id : {sp.endOfAction, sp.endOfState, sp.endOfDialogue})
        if (id >= 0)
            go.stopTokens.push_back(id);
    go.padId = sp.pad >= 0 ? sp.pad : 0;

    const bool values = m->decoding.has_value();
    const bool ilqlDecoding = values && m_spec.kind == agent_kind::kIlql;
    if (values)
        go.companions = ilqlCompanionTrunks(*m->decoding);   // separate value / target trunks, own caches
    if (ilqlDecoding) {
        // Temperature, top-k and top-p are applied by the ILQL decoding itself (ilqlDecodeLogits,
        // the implementation checked against the reference's decoding cases), not by generate().
        ilqlDecodeConfigFor(m->decode, m_spec.temperature, m_spec.topK, m_spec.topP, m->beta.load()); // validates
        auto banned = go.sampling.bannedTokens;
        go.sampling = ilqlSamplingOptions(m->decode, m_spec.seed);
        if (m_spec.temperature <= 0)
            go.sampling.temperature = 0.0; // greedy: the argmax of the ILQL logits
        go.sampling.bannedTokens = banned;
    }
    // What the hook saw at the current step, read back once the token is known.
    torch::Tensor stepProbs, stepQ, stepV;
    // A reply has at least one token: the end tokens are banned at the first step (when anything
    // else is left after top-k / top-p), so the researcher never gets an empty bubble.
    const auto stopIds = torch::tensor(go.stopTokens, torch::kLong).to(m->device);
    LogitsHook hook = [&](const torch::Tensor& rawLogits, const LogitsHookContext& ctx) -> torch::Tensor {
        torch::Tensor logits = rawLogits;
        bool replaced = false;
        if (ctx.step == 0 && stopIds.numel() > 0) {
            auto masked = rawLogits.index_fill(-1, stopIds, -std::numeric_limits<float>::infinity());
            if (torch::isfinite(masked).any().item<bool>()) {
                logits = masked;
                replaced = true;
            }
        }
        // π_β's own probability: its raw logits at temperature 1, before banned tokens, top-k/top-p
        // and the first-step stop mask (those shape what is sampled, not what π_β thinks).
        stepProbs = torch::softmax(ctx.rawLogits, -1).to(torch::kCPU);
        if (!values)
            return replaced ? logits : torch::Tensor();
        const IlqlValues iv = ilqlValuesAt(*m->decoding, ctx);
        auto v = iv.v;   // [b]
        auto q = iv.q;   // [b,V], clipped to the value range
        stepQ = q.to(torch::kCPU);
        stepV = v.to(torch::kCPU);
        if (!ilqlDecoding)
            return replaced ? logits : torch::Tensor();
        // β read at every step: the researcher may move the slider while the reply is written.
        const auto decode
            = ilqlDecodeConfigFor(m->decode, m_spec.temperature, m_spec.topK, m_spec.topP, m->beta.load());
        return ilqlDecodeLogits(logits, v.to(logits.device()), q.to(logits.device()), decode, torch::isneginf(logits));
    };

    ChatReply out;
    TextStreamer streamer(tok);
    std::vector<int64_t> generated;
    TokenCallback onEvent = [&](const TokenEvent& ev) {
        if (ev.stop)
            return;
        generated.push_back(ev.token);
        TokenValue tv;
        tv.text = streamer.push(ev.token);
        if (stepProbs.defined())
            tv.pBeta = stepProbs[0][ev.token].item<double>();
        if (stepQ.defined()) {
            tv.q = stepQ[0][ev.token].item<double>();
            tv.v = stepV[0].item<double>();
        }
        out.tokens.push_back(tv);
        if (onToken)
            onToken(tv);
    };

    torch::NoGradGuard noGrad;
    GenerationResult r;
    if (m->engine) {
        // hook and onEvent run on the engine thread, one call at a time for this reply.
        EngineRequest er;
        er.prompts = {prompt};
        er.options = go;
        er.hook = hook;
        er.onToken = onEvent;
        er.stop = stop;
        r = m->engine->submit(std::move(er)).get();
    } else {
        r = generate(m->loaded.model, {prompt}, go, hook, onEvent, &stop);
    }
    out.text = m->codec->decodeTurn(generated);
    out.rawText = out.text;
    out.tokenCount = r.generatedTokens;
    out.seconds = r.seconds;
    out.firstTokenSeconds = r.firstTokenSeconds;
    out.cancelled = !r.finish.empty() && r.finish[0] == FinishReason::Cancelled;
    out.provenance = {{"checkpoint", m_spec.checkpoint},
                      {"kind", m_spec.kind},
                      {"prompt_tokens", static_cast<int64_t>(prompt.size())},
                      {"temperature", m_spec.temperature},
                      {"top_k", m_spec.topK},
                      {"top_p", m_spec.topP},
                      {"seed", m_spec.seed}};
    if (ilqlDecoding)
        out.provenance["beta"] = m->beta.load();
    return out;
}

} // namespace hw
