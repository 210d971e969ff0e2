#pragma once
// The "new human study" form: name, task, the agents (the chat page's agent rows: checkpoints of
// the project's runs, endpoints with a prompting baseline), trials per agent (default 3), the turn
// cap (default: the task's, 10 persuasion / 15 counseling) and the seed that draws the anonymous
// labels and every participant's trial order.
#include "core/store/study_store.h"
#include "ui/pages/chat/agent_setup_row.h"

#include <QList>
#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QVBoxLayout;

namespace hw::ui {

class ProjectSession;

class StudySetupView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMaxAgents = 8;

    explicit StudySetupView(ProjectSession* session, QWidget* parent = nullptr);

    // Re-reads tasks, checkpoints and endpoint profiles; a new seed.
    void refresh();
    void setNote(const QString& text);
    // What "Create study" asks for (valid after createRequested).
    const hw::StudySpec& spec() const { return m_spec; }
    QList<AgentSetupRow*> rows() const { return m_rows; }
    // For tests: the form's fields.
    QLineEdit* nameEdit() const { return m_name; }
    QComboBox* taskBox() const { return m_task; }
    QSpinBox* trialsBox() const { return m_trials; }
    QSpinBox* turnCapBox() const { return m_turnCap; }
    void addRow(const hw::ChatAgentSpec* spec = nullptr);
    void create();

Q_SIGNALS:
    void createRequested();

private:
    void renumber();

    ProjectSession* m_session;
    QLineEdit* m_name;
    QComboBox* m_task;
    QSpinBox* m_trials;
    QSpinBox* m_turnCap;
    QSpinBox* m_seed;
    QVBoxLayout* m_rowsLayout;
    QList<AgentSetupRow*> m_rows;
    QPushButton* m_addAgent;
    QLabel* m_note;
    std::vector<CheckpointChoice> m_choices;
    QStringList m_profiles;
    hw::StudySpec m_spec;
};

} // namespace hw::ui
