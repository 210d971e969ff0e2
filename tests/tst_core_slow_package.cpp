// Slow (CTest label "slow"): the Debian package that packaging/make-deb.sh makes. CPack packs this
// build tree into a .deb, dpkg -x unpacks it into a scratch root, and the programs run from there:
// `hindsight --version` finds the installed prompts and sentencepiece module, and the installed CLI
// imports the installed demo corpus and trains a tokenizer and a tiny model with the installed
// module. Also: the desktop entry, its icon and the MIME type it declares (with its definition).
// Skips where dpkg or cpack is missing (not a Debian system).
#include "support/test_paths.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QtTest>

namespace {

struct Ran {
    int code = -1;
    QString out;
    QString err;
};

Ran run(const QString& program, const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    Ran r;
    if (!p.waitForFinished(480000)) {
        p.kill();
        r.err = "timed out";
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QString readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

} // namespace

class TestSlowPackage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void debInstallsAndRuns()
    {
        const QString cpack = QStandardPaths::findExecutable("cpack");
        const QString dpkg = QStandardPaths::findExecutable("dpkg");
        const QString dpkgDeb = QStandardPaths::findExecutable("dpkg-deb");
        if (cpack.isEmpty() || dpkg.isEmpty() || dpkgDeb.isEmpty())
            QSKIP("cpack, dpkg or dpkg-deb missing: not a Debian build machine");
        // The build tree: the CLI is BUILD/app/hindsight.
        const QDir build = QFileInfo(QString::fromStdString(hwtest::cliPath())).dir().absoluteFilePath("..");
        const QString config = build.absoluteFilePath("CPackConfig.cmake");
        QVERIFY2(QFile::exists(config), qPrintable(config));

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const Ran packed = run(cpack, {"--config", config, "-B", tmp.filePath("package")});
        QVERIFY2(packed.code == 0, qPrintable(packed.out + packed.err));
        const QStringList debs = QDir(tmp.filePath("package")).entryList({"hindsight-workbench_*.deb"}, QDir::Files);
        QCOMPARE(debs.size(), 1);
        const QString deb = tmp.filePath("package/" + debs.first());

        // Control fields: name, and the libraries the programs need (dpkg-shlibdeps) plus the
        // dlopen'ed ones it cannot see.
        const Ran info = run(dpkgDeb, {"-f", deb, "Package", "Depends"});
        QCOMPARE(info.code, 0);
        QVERIFY2(info.out.contains("Package: hindsight-workbench"), qPrintable(info.out));
        QVERIFY2(info.out.contains("libsentencepiece0"), qPrintable(info.out));
        QVERIFY2(info.out.contains("libsqlite3"), qPrintable(info.out));

        const QString root = tmp.filePath("root");
        const Ran unpacked = run(dpkg, {"-x", deb, root});
        QVERIFY2(unpacked.code == 0, qPrintable(unpacked.err));
        const QString usr = root + "/usr";
        for (const char* file : {"bin/hindsight", "lib/hindsight-workbench/libhw_sentencepiece.so",
                                 "share/hindsight-workbench/prompts/counseling/forward.txt",
                                 "share/hindsight-workbench/prompts/persuasion/reward.txt",
                                 "share/hindsight-workbench/demo/counseling.jsonl",
                                 "share/applications/hindsight-workbench.desktop",
                                 "share/icons/hicolor/scalable/apps/hindsight-workbench.svg",
                                 "share/icons/hicolor/256x256/apps/hindsight-workbench.png",
                                 "share/mime/packages/hindsight-workbench.xml"})
            QVERIFY2(QFile::exists(usr + "/" + file), file);
        // The GUI is in the package whenever this build has it (make-deb.sh always builds it).
        if (QFile::exists(build.absoluteFilePath("app/hindsight-workbench")))
            QVERIFY(QFileInfo(usr + "/bin/hindsight-workbench").isExecutable());

        // The desktop entry starts the installed GUI, and the MIME type it declares is defined.
        const QString desktop = readAll(usr + "/share/applications/hindsight-workbench.desktop");
        QVERIFY(desktop.contains(QRegularExpression("^Exec=hindsight-workbench\\b", QRegularExpression::MultilineOption)));
        QVERIFY(desktop.contains(QRegularExpression("^Icon=hindsight-workbench$", QRegularExpression::MultilineOption)));
        const auto mime = QRegularExpression("^MimeType=([^;\\n]+);", QRegularExpression::MultilineOption).match(desktop);
        QVERIFY2(mime.hasMatch(), qPrintable(desktop));
        const QString definition = readAll(usr + "/share/mime/packages/hindsight-workbench.xml");
        QVERIFY2(definition.contains("<mime-type type=\"" + mime.captured(1) + "\">"), qPrintable(definition));
        QVERIFY(definition.contains("<glob pattern=\"*.hwb\"/>"));

        // The installed CLI uses the installed files, not the build tree's.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* var : {"HW_SPM_SHIM", "HW_PROMPTS_DIR"})
            env.remove(var);
        const QString cli = usr + "/bin/hindsight";
        const Ran version = run(cli, {"--version"}, env);
        QVERIFY2(version.code == 0, qPrintable(version.err));
        QVERIFY2(version.out.startsWith("hindsight "), qPrintable(version.out));
        const QString canonicalUsr = QFileInfo(usr).canonicalFilePath();
        const auto line = [&](const QString& key) {
            const auto m = QRegularExpression("^" + key + ": (.*)$", QRegularExpression::MultilineOption).match(version.out);
            return m.hasMatch() ? QFileInfo(m.captured(1)).canonicalFilePath() : QString();
        };
        QCOMPARE(line("prompts"), canonicalUsr + "/share/hindsight-workbench/prompts");
        QCOMPARE(line("sentencepiece module"), canonicalUsr + "/lib/hindsight-workbench/libhw_sentencepiece.so");

        const QString project = tmp.filePath("p.hwb");
        QCOMPARE(run(cli, {"init", project}, env).code, 0);
        const QString demo = usr + "/share/hindsight-workbench/demo/";
        const Ran imported = run(cli, {"import", project, "--format", "jsonl", "--quiet", demo + "counseling.jsonl",
                                       demo + "persuasion.jsonl"}, env);
        QVERIFY2(imported.code == 0, qPrintable(imported.err));
        QVERIFY2(imported.out.contains("imported 72 new dialogues"), qPrintable(imported.out));
        // A tokenizer (the installed sentencepiece module) and a tiny model, two steps.
        const Ran trained = run(cli, {"train-lm", project, "--role", "forward", "--task", "counseling", "--tiny",
                                      "--max-steps", "2", "--no-record", "--quiet", "--out", tmp.filePath("lm")}, env);
        QVERIFY2(trained.code == 0, qPrintable(trained.err));
        const QStringList steps = QDir(tmp.filePath("lm")).entryList({"step-*"}, QDir::Dirs);
        QCOMPARE(steps.size(), 1);
        QVERIFY(QFile::exists(tmp.filePath("lm/" + steps.first() + "/tokenizer.model")));
    }
};

QTEST_GUILESS_MAIN(TestSlowPackage)
#include "tst_core_slow_package.moc"
