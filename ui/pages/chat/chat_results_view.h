#pragma once
// The results tab of the chat page: mean ± std per agent over the rated sessions of a task
// (the papers' Table 1 / Table 2 layout), exportable as CSV.
#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QTableView;

namespace hw::ui {

class ChatResultsModel;
class ProjectSession;

class ChatResultsView : public QWidget {
    Q_OBJECT
public:
    explicit ChatResultsView(ProjectSession* session, QWidget* parent = nullptr);

    void refresh();
    ChatResultsModel* model() const { return m_model; }
    // The CSV the Export button writes.
    QString csv() const;
    bool exportCsv(const QString& path);

private:
    ProjectSession* m_session;
    QComboBox* m_task;
    QCheckBox* m_finishedOnly;
    QTableView* m_table;
    ChatResultsModel* m_model;
    QLabel* m_note;
    QPushButton* m_export;
};

} // namespace hw::ui
