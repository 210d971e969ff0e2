#pragma once
// The workbench window. It only assembles: pages from createPages() in a sidebar + stack, the
// menus (File, Edit with the session's undo stack, View, Help), title and status bar. Pages do
// the work; the window routes project-level actions (new, open, import, export) to the session.
#include <QMainWindow>

#include <vector>

class QLabel;
class QListWidget;
class QMenu;
class QStackedWidget;

namespace hw::ui {

class Page;
class ProjectSession;
class UserGuideDialog;
class WelcomeWidget;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    ProjectSession* session() const { return m_session; }
    const std::vector<Page*>& pages() const { return m_pages; }
    Page* page(const QString& title) const;
    Page* currentPage() const;
    // Help ▸ User Guide, scrolled to a section (a page title, "method", "cli"; "" = where it was).
    UserGuideDialog* showUserGuide(const QString& section = {});

    // Interactive mode reports failures in message boxes; otherwise on stderr (screenshots, tests).
    void setInteractive(bool interactive) { m_interactive = interactive; }
    // Whether geometry is saved on close (off for --screenshot runs).
    void setPersistGeometry(bool persist) { m_persistGeometry = persist; }

public Q_SLOTS:
    bool openProject(const QString& path);
    bool newProject(const QString& path);
    void closeProject();
    bool showPage(const QString& title);
    void showImportDialog();
    void showExportDialog();
    // File > Check Project Integrity: SQLite's full integrity check, off the GUI thread.
    void checkProjectIntegrity();

Q_SIGNALS:
    void projectCheckFinished(bool ok, const QString& report);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createMenus();
    void createWorkspace();
    void updateTitle();
    void updateStatus();
    void updateActions();
    void rebuildRecentMenu();
    void reportError(const QString& title, const QString& message);
    void onPageRequested(qint64 dialogueId, const QString& pageTitle);

    ProjectSession* m_session;
    std::vector<Page*> m_pages;
    QStackedWidget* m_central = nullptr;   // welcome | workspace
    WelcomeWidget* m_welcome = nullptr;
    QWidget* m_workspace = nullptr;
    QListWidget* m_sidebar = nullptr;
    QStackedWidget* m_pageStack = nullptr;
    QMenu* m_recentMenu = nullptr;
    QLabel* m_statusProject = nullptr;
    UserGuideDialog* m_guide = nullptr;
    QList<QAction*> m_projectActions;      // enabled only while a project is open
    bool m_interactive = true;
    bool m_persistGeometry = true;
};

} // namespace hw::ui
