// The ILQL trainer: proof that the RL works on toy dialogue tasks with known answers (ILQL beats
// behaviour cloning; ILQL stitches), exact resume, checkpoints and metrics. Tiny CPU models.
#include <torch/torch.h>

#include "core/model/dialogue_codec.h"
#include "core/model/generation.h"
#include "core/model/model_io.h"
#include "core/model/safetensors.h"
#include "core/rl/ilql_policy.h"
#include "core/train/ilql_trainer.h"
#include "core/train/metrics_sink.h"
#include "core/util/error.h"
#include "support/test_paths.h"

#include <filesystem>
#include <fstream>
#include <random>

using namespace hw;

namespace {

// Word-level toy vocabulary: the reference's special ids, then words.
enum Word : int64_t { kHi = 7, kA = 8, kB = 9, kOk = 10, kBye = 11, kVocab = 16 };

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

// Toy 2 (stitching): the agent opens with A or B. After A the user says x or y at random, and
// the agent's second answer earns 1 only if it echoes that word; after B the user says z and any
// second answer earns 0.6. The data come from three behaviours, each suboptimal: "A, then always
// x" (0.5 on average), "A, then always y" (0.5) and "B, then anything" (0.6). Returns alone favour
// B; the best agent (1.0) stitches the x-branch of the first behaviour to the y-branch of the
// second, and needs dynamic programming to see that A is worth opening with.
enum : int64_t { kX = 10, kY = 11, kZ = 14 };
std::vector<EncodedDialogue> toyStitch(int n, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<EncodedDialogue> out;
    for (int i = 0; i < n; ++i) {
        const int behaviour = static_cast<int>(rng() % 3);
        const bool coin = (rng() & 1) == 0;
        if (behaviour < 2) {
            const int64_t reply = coin ? kX : kY;
            const int64_t answer = behaviour == 0 ? kX : kY;
            out.push_back(dialogue({{Role::User, {kHi}}, {Role::Agent, {kA}}, {Role::User, {reply}},
                                    {Role::Agent, {answer}}},
                                   answer == reply ? 1.f : 0.f));
        } else {
            out.push_back(dialogue({{Role::User, {kHi}}, {Role::Agent, {kB}}, {Role::User, {kZ}},
                                    {Role::Agent, {coin ? kX : kY}}},
                                   0.6f));
        }
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
    // A few hundred steps instead of the paper's 6000: targets follow faster than alpha 0.005.
    c.polyakAlpha = 0.05;
    return c;
}

// π_β by behaviour cloning, then ILQL from it. Returns both.
struct Trained {
    IlqlTrainer bc;
    IlqlTrainer ilql;
};

Trained trainBoth(const std::vector<EncodedDialogue>& data, uint64_t seed, int64_t updates = 250)
{
    auto cfg = toyConfig(seed);
    cfg.updatesPerIteration = updates;
    IlqlTrainer bc(tinyModel(seed), std::nullopt, toySpecial(), cfg.behaviourCloning(), "bc");
    bc.setData(data, {});
    bc.train();
    // π_β = the BC model; the value trunk starts from the same base model BC started from.
    IlqlTrainer ilql(cloneTransformer(bc.trunk()), std::nullopt, toySpecial(), cfg, "ilql", tinyModel(seed));
    ilql.setData(data, {});
    ilql.train();
    return {std::move(bc), std::move(ilql)};
}

// Probability of `word` right after `prompt`: π_β alone (the BC model) and ILQL's decoding.
double piBeta(IlqlTrainer& bc, const std::vector<int64_t>& prompt, int64_t word)
{
    torch::NoGradGuard g;
    bc.policyModel()->eval();
    const auto out = bc.policyModel()->forward(torch::tensor(prompt, torch::kLong).unsqueeze(0));
    const auto p = torch::softmax(out.logits[0][out.logits.size(1) - 1], -1);
    return p[word].item<double>();
}

double ilqlProb(IlqlTrainer& t, const std::vector<int64_t>& prompt, int64_t word)
{
    t.trunk()->eval();
    t.policyModel()->eval();
    const auto d = ilqlNextTokenDistribution(t.decodingModel(), prompt, t.config().decode, int64_t(0));
    return d.probs[word].item<double>();
}

const std::vector<int64_t> kTurn1 = {1, kHi, 2};                   // <s> hi </s>
std::vector<int64_t> turn2(int64_t first, int64_t reply) { return {1, kHi, 2, first, 4, reply, 2}; }

// Expected reward of a policy on toy 2, from its exact next-token probabilities.
template <typename Prob>
double stitchValue(Prob p)
{
    return p(kTurn1, kA) * (0.5 * p(turn2(kA, kX), kX) + 0.5 * p(turn2(kA, kY), kY)) + p(kTurn1, kB) * 0.6;
}

std::map<std::string, torch::Tensor> allTensors(IlqlTrainer& t)
{
    std::map<std::string, torch::Tensor> out;
    for (const auto& p : t.trunk()->named_parameters(true))
        out["trunk." + p.key()] = p.value().detach().clone();
    for (const auto& p : t.policyModel()->named_parameters(true))
        out["policy." + p.key()] = p.value().detach().clone();
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
            const auto data = toyStitch(256, seed);
            auto t = trainBoth(data, seed, 400); // two decisions: values propagate back one more step
            const double bc = stitchValue([&](const std::vector<int64_t>& s, int64_t w) { return piBeta(t.bc, s, w); });
            const double il = stitchValue([&](const std::vector<int64_t>& s, int64_t w) { return ilqlProb(t.ilql, s, w); });
            qInfo("seed %d: expected reward pi_beta %.3f [P(A) %.3f, P(echo x) %.3f], ILQL %.3f [P(A) %.3f, "
                  "P(echo x) %.3f, P(echo y) %.3f]",
                  int(seed), bc, piBeta(t.bc, kTurn1, kA), piBeta(t.bc, turn2(kA, kX), kX), il,
                  ilqlProb(t.ilql, kTurn1, kA), ilqlProb(t.ilql, turn2(kA, kX), kX), ilqlProb(t.ilql, turn2(kA, kY), kY));
            worstIlql = std::min(worstIlql, il);
            bestBc = std::max(bestBc, bc);
        }
        qInfo("expected reward: ILQL worst %.3f, behaviour cloning best %.3f (optimum 1.0, returns favour B: 0.6)",
              worstIlql, bestBc);
        QVERIFY2(bestBc < 0.65, "behaviour cloning should not find the stitched agent");
        QVERIFY2(worstIlql > 0.85, "ILQL should stitch the best agent");
    }

