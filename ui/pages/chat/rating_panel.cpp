#include "ui/pages/chat/rating_panel.h"

#include <QAbstractButton>
#include <QButtonGroup>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QRadioButton>

namespace hw::ui {

RatingPanel::RatingPanel(bool counseling, QWidget* parent) : QGroupBox(tr("Your ratings"), parent), m_counseling(counseling)
{
    auto* form = new QFormLayout(this);
    form->setContentsMargins(8, 6, 8, 6);
    form->setVerticalSpacing(2);
    m_naturalness = addScale(form, tr("Natural / fluent"), tr("1 = robotic or broken, 5 = like a person"));
    m_relevance = addScale(form, counseling ? tr("Helpful") : tr("Relevant"),
                           tr("1 = off topic or unhelpful, 5 = on point and useful"));
    if (counseling)
        m_comforting = addScale(form, tr("Comforting"), tr("1 = made it worse, 5 = very comforting"));
    m_outcome = new QDoubleSpinBox;
    if (counseling) {
        m_outcome->setRange(0, 5); // 0 = not entered
        m_outcome->setDecimals(0);
        m_outcome->setSingleStep(1);
        m_outcome->setSpecialValueText(tr("–"));
        m_outcome->setToolTip(tr("Your emotional intensity at the end: 1 (none) to 5 (extreme)"));
        form->addRow(tr("Final intensity"), m_outcome);
    } else {
        m_outcome->setRange(-0.05, 2);
        m_outcome->setDecimals(2);
        m_outcome->setSingleStep(0.05);
        m_outcome->setPrefix(QStringLiteral("$"));
        m_outcome->setSpecialValueText(tr("–"));
        m_outcome->setValue(-0.05);
        m_outcome->setToolTip(tr("How much of the $2 you would donate"));
        form->addRow(tr("Donation"), m_outcome);
    }
    connect(m_outcome, &QDoubleSpinBox::valueChanged, this, &RatingPanel::changed);
}

QButtonGroup* RatingPanel::addScale(QFormLayout* form, const QString& label, const QString& tip)
{
    auto* row = new QWidget;
    auto* h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    h->setSpacing(6);
    auto* group = new QButtonGroup(this);
    group->setExclusive(true);
    for (int v = 1; v <= 5; ++v) {
        auto* b = new QRadioButton(QString::number(v));
        group->addButton(b, v);
        h->addWidget(b);
    }
    h->addStretch(1);
    row->setToolTip(tip);
    form->addRow(label, row);
    connect(group, &QButtonGroup::idClicked, this, &RatingPanel::changed);
    return group;
}

namespace {

std::optional<int> valueOf(const QButtonGroup* g)
{
    if (!g || g->checkedId() < 1)
        return std::nullopt;
    return g->checkedId();
}

void setValue(QButtonGroup* g, const std::optional<int>& v)
{
    if (!g)
        return;
    if (v && g->button(*v)) {
        g->button(*v)->setChecked(true);
    } else if (auto* b = g->checkedButton()) {
        g->setExclusive(false);
        b->setChecked(false);
        g->setExclusive(true);
    }
}

} // namespace

void RatingPanel::setRating(const hw::ChatRating& r)
{
    setValue(m_naturalness, r.naturalness);
    setValue(m_relevance, r.relevance);
    setValue(m_comforting, r.comforting);
    m_outcome->setValue(r.outcome ? *r.outcome : m_outcome->minimum());
}

hw::ChatRating RatingPanel::rating() const
{
    hw::ChatRating r;
    r.naturalness = valueOf(m_naturalness);
    r.relevance = valueOf(m_relevance);
    r.comforting = valueOf(m_comforting);
    // The spin box's minimum is "not entered" (shown as –).
    if (m_outcome->value() > m_outcome->minimum() + 1e-9)
        r.outcome = m_outcome->value();
    return r;
}

bool RatingPanel::isComplete() const
{
    const auto r = rating();
    return r.naturalness && r.relevance && (!m_counseling || r.comforting) && r.outcome;
}

void RatingPanel::setReadOnly(bool readOnly)
{
    for (auto* g : {m_naturalness, m_relevance, m_comforting})
        if (g)
            for (auto* b : g->buttons())
                b->setEnabled(!readOnly);
    m_outcome->setReadOnly(readOnly);
}

void RatingPanel::setLikert(int scale, int value)
{
    QButtonGroup* g = scale == 0 ? m_naturalness : scale == 1 ? m_relevance : m_comforting;
    setValue(g, value);
    Q_EMIT changed();
}

void RatingPanel::setOutcome(double value) { m_outcome->setValue(value); }

} // namespace hw::ui
