#include "core/gen/slot_decoder.h"

#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hw {

bool SlotDecoder::supports(const Transformer& model)
{
    return model && model->device().is_cpu() && model->dtype() == torch::kFloat;
}

SlotDecoder::SlotDecoder(Transformer model, int64_t slots, int64_t capacity)
    : m_model(std::move(model)), m_slots(slots), m_capacity(capacity)
{
    if (!supports(m_model))
        throw Error("continuous batching needs a float32 model on the CPU");
    const auto& c = m_model->config();
    m_capacity = std::min(m_capacity, c.maxPositionEmbeddings);
    if (m_slots <= 0 || m_capacity <= 1)
        throw Error("continuous batching: slots and capacity must be positive");
    m_cache = m_model->makeCache(m_slots, m_capacity);
    const size_t layers = size_t(c.numHiddenLayers);
    m_qkv.resize(layers);
    m_qkvBias.resize(layers);
    m_gateUp.resize(layers);
    m_gateUpBias.resize(layers);
    // The model's RotaryEmbedding tables, computed the same way (float32).
    const int64_t d = c.effectiveHeadDim();
    auto opts = torch::TensorOptions().dtype(torch::kFloat);
    auto invFreq = 1.0 / torch::pow(torch::full({}, c.ropeTheta, opts),
                                    torch::arange(0, d, 2, opts.dtype(torch::kLong)).to(torch::kFloat) / double(d));
    auto t = torch::arange(std::max<int64_t>(m_capacity, 256), opts);
    auto freqs = torch::outer(t, invFreq);
    auto emb = torch::cat({freqs, freqs}, -1);
    m_cos = emb.cos().contiguous();
    m_sin = emb.sin().contiguous();
}

SlotStepOutput SlotDecoder::prefill(int64_t slot, const std::vector<int64_t>& tokens, int64_t at)
{
    if (slot < 0 || slot >= m_slots)
        throw Error("SlotDecoder: slot out of range");
    const int64_t T = int64_t(tokens.size());
    if (T == 0 || at + T > m_capacity)
        throw Error("SlotDecoder: prefill of " + std::to_string(T) + " tokens at " + std::to_string(at)
                    + " exceeds the slot capacity " + std::to_string(m_capacity));
    KVCache view;
    for (size_t l = 0; l < m_cache.keys.size(); ++l) {
        view.keys.push_back(m_cache.keys[l].narrow(0, slot, 1));
        view.values.push_back(m_cache.values[l].narrow(0, slot, 1));
    }
    view.length = at;
    ForwardOptions fo;
    fo.cache = &view;
    fo.lastLogitsOnly = true;
    const auto input = torch::tensor(tokens, torch::kLong).unsqueeze(0);
    const auto out = m_model->forward(input, fo);
    return {out.hidden.select(1, T - 1), out.logits.select(1, 0).to(torch::kFloat).contiguous()};
}

SlotStepOutput SlotDecoder::prefillFresh(const std::vector<int64_t>& slots, const std::vector<std::vector<int64_t>>& tokens)
{
    const int64_t k = int64_t(slots.size());
    const int64_t T = tokens.empty() ? 0 : int64_t(tokens[0].size());
    if (k == 0 || T == 0 || T > m_capacity)
        throw Error("SlotDecoder: bad batched prefill");
    auto input = torch::empty({k, T}, torch::kLong);
    int64_t* ip = input.data_ptr<int64_t>();
    for (int64_t i = 0; i < k; ++i) {
        if (int64_t(tokens[size_t(i)].size()) != T)
            throw Error("SlotDecoder: batched prefill needs chunks of one length");
        std::copy(tokens[size_t(i)].begin(), tokens[size_t(i)].end(), ip + i * T);
    }
    KVCache scratch = m_model->makeCache(k, T);
    ForwardOptions fo;
    fo.cache = &scratch;
    fo.lastLogitsOnly = true;
    const auto out = m_model->forward(input, fo);
    for (size_t l = 0; l < m_cache.keys.size(); ++l)
        for (int64_t i = 0; i < k; ++i) {
            m_cache.keys[l][slots[size_t(i)]].narrow(1, 0, T).copy_(scratch.keys[l][i]);
            m_cache.values[l][slots[size_t(i)]].narrow(1, 0, T).copy_(scratch.values[l][i]);
        }
    return {out.hidden.select(1, T - 1), out.logits.select(1, 0).to(torch::kFloat).contiguous()};
}

void SlotDecoder::copyPrefix(int64_t from, int64_t to, int64_t length)
{
    if (length <= 0 || from == to)
        return;
    for (size_t l = 0; l < m_cache.keys.size(); ++l) {
        m_cache.keys[l][to].narrow(1, 0, length).copy_(m_cache.keys[l][from].narrow(1, 0, length));
        m_cache.values[l][to].narrow(1, 0, length).copy_(m_cache.values[l][from].narrow(1, 0, length));
    }
}

