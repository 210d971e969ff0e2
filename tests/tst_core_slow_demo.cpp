// Slow (labelled "slow" in CTest; plain `ctest`, as CI runs it, still includes it; `ctest -LE slow`
// leaves it out): packaging/make-demo-project.sh builds the offline demo project end to end
// through the hindsight CLI, fine-tuning five models per task from the pretrained dialogue model
// in resources/pretrained, and a second run finds it done. The agents' replies are English: the
// script prints their share of English words (Debian's wamerican list), at least 90%.
#include "core/store/database.h"
#include "support/cli_run.h"
#include "support/test_paths.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QtTest>

namespace {

using Run = hwtest::CliRun;
using hwtest::hindsight;
using hwtest::statsJson;

} // namespace

class TestSlowDemo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void demoProjectScript()
    {
        // packaging/make-demo-project.sh builds the offline demo project and may run twice.
        QTemporaryDir dir;
        const QString project = dir.filePath("demo/demo.hwb");
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("HINDSIGHT", QString::fromStdString(hwtest::cliPath()));
        for (int round = 0; round < 2; ++round) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.start("bash", {QString::fromStdString(hwtest::sourceDir() + "/packaging/make-demo-project.sh"), project});
            QVERIFY(p.waitForFinished(1500000));
            QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
            const QString out = QString::fromUtf8(p.readAllStandardOutput());
            // The readability figure, every time the script runs.
            const auto share = QRegularExpression("demo agents' replies: ([0-9.]+)% English words").match(out);
            QVERIFY2(share.hasMatch(), qPrintable(out));
            QVERIFY2(share.captured(1).toDouble() >= 90.0, qPrintable(share.captured(0)));
            QVERIFY2(out.contains(round == 0 ? "imported 72 new dialogues" : "imported 0 new dialogues"),
                     qPrintable(out));
            // The whole method runs offline once per task; a second run finds it done.
            QCOMPARE(out.count("the method offline on the"), round == 0 ? 2 : 0);
        }
        // 36 originals per task, each regenerated twice (local forward models, 25% by the hard
        // one) and labelled by the local reward model; then SFT and Hindsight RL evaluated against
        // the local simulator, 2 episodes per persona (6 counseling personas, 4 persuasion ones):
        // 24 + 16 simulated transcripts, not re-run by the second round.
        const QJsonObject s = statsJson(project);
        QCOMPARE(s["dialogues"].toInt(), 72 + 144 + 40);
        QCOMPARE(s["tasks"].toObject()["counseling"].toObject()["dialogues"].toInt(), 36 + 72 + 24);
        QCOMPARE(s["tasks"].toObject()["persuasion"].toObject()["dialogues"].toInt(), 36 + 72 + 16);
        QCOMPARE(s["sources"].toObject()["demo"].toInt(), 72);
        QCOMPARE(s["sources"].toObject()["regeneration"].toInt(), 144);
        QCOMPARE(s["sources"].toObject()["simulated"].toInt(), 40);
        {
            auto db = hw::Database::open(project.toStdString(), hw::Database::Mode::ReadOnly);
            QCOMPARE(*db.queryInt64("SELECT count(*) FROM jobs WHERE kind = 'evaluate' AND status = 'done'"), int64_t(2));
            QCOMPARE(*db.queryInt64("SELECT count(*) FROM eval_episodes"), int64_t(40));
        }
        // Training sets and the SFT and ILQL agents of both tasks (ILQL's π_β is the SFT agent).
        const Run sets = hindsight({"trainset", "list", project, "--json"});
        for (const char* name : {"demo-sft-counseling", "demo-hindsight-rl-counseling", "demo-sft-persuasion",
                                 "demo-hindsight-rl-persuasion"})
            QVERIFY2(sets.out.contains(QLatin1String(name)), qPrintable(sets.out));
        auto db = hw::Database::open(project.toStdString(), hw::Database::Mode::ReadOnly);
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM runs WHERE kind = 'ilql' AND status = 'done'"), int64_t(2));
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM runs WHERE status = 'done'"), int64_t(2 * 5));
    }
};

QTEST_GUILESS_MAIN(TestSlowDemo)
#include "tst_core_slow_demo.moc"
