#include "core/offline/local_forward_model.h"

#include "core/gen/generation_engine.h"
#include "core/model/generation.h"
#include "core/model/model_io.h"
#include "core/train/checkpoint.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hw {
namespace {

uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t z = a ^ (b + 0x9E3779B97F4A7C15ull + (a << 6) + (a >> 2));
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

} // namespace

LocalForwardModel::LocalForwardModel(LocalForwardOptions options) : m_options(std::move(options))
{
    m_dir = resolveCheckpointDir(m_options.checkpoint);
    LoadOptions lo;
    lo.device = m_options.device;
    auto loaded = loadModelDirectory(m_dir, lo);
    if (!loaded.tokenizer)
        throw Error(m_dir + ": missing tokenizer.model (a forward model needs its tokenizer)");
    m_model = loaded.model;
    m_model->eval();
    // Room for the continuation inside the model's context: at most half of it is generated.
    m_options.maxNewTokens = std::max<int64_t>(8, std::min(m_options.maxNewTokens, loaded.config.maxPositionEmbeddings / 2));
    CodecOptions co;
    co.maxTokens = loaded.config.maxPositionEmbeddings - m_options.maxNewTokens;
    m_codec = std::make_unique<DialogueCodec>(std::move(*loaded.tokenizer), co);
    CheckpointReader reader(m_dir);
    if (reader.has(checkpoint::kTrainerState))
        m_step = reader.readTrainerState().state.step;
    if (m_options.batchSlots > 0) {
        EngineOptions eo;
        eo.maxBatch = m_options.batchSlots;
        eo.maxQueue = std::max<int64_t>(64, 4 * m_options.batchSlots);
        eo.maxLength = loaded.config.maxPositionEmbeddings;
        m_engine = std::make_unique<GenerationEngine>(m_model, eo);
    }
}

int LocalForwardModel::maxConcurrency() const
{
    return m_engine ? static_cast<int>(m_options.batchSlots) : 1;
}

LocalForwardModel::~LocalForwardModel() = default;

std::string LocalForwardModel::name() const
{
    return m_options.hard ? "local-forward-hard" : "local-forward";
}