SlotStepOutput SlotDecoder::decode(const std::vector<int64_t>& slots, const std::vector<int64_t>& tokens,
                                   const std::vector<int64_t>& positions)
{
    const auto& c = m_model->config();
    const int64_t n = int64_t(slots.size());
    const int64_t heads = c.numAttentionHeads, kvHeads = c.numKeyValueHeads, d = c.effectiveHeadDim();
    const int64_t group = heads / kvHeads;
    const int64_t qDim = heads * d, width = (heads + 2 * kvHeads) * d;
    for (int64_t i = 0; i < n; ++i)
        if (positions[size_t(i)] >= m_capacity || slots[size_t(i)] < 0 || slots[size_t(i)] >= m_slots)
            throw Error("SlotDecoder: decode position or slot out of range");
    const float scale = float(1.0 / std::sqrt(double(d)));

    auto x = m_model->model->embed_tokens->weight.index_select(0, torch::tensor(tokens, torch::kLong)); // [n,H]
    std::vector<float> scores(static_cast<size_t>(m_capacity));
    int64_t layerIndex = 0;
    for (const auto& layerModule : *m_model->model->layers) {
        auto* layer = layerModule->as<DecoderLayerImpl>();
        auto& attn = *layer->self_attn;
        const size_t li = size_t(layerIndex);
        const auto h = inferenceRmsNorm(x, layer->input_layernorm->weight, c.rmsNormEps);
        torch::Tensor bias;
        if (attn.q_proj->bias.defined())
            bias = m_qkvBias[li].get({attn.q_proj->bias, attn.k_proj->bias, attn.v_proj->bias});
        const auto qkv = inferenceLinear(h, m_qkv[li].get({attn.q_proj->weight, attn.k_proj->weight, attn.v_proj->weight}), bias);
        auto attnOut = torch::empty({n, qDim}, x.options());
        float* kp = m_cache.keys[li].data_ptr<float>();
        float* vp = m_cache.values[li].data_ptr<float>();
        const float* src = qkv.data_ptr<float>();
        float* op = attnOut.data_ptr<float>();
        std::vector<float> q(static_cast<size_t>(qDim));
        for (int64_t r = 0; r < n; ++r) {
            const int64_t slot = slots[size_t(r)], pos = positions[size_t(r)];
            const float* row = src + r * width;
            const float* cs = m_cos.data_ptr<float>() + pos * d;
            const float* sn = m_sin.data_ptr<float>() + pos * d;
            for (int64_t hd = 0; hd < heads; ++hd)
                inferenceRopeRow(row + hd * d, cs, sn, q.data() + hd * d, d);
            const float* kr = row + heads * d;
            const float* vr = kr + kvHeads * d;
            for (int64_t hd = 0; hd < kvHeads; ++hd) {
                const int64_t at = ((slot * kvHeads + hd) * m_capacity + pos) * d;
                inferenceRopeRow(kr + hd * d, cs, sn, kp + at, d);
                std::copy(vr + hd * d, vr + (hd + 1) * d, vp + at);
            }
            // Attention over this row's own keys 0..pos (inferenceAttention's row kernel).
            for (int64_t hd = 0; hd < heads; ++hd) {
                const int64_t kvh = hd / group;
                inferenceAttendRow(q.data() + hd * d, kp + (slot * kvHeads + kvh) * m_capacity * d,
                                   vp + (slot * kvHeads + kvh) * m_capacity * d, pos + 1, d, scale, nullptr,
                                   scores.data(), op + r * qDim + hd * d);
            }
        }
        auto hres = inferenceLinear(attnOut, attn.o_proj->weight, attn.o_proj->bias).add_(x);
        const auto h2 = inferenceRmsNorm(hres, layer->post_attention_layernorm->weight, c.rmsNormEps);
        auto& mlp = *layer->mlp;
        torch::Tensor guBias;
        if (mlp.gate_proj->bias.defined())
            guBias = m_gateUpBias[li].get({mlp.gate_proj->bias, mlp.up_proj->bias});
        const auto act = inferenceSwiGlu(inferenceLinear(h2, m_gateUp[li].get({mlp.gate_proj->weight, mlp.up_proj->weight}), guBias));
        x = inferenceLinear(act, mlp.down_proj->weight, mlp.down_proj->bias).add_(hres);
        ++layerIndex;
    }
    SlotStepOutput out;
    out.hidden = inferenceRmsNorm(x, m_model->model->norm->weight, c.rmsNormEps);
    out.logits = m_model->logits(out.hidden).contiguous();
    return out;
}

} // namespace hw
