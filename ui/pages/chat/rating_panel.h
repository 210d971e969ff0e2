#pragma once
// The researcher's ratings of one agent at the end of a session: Likert 1-5 for
// naturalness / fluency, relevance / helpfulness and (counseling) comforting, and the outcome:
// the donation ($0-2) or the final emotional intensity (1-5).
#include "core/store/chat_store.h"

#include <QGroupBox>

class QButtonGroup;
class QDoubleSpinBox;

namespace hw::ui {

class RatingPanel : public QGroupBox {
    Q_OBJECT
public:
    RatingPanel(bool counseling, QWidget* parent = nullptr);

    void setRating(const hw::ChatRating& rating);
    // slot and agentLabel are left for the page to fill.
    hw::ChatRating rating() const;
    bool isComplete() const;
    void setReadOnly(bool readOnly);

    // For tests: value 1-5 of a scale (0 naturalness, 1 relevance, 2 comforting).
    void setLikert(int scale, int value);
    void setOutcome(double value);

Q_SIGNALS:
    void changed();

private:
    QButtonGroup* addScale(class QFormLayout* form, const QString& label, const QString& tip);
    bool m_counseling;
    QButtonGroup* m_naturalness;
    QButtonGroup* m_relevance;
    QButtonGroup* m_comforting = nullptr;
    QDoubleSpinBox* m_outcome;
};

} // namespace hw::ui
