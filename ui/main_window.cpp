#include "ui/main_window.h"

#include "core/store/dialogue_store.h"
#include "core/store/project_check.h"
#include "ui/dialogs/export_dialog.h"
#include "ui/dialogs/import_dialog.h"
#include "ui/dialogs/project_file_dialogs.h"
#include "ui/dialogs/user_guide_dialog.h"
#include "ui/pages/page.h"
#include "ui/pages/page_registry.h"
#include "ui/project_session.h"
#include "ui/settings/recent_projects.h"
#include "ui/settings/workbench_settings.h"
#include "ui/style/ui_style.h"
#include "ui/widgets/welcome_widget.h"

#include <QApplication>
#include <QCloseEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QUndoStack>
#include <QtConcurrent/QtConcurrentRun>

#include <cstdio>
#include <exception>

// resources.qrc is compiled into the static hindsight_ui library: register it explicitly, or the
// linker leaves it out (Q_INIT_RESOURCE must be called outside any namespace).
static void initWorkbenchResources() { Q_INIT_RESOURCE(resources); }

namespace hw::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), m_session(new ProjectSession(this))
{
    initWorkbenchResources();
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/hindsight-workbench.png")));
    createWorkspace();
    createMenus();

    m_statusProject = new QLabel(this);
    statusBar()->addPermanentWidget(m_statusProject);

    connect(m_session, &ProjectSession::opened, this, [this](const QString& path) {
        addRecentProject(path);
        statusBar()->clearMessage(); // messages about the previous project
        m_central->setCurrentWidget(m_workspace);
        updateTitle();
        updateStatus();
        updateActions();
        if (Page* p = currentPage())
            p->activated();
    });
    connect(m_session, &ProjectSession::closed, this, [this] {
        statusBar()->clearMessage();
        m_welcome->setRecentProjects(recentProjects());
        m_central->setCurrentWidget(m_welcome);
        updateTitle();
        updateStatus();
        updateActions();
    });
    connect(m_session, &ProjectSession::dialoguesChanged, this, &MainWindow::updateStatus);
    connect(m_session, &ProjectSession::statusMessage, this,
            [this](const QString& msg, int ms) { statusBar()->showMessage(msg, ms); });
    connect(m_session->undoStack(), &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);

