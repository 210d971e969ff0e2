#pragma once
// "Start a run": what to train (agent kind), on which task and training set, with which
// configuration file (or the tiny CPU one) and an optional step limit.
#include "core/train/run_launcher.h"

#include <QDialog>
#include <QStringList>

#include <utility>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace hw::ui {

class StartRunDialog : public QDialog {
    Q_OBJECT
public:
    struct SetChoice {
        QString name;
        QString task; // the task the set was built from ("" = unknown: offered for every task)
    };
    // tasks: the project's task names. The task, agent and Tiny choice of the last start are
    // remembered; with several tasks one is always chosen (the run cannot guess).
    StartRunDialog(const QString& projectPath, const QStringList& tasks, const QList<SetChoice>& trainingSets,
                   QWidget* parent = nullptr);

    hw::RunLaunchRequest request() const;
    // The line under "Optimizer steps": what the run will actually do (ILQL rounds up to whole
    // iterations).
    QString stepsNote() const;

private:
    void updateStepsNote();
    void fillSets();

    QString m_projectPath;
    QList<SetChoice> m_sets;
    QComboBox* m_kind;
    QComboBox* m_task;
    QComboBox* m_set;
    QLineEdit* m_config;
    QCheckBox* m_tiny;
    QSpinBox* m_maxSteps;
    QLabel* m_stepsNote;
};

} // namespace hw::ui
