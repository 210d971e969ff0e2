// Transformer: agrees with an independent, naive Llama reference (GQA, RoPE, SwiGLU, RMSNorm, qkv
// bias, tied/untied); causal; left padding; KV cache; resizing; and a tiny model overfits a
// handful of tokenized dialogues with a plain AdamW loop.
#include "core/model/dialogue_codec.h"
#include "core/model/transformer.h"
#include "core/util/error.h"
#include "support/test_paths.h"

#include <torch/torch.h>

#include <cmath>

using namespace hw;

namespace {

// Straightforward double-precision Llama forward written from the paper/HF formulas, sharing
// nothing with the module code but the weights.
torch::Tensor referenceLogits(Transformer& m, const torch::Tensor& tokens)
{
    const auto& c = m->config();
    const int64_t B = tokens.size(0), T = tokens.size(1), h = c.numAttentionHeads, kvh = c.numKeyValueHeads;
    const int64_t d = c.effectiveHeadDim();
    auto P = [&](const std::string& n) {
        for (auto& p : m->named_parameters())
            if (p.key() == n)
                return p.value().detach().to(torch::kDouble);
        return torch::Tensor();
    };
    auto rms = [&](const torch::Tensor& x, const torch::Tensor& w) {
        return x / torch::sqrt(x.pow(2).mean(-1, true) + c.rmsNormEps) * w;
    };
    auto lin = [&](const torch::Tensor& x, const std::string& n) {
        auto y = torch::matmul(x, P(n + ".weight").t());
        auto b = P(n + ".bias");
        return b.defined() ? y + b : y;
    };
    // RoPE tables: angle[t][i] = t * theta^(-2i/d), rotate_half convention
    auto cosT = torch::empty({T, d}, torch::kDouble), sinT = torch::empty({T, d}, torch::kDouble);
    for (int64_t t = 0; t < T; ++t)
        for (int64_t i = 0; i < d / 2; ++i) {
            const double invFreq = double(1.0f / std::pow(float(c.ropeTheta), float(2 * i) / float(d)));
            const double a = double(float(t) * float(invFreq));
            cosT[t][i] = cosT[t][i + d / 2] = std::cos(a);
            sinT[t][i] = sinT[t][i + d / 2] = std::sin(a);
        }
    auto rope = [&](const torch::Tensor& x) { // [B,T,H,d]
        auto x1 = x.narrow(-1, 0, d / 2), x2 = x.narrow(-1, d / 2, d / 2);
        auto rot = torch::cat({-x2, x1}, -1);
        return x * cosT.view({1, T, 1, d}) + rot * sinT.view({1, T, 1, d});
    };
    auto x = P("model.embed_tokens.weight").index_select(0, tokens.reshape({-1})).view({B, T, -1});
    for (int64_t l = 0; l < c.numHiddenLayers; ++l) {
        const std::string pre = "model.layers." + std::to_string(l) + ".";
        auto xn = rms(x, P(pre + "input_layernorm.weight"));
        auto q = rope(lin(xn, pre + "self_attn.q_proj").view({B, T, h, d}));
        auto k = rope(lin(xn, pre + "self_attn.k_proj").view({B, T, kvh, d}));
        auto v = lin(xn, pre + "self_attn.v_proj").view({B, T, kvh, d});
        k = k.repeat_interleave(h / kvh, 2); // head j uses kv head j / group
        v = v.repeat_interleave(h / kvh, 2);
        auto scores = torch::einsum("bthd,bshd->bhts", {q, k}) / std::sqrt(double(d));
        auto future = torch::ones({T, T}, torch::kBool).triu(1);
        scores = scores.masked_fill(future, -INFINITY);
        auto out = torch::einsum("bhts,bshd->bthd", {torch::softmax(scores, -1), v}).reshape({B, T, h * d});
        x = x + lin(out, pre + "self_attn.o_proj");
        auto xm = rms(x, P(pre + "post_attention_layernorm.weight"));
        auto g = lin(xm, pre + "mlp.gate_proj");
        x = x + lin(g * torch::sigmoid(g) * lin(xm, pre + "mlp.up_proj"), pre + "mlp.down_proj");
    }
    x = rms(x, P("model.norm.weight"));
    auto head = c.tieWordEmbeddings ? P("model.embed_tokens.weight") : P("lm_head.weight");
    return torch::matmul(x, head.t());
}

ModelConfig cfg(int64_t heads, int64_t kvHeads, bool tied, bool bias)
{
    auto c = ModelConfig::tiny(40);
    c.numAttentionHeads = heads;
    c.numKeyValueHeads = kvHeads;
    c.tieWordEmbeddings = tied;
    c.attentionBias = bias;
    c.ropeTheta = 500.0; // large angles within few positions: RoPE errors show
    return c;
}

double maxDiff(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

} // namespace

class TestTransformer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesReference_data()
    {
        QTest::addColumn<int>("heads");
        QTest::addColumn<int>("kvHeads");
        QTest::addColumn<bool>("tied");
        QTest::addColumn<bool>("bias");
        QTest::newRow("GQA 4/2 tied") << 4 << 2 << true << false;
        QTest::newRow("MHA 4/4 untied") << 4 << 4 << false << false;
        QTest::newRow("MQA 4/1 qkv bias") << 4 << 1 << true << true;
    }
    void matchesReference()
    {
        QFETCH(int, heads);
        QFETCH(int, kvHeads);
        QFETCH(bool, tied);
        QFETCH(bool, bias);
        torch::manual_seed(11);
        Transformer m(cfg(heads, kvHeads, tied, bias));
        if (bias) { // biases start at zero; make them matter
            torch::NoGradGuard ng;
            for (auto& p : m->named_parameters())
                if (p.key().find(".bias") != std::string::npos)
                    p.value().normal_(0, 0.5);
        }
        m->eval();
        torch::NoGradGuard ng;
        auto tokens = torch::randint(0, 40, {2, 9}, torch::kLong);
        auto out = m->forward(tokens);
        QCOMPARE(out.logits.sizes().vec(), (std::vector<int64_t>{2, 9, 40}));
        QCOMPARE(out.hidden.sizes().vec(), (std::vector<int64_t>{2, 9, 32}));
        const double diff = maxDiff(out.logits, referenceLogits(m, tokens));
        QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
        // logits() on hidden states is the same head
        QVERIFY(maxDiff(m->logits(out.hidden), out.logits) < 1e-6);
        auto noLogits = ForwardOptions();
        noLogits.computeLogits = false;
        QVERIFY(!m->forward(tokens, noLogits).logits.defined());
    }

