// Reward model: regression metrics; on a synthetic task whose reward is readable from the text,
// the trained model beats predicting the mean (MAE) and ranks held-out dialogues; save -> load
// predicts the same; the job records a reward run.
#include <torch/torch.h>

#include "core/model/dialogue_codec.h"
#include "core/store/database.h"
#include "core/train/lm_data.h"
#include "core/train/lm_training_job.h"
#include "core/train/regression_metrics.h"
#include "core/train/reward_model.h"
#include "core/train/reward_trainer.h"
#include "core/util/error.h"
#include "support/lm_corpus.h"
#include "support/test_paths.h"

#include <filesystem>

using namespace hw;

class TestRewardModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void metrics()
    {
        QCOMPARE(averageRanks({10, 20, 20, 5}), (std::vector<double>{2, 3.5, 3.5, 1}));
        QVERIFY(qAbs(spearman({1, 2, 3, 4}, {10, 20, 30, 40}) - 1.0) < 1e-12);
        QVERIFY(qAbs(spearman({1, 2, 3, 4}, {4, 3, 2, 1}) + 1.0) < 1e-12);
        QCOMPARE(spearman({1, 1, 1}, {1, 2, 3}), 0.0); // undefined -> 0
        const auto r = regressionReport({1, 2, 3}, {1, 2, 5}, 2.0);
        QCOMPARE(r.n, int64_t(3));
        QVERIFY(qAbs(r.mae - 2.0 / 3.0) < 1e-12);
        QVERIFY(qAbs(r.baselineMae - (1.0 + 0.0 + 3.0) / 3.0) < 1e-12);
    }

    void learnsASyntheticRewardAndBeatsTheMean()
    {
        const auto all = hwtest::lmDialogues(120, 5);
        const auto split = splitDialogues(all, 0.2, 1);
        const auto tok = hwtest::lmTokenizer(all);
        const DialogueCodec codec(tok);
        auto c = LmTrainConfig::tiny();
        c.device = "cpu";
        c.batchSize = 16;
        c.maxSteps = 120;
        c.optimizer.lr = 1e-2;
        c.evalEvery = 40;
        c.logEvery = 20;
        c.rewardPooling = "last";
        RewardHeadConfig head;
        head.rewardMin = -4;
        head.rewardMax = 4;
        RewardTrainer t(makeModelForTraining(c, tok.vocabSize()), tok, c, head);
        t.setData(makeRewardExamples(codec, split.train, c.maxSeqLen),
                  makeRewardExamples(codec, split.valid, c.maxSeqLen));
        QTemporaryDir tmp;
        TrainHooks h;
        h.outDir = tmp.path().toStdString();
        MemoryMetricsSink sink;
        h.sink = &sink;
        const auto r = t.train(h);
        const auto& ho = r.heldOut;
        qInfo("held-out n=%lld MAE %.3f (baseline %.3f) Spearman %.3f", static_cast<long long>(ho.n), ho.mae,
              ho.baselineMae, ho.spearman);
        QVERIFY(ho.n >= 15);
        QVERIFY2(ho.mae < 0.6 * ho.baselineMae, "MAE not clearly below the predict-the-mean baseline");
        QVERIFY2(ho.spearman > 0.7, "held-out ranking is poor");
        QCOMPARE(sink.series("eval_mae").size(), size_t(3)); // steps 40, 80 and the end
        QCOMPARE(sink.series("eval_spearman").back(), ho.spearman);

        // Save -> load predicts the same rewards.
        auto loaded = loadRewardModel(r.checkpointDir, "cpu");
        const auto before = predictRewards(t.model(), codec, split.valid);
        const auto after = predictRewards(loaded.model, DialogueCodec(loaded.tokenizer), split.valid);
        QCOMPARE(before.size(), split.valid.size());
        for (size_t i = 0; i < before.size(); ++i)
            QCOMPARE(after[i], before[i]);
        for (double v : after)
            QVERIFY(v >= -4 && v <= 4);
        QCOMPARE(loaded.model->head.pooling, std::string("last"));
    }

    void rewardRunThroughTheJob()
    {
        QTemporaryDir tmp;
        const std::string project = tmp.filePath("p.hwb").toStdString();
        hwtest::insertDialogues(project, hwtest::lmDialogues(40));
        LmJobOptions o;
        o.projectPath = project;
        o.role = LmRole::Reward;
        o.config = LmTrainConfig::tiny();
        o.config.device = "cpu";
        o.config.maxSteps = 6;
        o.config.validFraction = 0.25;
        o.config.rewardPooling = "mean";
        o.outDir = tmp.filePath("out").toStdString();
        const auto r = runLmTrainingJob(o);
        QVERIFY(r.reward);
        QVERIFY(r.reward->n > 0);
        QCOMPARE(r.toJson()["held_out"]["n"].get<int64_t>(), r.reward->n);
        auto db = Database::open(project, Database::Mode::ReadOnly);
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM runs WHERE kind = 'lm-reward' AND status = 'done'"), int64_t(1));
        QVERIFY(*db.queryInt64("SELECT count(*) FROM metrics WHERE name = 'eval_mae'") >= 1);
        const auto loaded = loadRewardModel(o.outDir, "cpu"); // the run directory resolves
        QCOMPARE(loaded.model->head.pooling, std::string("mean"));
        QCOMPARE(loaded.model->head.rewardMin, -4.0);
        // Resume of a finished reward run is a no-op that keeps the statistics.
        LmJobOptions again;
        again.projectPath = project;
        again.role = LmRole::Reward;
        again.resumeDir = o.outDir;
        const auto r2 = runLmTrainingJob(again);
        QCOMPARE(r2.train.state.step, int64_t(6));
        // A language-model checkpoint is not a reward model.
        LmJobOptions lm = o;
        lm.role = LmRole::Forward;
        lm.outDir = tmp.filePath("lm").toStdString();
        const auto f = runLmTrainingJob(lm);
        try {
            loadRewardModel(f.train.checkpointDir);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("not a reward model"), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestRewardModel)
#include "tst_core_reward_model.moc"
