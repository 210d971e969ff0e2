// LM trainer: schedule, bucketed batches, AdamW, a tiny model overfitting a handful of dialogues,
// gradient accumulation equal to one big batch, exact resume, stop token, metrics in the project
// file while training runs.
#include <torch/torch.h>

#include "core/model/dialogue_codec.h"
#include "core/model/model_io.h"
#include "core/store/database.h"
#include "core/train/adamw.h"
#include "core/train/checkpoint.h"
#include "core/train/length_bucket_batcher.h"
#include "core/train/lm_data.h"
#include "core/train/lm_trainer.h"
#include "core/train/lm_training_job.h"
#include "core/train/lr_schedule.h"
#include "core/train/metrics_sink.h"
#include "core/util/error.h"
#include "support/lm_corpus.h"
#include "support/test_paths.h"

#include <filesystem>
#include <set>

using namespace hw;

namespace {

LmTrainConfig tinyConfig()
{
    LmTrainConfig c = LmTrainConfig::tiny();
    c.device = "cpu";
    c.batchSize = 4;
    c.validFraction = 0;
    c.evalEvery = 0;
    c.logEvery = 1;
    c.warmupSteps = 2;
    return c;
}

struct Data {
    std::optional<Tokenizer> tokenizer;
    std::vector<EncodedDialogue> train, valid;
};

Data encode(const std::vector<Dialogue>& train, const std::vector<Dialogue>& valid, int vocab = 400)
{
    std::vector<Dialogue> all = train;
    all.insert(all.end(), valid.begin(), valid.end());
    Data d;
    d.tokenizer = hwtest::lmTokenizer(all, vocab);
    const DialogueCodec codec(*d.tokenizer);
    for (const auto& x : train)
        for (auto& e : encodeWindows(codec, x, 128))
            d.train.push_back(std::move(e));
    for (const auto& x : valid)
        for (auto& e : encodeWindows(codec, x, 128))
            d.valid.push_back(std::move(e));
    return d;
}

LmTrainer makeTrainer(const Data& d, LmTrainConfig c, LossTokens loss = LossTokens::AllButContext)
{
    auto model = makeModelForTraining(c, d.tokenizer->vocabSize());
    LmTrainer t(model, *d.tokenizer, c, loss, "lm-forward");
    t.setData(d.train, d.valid, "fp");
    return t;
}

std::vector<torch::Tensor> params(LmTrainer& t)
{
    std::vector<torch::Tensor> out;
    for (const auto& p : t.model()->parameters())
        out.push_back(p.detach().clone());
    return out;
}

double maxAbsDiff(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b)
{
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i)
        m = std::max(m, (a[i] - b[i]).abs().max().item<double>());
    return m;
}

} // namespace

class TestLmTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void warmupCosineSchedule()
    {
        WarmupCosineSchedule s({1.0, 4, 14, 0.1});
        QCOMPARE(s.lrAt(0), 0.25);
        QCOMPARE(s.lrAt(3), 1.0);
        QCOMPARE(s.lrAt(4), 1.0);
        QVERIFY(qAbs(s.lrAt(9) - 0.55) < 1e-12); // halfway down the cosine
        QVERIFY(qAbs(s.lrAt(14) - 0.1) < 1e-12);
        QVERIFY(qAbs(s.lrAt(100) - 0.1) < 1e-12);
        QCOMPARE(WarmupCosineSchedule({2.0, 0, 0, 0.1}).lrAt(50), 2.0);
    }

    void bucketedBatchesCoverEveryExampleOncePerEpoch()
    {
        std::mt19937 rng(3);
        std::vector<int64_t> lengths;
        for (int i = 0; i < 500; ++i)
            lengths.push_back(10 + static_cast<int64_t>(rng() % 400));
        BatcherOptions o;
        o.batchSize = 16;
        o.maxTokens = 2048;
        o.seed = 5;
        const LengthBucketBatcher b(lengths, o);
        for (int64_t epoch : {0, 1}) {
            std::multiset<int64_t> seen;
            for (const auto& batch : b.epochBatches(epoch)) {
                QVERIFY(batch.size() <= 16);
                int64_t longest = 0;
                for (auto i : batch)
                    longest = std::max(longest, lengths[static_cast<size_t>(i)]);
                QVERIFY(longest * static_cast<int64_t>(batch.size()) <= 2048);
                seen.insert(batch.begin(), batch.end());
            }
            QCOMPARE(seen.size(), lengths.size());
            QCOMPARE(std::set<int64_t>(seen.begin(), seen.end()).size(), lengths.size());
        }
        QVERIFY(b.epochBatches(0) != b.epochBatches(1));
        QVERIFY(b.epochBatches(1) == LengthBucketBatcher(lengths, o).epochBatches(1)); // deterministic
        // Bucketing removes most padding compared with random batches of the same size.
        BatcherOptions random = o;
        random.poolBatches = 1;
        random.maxTokens = 0;
        BatcherOptions bucketed = random;
        bucketed.poolBatches = 32;
        const double pr = LengthBucketBatcher(lengths, random).paddingRatio();
        const double pb = LengthBucketBatcher(lengths, bucketed).paddingRatio();
        QVERIFY2(pb < 1.1 && pr > 1.4, qPrintable(QString("bucketed %1 random %2").arg(pb).arg(pr)));
    }

    void batchStreamResumesFromItsCursor()
    {
        BatcherOptions o;
        o.batchSize = 3;
        const LengthBucketBatcher b({5, 9, 2, 7, 7, 1, 3, 8}, o);
        BatchStream full(b);
        std::vector<std::vector<int64_t>> expected;
        for (int i = 0; i < 10; ++i)
            expected.push_back(full.next());
        BatchStream a(b);
        for (int i = 0; i < 4; ++i)
            a.next();
        BatchStream resumed(b, a.cursor());
        for (int i = 4; i < 10; ++i)
            QCOMPARE(resumed.next(), expected[static_cast<size_t>(i)]);
    }

    void adamwMatchesTorch()
    {
        torch::manual_seed(0);
        auto w = torch::randn({4, 3}, torch::requires_grad());
        auto b = torch::randn({3}, torch::requires_grad());
        auto w2 = w.detach().clone().requires_grad_(true);
        auto b2 = b.detach().clone().requires_grad_(true);
        AdamWOptions o{0.01, 0.9, 0.95, 1e-8, 0.1};
        AdamW ours({{"w", w, true}, {"b", b, false}}, o);
        torch::optim::AdamW ref({torch::optim::OptimizerParamGroup({w2}), torch::optim::OptimizerParamGroup({b2})},
                                torch::optim::AdamWOptions(0.01).betas({0.9, 0.95}).eps(1e-8).weight_decay(0.1));
        static_cast<torch::optim::AdamWOptions&>(ref.param_groups()[1].options()).weight_decay(0.0);
        for (int step = 0; step < 5; ++step) {
            const auto x = torch::randn({2, 4});
            ours.zeroGrad();
            ((x.matmul(w) + b).pow(2).sum()).backward();
            ours.step();
            ref.zero_grad();
            ((x.matmul(w2) + b2).pow(2).sum()).backward();
            ref.step();
        }
        QVERIFY(torch::allclose(w, w2, 1e-5, 1e-6));
        QVERIFY(torch::allclose(b, b2, 1e-5, 1e-6));
        QCOMPARE(ours.stepCount(), int64_t(5));
    }

    void tinyModelOverfitsAHandfulOfDialogues()
    {
        const auto d = encode(hwtest::lmDialogues(4), {});
        auto c = tinyConfig();
        c.maxSteps = qEnvironmentVariableIntValue("HW_OVERFIT_STEPS") ? qEnvironmentVariableIntValue("HW_OVERFIT_STEPS") : 150;
        c.optimizer.lr = qEnvironmentVariableIsSet("HW_OVERFIT_LR") ? qgetenv("HW_OVERFIT_LR").toDouble() : 1e-2;
        if (qEnvironmentVariableIntValue("HW_OVERFIT_HIDDEN"))
            c.model = {{"hidden_size", qEnvironmentVariableIntValue("HW_OVERFIT_HIDDEN")},
                       {"intermediate_size", 2 * qEnvironmentVariableIntValue("HW_OVERFIT_HIDDEN")}};
        auto t = makeTrainer(d, c);
        MemoryMetricsSink sink;
        TrainHooks h;
        h.sink = &sink;
        const auto r = t.train(h);
        const auto loss = sink.series("loss");
        for (size_t i = 0; i < loss.size(); i += 10)
            qInfo("step %zu loss %.3f", i + 1, loss[i]);
        QCOMPARE(static_cast<int64_t>(loss.size()), c.maxSteps);
        QVERIFY2(loss.front() > 4.0, qPrintable(QString::number(loss.front())));
        QVERIFY2(loss.back() < 0.6, qPrintable(QString("final loss %1").arg(loss.back())));
        QVERIFY(!r.stopped);
        QCOMPARE(r.state.step, c.maxSteps);
        QVERIFY(r.tokensPerSecond > 0);
        QCOMPARE(static_cast<int64_t>(sink.series("lr").size()), c.maxSteps);
        QCOMPARE(static_cast<int64_t>(sink.series("grad_norm").size()), c.maxSteps);
        QCOMPARE(static_cast<int64_t>(sink.series("tokens_per_s").size()), c.maxSteps);

        // The trained model continues a training dialogue's agent turn word for word.
        const DialogueCodec codec(*d.tokenizer);
        const auto& e = d.train[0];
        const auto& span = e.turns[1]; // first agent turn
        QVERIFY(span.role == Role::Agent);
        torch::NoGradGuard ng;
        t.model()->eval();
        const auto prefix = torch::tensor(std::vector<int64_t>(e.tokens.begin(), e.tokens.begin() + span.end))
                                .unsqueeze(0);
        const auto logits = t.model()->forward(prefix).logits[0];
        const auto predicted = logits.argmax(-1);
        int correct = 0;
        for (int64_t p = span.begin - 1; p < span.end - 1; ++p)
            correct += predicted[p].item<int64_t>() == e.tokens[static_cast<size_t>(p + 1)];
        QVERIFY2(correct >= (span.end - span.begin) * 8 / 10,
                 qPrintable(QString("%1 of %2 agent tokens").arg(correct).arg(span.end - span.begin)));
    }

    void agentLossCountsOnlyAgentTokens()
    {
        const auto d = encode(hwtest::lmDialogues(6), {});
        auto c = tinyConfig();
        c.maxSteps = 1;
        int64_t agent = 0, all = 0;
        for (const auto& e : d.train)
            for (size_t i = 1; i < e.kinds.size(); ++i) {
                agent += e.kinds[i] == uint8_t(TokenKind::Agent);
                all += e.kinds[i] == uint8_t(TokenKind::Agent) || e.kinds[i] == uint8_t(TokenKind::User)
                       || e.kinds[i] == uint8_t(TokenKind::EndOfDialogue);
            }
        QVERIFY(agent > 0 && agent < all);
        // The loss is a mean over targets: an untrained model gives about log(V) for either mask,
        // but a model trained on agent tokens only learns them far better than user tokens.
        c.maxSteps = 120;
        c.optimizer.lr = 1e-2;
        auto policy = makeTrainer(d, c, LossTokens::Agent);
        policy.train();
        auto evalOn = [&](LossTokens which) {
            torch::NoGradGuard ng;
            policy.model()->eval();
            const auto batch = collate(d.train, d.tokenizer->special().pad);
            const auto logits = policy.model()->forward(batch.tokens).logits;
            const auto T = batch.tokens.size(1);
            const auto nll = torch::nn::functional::cross_entropy(
                logits.narrow(1, 0, T - 1).reshape({-1, logits.size(2)}), batch.tokens.narrow(1, 1, T - 1).reshape(-1),
                torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
            const auto mask = targetMask(batch, which).reshape(-1);
            return ((nll * mask).sum() / mask.sum()).item<double>();
        };
        const double agentLoss = evalOn(LossTokens::Agent);
        const double userLoss = evalOn(LossTokens::User);
        QVERIFY2(agentLoss < 0.5 * userLoss, qPrintable(QString("agent %1 user %2").arg(agentLoss).arg(userLoss)));
    }

    void gradientAccumulationEqualsOneBigBatch()
    {
        const auto d = encode(hwtest::lmDialogues(8), {});
        auto c = tinyConfig();
        c.maxSteps = 1;
        c.warmupSteps = 0;
        c.batchSize = static_cast<int64_t>(d.train.size());
        c.gradClip = 0;
        auto big = makeTrainer(d, c);
        big.train();
        auto c2 = c;
        c2.batchSize = (c.batchSize + 1) / 2;
        c2.gradAccumSteps = 2;
        auto acc = makeTrainer(d, c2);
        // Same examples in the step: one epoch is exactly the two micro-batches.
        acc.train();
        QVERIFY2(maxAbsDiff(params(big), params(acc)) < 1e-5, "accumulated step differs from the big batch");
    }

    void resumedRunEqualsUninterruptedRun()
    {
        QTemporaryDir tmp;
        const auto d = encode(hwtest::lmDialogues(10), hwtest::lmDialogues(2, 99));
        auto c = tinyConfig();
        c.maxSteps = 12;
        c.batchSize = 3;              // several batches per epoch: the cursor matters
        c.checkpointEvery = 6;
        c.keepCheckpoints = 0;
        c.evalEvery = 4;

        MemoryMetricsSink full;
        auto a = makeTrainer(d, c);
        TrainHooks ha;
        ha.outDir = tmp.filePath("a").toStdString();
        ha.sink = &full;
        a.train(ha);
        const std::string mid = stepCheckpointDir(ha.outDir, 6);
        QVERIFY(std::filesystem::exists(mid + "/hw_checkpoint.json"));

        MemoryMetricsSink rest;
        auto b = LmTrainer::resume(mid);
        QCOMPARE(b.state().step, int64_t(6));
        b.setData(d.train, d.valid, "fp");
        TrainHooks hb;
        hb.outDir = tmp.filePath("b").toStdString();
        hb.sink = &rest;
        b.train(hb);

        const auto lossA = full.series("loss");
        const auto lossB = rest.series("loss");
        QCOMPARE(lossA.size(), size_t(12));
        QCOMPARE(lossB.size(), size_t(6));
        for (size_t i = 0; i < 6; ++i)
            QCOMPARE(lossB[i], lossA[6 + i]); // bit-identical
        QCOMPARE(rest.series("eval_loss").back(), full.series("eval_loss").back());
        QCOMPARE(maxAbsDiff(params(a), params(b)), 0.0);

        // Different data are refused.
        auto c3 = LmTrainer::resume(mid);
        QVERIFY_THROWS_EXCEPTION(Error, c3.setData(d.train, d.valid, "other"));
    }

    void stopTokenStopsWithACheckpoint()
    {
        QTemporaryDir tmp;
        const auto d = encode(hwtest::lmDialogues(6), {});
        auto c = tinyConfig();
        c.maxSteps = 50;
        auto t = makeTrainer(d, c);
        TrainHooks h;
        h.outDir = tmp.path().toStdString();
        StopToken stop;
        h.stop = stop;
        h.progress = [&](const Progress& p) {
            if (p.done == 7)
                stop.requestStop();
        };
        const auto r = t.train(h);
        QVERIFY(r.stopped);
        QCOMPARE(r.state.step, int64_t(7));
        QCOMPARE(r.checkpointDir, stepCheckpointDir(h.outDir, 7));
        QCOMPARE(resolveCheckpointDir(h.outDir), r.checkpointDir);
        CheckpointReader(r.checkpointDir).requireResumable();
    }

    void metricsAppearInTheProjectWhileTraining()
    {
        QTemporaryDir tmp;
        const std::string project = tmp.filePath("p.hwb").toStdString();
        hwtest::insertDialogues(project, hwtest::lmDialogues(24));
        auto reader = Database::open(project, Database::Mode::ReadOnly);
        int64_t seenDuring = 0;
        std::string statusDuring;
        LmJobOptions o;
        o.projectPath = project;
        o.role = LmRole::Forward;
        o.config = tinyConfig();
        o.config.maxSteps = 12;
        o.config.validFraction = 0.2;
        o.config.evalEvery = 5;
        o.config.checkpointEvery = 5;
        o.config.logEvery = 2;
        o.outDir = tmp.filePath("out").toStdString();
        o.progress = [&](const Progress& p) {
            if (p.done == 8) {
                seenDuring = *reader.queryInt64("SELECT count(*) FROM metrics WHERE name = 'loss'");
                Statement st(reader, "SELECT status FROM runs");
                if (st.step())
                    statusDuring = st.text(0);
            }
        };
        const auto r = runLmTrainingJob(o);
        QCOMPARE(seenDuring, int64_t(4)); // steps 2, 4, 6, 8, visible to another connection at once
        QCOMPARE(statusDuring, std::string("running"));
        QVERIFY(r.runId > 0);
        for (const char* name : {"loss", "lr", "grad_norm", "tokens_per_s", "eval_loss"}) {
            Statement st(reader, "SELECT count(*) FROM metrics WHERE run_id = ? AND name = ?");
            st.bind(1, r.runId).bind(2, name);
            QVERIFY(st.step());
            QVERIFY2(st.int64(0) > 0, name);
        }
        Statement run(reader, "SELECT status, step, kind, checkpoint_dir, best_eval FROM runs WHERE id = ?");
        run.bind(1, r.runId);
        QVERIFY(run.step());
        QCOMPARE(run.text(0), std::string("done"));
        QCOMPARE(run.int64(1), int64_t(12));
        QCOMPARE(run.text(2), std::string("lm-forward"));
        QCOMPARE(run.text(3), r.train.checkpointDir);
        QVERIFY(!run.isNull(4));
        QCOMPARE(*reader.queryInt64("SELECT count(*) FROM checkpoints"), int64_t(2)); // 10, 12 (keepCheckpoints 2)
        QVERIFY(r.validDialogues > 0 && r.trainDialogues > r.validDialogues);
    }

    void jobStopsAndResumesTheSameRun()
    {
        QTemporaryDir tmp;
        const std::string project = tmp.filePath("p.hwb").toStdString();
        hwtest::insertDialogues(project, hwtest::lmDialogues(16));
        LmJobOptions o;
        o.projectPath = project;
        o.role = LmRole::PolicySft;
        o.config = tinyConfig();
        o.config.maxSteps = 10;
        o.outDir = tmp.filePath("out").toStdString();
        StopToken stop;
        o.stop = stop;
        o.progress = [&](const Progress& p) {
            if (p.done == 4)
                stop.requestStop();
        };
        const auto first = runLmTrainingJob(o);
        QVERIFY(first.train.stopped);
        auto db = Database::open(project, Database::Mode::ReadOnly);
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM runs WHERE status = 'stopped'"), int64_t(1));
        QCOMPARE(first.dialogues, int64_t(4)); // top 25% of 16 by reward

        LmJobOptions again;
        again.projectPath = project;
        again.role = LmRole::PolicySft;
        again.resumeDir = o.outDir;
        const auto second = runLmTrainingJob(again);
        QVERIFY(!second.train.stopped);
        QCOMPARE(second.runId, first.runId);
        QCOMPARE(second.train.state.step, int64_t(10));
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM runs"), int64_t(1));
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM metrics WHERE name = 'loss'"), int64_t(10));
        QCOMPARE(*db.queryInt64("SELECT count(DISTINCT step) FROM metrics WHERE name = 'loss'"), int64_t(10));

        // A checkpoint of another role is refused.
        LmJobOptions wrong = again;
        wrong.role = LmRole::Forward;
        QVERIFY_THROWS_EXCEPTION(Error, runLmTrainingJob(wrong));
    }

    void roleSelections()
    {
        std::vector<Dialogue> ds;
        for (int i = 0; i < 9; ++i) {
            Dialogue d;
            d.uid = "u" + std::to_string(i);
            if (i != 4)
                d.reward = i;
            ds.push_back(d);
        }
        const auto bottom = selectByReward(ds, RewardSlice::BottomQuartile);
        QCOMPARE(bottom.size(), size_t(2)); // ceil(8/4) of the labeled ones
        QCOMPARE(*bottom[0].reward, 0.0);
        QCOMPARE(*bottom[1].reward, 1.0);
        const auto top = selectByReward(ds, RewardSlice::TopQuartile);
        QCOMPARE(*top[0].reward, 7.0);
        QCOMPARE(*top[1].reward, 8.0);
        QVERIFY(defaultLossTokens(LmRole::PolicySft) == LossTokens::Agent);
        QVERIFY(defaultLossTokens(LmRole::Forward) == LossTokens::AllButContext);
        QVERIFY_THROWS_EXCEPTION(Error, lmRoleFromString("critic"));
        // The split is a pure function of (uid, fraction, seed).
        int held = 0;
        for (int i = 0; i < 1000; ++i)
            held += isHeldOut("x" + std::to_string(i), 0.1, 3);
        QVERIFY(held > 70 && held < 130);
        // Asked again in the opposite order (no hidden state), a larger fraction only adds
        // dialogues (a growing validation set keeps its old members), another seed is another
        // split, and the bounds hold everything / nothing.
        int differentSeed = 0;
        for (int i = 999; i >= 0; --i) {
            const std::string uid = "x" + std::to_string(i);
            const bool at10 = isHeldOut(uid, 0.1, 3);
            if (at10)
                --held;
            if (at10)
                QVERIFY2(isHeldOut(uid, 0.2, 3), uid.c_str());
            differentSeed += at10 != isHeldOut(uid, 0.1, 4);
            QVERIFY(!isHeldOut(uid, 0.0, 3));
            QVERIFY(isHeldOut(uid, 1.0, 3));
        }
        QCOMPARE(held, 0);
        QVERIFY(differentSeed > 50);
    }

    void longDialoguesBecomeWindowsOfWholeTurns()
    {
        Dialogue d = hwtest::lmDialogue(1);
        for (int k = 0; k < 6; ++k)
            for (const auto& t : std::vector<Turn>(d.turns))
                d.turns.push_back(t);
        for (size_t i = 0; i < d.turns.size(); ++i)
            d.turns[i].index = static_cast<int>(i);
        const auto tok = hwtest::lmTokenizer({d});
        const DialogueCodec codec(tok);
        const auto windows = encodeWindows(codec, d, 64);
        QVERIFY(windows.size() > 2);
        std::vector<int> turnsSeen;
        for (size_t w = 0; w < windows.size(); ++w) {
            QVERIFY(windows[w].tokens.size() <= 64);
            QCOMPARE(windows[w].finished, w + 1 == windows.size());
            for (const auto& s : windows[w].turns)
                turnsSeen.push_back(s.turnIndex);
        }
        std::vector<int> expected(d.turns.size());
        std::iota(expected.begin(), expected.end(), 0);
        QCOMPARE(turnsSeen, expected);
    }

    void configJsonRoundTripAndErrors()
    {
        auto c = LmTrainConfig::tiny();
        c.maxSteps = 77;
        const auto back = LmTrainConfig::fromJson(c.toJson());
        QCOMPARE(back.maxSteps, int64_t(77));
        QCOMPARE(back.modelPreset, std::string("tiny"));
        QCOMPARE(LmTrainConfig::fromJson(nlohmann::json::object()).batchSize, LmTrainConfig{}.batchSize);
        try {
            LmTrainConfig::fromJson({{"batchsize", 3}}, "cfg.json");
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("unknown key 'batchsize'"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, LmTrainConfig::fromJson({{"batchSize", 0}}));
        QVERIFY_THROWS_EXCEPTION(Error, LmTrainConfig::fromJson({{"optimizer", {{"lr", -1}}}}));
        QVERIFY_THROWS_EXCEPTION(Error, LmTrainConfig::fromJson({{"optimizer", {{"learning_rate", 1}}}}));
        QVERIFY_THROWS_EXCEPTION(Error, LmTrainConfig::fromJson({{"batchSize", "four"}}));
    }
};

QTEST_APPLESS_MAIN(TestLmTrainer)
#include "tst_core_lm_trainer.moc"