    void causal()
    {
        torch::manual_seed(12);
        Transformer m(cfg(4, 2, true, false));
        m->eval();
        torch::NoGradGuard ng;
        auto a = torch::randint(0, 40, {1, 10}, torch::kLong);
        auto b = a.clone();
        b[0][7] = (a[0][7].item<int64_t>() + 1) % 40;
        auto la = m->forward(a).logits, lb = m->forward(b).logits;
        QVERIFY(maxDiff(la.narrow(1, 0, 7), lb.narrow(1, 0, 7)) < 1e-6);
        QVERIFY(maxDiff(la.narrow(1, 7, 3), lb.narrow(1, 7, 3)) > 1e-4);
    }

    void leftPaddingWithPositions()
    {
        torch::manual_seed(13);
        Transformer m(cfg(4, 2, true, false));
        m->eval();
        torch::NoGradGuard ng;
        auto row = torch::randint(1, 40, {1, 6}, torch::kLong);
        auto padded = torch::cat({torch::zeros({1, 3}, torch::kLong), row}, 1);
        ForwardOptions o;
        o.attentionMask = torch::tensor({{0.f, 0.f, 0.f, 1.f, 1.f, 1.f, 1.f, 1.f, 1.f}});
        o.positionIds = torch::tensor({{0, 0, 0, 0, 1, 2, 3, 4, 5}}, torch::kLong);
        auto lp = m->forward(padded, o).logits.narrow(1, 3, 6);
        QVERIFY(torch::isfinite(m->forward(padded, o).logits).all().item<bool>());
        QVERIFY(maxDiff(lp, m->forward(row).logits) < 1e-5);
    }

    void kvCacheMatchesFullForward()
    {
        torch::manual_seed(14);
        Transformer m(cfg(4, 2, false, true));
        m->eval();
        torch::NoGradGuard ng;
        auto tokens = torch::randint(0, 40, {3, 12}, torch::kLong);
        auto full = m->forward(tokens).logits;
        auto cache = m->makeCache(3, 16);
        ForwardOptions o;
        o.cache = &cache;
        auto first = m->forward(tokens.narrow(1, 0, 5), o).logits; // prefill 5
        QCOMPARE(cache.length, int64_t(5));
        QVERIFY(maxDiff(first, full.narrow(1, 0, 5)) < 1e-5);
        for (int64_t t = 5; t < 12; ++t) {
            auto step = m->forward(tokens.narrow(1, t, 1), o).logits;
            QVERIFY2(maxDiff(step, full.narrow(1, t, 1)) < 1e-5, qPrintable(QString::number(t)));
        }
        QCOMPARE(cache.length, int64_t(12));
        // selecting rows keeps their caches
        cache.selectRows(torch::tensor({2}, torch::kLong));
        QCOMPARE(cache.batchSize(), int64_t(1));
        // overflowing the cache is an error, not a silent wrap
        o.cache = &cache;
        QVERIFY_THROWS_EXCEPTION(Error, m->forward(torch::zeros({1, 5}, torch::kLong), o));
    }

