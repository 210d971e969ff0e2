// `hindsight train-lm` as a process: a tiny run end to end with its JSON result, and Ctrl+C
// (SIGINT) stopping a run cleanly with a checkpoint and the run marked stopped.
#include "core/store/database.h"
#include "support/lm_corpus.h"
#include "support/test_paths.h"

#include <QProcess>

#include <csignal>
#include <filesystem>
#include <fstream>

using namespace hw;

class TestLmTrainerCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void trainsATinyForwardModel()
    {
        QTemporaryDir tmp;
        const std::string project = tmp.filePath("p.hwb").toStdString();
        hwtest::insertDialogues(project, hwtest::lmDialogues(24));
        const QString cfg = tmp.filePath("cfg.json");
        std::ofstream(cfg.toStdString()) << R"({"maxSteps": 6, "logEvery": 2, "device": "cpu"})";
        QProcess p;
        p.start(QString::fromStdString(hwtest::cliPath()),
                {"train-lm", QString::fromStdString(project), "--role", "forward", "--tiny", "--config", cfg,
                 "--out", tmp.filePath("out"), "--json", "--quiet"});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const auto j = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        QCOMPARE(j["status"].get<std::string>(), std::string("done"));
        QCOMPARE(j["steps"].get<int>(), 6);
        QCOMPARE(j["role"].get<std::string>(), std::string("forward"));
        QVERIFY(j["tokens_per_s"].get<double>() > 0);
        QVERIFY(std::filesystem::exists(j["checkpoint"].get<std::string>() + "/model.safetensors"));
        auto db = Database::open(project, Database::Mode::ReadOnly);
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM runs WHERE kind = 'lm-forward' AND status = 'done'"), int64_t(1));

        // Usage errors are reported, not crashes.
        QProcess bad;
        bad.start(QString::fromStdString(hwtest::cliPath()),
                  {"train-lm", QString::fromStdString(project), "--role", "critic"});
        QVERIFY(bad.waitForFinished(60000));
        QCOMPARE(bad.exitCode(), 1);
        QVERIFY(bad.readAllStandardError().contains("unknown role 'critic'"));
    }

    // --max-steps / --max-seconds given with --resume replace the checkpoint's budget (and say
    // so); other configuration options are reported as ignored.
    void resumeHonoursTheCommandLineBudget()
    {
        QTemporaryDir tmp;
        const std::string project = tmp.filePath("p.hwb").toStdString();
        hwtest::insertDialogues(project, hwtest::lmDialogues(24));
        const QString cli = QString::fromStdString(hwtest::cliPath());
        const QString out = tmp.filePath("out");
        auto run = [&](const QStringList& args, QByteArray* err) {
            QProcess p;
            p.start(cli, QStringList{"train-lm", QString::fromStdString(project), "--role", "forward"} + args);
            if (!p.waitForFinished(180000))
                return std::make_pair(-1, nlohmann::json());
            *err = p.readAllStandardError();
            const auto text = p.readAllStandardOutput().toStdString();
            return std::make_pair(p.exitCode(), p.exitCode() == 0 ? nlohmann::json::parse(text) : nlohmann::json());
        };
        QByteArray err;
        // A run with a wall-time budget and a step budget it cannot reach: stopped by time.
        auto [code, first] = run({"--tiny", "--max-steps", "100000", "--max-seconds", "2", "--out", out, "--json",
                                  "--quiet", "--no-record"},
                                 &err);
        QVERIFY2(code == 0, err.constData());
        QCOMPARE(first["status"].get<std::string>(), std::string("stopped"));
        const int step = first["steps"].get<int>();
        QCOMPARE(first["total_steps"].get<int>(), 100000);

        // Resumed with the checkpoint's budget it would stop after 2 s again, short of 100000 steps;
        // the new budget ends it 3 steps on, with no time limit.
        const int target = step + 3;
        auto [code2, second] = run({"--resume", out, "--max-steps", QString::number(target), "--max-seconds", "0",
                                    "--seed", "7", "--json", "--no-record"},
                                   &err);
        QVERIFY2(code2 == 0, err.constData());
        QCOMPARE(second["status"].get<std::string>(), std::string("done"));
        QCOMPARE(second["steps"].get<int>(), target);
        QCOMPARE(second["total_steps"].get<int>(), target);
        QVERIFY2(err.contains("replaces the checkpoint's maxSteps 100000 -> " + QByteArray::number(target)), err.constData());
        QVERIFY2(err.contains("maxSeconds 2 -> 0"), err.constData());
        QVERIFY2(err.contains("ignored with --resume") && err.contains("--seed"), err.constData());
        // The new budget is the checkpoint's configuration from now on.
        const auto saved = nlohmann::json::parse(
            std::ifstream(second["checkpoint"].get<std::string>() + "/train_config.json"));
        QCOMPARE(saved["maxSteps"].get<int>(), target);
        QCOMPARE(saved["maxSeconds"].get<double>(), 0.0);
        QCOMPARE(saved["seed"].get<int>(), 0);

        // A budget that ends before the checkpoint's step is refused.
        auto [code3, third] = run({"--resume", out, "--max-steps", QString::number(target - 1), "--json"}, &err);
        QCOMPARE(code3, 1);
        QVERIFY2(err.contains("already at step " + QByteArray::number(target)), err.constData());
    }

    void ctrlCStopsWithACheckpoint()
    {
        QTemporaryDir tmp;
        const std::string project = tmp.filePath("p.hwb").toStdString();
        hwtest::insertDialogues(project, hwtest::lmDialogues(24));
        QProcess p;
        p.start(QString::fromStdString(hwtest::cliPath()),
                {"train-lm", QString::fromStdString(project), "--role", "policy-sft", "--tiny", "--max-steps",
                 "100000", "--max-seconds", "120", "--out", tmp.filePath("out"), "--quiet"});
        QVERIFY(p.waitForStarted());
        auto db = Database::open(project, Database::Mode::ReadOnly);
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 90000) {
            if (*db.queryInt64("SELECT count(*) FROM metrics WHERE name = 'loss'") >= 2)
                break;
            QTest::qWait(100);
        }
        QVERIFY2(*db.queryInt64("SELECT count(*) FROM metrics WHERE name = 'loss'") >= 2, "no metrics while training");
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 130);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(out.contains("stopped after") && out.contains("--resume"), qPrintable(out));
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM runs WHERE status = 'stopped'"), int64_t(1));
        Statement st(db, "SELECT checkpoint_dir, step FROM runs");
        QVERIFY(st.step());
        const std::string ck = st.text(0);
        QVERIFY2(std::filesystem::exists(ck + "/hw_checkpoint.json"), ck.c_str());
        QVERIFY(st.int64(1) > 0);
        QCOMPARE(*db.queryInt64("SELECT max(step) FROM checkpoints"), st.int64(1));
    }
};

QTEST_APPLESS_MAIN(TestLmTrainerCli)
#include "tst_core_lm_trainer_cli.moc"
