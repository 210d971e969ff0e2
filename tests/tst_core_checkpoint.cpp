// Checkpoints: save -> load gives identical logits; optimizer and RNG state round trips; atomic
// writes; run directories; malformed checkpoint directories give clear errors.
#include <torch/torch.h>

#include "core/model/dialogue_codec.h"
#include "core/model/model_io.h"
#include "core/model/safetensors.h"
#include "core/train/checkpoint.h"
#include "core/train/lm_data.h"
#include "core/train/lm_trainer.h"
#include "core/train/lm_training_job.h"
#include "core/train/rng_state.h"
#include "core/util/error.h"
#include "support/lm_corpus.h"
#include "support/test_paths.h"

#include <filesystem>
#include <fstream>

using namespace hw;
namespace fs = std::filesystem;

namespace {

// A trained tiny checkpoint, made once for the whole test case.
struct Fixture {
    QTemporaryDir tmp;
    std::string dir;
    std::optional<Tokenizer> tokenizer;
    std::vector<EncodedDialogue> examples;
};

Fixture& fixture()
{
    static Fixture f = [] {
        Fixture x;
        const auto ds = hwtest::lmDialogues(6);
        x.tokenizer = hwtest::lmTokenizer(ds);
        const DialogueCodec codec(*x.tokenizer);
        for (const auto& d : ds)
            for (auto& e : encodeWindows(codec, d, 128))
                x.examples.push_back(std::move(e));
        auto c = LmTrainConfig::tiny();
        c.device = "cpu";
        c.maxSteps = 3;
        c.batchSize = 3;
        LmTrainer t(makeModelForTraining(c, x.tokenizer->vocabSize()), *x.tokenizer, c, LossTokens::AllButContext,
                    "lm-forward");
        t.setData(x.examples, {}, "fp");
        TrainHooks h;
        h.outDir = x.tmp.filePath("run").toStdString();
        x.dir = t.train(h).checkpointDir;
        return x;
    }();
    return f;
}

std::string copyOf(const std::string& src, const QTemporaryDir& tmp, const std::string& name)
{
    const std::string dst = (fs::path(tmp.path().toStdString()) / name).string();
    fs::copy(src, dst, fs::copy_options::recursive);
    return dst;
}

void writeText(const std::string& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

} // namespace

class TestCheckpoint : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void saveLoadGivesIdenticalLogits()
    {
        auto& f = fixture();
        auto trainer = LmTrainer::resume(f.dir);
        LoadOptions lo;
        lo.device = "cpu";
        auto loaded = loadModelDirectory(f.dir, lo);
        QVERIFY(loaded.tokenizer);
        QCOMPARE(loaded.tokenizer->encode("I feel lonely about my exams."),
                 f.tokenizer->encode("I feel lonely about my exams."));
        const auto batch = collate(f.examples, 0);
        torch::NoGradGuard ng;
        trainer.model()->eval();
        loaded.model->eval();
        const auto a = trainer.model()->forward(batch.tokens).logits;
        const auto b = loaded.model->forward(batch.tokens).logits;
        QVERIFY(torch::equal(a, b));
        // Saving the loaded trainer again gives byte-identical weights.
        QTemporaryDir tmp;
        const auto again = trainer.saveCheckpoint(tmp.filePath("again").toStdString());
        const auto wa = safetensors::load(f.dir + "/model.safetensors");
        const auto wb = safetensors::load(again + "/model.safetensors");
        QCOMPARE(wa.size(), wb.size());
        for (const auto& [name, t] : wa)
            QVERIFY2(torch::equal(t, wb.at(name)), name.c_str());
        QCOMPARE(trainer.state().step, int64_t(3));
    }