    resize(1400, 900);
    restoreGeometry(prefs::mainWindowGeometry);
    restoreState(prefs::mainWindowState);
    updateTitle();
    updateStatus();
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::createWorkspace()
{
    m_central = new QStackedWidget(this);
    m_welcome = new WelcomeWidget(m_central);
    m_welcome->setRecentProjects(recentProjects());
    connect(m_welcome, &WelcomeWidget::newRequested, this, [this] { newProject(askNewProjectPath(this)); });
    connect(m_welcome, &WelcomeWidget::openRequested, this, [this] { openProject(askOpenProjectPath(this)); });
    connect(m_welcome, &WelcomeWidget::openRecentRequested, this, &MainWindow::openProject);

    m_workspace = new QWidget(m_central);
    m_sidebar = new QListWidget(m_workspace);
    m_sidebar->setObjectName(QStringLiteral("pageSidebar"));
    m_sidebar->setIconSize(QSize(28, 28));
    m_sidebar->setFixedWidth(150); // "Regenerations" whole, not "Regenerat…"
    m_sidebar->setSpacing(2);
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setStyleSheet(style::sidebarCss(m_sidebar->objectName()));
    m_pageStack = new QStackedWidget(m_workspace);

    m_pages = createPages(m_session, m_pageStack);
    for (Page* p : m_pages) {
        m_pageStack->addWidget(p);
        auto* item = new QListWidgetItem(p->icon(), p->title(), m_sidebar);
        item->setSizeHint(QSize(140, 44));
        connect(p, &Page::showDialogueRequested, this, &MainWindow::onPageRequested);
        connect(p, &Page::showPageRequested, this, &MainWindow::showPage);
        connect(p, &Page::importRequested, this, &MainWindow::showImportDialog);
    }
    connect(m_sidebar, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row < 0 || row >= static_cast<int>(m_pages.size()))
            return;
        m_pageStack->setCurrentIndex(row);
        prefs::lastPage = m_pages[static_cast<size_t>(row)]->title();
        if (m_session->isOpen())
            m_pages[static_cast<size_t>(row)]->activated();
    });

    auto* layout = new QHBoxLayout(m_workspace);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_sidebar);
    layout->addWidget(m_pageStack, 1);

    m_central->addWidget(m_welcome);
    m_central->addWidget(m_workspace);
    setCentralWidget(m_central);
    if (!m_pages.empty() && !showPage(prefs::lastPage))
        m_sidebar->setCurrentRow(0);
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* newAct = file->addAction(tr("&New Project…"), this, [this] { newProject(askNewProjectPath(this)); });
    newAct->setShortcut(QKeySequence::New);
    QAction* openAct = file->addAction(tr("&Open Project…"), this, [this] { openProject(askOpenProjectPath(this)); });
    openAct->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    rebuildRecentMenu(); // so the menu is never empty-and-disabled before first show
    file->addSeparator();
    QAction* importAct = file->addAction(tr("&Import Dialogues…"), this, &MainWindow::showImportDialog);
    importAct->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    importAct->setObjectName(QStringLiteral("importAction"));
    m_projectActions << importAct;
    QAction* exportAct = file->addAction(tr("&Export Dialogues…"), this, &MainWindow::showExportDialog);
    exportAct->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    exportAct->setObjectName(QStringLiteral("exportAction"));
    m_projectActions << exportAct;
    QAction* checkAct = file->addAction(tr("Check Project &Integrity"), this, &MainWindow::checkProjectIntegrity);
    checkAct->setObjectName(QStringLiteral("checkProjectAction"));
    m_projectActions << checkAct;
    file->addSeparator();
    QAction* closeAct = file->addAction(tr("&Close Project"), this, &MainWindow::closeProject);
    closeAct->setShortcut(QKeySequence::Close);
    m_projectActions << closeAct;
    QAction* quitAct = file->addAction(tr("&Quit"), this, &QWidget::close);
    quitAct->setShortcut(QKeySequence::Quit);
    quitAct->setMenuRole(QAction::QuitRole);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_session->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Z));
    undo->setObjectName(QStringLiteral("undoAction"));
    QAction* redo = m_session->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    redo->setObjectName(QStringLiteral("redoAction"));
    edit->addAction(undo);
    edit->addAction(redo);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (size_t i = 0; i < m_pages.size(); ++i) {
        QAction* a = view->addAction(m_pages[i]->icon(), m_pages[i]->title(), this,
                                     [this, i] { m_sidebar->setCurrentRow(static_cast<int>(i)); });
        if (i < 9)
            a->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_1 + static_cast<int>(i))));
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* guide = help->addAction(tr("&User Guide"), this, [this] { showUserGuide(); });
    guide->setShortcut(QKeySequence::HelpContents);
    guide->setObjectName(QStringLiteral("userGuideAction"));
    help->addAction(tr("Help on This &Page"), this, [this] {
        showUserGuide(currentPage() && m_session->isOpen() ? currentPage()->title() : QStringLiteral("first-steps"));
    });
    help->addSeparator();
    help->addAction(tr("&About Hindsight Workbench"), this, [this] {
        QMessageBox::about(this, tr("About Hindsight Workbench"),
                           tr("<h3>Hindsight Workbench %1</h3><p>Offline RL on hindsight regenerations "
                              "for goal-directed dialogue agents.</p>")
                               .arg(QApplication::applicationVersion()));
    });
}

UserGuideDialog* MainWindow::showUserGuide(const QString& section)
{
    if (!m_guide)
        m_guide = new UserGuideDialog(this);
    m_guide->show();
    m_guide->raise();
    if (!section.isEmpty())
        m_guide->showSection(section);
    return m_guide;
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = recentProjects();
    for (const QString& f : files) {
        QAction* a = m_recentMenu->addAction(QFileInfo(f).fileName(), this, [this, f] { openProject(f); });
        a->setToolTip(f);
        a->setStatusTip(f);
        a->setEnabled(QFileInfo::exists(f));
    }
    if (files.isEmpty()) {
        m_recentMenu->addAction(tr("(none)"))->setEnabled(false);
        return;
    }
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(tr("Clear List"), this, [] { prefs::recentProjects = QStringList(); });
}

Page* MainWindow::page(const QString& title) const
{
    for (Page* p : m_pages)
        if (p->title() == title)
            return p;
    return nullptr;
}

Page* MainWindow::currentPage() const
{
    return qobject_cast<Page*>(m_pageStack->currentWidget());
}

bool MainWindow::showPage(const QString& title)
{
    for (size_t i = 0; i < m_pages.size(); ++i) {
        if (m_pages[i]->title().compare(title, Qt::CaseInsensitive) == 0) {
            m_sidebar->setCurrentRow(static_cast<int>(i));
            return true;
        }
    }
    return false;
}