ForwardResult LocalForwardModel::complete(const ForwardRequest& request, const StageContext& ctx)
{
    ForwardResult result;
    if (request.prefix.empty() || request.prefix.back().role != Role::Agent)
        throw StageError("forward model: the prefix must end with the new agent utterance", false);
    const auto& sp = m_codec->tokenizer().special();
    std::string context;
    if (request.parent)
        context = m_codec->contextText(*request.parent);
    else if (request.task)
        context = "task: " + request.task->name;
    const auto prompt = m_codec->encodePrompt(context, request.prefix);
    const int budget = std::max(1, request.turnBudget);

    GenerationOptions go;
    // The validity constraints below must act before top-k/top-p (otherwise the filter can
    // leave only tokens the constraints then forbid), so the hook filters, not generate().
    SamplingOptions filter;
    filter.temperature = m_options.temperature;
    filter.topP = m_options.topP;
    filter.topK = m_options.topK;
    go.sampling.temperature = m_options.temperature > 0 ? 1.0 : 0.0;
    go.sampling.topP = 1.0;
    go.sampling.topK = 0;
    go.sampling.seed = mix(mix(ctx.seed, static_cast<uint64_t>(request.sampleIndex)), static_cast<uint64_t>(ctx.attempt));
    go.maxNewTokens = std::min<int64_t>(m_options.maxNewTokens,
                                        m_model->config().maxPositionEmbeddings - static_cast<int64_t>(prompt.size()));
    go.stopTokens = {sp.endOfDialogue};
    go.padId = sp.pad;
    const size_t promptLen = prompt.size();
    const float ninf = -std::numeric_limits<float>::infinity();
    // Keeps the continuation a valid dialogue (see the header).
    LogitsHook hook = [&](const torch::Tensor& logitsIn, const LogitsHookContext& c) {
        // Plain loops over the row's floats (a few tokens change per step; torch ops per element
        // would cost more than the model's step on a small model).
        auto logits = logitsIn.to(torch::kCPU, torch::kFloat).contiguous().clone();
        const int64_t V = logits.size(1);
        const auto rows = c.rows.to(torch::kCPU).contiguous();
        for (int64_t r = 0; r < logits.size(0); ++r) {
            const auto& seq = (*c.sequences)[static_cast<size_t>(rows.data_ptr<int64_t>()[r])];
            int ends = 0;
            bool lastWasEnd = true; // right after the prompt's </a>
            for (size_t i = promptLen; i < seq.size(); ++i) {
                const bool end = seq[i] == sp.endOfState || seq[i] == sp.endOfAction;
                ends += end;
                lastWasEnd = end;
            }
            float* row = logits.data_ptr<float>() + r * V;
            auto only = [&](int64_t id, float value) {
                std::fill(row, row + V, ninf);
                row[id] = value;
            };
            const int64_t left = go.maxNewTokens - c.step; // tokens still allowed, this one included
            if (ends >= budget || (ends > 0 && (left <= 1 || (left <= 2 && lastWasEnd)))) {
                const float keep = row[sp.endOfDialogue];
                only(sp.endOfDialogue, std::isfinite(keep) ? keep : 0.f);
                continue;
            }
            if (left <= 2 && !lastWasEnd) {
                // Out of room: close the turn being written (the user's when it is the first).
                const float st = row[sp.endOfState], a = row[sp.endOfAction];
                only(ends == 0 || !(a > st) ? sp.endOfState : sp.endOfAction, 0.f);
                continue;
            }
            if (lastWasEnd) { // no empty turns; the first turn is the user's
                row[sp.endOfState] = ninf;
                row[sp.endOfAction] = ninf;
                if (ends == 0)
                    row[sp.endOfDialogue] = ninf;
            } else if (ends == 0) {
                row[sp.endOfAction] = ninf;
                row[sp.endOfDialogue] = ninf;
            }
            for (int64_t id : {sp.pad, sp.bos, sp.beginAction, sp.unk})
                if (id >= 0 && id < V)
                    row[id] = ninf;
            if (std::none_of(row, row + V, [](float x) { return std::isfinite(x); }))
                row[sp.endOfDialogue] = 0.f;
        }
        if (filter.temperature > 0)
            filterLogits(logits, filter);
        return logits.to(logitsIn.device());
    };

    GenerationResult g;
    if (m_engine) {
        // The hook runs on the engine thread for this sequence alone (rows = {0}).
        EngineRequest er;
        er.prompts = {prompt};
        er.options = go;
        er.hook = hook;
        er.stop = ctx.stop;
        g = m_engine->submit(std::move(er)).get();
    } else {
        std::lock_guard<std::mutex> lock(m_mutex);
        g = generate(m_model, {prompt}, go, hook, {}, &ctx.stop);
    }
    if (!g.finish.empty() && g.finish[0] == FinishReason::Cancelled)
        throw Cancelled();
    const auto& tokens = g.tokens[0];

    std::vector<int64_t> words;
    std::string raw;
    int index = static_cast<int>(request.prefix.size());
    bool sawEnd = false;
    for (int64_t id : tokens) {
        if (id == sp.endOfDialogue) {
            sawEnd = true;
            break;
        }
        if (id == sp.endOfState || id == sp.endOfAction) {
            Turn t;
            t.index = index++;
            t.role = id == sp.endOfState ? Role::User : Role::Agent;
            t.text = m_codec->decodeTurn(words);
            raw += std::string(t.role == Role::User ? "H: " : "AI: ") + t.text + "\n";
            result.continuation.push_back(std::move(t));
            words.clear();
            continue;
        }
        words.push_back(id);
    }
    result.usage.promptTokens = static_cast<int64_t>(prompt.size());
    result.usage.completionTokens = static_cast<int64_t>(tokens.size());
    result.usage.latencyMs = g.seconds * 1000.0;
    result.raw = raw;
    result.provenance = {{"kind", "local"},
                         {"role", m_options.hard ? "forward-hard" : "forward"},
                         {"checkpoint", m_dir},
                         {"step", m_step},
                         {"temperature", m_options.temperature},
                         {"top_p", m_options.topP},
                         {"seed", go.sampling.seed},
                         {"finished", sawEnd}};
    if (result.continuation.empty()) {
        result.ok = false;
        result.error = "the forward model wrote no complete turn";
        return result;
    }
    if (result.continuation.front().role != Role::User) {
        result.ok = false;
        result.error = "the continuation does not start with the user";
        return result;
    }
    result.ok = true;
    return result;
}

} // namespace hw
