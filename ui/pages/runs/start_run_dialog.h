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
    StartRunDialog(const QString& projectPath, const QStringList& tasks, const QStringList& trainingSets,
                   QWidget* parent = nullptr);

    hw::RunLaunchRequest request() const;
    // The line under "Optimizer steps": what the run will actually do (ILQL rounds up to whole
    // iterations).
    QString stepsNote() const;

private:
    void updateStepsNote();

    QString m_projectPath;
    QComboBox* m_kind;
    QComboBox* m_task;
    QComboBox* m_set;
    QLineEdit* m_config;
    QCheckBox* m_tiny;
    QSpinBox* m_maxSteps;
    QLabel* m_stepsNote;
};

} // namespace hw::ui
