// `hindsight generate` on a freshly saved tiny checkpoint: greedy output is reproducible and
// identical with and without the KV cache; errors name the checkpoint.
#include "core/model/model_io.h"
#include "core/train/checkpoint.h"
#include "support/test_paths.h"

#include <QProcess>

#include <torch/torch.h>

using namespace hw;

namespace {

QByteArray runCli(const QStringList& args, int* exitCode)
{
    QProcess p;
    p.start(QString::fromStdString(hwtest::cliPath()), args);
    p.waitForFinished(120000);
    *exitCode = p.exitCode();
    return p.readAllStandardOutput() + (p.exitCode() ? p.readAllStandardError() : QByteArray());
}

} // namespace

class TestGenerationCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void generateFromCheckpoint()
    {
        std::vector<std::string> texts;
        for (int i = 0; i < 200; ++i)
            texts.push_back("hello there, how are you feeling today " + std::to_string(i % 13));
        TokenizerTrainOptions to;
        to.vocabSize = 320;
        const auto tok = Tokenizer::train(texts, to);
        torch::manual_seed(3);
        auto cfg = ModelConfig::tiny(tok.vocabSize());
        cfg.initializerRange = 0.2;
        Transformer m(cfg);
        QTemporaryDir dir;
        saveModelDirectory(dir.path().toStdString(), m, &tok);

        const QStringList base = {"generate", "--checkpoint", dir.path(), "--prompt", "hello there",
                                  "--temperature", "0", "--max-new-tokens", "12", "--json"};
        int code = 0;
        const auto a = runCli(base, &code);
        QVERIFY2(code == 0, a.constData());
        const auto ja = nlohmann::json::parse(a.toStdString());
        QCOMPARE(ja["samples"].size(), size_t(1));
        QVERIFY(ja["samples"][0]["tokens"].get<int>() <= 12);
        QVERIFY(ja["tokens_per_second"].get<double>() > 0);
        const auto b = runCli(base + QStringList{"--no-cache"}, &code);
        QCOMPARE(code, 0);
        QCOMPARE(nlohmann::json::parse(b.toStdString())["samples"], ja["samples"]);

        const auto bad = runCli({"generate", "--checkpoint", dir.filePath("nope"), "--prompt", "x"}, &code);
        QCOMPARE(code, 1);
        QVERIFY2(bad.contains("nope"), bad.constData());

        // A run directory, as serve and train-lm --resume take it: its newest complete step-N
        // checkpoint (an incomplete newer one is skipped).
        QTemporaryDir run;
        {
            CheckpointWriter w(stepCheckpointDir(run.path().toStdString(), 4));
            saveModelDirectory(w.stagingDir(), m, &tok);
            w.commit();
        }
        Transformer other(cfg);   // different weights, in a step directory without completion marker
        saveModelDirectory(stepCheckpointDir(run.path().toStdString(), 9), other, &tok);
        QStringList fromRun = base;
        fromRun[2] = run.path();
        const auto c = runCli(fromRun + QStringList{"--device", "cpu"}, &code);
        QVERIFY2(code == 0, c.constData());
        const auto jc = nlohmann::json::parse(c.toStdString());
        QCOMPARE(jc["samples"], ja["samples"]);
        QCOMPARE(jc["device"].get<std::string>(), std::string("cpu"));

        // --device: a clear error for a name it does not know, and for CUDA without CUDA.
        const auto badDevice = runCli(base + QStringList{"--device", "tpu"}, &code);
        QCOMPARE(code, 1);
        QVERIFY2(badDevice.contains("expected cpu, cuda"), badDevice.constData());
        if (!torch::cuda::is_available()) {
            const auto noCuda = runCli(base + QStringList{"--device", "cuda"}, &code);
            QCOMPARE(code, 1);
            QVERIFY2(noCuda.contains("no CUDA"), noCuda.constData());
        } else {
            const auto cuda = runCli(base + QStringList{"--device", "cuda"}, &code);
            QVERIFY2(code == 0, cuda.constData());
            QVERIFY(nlohmann::json::parse(cuda.toStdString())["device"].get<std::string>().rfind("cuda", 0) == 0);
        }
    }
};

QTEST_APPLESS_MAIN(TestGenerationCli)
#include "tst_core_generation_cli.moc"
