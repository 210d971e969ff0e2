#pragma once
// Shown while no project is open: what the tool is, New / Open, and the recent projects.
#include <QWidget>

class QListWidget;

namespace hw::ui {

class WelcomeWidget : public QWidget {
    Q_OBJECT
public:
    explicit WelcomeWidget(QWidget* parent = nullptr);
    void setRecentProjects(const QStringList& paths);

Q_SIGNALS:
    void newRequested();
    void openRequested();
    void openRecentRequested(const QString& path);

private:
    QListWidget* m_recent;
};

} // namespace hw::ui