void MainWindow::onPageRequested(qint64 dialogueId, const QString& pageTitle)
{
    if (!showPage(pageTitle))
        return;
    // Pages that can focus a dialogue offer a showDialogue(qint64) slot.
    if (Page* p = currentPage())
        QMetaObject::invokeMethod(p, "showDialogue", Q_ARG(qint64, dialogueId));
}

void MainWindow::reportError(const QString& title, const QString& message)
{
    if (m_interactive)
        QMessageBox::critical(this, title, message);
    else
        std::fprintf(stderr, "%s: %s\n", qPrintable(title), qPrintable(message));
    statusBar()->showMessage(message, 10000);
}

bool MainWindow::openProject(const QString& path)
{
    if (path.isEmpty())
        return false;
    if (!QFileInfo::exists(path)) {
        reportError(tr("Open Project"), tr("%1 does not exist.").arg(path));
        return false;
    }
    if (!m_session->open(path)) {
        reportError(tr("Open Project"), m_session->errorString());
        return false;
    }
    return true;
}

bool MainWindow::newProject(const QString& path)
{
    if (path.isEmpty())
        return false;
    if (QFileInfo::exists(path)) {
        reportError(tr("New Project"), tr("%1 already exists; choose another name, or open it.").arg(path));
        return false;
    }
    if (!m_session->create(path)) {
        reportError(tr("New Project"), m_session->errorString());
        return false;
    }
    statusBar()->showMessage(tr("Created %1. Import dialogues with File ▸ Import Dialogues…").arg(path), 8000);
    return true;
}

void MainWindow::closeProject() { m_session->close(); }

void MainWindow::checkProjectIntegrity()
{
    if (!m_session->isOpen())
        return;
    const std::string path = m_session->path().toStdString();
    statusBar()->showMessage(tr("Checking %1 …").arg(m_session->path()));
    // Read-only on its own connection: pages keep working while a large project is checked.
    QtConcurrent::run([path] { return hw::checkProject(path); }).then(this, [this](const hw::ProjectCheckResult& r) {
        QStringList lines;
        for (const auto& p : r.problems)
            lines << QString::fromStdString(p);
        const QString file = QString::fromStdString(r.path);
        const QString report = r.ok ? tr("%1: no problems found (integrity check and foreign keys).").arg(file)
                                    : tr("%1: %n problem(s) found:\n%2", nullptr, int(lines.size()))
                                          .arg(file, lines.join(QLatin1Char('\n')));
        statusBar()->showMessage(r.ok ? tr("Project check: no problems") : tr("Project check: damage found"), 10000);
        if (!r.ok)
            reportError(tr("Check Project Integrity"), report);
        else if (m_interactive)
            QMessageBox::information(this, tr("Check Project Integrity"), report);
        Q_EMIT projectCheckFinished(r.ok, report);
    });
}

void MainWindow::showImportDialog()
{
    if (!m_session->isOpen())
        return;
    auto* dialog = new ImportDialog(m_session, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::showExportDialog()
{
    if (!m_session->isOpen())
        return;
    auto* dialog = new ExportDialog(m_session, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // Start from what the browser shows: its task filter, if it has one.
    for (Page* p : m_pages) {
        if (!p->taskFilter().isEmpty()) {
            dialog->setTask(p->taskFilter());
            break;
        }
    }
    dialog->open();
}

void MainWindow::updateTitle()
{
    // "[*]" is where Qt puts the modified marker; modified = the undo stack is not clean.
    if (m_session->isOpen())
        setWindowTitle(tr("%1[*] — Hindsight Workbench").arg(m_session->displayName()));
    else
        setWindowTitle(tr("Hindsight Workbench"));
    setWindowModified(m_session->isOpen() && !m_session->undoStack()->isClean());
}

void MainWindow::updateStatus()
{
    if (!m_session->isOpen()) {
        m_statusProject->setText(tr("No project"));
        return;
    }
    QString text = m_session->path();
    try {
        const qint64 n = hw::DialogueStore(m_session->db()).count();
        text = tr("%1 · %2 dialogues").arg(m_session->path(), QLocale().toString(n));
    } catch (const std::exception&) {
    }
    m_statusProject->setText(text);
}

void MainWindow::updateActions()
{
    for (QAction* a : m_projectActions)
        a->setEnabled(m_session->isOpen());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_persistGeometry) {
        prefs::mainWindowGeometry = saveGeometry();
        prefs::mainWindowState = saveState();
    }
    m_session->close();
    event->accept();
}

} // namespace hw::ui