    void checkpointHasTheDocumentedFiles()
    {
        auto& f = fixture();
        for (const char* file : {"config.json", "model.safetensors", "tokenizer.model", "optimizer.safetensors",
                                 "optimizer.json", "trainer_state.json", "train_config.json", "hw_checkpoint.json"})
            QVERIFY2(fs::exists(f.dir + "/" + file), file);
        CheckpointReader r(f.dir);
        const auto st = r.readTrainerState();
        QCOMPARE(st.kind, std::string("lm-forward"));
        QCOMPARE(st.state.step, int64_t(3));
        QVERIFY(st.rng.contains("torch_cpu"));
        QCOMPARE(st.schedule.totalSteps, int64_t(3));
        const auto opt = r.readJson("optimizer.json");
        QCOMPARE(opt["step"].get<int64_t>(), int64_t(3));
        const auto moments = r.readTensors("optimizer.safetensors");
        QVERIFY(moments.count("model.embed_tokens.weight.exp_avg"));
        QVERIFY(moments.count("model.layers.0.self_attn.q_proj.weight.exp_avg_sq"));
        // HF names in the model file.
        const auto weights = r.readTensors("model.safetensors");
        QVERIFY(weights.count("model.norm.weight"));
        QVERIFY(weights.count("model.layers.1.mlp.down_proj.weight"));
    }

    void rngStateRoundTrip()
    {
        torch::manual_seed(11);
        const auto state = captureTorchRng();
        const auto a = torch::rand({5});
        restoreTorchRng(state, "test");
        const auto b = torch::rand({5});
        QVERIFY(torch::equal(a, b));
        QVERIFY_THROWS_EXCEPTION(Error, restoreTorchRng(nlohmann::json::object(), "test"));
        QVERIFY_THROWS_EXCEPTION(Error, restoreTorchRng({{"torch_cpu", "@@@"}}, "test"));
    }

    void optimizerStateRoundTrip()
    {
        torch::manual_seed(1);
        auto w = torch::randn({3, 2}, torch::requires_grad());
        AdamW a({{"w", w, true}}, {});
        for (int i = 0; i < 3; ++i) {
            a.zeroGrad();
            w.pow(2).sum().backward();
            a.step();
        }
        auto w2 = w.detach().clone().requires_grad_(true);
        AdamW b({{"w", w2, true}}, {});
        b.loadState(a.stateTensors(), a.stateJson(), "test");
        for (int i = 0; i < 3; ++i) {
            a.zeroGrad();
            w.pow(2).sum().backward();
            a.step();
            b.zeroGrad();
            w2.pow(2).sum().backward();
            b.step();
        }
        QVERIFY(torch::equal(w, w2));
        AdamW wrongName({{"v", w2, true}}, {});
        QVERIFY_THROWS_EXCEPTION(Error, wrongName.loadState(a.stateTensors(), a.stateJson(), "test"));
        auto w3 = torch::zeros({2, 3}, torch::requires_grad());
        AdamW wrongShape({{"w", w3, true}}, {});
        QVERIFY_THROWS_EXCEPTION(Error, wrongShape.loadState(a.stateTensors(), a.stateJson(), "test"));
    }

    void writerIsAtomic()
    {
        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("ck").toStdString();
        {
            CheckpointWriter w(dir);
            w.writeJson("a.json", {{"x", 1}});
            // destroyed without commit: nothing appears, the staging directory is gone
        }
        QVERIFY(!fs::exists(dir));
        QCOMPARE(static_cast<int>(std::distance(fs::directory_iterator(tmp.path().toStdString()), fs::directory_iterator())), 0);
        {
            CheckpointWriter w(dir);
            w.writeJson("a.json", {{"x", 1}});
            w.commit();
        }
        {
            CheckpointWriter w(dir);
            w.writeJson("b.json", {{"x", 2}});
            w.commit(); // replaces the old one entirely
        }
        QVERIFY(!fs::exists(dir + "/a.json"));
        QVERIFY(fs::exists(dir + "/b.json"));
        QVERIFY(CheckpointReader(dir).isComplete());
    }

