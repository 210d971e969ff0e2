// File > Check Project Integrity: runs SQLite's full integrity check off the GUI thread and
// reports the result (issue 13); a sound project passes, damage written under an open project is
// named.
#include "core/store/database.h"
#include "core/store/project_file.h"
#include "support/generated_dialogues.h"
#include "ui/main_window.h"
#include "ui/settings/settings.h"

#include <QAction>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <fstream>

using namespace hw::ui;

class TestUiProjectCheck : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void checksTheOpenProject()
    {
        QVERIFY(m_dir.isValid());
        Settings::instance().setFile(m_dir.filePath(QStringLiteral("settings.ini")));
        const std::string path = m_dir.filePath(QStringLiteral("checked.hwb")).toStdString();
        {
            hw::Database db = hw::createProject(path);
            hwtest::insertGenerated(db, 200);
        }
        MainWindow window;
        window.setInteractive(false);
        QVERIFY(window.openProject(QString::fromStdString(path)));
        auto* action = window.findChild<QAction*>(QStringLiteral("checkProjectAction"));
        QVERIFY(action);
        QVERIFY(action->isEnabled());
        QSignalSpy finished(&window, &MainWindow::projectCheckFinished);
        action->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
        QVERIFY(finished.at(0).at(1).toString().contains(QStringLiteral("no problems found")));

        // Damage a page of the turns table under the open project: the check names it.
        sqlite3* raw = nullptr;
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(raw, "SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_master WHERE name = 'turns'",
                           -1, &st, nullptr);
        QCOMPARE(sqlite3_step(st), SQLITE_ROW);
        const int64_t root = sqlite3_column_int64(st, 0);
        const int64_t pageSize = sqlite3_column_int64(st, 1);
        sqlite3_finalize(st);
        sqlite3_close(raw);
        {
            std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
            f.seekp((root - 1) * pageSize);
            f.put(char(0x7f));
        }
        action->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
        QVERIFY(!finished.at(1).at(0).toBool());
        QVERIFY2(finished.at(1).at(1).toString().contains(QStringLiteral("problem(s) found")),
                 qPrintable(finished.at(1).at(1).toString()));
        window.closeProject();
    }
};

QTEST_MAIN(TestUiProjectCheck)
#include "tst_ui_project_check.moc"
