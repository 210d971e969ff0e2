#include "ui/pages/dialogues/dialogue_filter_bar.h"

#include "ui/style/ui_style.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QTimer>
#include <QToolButton>

namespace hw::ui {

namespace {
constexpr int kDebounceMs = 250;
}

DialogueFilterBar::DialogueFilterBar(QWidget* parent)
    : QWidget(parent),
      m_search(new QLineEdit(this)),
      m_debounce(new QTimer(this)),
      m_task(new QComboBox(this)),
      m_source(new QComboBox(this)),
      m_labeled(new QComboBox(this)),
      m_rangeOn(new QCheckBox(tr("Reward"), this)),
      m_min(new QDoubleSpinBox(this)),
      m_max(new QDoubleSpinBox(this)),
      m_count(new QLabel(this))
{
    m_search->setPlaceholderText(tr("Search text (words, \"a phrase\", prefix*)"));
    m_search->setClearButtonEnabled(true);
    m_search->setObjectName(QStringLiteral("searchEdit"));
    m_search->setMinimumWidth(220);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(kDebounceMs);
    connect(m_search, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, &DialogueFilterBar::emitChanged);
    connect(m_debounce, &QTimer::timeout, this, &DialogueFilterBar::emitChanged);

    refill(m_task, tr("All tasks"), {});
    refill(m_source, tr("All sources"), {});
    m_task->setObjectName(QStringLiteral("taskCombo"));
    m_labeled->addItem(tr("Labeled and unlabeled"), int(hw::DialogueFilter::Labeled::Any));
    m_labeled->addItem(tr("Labeled only"), int(hw::DialogueFilter::Labeled::Labeled));
    m_labeled->addItem(tr("Unlabeled only"), int(hw::DialogueFilter::Labeled::Unlabeled));
    m_labeled->setObjectName(QStringLiteral("labeledCombo"));

    for (QDoubleSpinBox* spin : {m_min, m_max}) {
        spin->setRange(-1000.0, 1000.0);
        spin->setDecimals(2);
        spin->setSingleStep(0.5);
        spin->setEnabled(false);
        spin->setKeyboardTracking(false);
        connect(spin, &QDoubleSpinBox::valueChanged, this, &DialogueFilterBar::emitChanged);
    }
    m_min->setValue(-4.0);
    m_max->setValue(4.0);
    m_min->setToolTip(tr("Lowest reward shown (inclusive)"));
    m_search->setToolTip(tr("Dialogues whose turns contain these words (full-text search)"));
    m_task->setToolTip(tr("Only the dialogues of one task"));
    m_source->setToolTip(tr("Only originals of one dataset, hindsight regenerations, or imagined dialogues"));
    m_labeled->setToolTip(tr("Only dialogues with (or without) a reward label"));
    m_max->setToolTip(tr("Highest reward shown (inclusive)"));
    m_rangeOn->setToolTip(tr("Only dialogues whose reward lies in this range (hides unlabeled ones)"));
    connect(m_rangeOn, &QCheckBox::toggled, this, [this](bool on) {
        m_min->setEnabled(on);
        m_max->setEnabled(on);
        emitChanged();
    });
    connect(m_task, &QComboBox::currentIndexChanged, this, &DialogueFilterBar::emitChanged);
    connect(m_source, &QComboBox::currentIndexChanged, this, &DialogueFilterBar::emitChanged);
    connect(m_labeled, &QComboBox::currentIndexChanged, this, &DialogueFilterBar::emitChanged);

    auto* clear = new QToolButton(this);
    clear->setText(tr("Reset"));
    clear->setToolTip(tr("Clear every filter"));
    connect(clear, &QToolButton::clicked, this, &DialogueFilterBar::reset);

    m_count->setStyleSheet(style::secondaryTextCss());
    m_count->setObjectName(QStringLiteral("countLabel"));

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_search, 3);
    layout->addWidget(m_task, 1);
    layout->addWidget(m_source, 1);
    layout->addWidget(m_labeled, 1);
    layout->addWidget(m_rangeOn);
    layout->addWidget(m_min);
    layout->addWidget(new QLabel(tr("to"), this));
    layout->addWidget(m_max);
    layout->addWidget(clear);
    layout->addSpacing(8);
    layout->addWidget(m_count);
}

void DialogueFilterBar::refill(QComboBox* combo, const QString& allText, const QStringList& values)
{
    const QString current = combo->currentData().toString();
    const QSignalBlocker block(combo);
    combo->clear();
    combo->addItem(allText, QString());
    for (const QString& v : values)
        combo->addItem(v, v);
    const int i = combo->findData(current);
    combo->setCurrentIndex(i >= 0 ? i : 0);
}

void DialogueFilterBar::setChoices(const QStringList& tasks, const QStringList& sources)
{
    const hw::DialogueFilter before = filter();
    refill(m_task, tr("All tasks"), tasks);
    refill(m_source, tr("All sources"), sources);
    if (filter() != before)
        emitChanged();
}

void DialogueFilterBar::setCountText(const QString& text) { m_count->setText(text); }

void DialogueFilterBar::reset()
{
    {
        const QSignalBlocker b1(m_search), b2(m_task), b3(m_source), b4(m_labeled), b5(m_rangeOn);
        m_search->clear();
        m_task->setCurrentIndex(0);
        m_source->setCurrentIndex(0);
        m_labeled->setCurrentIndex(0);
        m_rangeOn->setChecked(false);
        m_min->setEnabled(false);
        m_max->setEnabled(false);
    }
    m_debounce->stop();
    emitChanged();
}

void DialogueFilterBar::setSearchText(const QString& text)
{
    m_search->setText(text);
    m_debounce->stop();
    emitChanged();
}

hw::DialogueFilter DialogueFilterBar::filter() const
{
    hw::DialogueFilter f;
    f.search = m_search->text().trimmed().toStdString();
    f.task = m_task->currentData().toString().toStdString();
    f.source = m_source->currentData().toString().toStdString();
    f.labeled = static_cast<hw::DialogueFilter::Labeled>(m_labeled->currentData().toInt());
    if (m_rangeOn->isChecked()) {
        f.rewardMin = m_min->value();
        f.rewardMax = m_max->value();
    }
    return f;
}

void DialogueFilterBar::emitChanged()
{
    m_debounce->stop();
    Q_EMIT filterChanged(filter());
}

} // namespace hw::ui
