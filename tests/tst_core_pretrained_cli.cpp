// Small data and pretrained models through the hindsight CLI (processes, real files):
// - train-lm on the 36 dialogues of one demo task with the default 4000-token vocabulary trains
//   the largest vocabulary the corpus supports and says so (it used to fail in SentencePiece);
// - export-model writes a checkpoint's model alone, float16 at about half the size, and
//   train-lm --init / generate load it;
// - --init with a tokenizer other than the pretrained model's own is refused, naming both files.
#include "support/cli_run.h"
#include "support/test_paths.h"

#include <QDir>
#include <QFileInfo>
#include <QtTest>

#include <filesystem>

namespace {

using hwtest::CliRun;
using hwtest::hindsight;

#define CHECK_RUN(run, code)                                                                            \
    do {                                                                                                \
        const CliRun r_ = (run);                                                                        \
        QVERIFY2(r_.exitCode == (code), qPrintable(QString("exit %1\n%2\n%3").arg(r_.exitCode).arg(r_.out, r_.err))); \
    } while (0)

} // namespace

class TestPretrainedCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_project;

    // The checkpoint folder of a one-step run in m_dir/run (step-N, zero-padded).
    QString stepDir(const QString& run) const
    {
        const QStringList steps = QDir(m_dir.filePath(run)).entryList({"step-*"}, QDir::Dirs);
        return steps.isEmpty() ? QString() : m_dir.filePath(run + "/" + steps.last());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_project = m_dir.filePath("small.hwb");
        CHECK_RUN(hindsight({"init", m_project}), 0);
        const QString corpus = QString::fromStdString(hwtest::sourceDir() + "/resources/demo/counseling.jsonl");
        CHECK_RUN(hindsight({"import", m_project, "--format", "jsonl", "--quiet", corpus}), 0);
    }

    void smallCorpusGetsTheLargestVocabularyItSupports()
    {
        // The default configuration asks for 4000 tokens; 36 short dialogues hold far fewer.
        const CliRun r = hindsight({"train-lm", m_project, "--role", "forward", "--task", "counseling", "--max-steps", "1",
                                    "--no-record", "--out", m_dir.filePath("base")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("(the largest vocabulary this corpus supports; 4000 asked for)"), qPrintable(r.err));
        QVERIFY(QFileInfo::exists(stepDir("base") + "/tokenizer.model"));
    }

    void exportModelAsFloat16LoadsForFineTuning()
    {
        const QString half = m_dir.filePath("half");
        const CliRun r = hindsight({"export-model", m_dir.filePath("base"), "--out", half, "--dtype", "float16"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("float16"), qPrintable(r.out));
        for (const char* f : {"config.json", "model.safetensors", "tokenizer.model", "hw_tokenizer.json"})
            QVERIFY2(QFileInfo::exists(half + "/" + f), f);
        QVERIFY(!QFileInfo::exists(half + "/optimizer.safetensors"));
        const qint64 full = QFileInfo(stepDir("base") + "/model.safetensors").size();
        const qint64 small = QFileInfo(half + "/model.safetensors").size();
        QVERIFY2(small < full * 0.55 && small > full * 0.45, qPrintable(QString("%1 vs %2").arg(small).arg(full)));
        // An existing folder is never overwritten.
        const CliRun again = hindsight({"export-model", m_dir.filePath("base"), "--out", half});
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.err.contains("exists already"), qPrintable(again.err));

        // Fine-tuning from it: its own tokenizer, said in the log.
        const CliRun ft = hindsight({"train-lm", m_project, "--role", "forward", "--task", "counseling", "--init", half,
                                     "--max-steps", "1", "--no-record", "--out", m_dir.filePath("tuned")});
        QVERIFY2(ft.exitCode == 0, qPrintable(ft.err));
        QVERIFY2(ft.err.contains("with its tokenizer"), qPrintable(ft.err));
        QVERIFY2(!ft.err.contains("trained a tokenizer"), qPrintable(ft.err));
        const CliRun gen = hindsight({"generate", "--checkpoint", half, "--prompt", "I feel lonely.", "--max-new-tokens",
                                      "8", "--json"});
        QVERIFY2(gen.exitCode == 0, qPrintable(gen.err));
        QVERIFY2(gen.out.contains("\"samples\""), qPrintable(gen.out));
    }

    void initRefusesAnotherTokenizer()
    {
        // A tiny run trains its own, different tokenizer.
        CHECK_RUN(hindsight({"train-lm", m_project, "--role", "forward", "--task", "counseling", "--tiny", "--max-steps",
                             "1", "--no-record", "--quiet", "--out", m_dir.filePath("tiny")}),
                  0);
        const QString other = stepDir("tiny") + "/tokenizer.model";
        const CliRun r = hindsight({"train-lm", m_project, "--role", "forward", "--task", "counseling", "--init",
                                    m_dir.filePath("half"), "--tokenizer", other, "--max-steps", "1", "--no-record",
                                    "--out", m_dir.filePath("mismatch")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(other + " is not the tokenizer"), qPrintable(r.err));
        QVERIFY2(r.err.contains(m_dir.filePath("half") + "/tokenizer.model"), qPrintable(r.err));
        QVERIFY2(r.err.contains("leave out --tokenizer"), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(m_dir.filePath("mismatch")) || QDir(m_dir.filePath("mismatch")).entryList({"step-*"}).isEmpty());
        // The same tokenizer named again is fine (a copy elsewhere included).
        QVERIFY(QFile::copy(m_dir.filePath("half/tokenizer.model"), m_dir.filePath("copy.model")));
        CHECK_RUN(hindsight({"train-lm", m_project, "--role", "forward", "--task", "counseling", "--init",
                             m_dir.filePath("half"), "--tokenizer", m_dir.filePath("copy.model"), "--max-steps", "1",
                             "--no-record", "--quiet", "--out", m_dir.filePath("same")}),
                  0);
        // A model directory without a tokenizer needs one: a new one would give ids other meanings.
        const QString bare = m_dir.filePath("bare");
        std::filesystem::create_directories(bare.toStdString());
        for (const char* f : {"config.json", "model.safetensors"})
            QVERIFY(QFile::copy(m_dir.filePath("half/") + f, bare + "/" + f));
        const CliRun noTok = hindsight({"train-lm", m_project, "--role", "forward", "--task", "counseling", "--init", bare,
                                        "--max-steps", "1", "--no-record", "--out", m_dir.filePath("bare-run")});
        QCOMPARE(noTok.exitCode, 1);
        QVERIFY2(noTok.err.contains(bare + ": no tokenizer.model") && noTok.err.contains("--tokenizer"),
                 qPrintable(noTok.err));
    }
};

QTEST_GUILESS_MAIN(TestPretrainedCli)
#include "tst_core_pretrained_cli.moc"
