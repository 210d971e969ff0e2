// Continuous batching (core/gen/generation_engine.h): a request gets the tokens generate() gives it
// alone, whatever joins or leaves the batch meanwhile — greedy and seeded sampling, chunked prefill,
// shared prompt prefixes, ILQL decoding through its hook; a full queue is refused, a cancelled
// request frees its slot for the next one; the Prometheus text carries the counters.
#include "core/gen/generation_engine.h"
#include "core/model/generation.h"
#include "core/rl/ilql_heads.h"
#include "core/rl/ilql_policy.h"
#include "core/rl/ilql_sampling.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <QtTest>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

using namespace hw;

namespace {

Transformer randomModel(uint64_t seed)
{
    torch::manual_seed(seed);
    auto c = ModelConfig::tiny(60);
    c.hiddenSize = 48;
    c.numAttentionHeads = 6;
    c.numKeyValueHeads = 2;
    c.initializerRange = 0.3; // peaky random logits: greedy ties are unlikely
    return Transformer(c);
}

std::vector<int64_t> promptOf(int64_t length, int64_t salt)
{
    std::vector<int64_t> p{1};
    for (int64_t i = 1; i < length; ++i)
        p.push_back(3 + (i * 7 + salt * 13) % 55);
    return p;
}

// Waits (generously) until `count` tokens of a request have been seen.
struct TokenGate {
    std::mutex mutex;
    std::condition_variable cv;
    int64_t seen = 0;
    TokenCallback callback()
    {
        return [this](const TokenEvent&) {
            std::lock_guard<std::mutex> lock(mutex);
            ++seen;
            cv.notify_all();
        };
    }
    bool waitFor(int64_t count)
    {
        std::unique_lock<std::mutex> lock(mutex);
        return cv.wait_for(lock, std::chrono::seconds(60), [&] { return seen >= count; });
    }
};

} // namespace