    // ---- resume, checkpoints, metrics --------------------------------------------------------

    void resumedRunEqualsUninterrupted_data()
    {
        QTest::addColumn<QString>("targets");
        QTest::addColumn<int>("accum");
        QTest::addColumn<QString>("policy");
        QTest::newRow("separate policy, heads targets") << "heads" << 1 << "separate";
        QTest::newRow("shared trunk, target trunk, accumulation 2") << "trunk" << 2 << "shared";
    }
    void resumedRunEqualsUninterrupted()
    {
        QFETCH(QString, targets);
        QFETCH(int, accum);
        QFETCH(QString, policy);
        const auto data = toyStitch(64, 7);
        auto cfg = toyConfig(7);
        cfg.targets = targets.toStdString();
        cfg.policy = policy.toStdString();
        cfg.gradAccumSteps = accum;
        cfg.logEvery = 1;   // the last log row is then one step, the same in both runs
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
        QVERIFY(std::filesystem::exists(r1.checkpointDir
                                        + (policy == "separate" ? "/ilql_value_heads.safetensors" : "/ilql_heads.safetensors")));
        QCOMPARE(std::filesystem::exists(r1.checkpointDir + "/target_trunk.safetensors"), targets == "trunk");
        QCOMPARE(std::filesystem::exists(r1.checkpointDir + "/value_trunk.safetensors"), policy == "separate");

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

    void separatePolicyCheckpoint()
    {
        const auto data = toyDelayed(32, 3);
        auto cfg = toyConfig(3);
        cfg.updatesPerIteration = 3;
        IlqlTrainer t(tinyModel(3), std::nullopt, toySpecial(), cfg, "ilql", tinyModel(4));
        t.setData(data, {});
        t.train();
        QTemporaryDir dir;
        const auto ck = t.saveCheckpoint(dir.filePath("ck").toStdString());
        QVERIFY(std::filesystem::exists(ck + "/value_trunk.safetensors"));
        QVERIFY(std::filesystem::exists(ck + "/ilql_value_heads.safetensors"));
        QVERIFY(!std::filesystem::exists(ck + "/ilql_heads.safetensors"));   // chat must not use π_β's states
        auto dm = loadIlqlDecodingModel(ck, "cpu");
        QVERIFY(dm.valueTrunk);
        // Decoding from the loaded checkpoint equals decoding from the trainer.
        const auto a = ilqlNextTokenDistribution(dm, kTurn1, cfg.decode, int64_t(0));
        t.trunk()->eval();
        t.policyModel()->eval();
        const auto b = ilqlNextTokenDistribution(t.decodingModel(), kTurn1, cfg.decode, int64_t(0));
        QVERIFY(torch::allclose(a.probs, b.probs, 1e-5, 1e-7));
        // ... and with the KV-cache engine's hook (sampling, β changed at run time): β is read at
        // every step, β = 8 moves the logits by β (Q̂ − V), and once the run sets β = 0 the hook
        // leaves them as they are (π_β alone).
        GenerationOptions go;
        go.sampling = ilqlSamplingOptions(cfg.decode, 1);
        go.maxNewTokens = 4;
        go.stopTokens = {};                 // all four steps run
        go.sampling.bannedTokens = {0};
        go.companions = ilqlCompanionTrunks(dm);
        double beta = 8.0;
        int betaReads = 0;
        const LogitsHook ilqlHook = ilqlLogitsHook(dm, cfg.decode, [&] {
            ++betaReads;
            return beta;
        });
        std::vector<double> moved;          // largest |hooked - given| logit change per step
        const LogitsHook probe = [&](const torch::Tensor& logits, const LogitsHookContext& ctx) {
            const torch::Tensor given = logits.clone();
            torch::Tensor out = ilqlHook(logits, ctx);
            if (!out.defined())
                out = logits;
            const auto finite = torch::isfinite(given);
            moved.push_back(torch::where(finite, out - given, torch::zeros_like(given)).abs().max().item<double>());
            if (ctx.step == 1)
                beta = 0.0;                 // from the next step on
            return out;
        };
        const auto r = generate(dm.trunk, {kTurn1}, go, probe);
        QCOMPARE(r.tokens[0].size(), size_t(4));
        QCOMPARE(moved.size(), size_t(4));
        QCOMPARE(betaReads, 4);
        QVERIFY2(moved[0] > 0.0 && moved[1] > 0.0, qPrintable(QString::number(moved[0])));
        QCOMPARE(moved[2], 0.0);
        QCOMPARE(moved[3], 0.0);
    }

    void checkpointIsAModelDirectoryWithHeads()
    {
        const auto data = toyDelayed(32, 3);
        auto cfg = toyConfig(3);
        cfg.updatesPerIteration = 3;
        cfg.policy = "shared";
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
        QVERIFY(!std::filesystem::exists(ck + "/value_trunk.safetensors"));
        const auto heads = safetensors::load(ck + "/ilql_heads.safetensors");
        for (const char* name : {"v.fc1.weight", "q1.fc2.bias", "q2.fc1.weight", "target_q1.fc2.weight", "target_q2.fc2.bias"})
            QVERIFY2(heads.count(name), name);
        IlqlHeads copy(IlqlHeadsOptions{32, kVocab, true});
        loadIlqlHeadsTensors(copy, heads, "heads");
        // The decoding model loads from either layout.
        const auto dm = loadIlqlDecodingModel(ck, "cpu");
        QVERIFY(torch::equal(dm.heads->targetQ1->fc2->weight, t.heads()->targetQ1->fc2->weight));
        QVERIFY(!dm.valueTrunk);
        QVERIFY(torch::equal(copy->targetQ1->fc2->weight, t.heads()->targetQ1->fc2->weight));
        // A BC checkpoint has no heads (so no tool mistakes it for an ILQL agent).
        IlqlTrainer bc(tinyModel(3), std::nullopt, toySpecial(), cfg.behaviourCloning(), "bc");
        bc.setData(data, {});
        const auto bck = bc.saveCheckpoint(dir.filePath("bc").toStdString());
        QVERIFY(!std::filesystem::exists(bck + "/ilql_heads.safetensors"));
        QVERIFY_THROWS_EXCEPTION(Error, loadIlqlDecodingModel(bck, "cpu"));
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
        for (const char* name : {"loss", "token_loss", "v_loss", "q_loss", "cql_loss", "q_mean", "v_mean",
                                 "advantage_mean", "policy_entropy", "lr", "grad_norm", "tokens_per_s", "eval_loss",
                                 "eval_q_loss"}) {
            const auto s = sink.series(name);
            QVERIFY2(!s.empty(), name);
            for (double x : s)
                QVERIFY2(std::isfinite(x), name);
        }
        // The DM term has weight 0 here: the trainer does not compute it, so there is no curve.
        QVERIFY(sink.series("dm_loss").empty() && sink.series("eval_dm_loss").empty());
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

    // The reference's model options inside "ilql" drive the trainer's own fields; values it cannot
    // train with, or that contradict those fields, are refused.
    void referenceModelOptionsMapOntoTheTrainer()
    {
        using nlohmann::json;
        auto c = IlqlTrainConfig::fromJson(json::parse(
            R"({"ilql": {"alpha": 0.02, "seperate_policy": false, "seperate_target": true, "detach_v": false}})"));
        QCOMPARE(c.polyakAlpha, 0.02);
        QCOMPARE(c.policy, std::string("shared"));
        QCOMPARE(c.targets, std::string("trunk"));
        QVERIFY(!c.ilql.alpha && !c.ilql.seperate_policy && !c.ilql.seperate_target); // moved, not duplicated
        QCOMPARE(IlqlTrainConfig::fromJson(c.toJson()).toJson().dump(), c.toJson().dump());
        c = IlqlTrainConfig::fromJson(json::parse(R"({"ilql": {"seperate_policy": true, "seperate_target": false}})"));
        QCOMPARE(c.policy, std::string("separate"));
        QCOMPARE(c.targets, std::string("heads"));
        // Both spellings agreeing is fine; disagreeing is an error naming both.
        QCOMPARE(IlqlTrainConfig::fromJson(json::parse(R"({"ilql": {"alpha": 0.1}, "polyakAlpha": 0.1})")).polyakAlpha, 0.1);
        auto refused = [](const char* text, const char* mentions) {
            try {
                (void)IlqlTrainConfig::fromJson(json::parse(text));
            } catch (const Error& e) {
                return std::string(e.what()).find(mentions) != std::string::npos;
            }
            return false;
        };
        QVERIFY(refused(R"({"ilql": {"alpha": 0.1}, "polyakAlpha": 0.2})", "polyakAlpha"));
        QVERIFY(refused(R"({"ilql": {"seperate_target": true}, "targets": "heads"})", "seperate_target"));
        QVERIFY(refused(R"({"ilql": {"detach_v": true}})", "detach_v"));
        QVERIFY(refused(R"({"ilql": {"detach_pi": true}})", "not implemented"));
        QVERIFY(refused(R"({"ilql": {"advanced_mlp": true}})", "advanced_mlp"));
        // Set in code, they must agree with the fields the trainer reads.
        IlqlTrainConfig coded;
        coded.ilql.alpha = 0.3;
        QVERIFY_THROWS_EXCEPTION(Error, coded.validate());
        coded.polyakAlpha = 0.3;
        coded.validate();

        // A --config file over a base (the CLI's and the runs page's merge) keeps the mapped fields.
        QTemporaryDir dir;
        const std::string path = dir.filePath("cfg.json").toStdString();
        std::ofstream(path) << R"({"ilql": {"alpha": 0.05, "seperate_target": true, "tau": 0.7}})";
        const auto merged = IlqlTrainConfig::overlay(IlqlTrainConfig::tiny(), path);
        QCOMPARE(merged.polyakAlpha, 0.05);
        QCOMPARE(merged.targets, std::string("trunk"));
        QCOMPARE(merged.ilql.tau, 0.7);
        QCOMPARE(merged.batchSize, IlqlTrainConfig::tiny().batchSize);
    }
};

QTEST_APPLESS_MAIN(TestIlqlTrainer)
#include "tst_core_ilql_trainer.moc"
