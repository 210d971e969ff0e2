#include "ui/pages/dialogues/reward_edit_bar.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

#include <cmath>

namespace hw::ui {

RewardEditBar::RewardEditBar(QWidget* parent)
    : QWidget(parent),
      m_value(new QDoubleSpinBox(this)),
      m_set(new QPushButton(tr("Set"), this)),
      m_clear(new QPushButton(tr("Clear"), this))
{
    m_value->setDecimals(2);
    m_value->setObjectName(QStringLiteral("rewardSpin"));
    m_value->setToolTip(tr("New reward for this dialogue (saved with source = human; Ctrl+Z undoes)"));
    m_set->setObjectName(QStringLiteral("setRewardButton"));
    m_set->setToolTip(tr("Label this dialogue with the reward in the box"));
    m_clear->setObjectName(QStringLiteral("clearRewardButton"));
    m_clear->setToolTip(tr("Make this dialogue unlabeled"));
    connect(m_set, &QPushButton::clicked, this, [this] { Q_EMIT setRequested(m_value->value()); });
    connect(m_clear, &QPushButton::clicked, this, &RewardEditBar::clearRequested);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Reward:"), this));
    layout->addWidget(m_value);
    layout->addWidget(m_set);
    layout->addWidget(m_clear);
    setNoDialogue();
}

void RewardEditBar::setDialogue(std::optional<double> reward, double rangeMin, double rangeMax)
{
    // Integer ranges (ESConv intensity drops) step by 1, small ones (P4G dollars) by 0.1.
    const double span = rangeMax - rangeMin;
    m_value->setRange(rangeMin, rangeMax);
    m_value->setSingleStep(span > 4 && std::floor(rangeMin) == rangeMin ? 1.0 : 0.1);
    m_value->setValue(reward.value_or((rangeMin + rangeMax) / 2));
    m_value->setEnabled(true);
    m_set->setEnabled(true);
    m_clear->setEnabled(reward.has_value());
}

void RewardEditBar::setNoDialogue()
{
    m_value->setEnabled(false);
    m_set->setEnabled(false);
    m_clear->setEnabled(false);
}

} // namespace hw::ui
