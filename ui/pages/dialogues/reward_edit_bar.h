#pragma once
// Manual reward controls for the shown dialogue: a spin box with Set and Clear. The page turns
// the requests into undoable SetRewardCommands.
#include <QWidget>

#include <optional>

class QDoubleSpinBox;
class QPushButton;

namespace hw::ui {

class RewardEditBar : public QWidget {
    Q_OBJECT
public:
    explicit RewardEditBar(QWidget* parent = nullptr);

    // Shows the dialogue's reward; the spin box range follows the task's reward range.
    void setDialogue(std::optional<double> reward, double rangeMin, double rangeMax);
    void setNoDialogue();

    QDoubleSpinBox* spinBox() const { return m_value; }
    QPushButton* setButton() const { return m_set; }
    QPushButton* clearButton() const { return m_clear; }

Q_SIGNALS:
    void setRequested(double value);
    void clearRequested();

private:
    QDoubleSpinBox* m_value;
    QPushButton* m_set;
    QPushButton* m_clear;
};

} // namespace hw::ui
