#pragma once
// A top-level page of the workbench (Dialogues, Dataset, Suggestions, Regenerations, Jobs, Runs,
// Chat, ...). MainWindow only assembles pages: the list lives in ui/pages/page_registry.cpp.
#include <QIcon>
#include <QString>
#include <QWidget>

namespace hw::ui {

class ProjectSession;

class Page : public QWidget {
    Q_OBJECT
public:
    explicit Page(ProjectSession* session, QWidget* parent = nullptr)
        : QWidget(parent), m_session(session) {}
    virtual QString title() const = 0;
    virtual QIcon icon() const { return {}; }
    // Called when the page becomes visible, so pages can refresh lazily.
    virtual void activated() {}
    // The task the page is filtered to ("" = none): File ▸ Export Dialogues offers it.
    virtual QString taskFilter() const { return {}; }

Q_SIGNALS:
    // Ask the main window to show another page focused on a dialogue (e.g. browser -> regenerations).
    void showDialogueRequested(qint64 dialogueId, const QString& pageTitle);
    // Ask the main window to show another page (an empty state's "Go to Jobs").
    void showPageRequested(const QString& pageTitle);
    // Ask the main window for File ▸ Import Dialogues… (an empty project's first step).
    void importRequested();

protected:
    ProjectSession* session() const { return m_session; }

private:
    ProjectSession* m_session;
};

} // namespace hw::ui
