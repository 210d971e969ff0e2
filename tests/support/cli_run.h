#pragma once
// Runs the hindsight CLI built with the tests (hwtest::cliPath()) as a separate process, the way a user
// or a script does, and collects its exit code and output.
#include "test_paths.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace hwtest {

struct CliRun {
    int exitCode = -1; // -2: crashed
    QString out;
    QString err;
};

inline CliRun hindsight(const QStringList& args)
{
    QProcess p;
    p.start(QString::fromStdString(cliPath()), args);
    CliRun r;
    if (!p.waitForFinished(120000)) {
        p.kill();
        r.err = "timed out";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

// `hindsight stats PROJECT --json`, or an empty object when the command fails.
inline QJsonObject statsJson(const QString& project)
{
    const CliRun r = hindsight({"stats", project, "--json"});
    if (r.exitCode != 0)
        return {};
    return QJsonDocument::fromJson(r.out.toUtf8()).object();
}

} // namespace hwtest
