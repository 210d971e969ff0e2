#pragma once
// Asks for what a new pipeline job needs: kind, task, endpoint profile and the stage's options
// (limit, seed, samples, hard share, k, dialogues per persona, concurrency). request() gives the
// PipelineRequest for PipelineWorkerHost::start().
#include "ui/workers/pipeline_worker.h"

#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QSpinBox;

namespace hw::ui {

class ProjectSession;

class StartJobDialog : public QDialog {
    Q_OBJECT
public:
    StartJobDialog(ProjectSession* session, const QString& profilesPath, QWidget* parent = nullptr);

    void setKind(const QString& kind);
    // The request, or nullopt with a reason (no endpoint, no task).
    std::optional<PipelineRequest> request(QString* error = nullptr) const;

    QComboBox* kindBox() const { return m_kind; }
    QComboBox* taskBox() const { return m_task; }
    QComboBox* endpointBox() const { return m_endpoint; }

private:
    void reloadEndpoints();
    void updateFields();
    void editEndpoints();

    ProjectSession* m_session;
    QString m_profilesPath;
    QFormLayout* m_form;
    QComboBox* m_kind;
    QComboBox* m_task;
    QComboBox* m_endpoint;
    QComboBox* m_mode;
    QSpinBox* m_limit;
    QSpinBox* m_seed;
    QSpinBox* m_samples;
    QDoubleSpinBox* m_hardShare;
    QDoubleSpinBox* m_k;
    QSpinBox* m_perPersona;
    QSpinBox* m_concurrency;
    QLabel* m_hint;
};

} // namespace hw::ui
