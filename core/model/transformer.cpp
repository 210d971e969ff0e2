#include "core/model/transformer.h"

#include "core/model/inference_kernels.h"
#include "core/util/error.h"

#include <cmath>
#include <limits>

namespace F = torch::nn::functional;

namespace hw {

namespace {

// Most negative finite value of a floating dtype: masked scores stay finite, so a row whose keys
// are all masked (a left-padding query) gives a uniform softmax instead of NaN.
double maskValue(torch::Dtype dtype)
{
    switch (dtype) {
    case torch::kHalf: return -65504.0;
    case torch::kBFloat16: return -3.38e38;
    case torch::kDouble: return -1e300;
    default: return -3.4e38;
    }
}

torch::Tensor rotateHalf(const torch::Tensor& x)
{
    const int64_t half = x.size(-1) / 2;
    return torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

} // namespace

// ---------------------------------------------------------------------------------------- KVCache

void KVCache::selectRows(const torch::Tensor& index)
{
    for (auto& k : keys)
        k = k.index_select(0, index);
    for (auto& v : values)
        v = v.index_select(0, index);
}

// ---------------------------------------------------------------------------------------- RMSNorm

RMSNormImpl::RMSNormImpl(int64_t size, double eps) : m_eps(eps)
{
    weight = register_parameter("weight", torch::ones({size}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x)
{
    if (useInferenceKernels(x))
        return inferenceRmsNorm(x, weight, m_eps);
    // Computed in float32 for half inputs, as transformers does.
    if (x.scalar_type() != torch::kFloat && x.scalar_type() != torch::kDouble) {
        auto xf = x.to(torch::kFloat);
        auto y = xf * torch::rsqrt(xf.square().mean(-1, true) + m_eps);
        return weight * y.to(x.scalar_type());
    }
    return x * torch::rsqrt(x.square().mean(-1, true) + m_eps) * weight;
}

// -------------------------------------------------------------------------------- RotaryEmbedding

RotaryEmbedding::RotaryEmbedding(int64_t headDim, int64_t maxPositions, double theta)
    : m_headDim(headDim), m_theta(theta)
{
    (void)maxPositions; // tables grow on demand
}

void RotaryEmbedding::ensure(int64_t positions, const torch::Device& device, torch::Dtype dtype)
{
    if (m_cos.defined() && m_cos.size(0) >= positions && m_cos.device() == device && m_cos.scalar_type() == dtype)
        return;
    int64_t n = std::max<int64_t>(positions, m_cos.defined() ? m_cos.size(0) : 0);
    n = std::max<int64_t>(n, 256);
    // Plain tensors even when first asked for inside InferenceMode (generation): training later
    // multiplies by them with autograd on, which inference tensors do not allow.
    c10::InferenceMode notInference(false);
    torch::NoGradGuard noGrad;
    // inv_freq exactly as transformers: 1 / theta^(arange(0, d, 2) / d), in float32.
    auto opts = torch::TensorOptions().dtype(torch::kFloat);
    auto invFreq = 1.0 / torch::pow(torch::full({}, m_theta, opts),
                                    torch::arange(0, m_headDim, 2, opts.dtype(torch::kLong)).to(torch::kFloat)
                                        / double(m_headDim));
    auto t = torch::arange(n, opts);
    auto freqs = torch::outer(t, invFreq);
    auto emb = torch::cat({freqs, freqs}, -1);
    m_cos = emb.cos().to(device, dtype);
    m_sin = emb.sin().to(device, dtype);
}

std::pair<torch::Tensor, torch::Tensor> RotaryEmbedding::table(int64_t start, int64_t length,
                                                               const torch::Tensor& positionIds,
                                                               const torch::Device& device, torch::Dtype dtype)
{
    if (positionIds.defined()) {
        const int64_t maxPos = positionIds.numel() ? positionIds.max().item<int64_t>() + 1 : 1;
        ensure(maxPos, device, dtype);
        const auto b = positionIds.size(0), t = positionIds.size(1);
        auto idx = positionIds.reshape({-1}).to(device);
        return {m_cos.index_select(0, idx).view({b, 1, t, m_headDim}),
                m_sin.index_select(0, idx).view({b, 1, t, m_headDim})};
    }
    ensure(start + length, device, dtype);
    return {m_cos.narrow(0, start, length).view({1, 1, length, m_headDim}),
            m_sin.narrow(0, start, length).view({1, 1, length, m_headDim})};
}

// -------------------------------------------------------------------------------------- Attention

namespace {
torch::Tensor attentionInference(AttentionImpl& a, const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                 const torch::Tensor& additiveMask, KVCache* cache, int64_t layerIndex);
} // namespace

AttentionImpl::AttentionImpl(const ModelConfig& c)
    : m_heads(c.numAttentionHeads), m_kvHeads(c.numKeyValueHeads), m_headDim(c.effectiveHeadDim())
{
    const int64_t q = m_heads * m_headDim, kv = m_kvHeads * m_headDim;
    q_proj = register_module("q_proj", torch::nn::Linear(torch::nn::LinearOptions(c.hiddenSize, q).bias(c.attentionBias)));
    k_proj = register_module("k_proj", torch::nn::Linear(torch::nn::LinearOptions(c.hiddenSize, kv).bias(c.attentionBias)));
    v_proj = register_module("v_proj", torch::nn::Linear(torch::nn::LinearOptions(c.hiddenSize, kv).bias(c.attentionBias)));
    o_proj = register_module("o_proj", torch::nn::Linear(torch::nn::LinearOptions(q, c.hiddenSize).bias(c.outputProjectionBias())));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                     const torch::Tensor& additiveMask, KVCache* cache, int64_t layerIndex)
{
    const int64_t B = x.size(0), T = x.size(1);
    const int64_t qDim = m_heads * m_headDim, kvDim = m_kvHeads * m_headDim;
    const int64_t group = m_heads / m_kvHeads;
    if (useInferenceKernels(x) && cos.is_cpu() && (!cache || cache->keys[layerIndex].scalar_type() == torch::kFloat))
        return attentionInference(*this, x, cos, sin, additiveMask, cache, layerIndex);

    // One matrix product for q, k and v (fewer, larger GEMMs); the concatenated weight is tiny
    // next to the activations when training. Inference with T == 1 keeps the three products.
    torch::Tensor q, k, v;
    if (T > 1) {
        auto w = torch::cat({q_proj->weight, k_proj->weight, v_proj->weight}, 0);
        torch::Tensor b;
        if (q_proj->bias.defined())
            b = torch::cat({q_proj->bias, k_proj->bias, v_proj->bias}, 0);
        // split (not three narrows): its backward concatenates the three gradients into one
        // buffer, where each narrow's backward would zero-fill a full-size buffer of its own.
        const auto parts = F::linear(x, w, b).split_with_sizes({qDim, kvDim, kvDim}, -1);
        q = parts[0];
        k = parts[1];
        v = parts[2];
    } else {
        q = q_proj(x);
        k = k_proj(x);
        v = v_proj(x);
    }
    // [B,T,h*d] -> [B,h,T,d]
    q = q.view({B, T, m_heads, m_headDim}).transpose(1, 2);
    k = k.view({B, T, m_kvHeads, m_headDim}).transpose(1, 2);
    v = v.view({B, T, m_kvHeads, m_headDim}).transpose(1, 2).contiguous();
    // RoPE; the results are contiguous [B,h,T,d].
    q = (q * cos + rotateHalf(q) * sin).contiguous();
    k = (k * cos + rotateHalf(k) * sin).contiguous();

    int64_t past = 0;
    if (cache) {
        past = cache->length;
        if (past + T > cache->capacity())
            throw Error("KV cache full: " + std::to_string(past + T) + " positions > capacity "
                        + std::to_string(cache->capacity()));
        cache->keys[layerIndex].narrow(2, past, T).copy_(k);
        cache->values[layerIndex].narrow(2, past, T).copy_(v);
        k = cache->keys[layerIndex].narrow(2, 0, past + T);
        v = cache->values[layerIndex].narrow(2, 0, past + T);
    }
    const int64_t L = past + T;
    const double scale = 1.0 / std::sqrt(double(m_headDim));

    // Grouped-query attention without repeating K/V: the `group` query heads that share a KV head
    // are stacked along the query axis, [B, kvh, group*T, d] x [B, kvh, d, L].
    auto q3 = q.view({B * m_kvHeads, group * T, m_headDim});
    auto k3 = k.reshape({B * m_kvHeads, L, m_headDim}).transpose(1, 2);
    auto v3 = v.reshape({B * m_kvHeads, L, m_headDim});
    torch::Tensor scores;
    if (additiveMask.defined() && additiveMask.dim() == 2) {
        // Shared [group*T, L] mask (causal, no padding): scale and mask fused into the GEMM.
        scores = torch::baddbmm(additiveMask, q3, k3, 1.0, scale);
    } else {
        scores = torch::bmm(q3, k3).mul_(scale);
        if (additiveMask.defined()) // [B,1,T,L] -> [B,1,1,T,L] against [B,kvh,group,T,L]
            scores = (scores.view({B, m_kvHeads, group, T, L}) + additiveMask.unsqueeze(1))
                         .view({B * m_kvHeads, group * T, L});
    }
    auto probs = scores.scalar_type() == torch::kFloat || scores.scalar_type() == torch::kDouble
                     ? torch::softmax(scores, -1)
                     : torch::softmax(scores, -1, torch::kFloat).to(scores.scalar_type());
    auto out = torch::bmm(probs, v3);                                   // [B*kvh, group*T, d]
    out = out.view({B, m_heads, T, m_headDim}).transpose(1, 2).reshape({B, T, qDim});
    return o_proj(out);
}

// float32 CPU without autograd: one product for q|k|v, RoPE written straight into the cache, the
// attention of short query blocks in plain loops (inference_kernels.h).
namespace {

torch::Tensor attentionInference(AttentionImpl& a, const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                 const torch::Tensor& additiveMask, KVCache* cache, int64_t layerIndex)
{
    const int64_t headDim = cos.size(-1);
    const int64_t heads = a.q_proj->weight.size(0) / headDim, kvHeads = a.k_proj->weight.size(0) / headDim;
    auto& q_proj = a.q_proj;
    auto& k_proj = a.k_proj;
    auto& v_proj = a.v_proj;
    auto& o_proj = a.o_proj;
    const int64_t B = x.size(0), T = x.size(1);
    std::vector<torch::Tensor> weights{q_proj->weight, k_proj->weight, v_proj->weight};
    torch::Tensor qkv;
    if (fuseForInference(weights)) {
        torch::Tensor bias;
        if (q_proj->bias.defined())
            bias = fusedWeightFor(&a, 1, {q_proj->bias, k_proj->bias, v_proj->bias});
        qkv = inferenceLinear(x, fusedWeightFor(&a, 0, weights), bias);
    } else {
        qkv = torch::cat({inferenceLinear(x, q_proj->weight, q_proj->bias), inferenceLinear(x, k_proj->weight, k_proj->bias),
                          inferenceLinear(x, v_proj->weight, v_proj->bias)},
                         -1);
    }
    auto q = torch::empty({B, heads, T, headDim}, x.options());
    int64_t past = 0;
    torch::Tensor k, v;
    if (cache) {
        past = cache->length;
        if (past + T > cache->capacity())
            throw Error("KV cache full: " + std::to_string(past + T) + " positions > capacity "
                        + std::to_string(cache->capacity()));
        auto& keys = cache->keys[layerIndex];
        auto& values = cache->values[layerIndex];
        if (!keys.is_contiguous())
            keys = keys.contiguous();
        if (!values.is_contiguous())
            values = values.contiguous();
        k = keys;
        v = values;
    } else {
        k = torch::empty({B, kvHeads, T, headDim}, x.options());
        v = torch::empty({B, kvHeads, T, headDim}, x.options());
    }
    inferenceRopeSplit(qkv, B, T, heads, kvHeads, headDim, cos.to(torch::kFloat), sin.to(torch::kFloat), q, k, v, past);
    const double scale = 1.0 / std::sqrt(double(headDim));
    torch::Tensor out;
    if (T <= kInferenceAttentionMaxQueries) {
        out = inferenceAttention(q, k, v, past, additiveMask, scale);
    } else {
        // Long prompt blocks: batched GEMMs beat the scalar loops (same math as forward()).
        const int64_t L = past + T, group = heads / kvHeads;
        auto q3 = q.view({B * kvHeads, group * T, headDim});
        auto k3 = k.narrow(2, 0, L).reshape({B * kvHeads, L, headDim}).transpose(1, 2);
        auto v3 = v.narrow(2, 0, L).reshape({B * kvHeads, L, headDim});
        torch::Tensor scores;
        if (additiveMask.defined() && additiveMask.dim() == 2) {
            scores = torch::baddbmm(additiveMask, q3, k3, 1.0, scale);
        } else {
            scores = torch::bmm(q3, k3).mul_(scale);
            if (additiveMask.defined())
                scores = (scores.view({B, kvHeads, group, T, L}) + additiveMask.unsqueeze(1))
                             .view({B * kvHeads, group * T, L});
        }
        out = torch::bmm(torch::softmax(scores, -1), v3)
                  .view({B, heads, T, headDim})
                  .transpose(1, 2)
                  .reshape({B, T, heads * headDim});
    }
    return inferenceLinear(out, o_proj->weight, o_proj->bias);
}

} // namespace

// -------------------------------------------------------------------------------------------- MLP

MlpImpl::MlpImpl(const ModelConfig& c)
{
    auto lin = [&](int64_t in, int64_t out) { return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(c.mlpBias)); };
    gate_proj = register_module("gate_proj", lin(c.hiddenSize, c.intermediateSize));
    up_proj = register_module("up_proj", lin(c.hiddenSize, c.intermediateSize));
    down_proj = register_module("down_proj", lin(c.intermediateSize, c.hiddenSize));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x)
{
    if (useInferenceKernels(x)) {
        const std::vector<torch::Tensor> weights{gate_proj->weight, up_proj->weight};
        torch::Tensor act;
        if (fuseForInference(weights)) {
            torch::Tensor bias;
            if (gate_proj->bias.defined())
                bias = fusedWeightFor(this, 1, {gate_proj->bias, up_proj->bias});
            act = inferenceSwiGlu(inferenceLinear(x, fusedWeightFor(this, 0, weights), bias));
        } else {
            act = inferenceSwiGlu(torch::cat({inferenceLinear(x, gate_proj->weight, gate_proj->bias),
                                              inferenceLinear(x, up_proj->weight, up_proj->bias)},
                                             -1));
        }
        return inferenceLinear(act, down_proj->weight, down_proj->bias);
    }
    if (x.size(1) > 1) {
        // gate and up in one product (see AttentionImpl::forward).
        const int64_t f = gate_proj->weight.size(0);
        torch::Tensor b;
        if (gate_proj->bias.defined())
            b = torch::cat({gate_proj->bias, up_proj->bias}, 0);
        const auto gu = F::linear(x, torch::cat({gate_proj->weight, up_proj->weight}, 0), b).split(f, -1);
        return down_proj(torch::silu(gu[0]) * gu[1]);
    }
    return down_proj(torch::silu(gate_proj(x)) * up_proj(x));
}

// ----------------------------------------------------------------------------------- DecoderLayer

DecoderLayerImpl::DecoderLayerImpl(const ModelConfig& c, int64_t index) : m_index(index)
{
    self_attn = register_module("self_attn", Attention(c));
    mlp = register_module("mlp", Mlp(c));
    input_layernorm = register_module("input_layernorm", RMSNorm(c.hiddenSize, c.rmsNormEps));
    post_attention_layernorm = register_module("post_attention_layernorm", RMSNorm(c.hiddenSize, c.rmsNormEps));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                        const torch::Tensor& additiveMask, KVCache* cache)
{
    if (useInferenceKernels(x)) {
        // Residuals added in place into the fresh sublayer outputs: no temporaries per token.
        auto h = self_attn(input_layernorm(x), cos, sin, additiveMask, cache, m_index).add_(x);
        return mlp(post_attention_layernorm(h)).add_(h);
    }
    auto h = x + self_attn(input_layernorm(x), cos, sin, additiveMask, cache, m_index);
    return h + mlp(post_attention_layernorm(h));
}

// ------------------------------------------------------------------------------------- LlamaModel

LlamaModelImpl::LlamaModelImpl(const ModelConfig& c)
{
    embed_tokens = register_module("embed_tokens", torch::nn::Embedding(c.vocabSize, c.hiddenSize));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.numHiddenLayers; ++i)
        layers->push_back(DecoderLayer(c, i));
    norm = register_module("norm", RMSNorm(c.hiddenSize, c.rmsNormEps));
}

// ------------------------------------------------------------------------------------ Transformer

TransformerImpl::TransformerImpl(const ModelConfig& config, bool initialize) : m_config(config)
{
    m_config.validate();
    model = register_module("model", LlamaModel(m_config));
    if (!m_config.tieWordEmbeddings)
        lm_head = register_module("lm_head",
                                  torch::nn::Linear(torch::nn::LinearOptions(m_config.hiddenSize, m_config.vocabSize).bias(false)));
    m_rope = RotaryEmbedding(m_config.effectiveHeadDim(), m_config.maxPositionEmbeddings, m_config.ropeTheta);
    if (initialize)
        initWeights();
}

void TransformerImpl::initWeights()
{
    torch::NoGradGuard noGrad;
    const double std = m_config.initializerRange;
    for (auto& p : named_parameters(true)) {
        const auto& name = p.key();
        auto& t = p.value();
        if (name.find("norm") != std::string::npos)
            t.fill_(1.0);
        else if (name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0)
            t.zero_();
        else
            t.normal_(0.0, std);
    }
}

torch::Device TransformerImpl::device() const { return model->embed_tokens->weight.device(); }
torch::Dtype TransformerImpl::dtype() const { return model->embed_tokens->weight.scalar_type(); }

torch::Tensor TransformerImpl::logits(const torch::Tensor& hidden)
{
    if (useInferenceKernels(hidden))
        return inferenceLinear(hidden, m_config.tieWordEmbeddings ? model->embed_tokens->weight : lm_head->weight);
    return m_config.tieWordEmbeddings ? F::linear(hidden, model->embed_tokens->weight) : lm_head(hidden);
}

KVCache TransformerImpl::makeCache(int64_t batchSize, int64_t capacity) const
{
    KVCache cache;
    auto opts = torch::TensorOptions().device(device()).dtype(dtype());
    for (int64_t i = 0; i < m_config.numHiddenLayers; ++i) {
        cache.keys.push_back(torch::zeros({batchSize, m_config.numKeyValueHeads, capacity, m_config.effectiveHeadDim()}, opts));
        cache.values.push_back(torch::zeros({batchSize, m_config.numKeyValueHeads, capacity, m_config.effectiveHeadDim()}, opts));
    }
    return cache;
}

ForwardOutput TransformerImpl::forward(const torch::Tensor& tokens, const ForwardOptions& options)
{
    if (tokens.dim() != 2)
        throw Error("Transformer::forward: tokens must be [batch, time], got " + std::to_string(tokens.dim()) + " dims");
    const int64_t B = tokens.size(0), T = tokens.size(1);
    KVCache* cache = options.cache;
    if (cache && cache->empty())
        throw Error("Transformer::forward: empty KV cache (use makeCache)");
    if (cache && cache->batchSize() != B)
        throw Error("Transformer::forward: KV cache has " + std::to_string(cache->batchSize()) + " rows, batch has "
                    + std::to_string(B));
    const int64_t past = cache ? cache->length : 0;
    const int64_t L = past + T;
    if (!options.positionIds.defined() && L > m_config.maxPositionEmbeddings)
        throw Error("sequence of " + std::to_string(L) + " tokens exceeds max_position_embeddings "
                    + std::to_string(m_config.maxPositionEmbeddings));
    const auto dev = device();
    const auto dt = dtype();
    const int64_t group = m_config.numAttentionHeads / m_config.numKeyValueHeads;

    auto x = model->embed_tokens(tokens.to(dev));
    auto [cos, sin] = m_rope.table(past, T, options.positionIds, dev, dt);

    // Additive attention mask: a shared [group*T, L] causal block when no padding is given
    // (fused into the score GEMM), else [B,1,T,L] causal + key padding.
    torch::Tensor mask;
    const double neg = maskValue(dt);
    if (!options.attentionMask.defined()) {
        if (T > 1) {
            auto q = torch::arange(past, L, torch::TensorOptions().dtype(torch::kLong).device(dev)).unsqueeze(1);
            auto kpos = torch::arange(0, L, torch::TensorOptions().dtype(torch::kLong).device(dev)).unsqueeze(0);
            auto causal = torch::zeros({T, L}, torch::TensorOptions().dtype(dt).device(dev))
                              .masked_fill_(kpos > q, neg);
            mask = group > 1 ? causal.repeat({group, 1}) : causal;
        }
    } else {
        const auto& am = options.attentionMask;
        if (am.dim() != 2 || am.size(0) != B || am.size(1) != L)
            throw Error("Transformer::forward: attentionMask must be [" + std::to_string(B) + ", " + std::to_string(L) + "]");
        auto keyOk = am.to(dev).to(torch::kBool).view({B, 1, 1, L});
        auto q = torch::arange(past, L, torch::TensorOptions().dtype(torch::kLong).device(dev)).view({1, 1, T, 1});
        auto kpos = torch::arange(0, L, torch::TensorOptions().dtype(torch::kLong).device(dev)).view({1, 1, 1, L});
        auto allowed = keyOk.logical_and(kpos <= q);
        mask = torch::zeros({B, 1, T, L}, torch::TensorOptions().dtype(dt).device(dev)).masked_fill_(allowed.logical_not(), neg);
    }

    for (const auto& layer : *model->layers)
        x = layer->as<DecoderLayerImpl>()->forward(x, cos, sin, mask, cache);
    if (cache)
        cache->length = L;
    ForwardOutput out;
    out.hidden = model->norm(x);
    if (options.computeLogits)
        out.logits = logits(options.lastLogitsOnly ? out.hidden.narrow(1, T - 1, 1) : out.hidden);
    return out;
}

void TransformerImpl::resizeTokenEmbeddings(int64_t newVocabSize)
{
    if (newVocabSize <= 0)
        throw Error("resizeTokenEmbeddings: vocabulary size must be positive");
    const int64_t old = m_config.vocabSize;
    if (newVocabSize == old)
        return;
    torch::NoGradGuard noGrad;
    const auto opts = model->embed_tokens->weight.options();
    auto grow = [&](const torch::Tensor& w) {
        auto n = torch::empty({newVocabSize, w.size(1)}, opts);
        const int64_t keep = std::min(old, newVocabSize);
        n.narrow(0, 0, keep).copy_(w.narrow(0, 0, keep));
        if (newVocabSize > old)
            n.narrow(0, old, newVocabSize - old).copy_(w.to(torch::kFloat).mean(0, true).to(w.scalar_type()).expand({newVocabSize - old, w.size(1)}));
        return n;
    };
    auto emb = torch::nn::Embedding(newVocabSize, m_config.hiddenSize);
    emb->to(opts.device(), opts.dtype().toScalarType());
    emb->weight.copy_(grow(model->embed_tokens->weight));
    model->embed_tokens = model->replace_module("embed_tokens", emb);
    if (lm_head) {
        auto head = torch::nn::Linear(torch::nn::LinearOptions(m_config.hiddenSize, newVocabSize).bias(false));
        head->to(opts.device(), opts.dtype().toScalarType());
        head->weight.copy_(grow(lm_head->weight));
        lm_head = replace_module("lm_head", head);
    }
    m_config.vocabSize = newVocabSize;
}

std::vector<std::pair<std::string, torch::Tensor>> TransformerImpl::namedWeights() const
{
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& p : named_parameters(true))
        out.emplace_back(p.key(), p.value());
    return out;
}

} // namespace hw
