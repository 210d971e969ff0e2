#pragma once
// One agent of a new chat session: a checkpoint (π_β alone, or ILQL with its β), or an endpoint
// with a prompting baseline (plain, CoT, proactive CoT).
#include "core/chat/chat_agent_spec.h"

#include <QFrame>
#include <QString>

#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;

namespace hw::ui {

struct CheckpointChoice {
    QString label;       // "run #3 ILQL 'hindsight' @ 600"
    QString path;
    qint64 runId = 0;
    qint64 step = 0;
    bool ilqlHeads = false;
    QString task;        // the task the run trained on ("" = unknown)
};

class ProjectSession;

// The policy checkpoints of the project's runs an agent row offers (newest runs first), and the
// saved endpoint profiles' names. Shared by the chat session and human study forms.
std::vector<CheckpointChoice> projectCheckpointChoices(ProjectSession* session);
QStringList endpointProfileNames();
// Fills a task box: the project's tasks, then the built-ins it lacks (in the order given); `keep`
// stays selected when it is listed.
void fillTaskChoices(QComboBox* box, ProjectSession* session, const QString& keep, const QStringList& builtins);

class AgentSetupRow : public QFrame {
    Q_OBJECT
public:
    AgentSetupRow(const std::vector<CheckpointChoice>& checkpoints, const QStringList& endpointProfiles,
                  QWidget* parent = nullptr);

    hw::ChatAgentSpec spec() const;
    void setSpec(const hw::ChatAgentSpec& spec);
    void setIndex(int index);
    // Remove stays disabled while the session is at its minimum number of agents.
    void setRemovable(bool removable);
    // "" when the row describes a usable agent, else why not.
    QString problem() const;

Q_SIGNALS:
    void removeRequested();

private:
    void updateKind();

    QLabel* m_index;
    QComboBox* m_kind;
    QStackedWidget* m_pages;
    QComboBox* m_checkpoint;
    QDoubleSpinBox* m_beta;
    QDoubleSpinBox* m_temperature;
    QLabel* m_headsNote;
    QComboBox* m_endpoint;
    QLineEdit* m_model;
    QComboBox* m_prompting;
    QPushButton* m_remove;
    std::vector<CheckpointChoice> m_checkpoints;
};

} // namespace hw::ui