    void runDirectoryResolvesToNewestCompleteCheckpoint()
    {
        QTemporaryDir tmp;
        const std::string out = tmp.path().toStdString();
        for (int64_t s : {5, 10}) {
            CheckpointWriter w(stepCheckpointDir(out, s));
            w.writeJson("x.json", {});
            w.commit();
        }
        fs::create_directories(stepCheckpointDir(out, 15)); // incomplete: no marker
        QCOMPARE(resolveCheckpointDir(out), stepCheckpointDir(out, 10));
        pruneCheckpoints(out, 1);
        QVERIFY(!fs::exists(stepCheckpointDir(out, 5)));
        QVERIFY(fs::exists(stepCheckpointDir(out, 10)));
        QTemporaryDir empty;
        QVERIFY_THROWS_EXCEPTION(Error, resolveCheckpointDir(empty.path().toStdString()));
    }

    void malformedCheckpointsGiveClearErrors_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing optimizer state") << "rm optimizer.safetensors" << "missing optimizer.safetensors";
        QTest::newRow("missing trainer state") << "rm trainer_state.json" << "missing trainer_state.json";
        QTest::newRow("missing weights") << "rm model.safetensors" << "missing model.safetensors";
        QTest::newRow("missing train config") << "rm train_config.json" << "missing train_config.json";
        QTest::newRow("incomplete (no marker)") << "rm hw_checkpoint.json" << "missing hw_checkpoint.json";
        QTest::newRow("corrupted trainer state") << "garble trainer_state.json" << "trainer_state.json: corrupted JSON";
        QTest::newRow("corrupted optimizer json") << "garble optimizer.json" << "optimizer.json: corrupted JSON";
        QTest::newRow("corrupted train config") << "garble train_config.json" << "train_config.json";
        QTest::newRow("corrupted model config") << "garble config.json" << "config.json";
        QTest::newRow("trainer state not an object") << "write trainer_state.json []" << "trainer_state.json: not a valid trainer state";
        QTest::newRow("mismatched model shapes") << "hidden config.json" << "model.safetensors";
        QTest::newRow("mismatched optimizer shapes") << "swap-optimizer" << "has shape";
        QTest::newRow("truncated weights") << "truncate model.safetensors" << "model.safetensors";
        QTest::newRow("not a directory") << "file" << "not a directory";
    }
    void malformedCheckpointsGiveClearErrors()
    {
        QFETCH(QString, damage);
        QFETCH(QString, expected);
        auto& f = fixture();
        QTemporaryDir tmp;
        std::string dir = copyOf(f.dir, tmp, "ck");
        const auto words = damage.split(' ');
        const std::string what = words[0].toStdString();
        const std::string file = words.size() > 1 ? words[1].toStdString() : "";
        if (what == "rm") {
            fs::remove(dir + "/" + file);
        } else if (what == "garble") {
            writeText(dir + "/" + file, "{\"step\": 3, oops");
        } else if (what == "write") {
            writeText(dir + "/" + file, words[2].toStdString());
        } else if (what == "hidden") {
            auto cfg = CheckpointReader(dir).readJson("config.json");
            cfg["hidden_size"] = cfg["hidden_size"].get<int>() * 2;
            cfg["intermediate_size"] = cfg["intermediate_size"].get<int>() * 2;
            writeText(dir + "/config.json", cfg.dump());
        } else if (what == "swap-optimizer") {
            auto t = safetensors::load(dir + "/optimizer.safetensors");
            std::vector<std::pair<std::string, torch::Tensor>> v(t.begin(), t.end());
            for (auto& [n, x] : v)
                if (n == "model.norm.weight.exp_avg")
                    x = torch::zeros({x.size(0) + 1});
            safetensors::save(dir + "/optimizer.safetensors", v);
        } else if (what == "truncate") {
            const auto size = fs::file_size(dir + "/" + file);
            fs::resize_file(dir + "/" + file, size / 2);
        } else if (what == "file") {
            dir = dir + "/config.json";
        }
        try {
            LmTrainer::resume(dir);
            QFAIL("expected an error");
        } catch (const Error& e) {
            const QString msg = QString::fromUtf8(e.what());
            QVERIFY2(msg.contains(expected), qPrintable(msg));
            QVERIFY2(msg.contains(QString::fromStdString(tmp.path().toStdString())), qPrintable(msg));
        }
    }
};

QTEST_APPLESS_MAIN(TestCheckpoint)
#include "tst_core_checkpoint.moc"
