// The ILQL trainer: proof that the RL works on toy dialogue tasks with known answers (ILQL beats
// behaviour cloning; ILQL stitches), exact resume, checkpoints and metrics. Tiny CPU models.
#include <torch/torch.h>

#include "core/model/dialogue_codec.h"
#include "core/model/model_io.h"
#include "core/model/safetensors.h"
#include "core/rl/ilql_policy.h"
#include "core/train/ilql_trainer.h"
#include "core/train/metrics_sink.h"
#include "core/util/error.h"
#include "support/test_paths.h"

#include <filesystem>
#include <random>

using namespace hw;

namespace {

// Word-level toy vocabulary: the reference's special ids, then words.
enum Word : int64_t { kHi = 7, kA = 8, kB = 9, kOk = 10, kBye = 11, kC = 12, kD = 13, kVocab = 14 };

SpecialTokens toySpecial()
{
    SpecialTokens s;
    s.pad = 0;
    s.bos = 1;
    s.endOfState = 2;
    s.beginAction = 3;
    s.endOfAction = 4;
    s.endOfDialogue = 5;
    s.unk = 6;
    return s;
}

EncodedDialogue dialogue(std::vector<std::pair<Role, std::vector<int64_t>>> turns, float reward)
{
    std::vector<TokenTurn> tt;
    for (auto& [role, words] : turns)
        tt.push_back({role, words, std::nullopt});
    return DialogueCodec::encodeTurns(toySpecial(), {}, tt, /*finished=*/true, reward);
}

// Toy 1: the agent answers "hi" with A or B (half the time each); only A leads, two turns later,
// to reward 1.
std::vector<EncodedDialogue> toyDelayed(int n, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<EncodedDialogue> out;
    for (int i = 0; i < n; ++i) {
        const bool a = (rng() & 1) == 0;
        out.push_back(dialogue({{Role::User, {kHi}}, {Role::Agent, {a ? kA : kB}}, {Role::User, {kOk}},
                                {Role::Agent, {kBye}}},
                               a ? 1.f : 0.f));
    }
    return out;
}

// Toy 2 (stitching): reward = [first answer is A] + [second answer is D]. The data hold only
// (A,C) = 1, (B,D) = 1 and (B,C) = 0: the best dialogue (A,D) = 2 is in none of them.
std::vector<EncodedDialogue> toyStitch(int n, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<EncodedDialogue> out;
    for (int i = 0; i < n; ++i) {
        const int kind = static_cast<int>(rng() % 3);
        const int64_t first = kind == 0 ? kA : kB;
        const int64_t second = kind == 1 ? kD : kC;
        const float r = (first == kA ? 1.f : 0.f) + (second == kD ? 1.f : 0.f);
        out.push_back(dialogue({{Role::User, {kHi}}, {Role::Agent, {first}}, {Role::User, {kOk}},
                                {Role::Agent, {second}}},
                               r));
    }
    return out;
}

Transformer tinyModel(uint64_t seed)
{
    auto mc = ModelConfig::tiny(kVocab);
    mc.hiddenSize = 32;
    mc.intermediateSize = 64;
    torch::manual_seed(seed);
    Transformer m(mc);
    m->initWeights();
    return m;
}

IlqlTrainConfig toyConfig(uint64_t seed)
{
    IlqlTrainConfig c = IlqlTrainConfig::tiny();
    c.seed = seed;
    c.device = "cpu";
    c.batchSize = 16;
    c.gradAccumSteps = 1;
    c.optimizer.lr = 1e-3;
    c.iterations = 1;
    c.updatesPerIteration = 250;
    c.bcSteps = 150;
    c.bcLr = 3e-3;
    c.logEvery = 50;
    c.validFraction = 0;
    c.evalSamples = 0;
    c.decode.adv_weight = 8.0;
    return c;
}

// π_β by behaviour cloning, then ILQL from it. Returns both.
struct Trained {
    IlqlTrainer bc;
    IlqlTrainer ilql;
};

Trained trainBoth(const std::vector<EncodedDialogue>& data, uint64_t seed)
{
    const auto cfg = toyConfig(seed);
    IlqlTrainer bc(tinyModel(seed), std::nullopt, toySpecial(), cfg.behaviourCloning(), "bc");
    bc.setData(data, {});
    bc.train();
    IlqlTrainer ilql(cloneTransformer(bc.trunk()), std::nullopt, toySpecial(), cfg, "ilql");
    ilql.setData(data, {});
    ilql.train();
    return {std::move(bc), std::move(ilql)};
}

// Probability of `word` right after `prompt`: π_β alone (the BC model) and ILQL's decoding.
double piBeta(IlqlTrainer& bc, const std::vector<int64_t>& prompt, int64_t word)
{
    torch::NoGradGuard g;
    bc.trunk()->eval();
    const auto out = bc.trunk()->forward(torch::tensor(prompt, torch::kLong).unsqueeze(0));
    const auto p = torch::softmax(out.logits[0][out.logits.size(1) - 1], -1);
    return p[word].item<double>();
}

double ilqlProb(IlqlTrainer& t, const std::vector<int64_t>& prompt, int64_t word)
{
    t.trunk()->eval();
    const auto d = ilqlNextTokenDistribution(t.decodingModel(), prompt, t.config().decode, int64_t(0));
    return d.probs[word].item<double>();
}

const std::vector<int64_t> kTurn1 = {1, kHi, 2};                   // <s> hi </s>
std::vector<int64_t> turn2(int64_t first) { return {1, kHi, 2, first, 4, kOk, 2}; }

std::map<std::string, torch::Tensor> allTensors(IlqlTrainer& t)
{
    std::map<std::string, torch::Tensor> out;
    for (const auto& p : t.trunk()->named_parameters(true))
        out["trunk." + p.key()] = p.value().detach().clone();
    if (t.heads())
        for (const auto& p : t.heads()->named_parameters(true))
            out["heads." + p.key()] = p.value().detach().clone();
    if (t.targetTrunk())
        for (const auto& p : t.targetTrunk()->named_parameters(true))
            out["target." + p.key()] = p.value().detach().clone();
    return out;
}

} // namespace

class TestIlqlTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    // ---- proof that the RL works -------------------------------------------------------------

    void ilqlPrefersTheRewardedAnswer()
    {
        double worstMargin = 1.0;
        for (uint64_t seed : {1, 2, 3}) {
            const auto data = toyDelayed(256, seed);
            auto t = trainBoth(data, seed);
            const double pBeta = piBeta(t.bc, kTurn1, kA);
            const double pIlql = ilqlProb(t.ilql, kTurn1, kA);
            // The ILQL run's own π_β (its lm_head, trained by the token loss) is still ~50/50.
            const double pIlqlBeta = piBeta(t.ilql, kTurn1, kA);
            qInfo("seed %d: P(A) pi_beta %.3f (ILQL trunk's pi_beta %.3f), ILQL %.3f", int(seed), pBeta,
                  pIlqlBeta, pIlql);
            QVERIFY2(pBeta > 0.3 && pBeta < 0.7, "behaviour cloning should say A about half the time");
            QVERIFY2(pIlql > 0.9, "ILQL should choose the rewarded answer");
            worstMargin = std::min(worstMargin, pIlql - pBeta);
        }
        qInfo("worst margin P_ILQL(A) - P_beta(A) over 3 seeds: %.3f", worstMargin);
        QVERIFY(worstMargin > 0.3);
    }

    void ilqlStitchesTheBestDialogue()
    {
        double worstIlql = 1.0, bestBc = 0.0;
        for (uint64_t seed : {1, 2, 3}) {
            const auto data = toyStitch(300, seed);
            auto t = trainBoth(data, seed);
            // Probability of producing the unseen best dialogue (A, then D).
            const double bc = piBeta(t.bc, kTurn1, kA) * piBeta(t.bc, turn2(kA), kD);
            const double il = ilqlProb(t.ilql, kTurn1, kA) * ilqlProb(t.ilql, turn2(kA), kD);
            qInfo("seed %d: P(A,D) pi_beta %.4f [P(A) %.3f, P(D|A) %.4f], ILQL %.4f [P(A) %.3f, P(D|A) %.3f]",
                  int(seed), bc, piBeta(t.bc, kTurn1, kA), piBeta(t.bc, turn2(kA), kD), il,
                  ilqlProb(t.ilql, kTurn1, kA), ilqlProb(t.ilql, turn2(kA), kD));
            worstIlql = std::min(worstIlql, il);
            bestBc = std::max(bestBc, bc);
        }
        QVERIFY2(bestBc < 0.1, "behaviour cloning should not produce the unseen best dialogue");
        QVERIFY2(worstIlql > 0.5, "ILQL should stitch the best dialogue");
    }

    // ---- resume, checkpoints, metrics --------------------------------------------------------

    void resumedRunEqualsUninterrupted_data()
    {
        QTest::addColumn<QString>("targets");
        QTest::addColumn<int>("accum");
        QTest::newRow("heads targets") << "heads" << 1;
        QTest::newRow("target trunk, accumulation 2") << "trunk" << 2;
    }
    void resumedRunEqualsUninterrupted()
    {
        QFETCH(QString, targets);
        QFETCH(int, accum);
        const auto data = toyStitch(64, 7);
        auto cfg = toyConfig(7);
        cfg.targets = targets.toStdString();
        cfg.gradAccumSteps = accum;
        cfg.batchSize = 8;
        cfg.iterations = 2;
        cfg.updatesPerIteration = 6;
        cfg.checkpointEvery = 0;
        cfg.keepCheckpoints = 0;

        IlqlTrainer full(tinyModel(7), std::nullopt, toySpecial(), cfg);
        full.setData(data, {});
        const auto fr = full.train();
        QVERIFY(!fr.stopped);
        QCOMPARE(full.state().step, int64_t(12));

        QTemporaryDir dir;
        IlqlTrainer first(tinyModel(7), std::nullopt, toySpecial(), cfg);
        first.setData(data, {});
        IlqlTrainHooks hooks;
        hooks.outDir = dir.path().toStdString();
        hooks.progress = [&](const Progress& p) {
            if (p.done == 5)
                hooks.stop.requestStop();   // clean stop: checkpoint at step 5
        };
        const auto r1 = first.train(hooks);
        QVERIFY(r1.stopped);
        QCOMPARE(first.state().step, int64_t(5));
        QVERIFY(std::filesystem::exists(r1.checkpointDir + "/ilql_heads.safetensors"));
        QCOMPARE(std::filesystem::exists(r1.checkpointDir + "/target_trunk.safetensors"), targets == "trunk");

        auto resumed = IlqlTrainer::resume(dir.path().toStdString());
        QCOMPARE(resumed.state().step, int64_t(5));
        resumed.setData(data, {});
        const auto r2 = resumed.train();
        QVERIFY(!r2.stopped);
        QCOMPARE(resumed.state().step, int64_t(12));

        const auto a = allTensors(full), b = allTensors(resumed);
        QCOMPARE(a.size(), b.size());
        for (const auto& [name, t] : a)
            QVERIFY2(torch::equal(t, b.at(name)), name.c_str());
        QCOMPARE(fr.lastTrain.size(), r2.lastTrain.size());
        for (size_t i = 0; i < fr.lastTrain.size(); ++i)
            if (fr.lastTrain[i].first != "tokens_per_s")
                QCOMPARE(fr.lastTrain[i].second, r2.lastTrain[i].second);
    }

    void checkpointIsAModelDirectoryWithHeads()
    {
        const auto data = toyDelayed(32, 3);
        auto cfg = toyConfig(3);
        cfg.updatesPerIteration = 3;
        IlqlTrainer t(tinyModel(3), std::nullopt, toySpecial(), cfg);
        t.setData(data, {});
        t.train();
        QTemporaryDir dir;
        const auto ck = t.saveCheckpoint(dir.filePath("ck").toStdString());
        // π_β loads as an ordinary model (serve / chat), the heads by name.
        LoadOptions lo;
        lo.device = "cpu";
        lo.loadTokenizer = false;
        auto loaded = loadModelDirectory(ck, lo);
        QVERIFY(torch::equal(loaded.model->lm_head ? loaded.model->lm_head->weight : loaded.model->model->embed_tokens->weight,
                             t.trunk()->lm_head ? t.trunk()->lm_head->weight : t.trunk()->model->embed_tokens->weight));
        const auto heads = safetensors::load(ck + "/ilql_heads.safetensors");
        for (const char* name : {"v.fc1.weight", "q1.fc2.bias", "q2.fc1.weight", "target_q1.fc2.weight", "target_q2.fc2.bias"})
            QVERIFY2(heads.count(name), name);
        IlqlHeads copy(IlqlHeadsOptions{32, kVocab, true});
        loadIlqlHeadsTensors(copy, heads, "heads");
        QVERIFY(torch::equal(copy->targetQ1->fc2->weight, t.heads()->targetQ1->fc2->weight));
        // A BC checkpoint has no heads (so no tool mistakes it for an ILQL agent).
        IlqlTrainer bc(tinyModel(3), std::nullopt, toySpecial(), cfg.behaviourCloning(), "bc");
        bc.setData(data, {});
        const auto bck = bc.saveCheckpoint(dir.filePath("bc").toStdString());
        QVERIFY(!std::filesystem::exists(bck + "/ilql_heads.safetensors"));
    }

    void metricsAndSamplesAreReported()
    {
        const auto data = toyDelayed(64, 4);
        auto cfg = toyConfig(4);
        cfg.updatesPerIteration = 10;
        cfg.iterations = 2;
        cfg.logEvery = 5;
        cfg.evalSamples = 2;
        IlqlTrainer t(tinyModel(4), std::nullopt, toySpecial(), cfg);
        t.setData(std::vector<EncodedDialogue>(data.begin(), data.begin() + 48),
                  std::vector<EncodedDialogue>(data.begin() + 48, data.end()));
        MemoryMetricsSink sink;
        std::vector<std::pair<int64_t, IlqlSample>> samples;
        IlqlTrainHooks hooks;
        hooks.sink = &sink;
        hooks.onSamples = [&](int64_t step, const std::vector<IlqlSample>& s) {
            for (const auto& x : s)
                samples.emplace_back(step, x);
        };
        t.train(hooks);
        for (const char* name : {"loss", "token_loss", "v_loss", "q_loss", "cql_loss", "dm_loss", "q_mean", "v_mean",
                                 "advantage_mean", "policy_entropy", "lr", "grad_norm", "tokens_per_s", "eval_loss",
                                 "eval_q_loss"}) {
            const auto s = sink.series(name);
            QVERIFY2(!s.empty(), name);
            for (double x : s)
                QVERIFY2(std::isfinite(x), name);
        }
        QCOMPARE(int(sink.series("loss").size()), 4);
        QCOMPARE(int(sink.series("eval_loss").size()), 2);   // each iteration (10 steps)
        QCOMPARE(int(samples.size()), 4);
        QVERIFY(!samples[0].second.prompt.empty());
    }

    void polyakAfterEveryStep()
    {
        const auto data = toyDelayed(32, 5);
        auto cfg = toyConfig(5);
        cfg.polyakAlpha = 0.5;
        IlqlTrainer t(tinyModel(5), std::nullopt, toySpecial(), cfg);
        const auto before = t.heads()->targetQ1->fc2->weight.clone();
        t.trainStep(std::vector<EncodedDialogue>(data.begin(), data.begin() + 8));
        // target = 0.5 online(after the step) + 0.5 target(before), and the online moved.
        const auto expect = t.heads()->q1->fc2->weight * 0.5 + before * 0.5;
        QVERIFY(torch::allclose(t.heads()->targetQ1->fc2->weight, expect, 1e-6, 1e-7));
        QVERIFY(!torch::equal(t.heads()->q1->fc2->weight, before));
    }

    void configJson()
    {
        const auto c = IlqlTrainConfig::paper();
        QCOMPARE(c.ilql.tau, 0.8);
        QCOMPARE(c.ilql.gamma, 0.99);
        QCOMPARE(c.batchSize * c.gradAccumSteps, int64_t(128));
        QCOMPARE(c.polyakAlpha, 0.005);
        QCOMPARE(c.optimizer.lr, 1e-4);
        QCOMPARE(c.totalSteps(), int64_t(6000));
        const auto j = c.toJson();
        QCOMPARE(IlqlTrainConfig::fromJson(j).toJson().dump(), j.dump());
        auto partial = IlqlTrainConfig::fromJson(nlohmann::json::parse(R"({"ilql": {"tau": 0.7}, "targets": "trunk"})"));
        QCOMPARE(partial.ilql.tau, 0.7);
        QCOMPARE(partial.ilql.gamma, 0.99);
        QVERIFY_THROWS_EXCEPTION(Error, IlqlTrainConfig::fromJson(nlohmann::json::parse(R"({"iterashuns": 3})")));
        QVERIFY_THROWS_EXCEPTION(Error, IlqlTrainConfig::fromJson(nlohmann::json::parse(R"({"ilql": {"tau": 3}})")));
        QVERIFY_THROWS_EXCEPTION(Error, IlqlTrainConfig::fromJson(nlohmann::json::parse(R"({"targets": "both"})")));
    }
};

QTEST_APPLESS_MAIN(TestIlqlTrainer)
#include "tst_core_ilql_trainer.moc"
