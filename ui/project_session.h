#pragma once
// The open project as the GUI sees it: path, the GUI thread's Database, the undo stack, and
// change notifications. Pages borrow it; workers open their own Database on path().
#include "core/store/database.h"

#include <QObject>
#include <QString>
#include <QUndoStack>

#include <memory>

namespace hw::ui {

class ProjectSession : public QObject {
    Q_OBJECT
public:
    explicit ProjectSession(QObject* parent = nullptr);
    ~ProjectSession() override;

    // Open/create; return false and set errorString() on failure (never throws).
    bool open(const QString& path);
    bool create(const QString& path);
    void close();

    bool isOpen() const { return m_db != nullptr; }
    QString path() const { return m_path; }
    QString errorString() const { return m_error; }
    QString displayName() const;    // file name without .hwb, "" when closed
    hw::Database& db();             // precondition: isOpen()
    QUndoStack* undoStack() { return &m_undo; }

    // Pages call these after changing the project so other pages refresh.
    void notifyDialoguesChanged();               // rows added/removed (import, regeneration)
    void notifyDialogueChanged(qint64 dialogueId); // one dialogue's reward/metadata/turns changed
    void notifySuggestionsChanged();
    void notifyRunsChanged();
    // A short message for the main window's status bar (timeout 0 = until replaced).
    void showStatus(const QString& message, int timeoutMs = 5000);

Q_SIGNALS:
    void opened(const QString& path);
    void closed();
    void dialoguesChanged();
    void dialogueChanged(qint64 dialogueId);
    void suggestionsChanged();
    void runsChanged();
    void statusMessage(const QString& message, int timeoutMs);

private:
    QString m_path;
    QString m_error;
    std::unique_ptr<hw::Database> m_db;
    QUndoStack m_undo;
};

} // namespace hw::ui
