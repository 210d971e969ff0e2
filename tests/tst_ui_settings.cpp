// Typed settings (Preference<T>) and the recent-projects list.
#include "ui/settings/recent_projects.h"
#include "ui/settings/settings.h"
#include "ui/settings/workbench_settings.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace hw::ui;

class TestSettings : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void init()
    {
        QFile::remove(m_dir.filePath(QStringLiteral("s.ini")));
        Settings::instance().setFile(m_dir.filePath(QStringLiteral("s.ini")));
    }

    void defaultsThenValues()
    {
        Preference<int> answer{"test/answer", 42};
        QCOMPARE(answer.get(), 42);
        QCOMPARE(int(answer), 42);
        QSignalSpy changed(&Settings::instance(), &Settings::changed);
        answer = 7;
        QCOMPARE(answer.get(), 7);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toString(), QStringLiteral("test/answer"));
        answer.reset();
        QCOMPARE(answer.get(), 42);
        QCOMPARE(prefs::lastImportFormat.get(), QStringLiteral("jsonl"));
        QCOMPARE(prefs::maxRecentProjects.get(), 10);
    }

    void persistsInTheFile()
    {
        prefs::mainWindowGeometry = QByteArray("\x01\x02geometry", 10);
        prefs::dialogueMetadataExpanded = true;
        Settings::instance().setFile(m_dir.filePath(QStringLiteral("other.ini")));
        QVERIFY(!prefs::dialogueMetadataExpanded.get());
        Settings::instance().setFile(m_dir.filePath(QStringLiteral("s.ini")));
        QCOMPARE(prefs::mainWindowGeometry.get(), QByteArray("\x01\x02geometry", 10));
        QVERIFY(prefs::dialogueMetadataExpanded.get());
    }

    void recentProjectsNewestFirstUniqueCapped()
    {
        prefs::maxRecentProjects = 3;
        for (const char* name : {"a.hwb", "b.hwb", "c.hwb", "a.hwb", "d.hwb"})
            addRecentProject(m_dir.filePath(QString::fromLatin1(name)));
        QStringList names;
        for (const QString& p : recentProjects())
            names << QFileInfo(p).fileName();
        QCOMPARE(names, (QStringList{"d.hwb", "a.hwb", "c.hwb"}));
        removeRecentProject(m_dir.filePath(QStringLiteral("a.hwb")));
        QCOMPARE(recentProjects().size(), 2);
        QVERIFY(QFileInfo(recentProjects().first()).isAbsolute());
    }
};

QTEST_GUILESS_MAIN(TestSettings)
#include "tst_ui_settings.moc"
