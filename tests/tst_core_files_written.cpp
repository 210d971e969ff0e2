// Files written (issue 13): an export never follows a symbolic link planted where its temporary
// file or its target will be, and leaves nothing behind when it fails; the staging folders of a
// checkpoint write that was killed are removed by the next save into the same output folder.
#include "core/io/atomic_file.h"
#include "core/io/jsonl_export.h"
#include "core/store/database.h"
#include "core/store/project_file.h"
#include "core/train/checkpoint.h"
#include "core/train/checkpoint_staging.h"
#include "core/util/error.h"
#include "support/pipeline_fixture.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace hw;
namespace fs = std::filesystem;

namespace {

std::string readAll(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

// The pid of a process that has exited (its number is not reused within the test).
long deadPid()
{
    QProcess p;
    p.start(QStringLiteral("/bin/true"));
    p.waitForFinished(30000);
    return static_cast<long>(p.processId() ? p.processId() : 999999);
}

} // namespace

class TestFilesWritten : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string path(const std::string& name) const { return m_dir.filePath(QString::fromStdString(name)).toStdString(); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void exportDoesNotFollowPlantedLinks()
    {
        const std::string project = path("p.hwb");
        hwtest::makeProject(project, "persuasion", 4);
        Database db = Database::open(project);

        // Another user's file, and links planted at the names the export used to write through.
        const std::string victim = path("victim.txt");
        std::ofstream(victim) << "precious";
        const std::string out = path("out.jsonl");
        QCOMPARE(::symlink(victim.c_str(), (out + ".part").c_str()), 0);
        const ExportResult r = exportJsonl(db, out);
        QCOMPARE(r.dialogues, int64_t(4));
        QCOMPARE(readAll(victim), std::string("precious"));
        QVERIFY(fs::is_symlink(out + ".part")); // left alone, not written through
        const std::string written = readAll(out);
        QCOMPARE(std::count(written.begin(), written.end(), '\n'), 4L);

        // A link at the target itself is replaced by the new file, not followed.
        const std::string linked = path("linked.jsonl");
        QCOMPARE(::symlink(victim.c_str(), linked.c_str()), 0);
        exportJsonl(db, linked);
        QCOMPARE(readAll(victim), std::string("precious"));
        QVERIFY(!fs::is_symlink(linked));
        QVERIFY(readAll(linked).find("\"task\":\"persuasion\"") != std::string::npos);

        // The new file has the usual permissions (not mkstemp's 0600), and a failed export leaves
        // no temporary file behind.
        struct stat st {};
        QCOMPARE(::stat(out.c_str(), &st), 0);
        const mode_t mask = ::umask(0);
        ::umask(mask);
        QCOMPARE(st.st_mode & 0777, 0666 & ~mask);
        StopToken stop;
        stop.requestStop();
        const std::string cancelled = path("cancelled.jsonl");
        QVERIFY_THROWS_EXCEPTION(Cancelled, exportJsonl(db, cancelled, {}, {}, stop));
        QVERIFY(!fs::exists(cancelled));
        for (const auto& e : fs::directory_iterator(m_dir.path().toStdString()))
            QVERIFY2(e.path().filename().string().find("cancelled") == std::string::npos, e.path().c_str());
    }

    void atomicWriterReplacesOnlyOnCommit()
    {
        const std::string target = path("settings.json");
        std::ofstream(target) << "old";
        {
            AtomicFileWriter w(target);
            w.write("new");
            QVERIFY(fs::exists(w.temporaryPath()));
            QCOMPARE(fs::path(w.temporaryPath()).parent_path().string(), fs::path(target).parent_path().string());
            QCOMPARE(readAll(target), std::string("old"));
        } // no commit
        QCOMPARE(readAll(target), std::string("old"));
        AtomicFileWriter w(target);
        w.write("new");
        w.commit();
        QCOMPARE(readAll(target), std::string("new"));
        QVERIFY(!fs::exists(w.temporaryPath()));
        QVERIFY_THROWS_EXCEPTION(Error, AtomicFileWriter(path("no-such-dir/x.json")));
    }

    void killedCheckpointWritesAreCleanedUp()
    {
        const std::string out = path("run-out");
        fs::create_directories(out);
        // What a kill -9 during a save leaves: a staging folder named after the dead process.
        const long dead = deadPid();
        const std::string stale = out + "/step-00000010.tmp-" + std::to_string(dead);
        fs::create_directories(stale);
        std::ofstream(stale + "/model.safetensors") << std::string(4096, 'x');
        // A staging folder of a process still running (this test's parent) is someone's save in progress.
        const std::string live = out + "/step-00000020.tmp-" + std::to_string(static_cast<long>(::getppid()));
        fs::create_directories(live);
        // Unrelated folders stay.
        fs::create_directories(out + "/step-00000005");
        fs::create_directories(out + "/notes.tmp-old");

        QCOMPARE(removeStaleCheckpointStaging(out), std::vector<std::string>{stale});
        QVERIFY(!fs::exists(stale));
        QVERIFY(fs::exists(live));
        QVERIFY(fs::exists(out + "/step-00000005"));
        QVERIFY(fs::exists(out + "/notes.tmp-old"));

        // The next checkpoint save into that folder does it by itself.
        fs::create_directories(stale);
        {
            CheckpointWriter w(stepCheckpointDir(out, 30));
            QVERIFY(!fs::exists(stale));
            w.writeJson("x.json", nlohmann::json::object());
            w.commit();
        }
        QVERIFY(fs::exists(stepCheckpointDir(out, 30) + "/x.json"));
        QVERIFY(fs::exists(live));
    }
};

QTEST_APPLESS_MAIN(TestFilesWritten)
#include "tst_core_files_written.moc"
