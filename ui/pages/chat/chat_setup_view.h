#pragma once
// The "new chat session" form: task, optional context, blind mode, and 2-4 agents (checkpoints
// from the project's runs, or endpoints with a prompting baseline).
#include "core/chat/chat_agent_spec.h"
#include "ui/pages/chat/agent_setup_row.h"

#include <QList>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QVBoxLayout;

namespace hw::ui {

class ProjectSession;

class ChatSetupView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMinAgents = 2;   // side by side: a session always compares
    static constexpr int kMaxAgents = 4;

    explicit ChatSetupView(ProjectSession* session, QWidget* parent = nullptr);

    // Re-reads tasks, checkpoints and endpoint profiles, keeping the agents already set up.
    void refresh();
    void setNote(const QString& text);
    // Whether refresh() found anything to chat with: a policy checkpoint of the project's runs or
    // an endpoint profile.
    bool hasAgentChoices() const { return !m_choices.empty() || !m_profiles.isEmpty(); }

    // What "Start session" asks for (valid after startRequested).
    QString task() const;
    bool blind() const;
    QString context() const;
    const std::vector<hw::ChatAgentSpec>& agents() const { return m_agents; }

Q_SIGNALS:
    void startRequested();

private:
    void loadChoices();
    void addRow(const hw::ChatAgentSpec* spec = nullptr);
    void renumber();
    void start();

    ProjectSession* m_session;
    QComboBox* m_task;
    QLineEdit* m_context;
    QCheckBox* m_blind;
    QVBoxLayout* m_rowsLayout;
    QList<AgentSetupRow*> m_rows;
    QPushButton* m_addAgent;
    QLabel* m_note;
    std::vector<hw::ChatAgentSpec> m_agents;
    std::vector<CheckpointChoice> m_choices;   // read by refresh(), offered by every row
    QStringList m_profiles;
    QString m_rowsProject;   // the project the rows were set up for (another one: fresh defaults)
};

} // namespace hw::ui
