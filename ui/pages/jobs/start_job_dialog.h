#pragma once
// Asks for what a new pipeline job needs: the stage kind (any of the stage registry, or the whole
// offline pipeline relabel → regenerate → label → aggregate), the task, where each role runs
// (an endpoint profile, the retrieval controller, or a local checkpoint picked from the project's
// runs or a folder: everything the CLI offers), the hard-forward share, an optional hand-picked
// selection of dialogues (the Dialogues page's), and the stage's options. request() gives the
// PipelineRequest (stage descriptions) for PipelineWorkerHost::start().
#include "ui/workers/pipeline_worker.h"

#include <QDialog>
#include <QList>

#include <map>
#include <string>
#include <utility>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QSpinBox;

namespace hw::ui {

class PipelineWorkerHost;
class ProjectSession;

class StartJobDialog : public QDialog {
    Q_OBJECT
public:
    // The kind value that stands for the whole offline pipeline.
    static QString pipelineKind() { return QStringLiteral("pipeline"); }

    StartJobDialog(ProjectSession* session, const QString& profilesPath, QWidget* parent = nullptr);

    void setKind(const QString& kind);
    // Dialogues the relabel stage is limited to when "only the selected dialogues" is ticked.
    void setDialogueSelection(const QList<qint64>& dialogueIds);
    // Adds a checkpoint folder as a choice for `role` and selects it (what "Folder…" does).
    void addCheckpointChoice(const std::string& role, const QString& dir);
    // Selects the first choice of `role` whose backend kind is `kind` (llm | retrieval |
    // checkpoint); false when there is none.
    bool chooseBackend(const std::string& role, const QString& kind);
    // The request, or nullopt with a reason (no task, a role without a backend, a bad option).
    std::optional<PipelineRequest> request(QString* error = nullptr) const;
    // Shows the dialog; on Start hands its request to `host` and returns true, otherwise (cancelled,
    // or no valid request: the reason goes to the status bar) false.
    bool execAndStart(PipelineWorkerHost* host);

    QComboBox* kindBox() const { return m_kind; }
    QComboBox* taskBox() const { return m_task; }
    QComboBox* backendBox(const std::string& role) const;
    QCheckBox* selectionBox() const { return m_onlySelected; }
    QDoubleSpinBox* hardShareBox() const { return m_hardShare; }
    QSpinBox* limitBox() const { return m_limit; }
    QSpinBox* seedBox() const { return m_seed; }
    // The field of a stage's option (StageKind::fields), e.g. ("aggregate", "name"); nullptr if none.
    QWidget* optionField(const std::string& kind, const std::string& key) const;

private:
    void reloadBackends();
    void updateFields();
    void editEndpoints();
    void browseCheckpoint(const std::string& role);
    std::vector<std::string> plannedKinds() const;

    ProjectSession* m_session;
    QString m_profilesPath;
    QFormLayout* m_form;
    QComboBox* m_kind;
    QComboBox* m_task;
    std::map<std::string, QComboBox*> m_backends;   // by role
    std::map<std::string, QWidget*> m_backendRows;
    QCheckBox* m_onlySelected;
    QList<qint64> m_selection;
    QSpinBox* m_limit;
    QSpinBox* m_seed;
    QSpinBox* m_samples;
    QDoubleSpinBox* m_hardShare;
    // Every registered stage's option fields, by (kind, key); shown for the kinds planned.
    std::map<std::pair<std::string, std::string>, QWidget*> m_options;
    QSpinBox* m_concurrency;
    QLabel* m_hint;
};

} // namespace hw::ui