class TestGenerationEngine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void joiningAndLeavingMidBatchKeepsTokens_data()
    {
        QTest::addColumn<double>("temperature");
        QTest::addColumn<bool>("ilql");
        QTest::newRow("greedy") << 0.0 << false;
        QTest::newRow("sampled top-k top-p") << 0.9 << false;
        QTest::newRow("ilql greedy") << 0.0 << true;
        QTest::newRow("ilql sampled") << 1.0 << true;
    }
    void joiningAndLeavingMidBatchKeepsTokens()
    {
        QFETCH(double, temperature);
        QFETCH(bool, ilql);
        auto model = randomModel(5);
        IlqlDecodingModel dm;
        IlqlDecodeConfig dc;
        if (ilql) {
            dm.trunk = model;
            IlqlHeadsOptions ho;
            ho.hidden = model->config().hiddenSize;
            ho.vocab = model->config().vocabSize;
            dm.heads = IlqlHeads(ho);
            torch::NoGradGuard g;
            for (auto& p : dm.heads->parameters())
                p.normal_(0.0, 0.3); // advantages that change the argmax
            dm.config = IlqlConfig::paperDefaults();
            dc.adv_weight = 2.0;
            dc.temp = temperature > 0 ? temperature : 1.0;
            dc.top_k = 20;
        }
        struct Case {
            std::vector<int64_t> prompt;
            int64_t maxNew;
        };
        // Different lengths (some longer than the prefill chunk), different lengths of reply, so
        // sequences leave at different steps while others join.
        const std::vector<Case> cases = {{promptOf(9, 1), 40}, {promptOf(3, 2), 12}, {promptOf(23, 3), 30},
                                         {promptOf(5, 4), 6},  {promptOf(17, 5), 25}, {promptOf(2, 6), 35}};
        auto optionsFor = [&](const Case& c, size_t i, LogitsHook& hook) {
            GenerationOptions o;
            o.maxNewTokens = c.maxNew;
            o.sampling.temperature = temperature;
            o.sampling.topK = 20;
            o.sampling.topP = 0.95;
            o.sampling.seed = 100 + i;
            o.sampling.bannedTokens = {0};
            if (ilql)
                useIlqlDecoding(o, hook, dm, dc);
            return o;
        };
        // One at a time first (the engine thread must not share the model with this one).
        std::vector<std::vector<int64_t>> expected;
        for (size_t i = 0; i < cases.size(); ++i) {
            LogitsHook hook;
            const auto o = optionsFor(cases[i], i, hook);
            expected.push_back(generate(model, {cases[i].prompt}, o, hook).tokens[0]);
            QCOMPARE(int64_t(expected.back().size()), cases[i].maxNew);
        }
        // A stop token from the reference replies, so one sequence also leaves by its stop token.
        const int64_t stopToken = expected[0][20];
        expected.clear();
        for (size_t i = 0; i < cases.size(); ++i) {
            LogitsHook hook;
            auto o = optionsFor(cases[i], i, hook);
            o.stopTokens = {stopToken};
            expected.push_back(generate(model, {cases[i].prompt}, o, hook).tokens[0]);
        }

        EngineOptions eo;
        eo.maxBatch = 3; // fewer slots than requests: later ones wait for a slot to free
        eo.prefillChunk = 8;
        eo.maxLength = 128;
        GenerationEngine engine(model, eo);
        std::vector<std::future<GenerationResult>> futures;
        TokenGate gate;
        for (size_t i = 0; i < cases.size(); ++i) {
            EngineRequest r;
            r.prompts = {cases[i].prompt};
            r.options = optionsFor(cases[i], i, r.hook);
            r.options.stopTokens = {stopToken};
            if (i == 0)
                r.onToken = gate.callback();
            futures.push_back(engine.submit(std::move(r)));
            if (i == 0)
                QVERIFY(gate.waitFor(5)); // the others join while the first one is decoding
        }
        for (size_t i = 0; i < cases.size(); ++i) {
            const auto r = futures[i].get();
            QCOMPARE(r.tokens.size(), size_t(1));
            QCOMPARE(r.tokens[0], expected[i]);
        }
        const auto m = engine.metrics();
        QCOMPARE(m.requests, uint64_t(cases.size()));
        QVERIFY(m.decodeRows > m.decodeSteps); // sequences really were decoded together
        QCOMPARE(m.active, int64_t(0));
    }

    void sharedPrefixIsPrefilledOnce()
    {
        auto model = randomModel(8);
        const auto common = promptOf(20, 9);
        std::vector<std::vector<int64_t>> prompts;
        for (int i = 0; i < 3; ++i) {
            auto p = common;
            for (int j = 0; j <= i; ++j)
                p.push_back(40 + i + j);
            prompts.push_back(p);
        }
        prompts.push_back(prompts[0]); // identical prompts (n samples of one history)
        GenerationOptions o;
        o.maxNewTokens = 16;
        o.sampling.temperature = 1.0;
        o.sampling.seed = 77;
        const auto expected = generate(model, prompts, o).tokens;
        GenerationOptions greedy = o;
        greedy.sampling.temperature = 0;
        std::vector<std::vector<int64_t>> expectedGreedy;
        for (const auto& p : prompts)
            expectedGreedy.push_back(generate(model, {p}, greedy).tokens[0]);

        EngineOptions eo;
        eo.maxBatch = 8;
        eo.prefillChunk = 6;
        GenerationEngine engine(model, eo);
        EngineRequest r;
        r.prompts = prompts;
        r.options = o;
        const auto sampled = engine.submit(std::move(r)).get();
        QCOMPARE(sampled.tokens, expected);
        int64_t promptTotal = 0;
        for (const auto& p : prompts)
            promptTotal += int64_t(p.size());
        // The 20 common tokens once instead of four times.
        QCOMPARE(int64_t(engine.metrics().promptTokens), promptTotal - 3 * 20);
        EngineRequest g;
        g.prompts = prompts;
        g.options = greedy;
        QCOMPARE(engine.submit(std::move(g)).get().tokens, expectedGreedy);
    }

    // The next turn of a conversation starts with the previous prompt and reply: the engine finds
    // them in the finished sequence's slot and prefills only the new tokens, with the tokens
    // generate() gives the whole prompt. A prompt sharing too little gets a fresh slot; with every
    // slot holding a finished sequence, the least recently used one is taken.
    void nextTurnReusesTheFinishedSlot()
    {
        auto model = randomModel(12);
        GenerationOptions o;
        o.maxNewTokens = 10;
        o.sampling.temperature = 1.0;
        o.sampling.seed = 5;
        EngineOptions eo;
        eo.maxBatch = 2;
        eo.prefillChunk = 8;
        GenerationEngine engine(model, eo);
        int mismatches = 0; // replies that differ from generate() on the whole prompt
        auto ask = [&](const std::vector<int64_t>& prompt) {
            EngineRequest r;
            r.prompts = {prompt};
            r.options = o;
            auto got = engine.submit(std::move(r)).get().tokens[0];
            mismatches += got != generate(model, {prompt}, o).tokens[0];
            return got;
        };
        const auto first = promptOf(30, 1);
        const auto reply = ask(first);
        QCOMPARE(int64_t(engine.metrics().reusedTokens), int64_t(0));
        // Turn two: prompt, reply and the user's answer.
        auto second = first;
        second.insert(second.end(), reply.begin(), reply.end());
        for (int64_t t : {7, 8, 9, 10})
            second.push_back(t);
        const uint64_t before = engine.metrics().promptTokens;
        ask(second);
        // The slot held the prompt and all but the last generated token.
        const int64_t held = int64_t(first.size() + reply.size()) - 1;
        QCOMPARE(int64_t(engine.metrics().reusedTokens), held);
        QCOMPARE(int64_t(engine.metrics().promptTokens - before), int64_t(second.size()) - held);
        // Unrelated prompts: nothing reused; the third evicts the least recently used slot.
        auto unrelated = [](int64_t length, int64_t salt) {
            auto p = promptOf(length, salt);
            p[0] = 2 + salt; // no common first token either
            return p;
        };
        ask(unrelated(12, 4));
        ask(unrelated(14, 5));
        // The second conversation was used least recently: gone, its next turn starts afresh.
        const uint64_t reusedBefore = engine.metrics().reusedTokens;
        auto third = second;
        third.push_back(11);
        ask(third);
        QCOMPARE(engine.metrics().reusedTokens, reusedBefore);
        QCOMPARE(int64_t(engine.metrics().reusedTokens), held);
        QCOMPARE(mismatches, 0);
        // Off: every prompt token is prefilled.
        EngineOptions off = eo;
        off.prefixCache = false;
        GenerationEngine plain(model, off);
        for (const auto& p : {first, second}) {
            EngineRequest r;
            r.prompts = {p};
            r.options = o;
            plain.submit(std::move(r)).get();
        }
        QCOMPARE(int64_t(plain.metrics().reusedTokens), int64_t(0));
        QCOMPARE(int64_t(plain.metrics().promptTokens), int64_t(first.size() + second.size()));
    }

    void fullQueueIsRefusedAndCancelFreesTheSlot()
    {
        auto model = randomModel(3);
        EngineOptions eo;
        eo.maxBatch = 1;
        eo.maxQueue = 1;
        eo.maxLength = 256;
        GenerationEngine engine(model, eo);
        // The first request's third token holds the engine thread until the test has filled the
        // queue, so nothing is admitted or finished in between (no race with a fast tiny model).
        std::mutex mutex;
        std::condition_variable cv;
        int64_t seen = 0;
        bool release = false;
        EngineRequest longOne;
        longOne.prompts = {promptOf(4, 1)};
        longOne.options.maxNewTokens = 100000; // bounded by the slot (252 tokens)
        longOne.options.sampling.temperature = 0;
        longOne.onToken = [&](const TokenEvent&) {
            std::unique_lock<std::mutex> lock(mutex);
            if (++seen == 3) {
                cv.notify_all();
                cv.wait_for(lock, std::chrono::seconds(60), [&] { return release; });
            }
        };
        const StopToken cancel = longOne.stop;
        auto first = engine.submit(std::move(longOne));
        {
            std::unique_lock<std::mutex> lock(mutex);
            QVERIFY(cv.wait_for(lock, std::chrono::seconds(60), [&] { return seen >= 3; })); // it holds the only slot
        }
        EngineRequest waiting;
        waiting.prompts = {promptOf(6, 2)};
        waiting.options.maxNewTokens = 5;
        waiting.options.sampling.temperature = 0;
        auto second = engine.submit(EngineRequest(waiting)); // queued
        QVERIFY_THROWS_EXCEPTION(EngineQueueFull, engine.submit(EngineRequest(waiting)));
        QCOMPARE(engine.metrics().rejected, uint64_t(1));
        cancel.requestStop();
        {
            std::lock_guard<std::mutex> lock(mutex);
            release = true;
        }
        cv.notify_all();
        const auto a = first.get();
        QCOMPARE(a.finish[0], FinishReason::Cancelled);
        QVERIFY(a.tokens[0].size() < size_t(252));
        const auto b = second.get(); // got the freed slot
        QCOMPARE(b.finish[0], FinishReason::Length);
        QCOMPARE(b.tokens[0].size(), size_t(5));
        // A request whose client went away before it was admitted ends cancelled, untouched, and
        // counts as cancelled like one stopped in flight.
        EngineRequest gone = waiting;
        gone.stop.requestStop();
        const auto g = engine.submit(std::move(gone)).get();
        QCOMPARE(g.finish[0], FinishReason::Cancelled);
        QVERIFY(g.tokens[0].empty());
        QCOMPARE(engine.metrics().cancelled, uint64_t(2));

        const std::string text = GenerationEngine::prometheusText(engine.metrics(), "tiny");
        QVERIFY(text.find("# TYPE hindsight_engine_requests_rejected_total counter") != std::string::npos);
        QVERIFY(text.find("hindsight_engine_requests_rejected_total{model=\"tiny\"} 1\n") != std::string::npos);
        QVERIFY(text.find("hindsight_engine_queue_length{model=\"tiny\"} 0\n") != std::string::npos);
        QVERIFY(text.find("hindsight_engine_batch_occupancy{model=\"tiny\"}") != std::string::npos);
    }

    void invalidRequestsAreClearErrors()
    {
        auto model = randomModel(4);
        EngineOptions eo;
        eo.maxBatch = 2;
        eo.maxLength = 32;
        GenerationEngine engine(model, eo);
        EngineRequest empty;
        QVERIFY_THROWS_EXCEPTION(Error, engine.submit(EngineRequest(empty)));
        EngineRequest badToken;
        badToken.prompts = {{1, 999}};
        QVERIFY_THROWS_EXCEPTION(Error, engine.submit(EngineRequest(badToken)));
        EngineRequest tooLong;
        tooLong.prompts = {promptOf(40, 1)};
        QVERIFY_THROWS_EXCEPTION(Error, engine.submit(EngineRequest(tooLong)));
        EngineRequest tooMany;
        tooMany.prompts = {{1}, {1}, {1}};
        QVERIFY_THROWS_EXCEPTION(Error, engine.submit(EngineRequest(tooMany)));
        // A reply is cut at the slot's capacity (Length), as generate() cuts at the positions.
        EngineRequest near;
        near.prompts = {promptOf(30, 2)};
        near.options.maxNewTokens = 50;
        near.options.sampling.temperature = 0;
        const auto r = engine.submit(std::move(near)).get();
        QCOMPARE(r.tokens[0].size(), size_t(2));
        QCOMPARE(r.finish[0], FinishReason::Length);
    }
};

QTEST_APPLESS_MAIN(TestGenerationEngine)
#include "tst_core_generation_engine.moc"
