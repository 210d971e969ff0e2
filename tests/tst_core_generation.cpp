// Generation: with and without the KV cache agree token for token (greedy and seeded sampling,
// batched prompts of different lengths); filters; logits hook; stop tokens; cancel; streaming.
#include "core/model/generation.h"
#include "core/rl/ilql_decode.h"
#include "core/util/error.h"
#include "support/test_paths.h"

#include <torch/torch.h>

using namespace hw;

namespace {

Transformer randomModel(uint64_t seed)
{
    torch::manual_seed(seed);
    auto c = ModelConfig::tiny(60);
    c.hiddenSize = 48;
    c.numAttentionHeads = 6;
    c.numKeyValueHeads = 2;
    c.initializerRange = 0.3; // peaky random logits: greedy and sampled paths both meaningful
    return Transformer(c);
}

const std::vector<std::vector<int64_t>> kPrompts = {{1, 7, 8, 9, 2}, {1, 30}, {1, 12, 13, 14, 15, 16, 17, 2}};

} // namespace

class TestGeneration : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cacheAgreesWithRecompute_data()
    {
        QTest::addColumn<double>("temperature");
        QTest::addColumn<int>("topK");
        QTest::addColumn<double>("topP");
        QTest::newRow("greedy") << 0.0 << 0 << 1.0;
        QTest::newRow("sampled") << 1.0 << 0 << 1.0;
        QTest::newRow("sampled top-k top-p") << 0.8 << 20 << 0.9;
    }
    void cacheAgreesWithRecompute()
    {
        QFETCH(double, temperature);
        QFETCH(int, topK);
        QFETCH(double, topP);
        auto m = randomModel(21);
        GenerationOptions o;
        o.maxNewTokens = 24;
        o.sampling.temperature = temperature;
        o.sampling.topK = topK;
        o.sampling.topP = topP;
        o.sampling.seed = 1234;
        o.useCache = true;
        const auto cached = generate(m, kPrompts, o);
        o.useCache = false;
        const auto recomputed = generate(m, kPrompts, o);
        QCOMPARE(cached.tokens, recomputed.tokens);
        for (const auto& t : cached.tokens)
            QCOMPARE(t.size(), size_t(24));
        QCOMPARE(cached.generatedTokens, int64_t(72));
        // a row alone gives the same tokens as in the batch (row 0 keeps its random stream)
        o.useCache = true;
        const auto alone = generate(m, {kPrompts[0]}, o);
        QCOMPARE(alone.tokens[0], cached.tokens[0]);
    }

    void seeds()
    {
        auto m = randomModel(22);
        GenerationOptions o;
        o.maxNewTokens = 16;
        o.sampling.seed = 5;
        const auto a = generate(m, kPrompts, o), b = generate(m, kPrompts, o);
        QCOMPARE(a.tokens, b.tokens);
        o.sampling.seed = 6;
        QVERIFY(generate(m, kPrompts, o).tokens != a.tokens);
    }

    void stopTokensAndFinishedRows()
    {
        auto m = randomModel(23);
        GenerationOptions o;
        o.maxNewTokens = 10;
        o.sampling.temperature = 0;
        o.stopTokens = {4};
        // The hook forces the stop token on row 1 at step 2 and on row 0 at step 5.
        int calls = 0;
        bool shapesOk = true;
        const LogitsHook hook = [&](const torch::Tensor& logits, const LogitsHookContext& ctx) -> torch::Tensor {
            ++calls;
            shapesOk = shapesOk && ctx.hidden.size(0) == logits.size(0) && ctx.hidden.size(1) == 48
                       && ctx.rows.size(0) == logits.size(0) && ctx.positions.size(0) == logits.size(0);
            auto out = logits.clone();
            for (int64_t r = 0; r < ctx.rows.size(0); ++r) {
                const int64_t row = ctx.rows[r].item<int64_t>();
                if ((row == 1 && ctx.step == 2) || (row == 0 && ctx.step == 5))
                    out[r][4] = 1e9;
                else
                    out[r][4] = -INFINITY;
            }
            return out;
        };
        std::vector<TokenEvent> events;
        const auto r = generate(m, kPrompts, o, hook, [&](const TokenEvent& e) { events.push_back(e); });
        QCOMPARE(r.tokens[1].size(), size_t(3));
        QCOMPARE(r.tokens[1].back(), int64_t(4));
        QCOMPARE(r.tokens[0].size(), size_t(6));
        QCOMPARE(r.tokens[2].size(), size_t(10));
        QVERIFY(r.finish[0] == FinishReason::StopToken);
        QVERIFY(r.finish[2] == FinishReason::Length);
        QCOMPARE(int64_t(events.size()), r.generatedTokens);
        QCOMPARE(r.generatedTokens, int64_t(19));
        QCOMPARE(calls, 10);
        QVERIFY(shapesOk);
        int stops = 0;
        for (const auto& e : events)
            stops += e.stop;
        QCOMPARE(stops, 2);
        // the same run without cache gives the same rows
        o.useCache = false;
        QCOMPARE(generate(m, kPrompts, o, hook).tokens, r.tokens);
    }

    // top-k keeps exactly k tokens per row, ties to the lowest token ids, as the ILQL decoding
    // does; checked against a plain sort of (value desc, id asc).
    void topKKeepsExactlyK()
    {
        auto tied = torch::tensor({{1.0f, 3.0f, 3.0f, 3.0f, 0.0f}, {2.0f, 2.0f, 2.0f, 2.0f, 2.0f}});
        SamplingOptions s;
        s.topK = 2;
        filterLogits(tied, s);
        const auto kept = torch::isfinite(tied);
        QVERIFY(torch::equal(kept.sum(-1), torch::tensor({2, 2}, torch::kLong)));
        QVERIFY(kept[0][1].item<bool>() && kept[0][2].item<bool>() && !kept[0][3].item<bool>());
        QVERIFY(kept[1][0].item<bool>() && kept[1][1].item<bool>());

        torch::manual_seed(5);
        // Rounded to a few levels, so rows are full of ties.
        const auto logits = (torch::randn({16, 40}) * 2).round();
        for (const int64_t k : {1, 3, 7, 39}) {
            auto got = logits.clone();
            s.topK = k;
            filterLogits(got, s);
            for (int64_t r = 0; r < logits.size(0); ++r) {
                std::vector<std::pair<float, int64_t>> order;
                for (int64_t v = 0; v < logits.size(1); ++v)
                    order.push_back({-logits[r][v].item<float>(), v});
                std::sort(order.begin(), order.end());
                std::vector<bool> want(size_t(logits.size(1)), false);
                for (int64_t i = 0; i < k; ++i)
                    want[size_t(order[size_t(i)].second)] = true;
                for (int64_t v = 0; v < logits.size(1); ++v) {
                    const float g = got[r][v].item<float>();
                    QCOMPARE(std::isfinite(g), bool(want[size_t(v)]));
                    if (want[size_t(v)])
                        QCOMPARE(g, logits[r][v].item<float>());
                }
            }
            // Sampling through generate() and the ILQL decoding distribution filter alike.
            QVERIFY(torch::equal(torch::isfinite(got), torch::isfinite(ilqlFilterLogits(logits, 1.0, k, std::nullopt))));
        }
        // Fewer finite entries than k: the finite ones stay, nothing else becomes finite.
        auto sparse = torch::tensor({{-INFINITY, 1.0f, -INFINITY, 0.5f}});
        s.topK = 3;
        filterLogits(sparse, s);
        QCOMPARE(torch::isfinite(sparse).sum().item<int64_t>(), int64_t(2));
    }

    void filters()
    {
        auto logits = torch::tensor({{1.0f, 4.0f, 3.0f, 2.0f, 0.0f}});
        SamplingOptions s;
        s.topK = 2;
        auto a = logits.clone();
        filterLogits(a, s);
        QCOMPARE(torch::isinf(a).sum().item<int64_t>(), int64_t(3));
        QVERIFY(std::isfinite(a[0][1].item<float>()) && std::isfinite(a[0][2].item<float>()));
        // top-p: probabilities ~ [.03,.64,.24,.09,.01]; 0.7 keeps the top two
        s = {};
        s.topP = 0.7;
        auto b = logits.clone();
        filterLogits(b, s);
        QCOMPARE(torch::isinf(b).sum().item<int64_t>(), int64_t(3));
        s.topP = 0.5; // the most likely token always stays
        auto c = logits.clone();
        filterLogits(c, s);
        QCOMPARE(torch::isinf(c).sum().item<int64_t>(), int64_t(4));
        s = {};
        s.temperature = 2.0;
        s.bannedTokens = {1};
        auto d = logits.clone();
        filterLogits(d, s);
        QVERIFY(std::isinf(d[0][1].item<float>()));
        QCOMPARE(d[0][2].item<float>(), 1.5f);
    }

    // The raw-pointer path (CPU float32 rows) and the tensor path (here: float64) keep the same
    // tokens, ties included, for top-k, top-p and both.
    void filterPathsAgree()
    {
        torch::manual_seed(11);
        for (int trial = 0; trial < 40; ++trial) {
            // Rounded logits make many ties; a few banned (-inf) entries as well.
            auto logits = (torch::randn({3, 500}) * (1 + trial % 5)).round().div_(2);
            logits.index_put_({0, torch::indexing::Slice(0, 7)}, -std::numeric_limits<float>::infinity());
            SamplingOptions s;
            s.topK = trial % 3 == 0 ? 0 : 1 + trial * 7;
            s.topP = trial % 3 == 1 ? 1.0 : 0.3 + 0.015 * trial;
            s.temperature = 0.5 + 0.05 * trial;
            auto fast = logits.clone();
            filterLogits(fast, s);
            auto slow = logits.to(torch::kDouble);
            filterLogits(slow, s);
            QVERIFY2(torch::equal(torch::isinf(fast), torch::isinf(slow)), qPrintable(QString::number(trial)));
            QVERIFY(torch::allclose(fast.masked_fill(torch::isinf(fast), 0).to(torch::kDouble),
                                    slow.masked_fill(torch::isinf(slow), 0), 1e-6, 1e-6));
            if (s.topK > 0 && s.topK < 500)
                QVERIFY((torch::isfinite(fast).sum(-1) <= s.topK).all().item<bool>());
        }
        // Ties at the top-k boundary go to the lower ids, on both paths.
        auto tied = torch::tensor({{1.0f, 3.0f, 2.0f, 3.0f, 3.0f}});
        SamplingOptions s;
        s.topK = 2;
        auto a = tied.clone();
        filterLogits(a, s);
        QVERIFY(torch::equal(torch::isfinite(a), torch::tensor({{false, true, false, true, false}})));
    }

    void hookCanSteerGreedy()
    {
        auto m = randomModel(24);
        GenerationOptions o;
        o.maxNewTokens = 5;
        o.sampling.temperature = 0;
        const auto r = generate(m, kPrompts, o, [](const torch::Tensor& logits, const LogitsHookContext&) -> torch::Tensor {
            auto out = logits.clone();
            out.select(1, 33).add_(1e6);
            return out;
        });
        for (const auto& t : r.tokens)
            QCOMPARE(t, std::vector<int64_t>(5, 33));
    }

    void cancel()
    {
        auto m = randomModel(25);
        GenerationOptions o;
        o.maxNewTokens = 50;
        StopToken stop;
        int n = 0;
        const auto r = generate(m, {kPrompts[0]}, o, {}, [&](const TokenEvent&) {
            if (++n == 3)
                stop.requestStop();
        }, &stop);
        QCOMPARE(r.tokens[0].size(), size_t(3));
        QVERIFY(r.finish[0] == FinishReason::Cancelled);
    }

    void errors()
    {
        auto m = randomModel(26);
        GenerationOptions o;
        QVERIFY_THROWS_EXCEPTION(Error, generate(m, {{}}, o));
        QVERIFY_THROWS_EXCEPTION(Error, generate(m, {{1, 999}}, o));
        QVERIFY(generate(m, {}, o).tokens.empty());
    }

    void textStreamer()
    {
        std::vector<std::string> texts;
        for (int i = 0; i < 200; ++i)
            texts.push_back("thank you for listening, café and naïve words " + std::to_string(i));
        TokenizerTrainOptions to;
        to.vocabSize = 320;
        const auto tok = Tokenizer::train(texts, to);
        const std::string text = "thank you, café \xF0\x9F\x98\x80 words";
        TextStreamer s(tok);
        std::string streamed;
        for (int64_t id : tok.encode(text))
            streamed += s.push(id);
        QCOMPARE(QString::fromStdString(streamed), QString::fromStdString(text));
        QCOMPARE(s.text(), text);
    }
};

QTEST_APPLESS_MAIN(TestGeneration)
#include "tst_core_generation.moc"