    void resizeEmbeddings()
    {
        torch::manual_seed(15);
        Transformer m(cfg(4, 2, false, false));
        auto before = m->model->embed_tokens->weight.detach().clone();
        m->resizeTokenEmbeddings(43);
        QCOMPARE(m->config().vocabSize, int64_t(43));
        QCOMPARE(m->model->embed_tokens->weight.size(0), int64_t(43));
        QCOMPARE(m->lm_head->weight.size(0), int64_t(43));
        QVERIFY(torch::equal(m->model->embed_tokens->weight.narrow(0, 0, 40), before));
        QVERIFY(maxDiff(m->model->embed_tokens->weight[41], before.mean(0)) < 1e-6);
        torch::NoGradGuard ng;
        QCOMPARE(m->forward(torch::tensor({{42, 1}}, torch::kLong)).logits.size(2), int64_t(43));
        // parameter names stay the HF ones
        bool found = false;
        for (const auto& [n, t] : m->namedWeights())
            found = found || n == "model.embed_tokens.weight";
        QVERIFY(found);
    }

    void parameterCount()
    {
        for (bool tied : {true, false})
            for (bool bias : {true, false}) {
                Transformer m(cfg(4, 2, tied, bias));
                int64_t n = 0;
                for (const auto& p : m->parameters())
                    n += p.numel();
                QCOMPARE(n, m->config().parameterCount());
            }
        const auto small = ModelConfig::small();
        QVERIFY(small.trainingFlopsPerToken(256) > 6.0 * double(small.matmulParameterCount()));
    }

    void overfitsTinyDialogues()
    {
        // A handful of tokenized dialogues (ids 6.. are words), learned to near-zero loss.
        torch::manual_seed(16);
        SpecialTokens sp;
        sp.pad = 0; sp.bos = 1; sp.endOfState = 2; sp.beginAction = 3; sp.endOfAction = 4; sp.endOfDialogue = 5;
        std::vector<EncodedDialogue> rows;
        rows.push_back(DialogueCodec::encodeTurns(sp, {20}, {{Role::User, {6, 7, 8}, {}}, {Role::Agent, {9, 10}, {}},
                                                            {Role::User, {11}, {}}, {Role::Agent, {12, 13, 14}, {}}}, true, 1.f));
        rows.push_back(DialogueCodec::encodeTurns(sp, {21}, {{Role::User, {15, 16}, {}}, {Role::Agent, {17, 18, 19, 6}, {}}}, true, 0.f));
        rows.push_back(DialogueCodec::encodeTurns(sp, {22}, {{Role::Agent, {7, 7, 9}, {}}, {Role::User, {8, 6}, {}},
                                                            {Role::Agent, {10, 11}, {}}}, false, 2.f));
        rows.push_back(DialogueCodec::encodeTurns(sp, {23}, {{Role::User, {14, 13, 12}, {}}, {Role::Agent, {16, 15}, {}}}, true, 1.f));
        const auto batch = collate(rows, 0);
        auto c = ModelConfig::tiny(24);
        c.hiddenSize = 64;
        c.intermediateSize = 128;
        Transformer m(c);
        m->train();
        torch::optim::AdamW opt(m->parameters(), torch::optim::AdamWOptions(1e-2).weight_decay(0.0));
        const auto inputs = batch.tokens.narrow(1, 0, batch.tokens.size(1) - 1);
        const auto targets = batch.tokens.narrow(1, 1, batch.tokens.size(1) - 1);
        // (the context token after <s> differs per row and is unpredictable: not a target)
        const auto mask = targetMask(batch, LossTokens::AllButContext);
        double first = 0, last = 0;
        for (int step = 0; step < 200; ++step) {
            auto logits = m->forward(inputs).logits;
            auto nll = torch::nn::functional::cross_entropy(
                logits.reshape({-1, c.vocabSize}), targets.reshape({-1}),
                torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
            auto loss = (nll * mask.reshape({-1})).sum() / mask.sum();
            opt.zero_grad();
            loss.backward();
            opt.step();
            if (step == 0)
                first = loss.item<double>();
            last = loss.item<double>();
        }
        qInfo("overfit loss %.4f -> %.4f", first, last);
        QVERIFY(first > 2.0);
        QVERIFY2(last < 0.05, qPrintable(QString::number(last)));
    }

    void rejectsBadInput()
    {
        Transformer m(cfg(4, 2, true, false));
        QVERIFY_THROWS_EXCEPTION(Error, m->forward(torch::zeros({5}, torch::kLong)));
        ForwardOptions o;
        o.attentionMask = torch::ones({1, 3});
        QVERIFY_THROWS_EXCEPTION(Error, m->forward(torch::zeros({1, 4}, torch::kLong), o));
        auto bad = ModelConfig::tiny(10);
        bad.numKeyValueHeads = 3;
        QVERIFY_THROWS_EXCEPTION(Error, (void)Transformer(ModelConfig(bad)));
    }
};

QTEST_APPLESS_MAIN(TestTransformer)
#include "tst_core_transformer.moc"
