#include "ui/pages/suggestions/suggestion_filter_bar.h"

#include "ui/pages/suggestions/suggestion_card.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace hw::ui {
namespace {

const char* const kStatuses[] = {"proposed", "accepted", "rejected", "failed"};

void selectData(QComboBox* box, const QString& value)
{
    const int i = box->findData(value);
    box->setCurrentIndex(i >= 0 ? i : 0);
}

} // namespace

SuggestionFilterBar::SuggestionFilterBar(QWidget* parent)
    : QWidget(parent), m_status(new QComboBox), m_task(new QComboBox), m_provenance(new QComboBox),
      m_dialogue(new QLineEdit), m_acceptAll(new QPushButton(tr("Accept all shown"))),
      m_rejectAll(new QPushButton(tr("Reject all shown")))
{
    m_status->addItem(tr("Every status"), QString());
    m_status->addItem(tr("Proposed"), QStringLiteral("proposed"));
    m_status->addItem(tr("Accepted"), QStringLiteral("accepted"));
    m_status->addItem(tr("Rejected"), QStringLiteral("rejected"));
    m_status->addItem(tr("Failed"), QStringLiteral("failed"));
    m_task->addItem(tr("Every task"), QString());
    m_provenance->addItem(tr("Any origin"), QString());
    m_dialogue->setPlaceholderText(tr("Dialogue id"));
    m_dialogue->setValidator(new QIntValidator(1, std::numeric_limits<int>::max(), m_dialogue));
    m_dialogue->setClearButtonEnabled(true);
    m_dialogue->setMaximumWidth(120);
    // Click focus only: after a page switch the keyboard must land on the list, where A/R curate,
    // not on a combo box where they would change the filter.
    for (QWidget* w : std::initializer_list<QWidget*>{m_status, m_task, m_provenance})
        w->setFocusPolicy(Qt::ClickFocus);
    m_status->setToolTip(tr("Show suggestions with this status"));
    m_task->setToolTip(tr("Show suggestions of one task"));
    m_provenance->setToolTip(tr("Show suggestions by one controller (LLM endpoint, retrieval, edited by hand)"));
    m_dialogue->setToolTip(tr("Show the suggestions of one dialogue (its id)"));
    m_acceptAll->setToolTip(tr("Accept every suggestion the filter shows, in every listed dialogue (failed ones "
                               "are skipped). One undo step."));
    m_rejectAll->setToolTip(tr("Reject every suggestion the filter shows, in every listed dialogue. One undo step."));

    auto* filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Show")));
    filters->addWidget(m_status);
    filters->addWidget(m_task);
    filters->addWidget(m_provenance);
    filters->addWidget(m_dialogue);
    filters->addSpacing(16);
    for (const char* s : kStatuses) {
        const QString status = QString::fromLatin1(s);
        auto* b = new QPushButton;
        b->setFlat(true);
        b->setCursor(Qt::PointingHandCursor);
        b->setFocusPolicy(Qt::NoFocus);
        b->setToolTip(tr("Show only %1 suggestions").arg(status));
        const QColor c = SuggestionCard::statusColor(status);
        b->setStyleSheet(QStringLiteral("QPushButton { color: %1; font-weight: bold; padding: 2px 8px;"
                                        " border: 1px solid %2; border-radius: 10px; background: %3; }"
                                        "QPushButton:hover { background: %2; color: white; }")
                             .arg(c.darker(130).name(), c.name(), c.lighter(185).name()));
        connect(b, &QPushButton::clicked, this, [this, status] {
            selectData(m_status, m_status->currentData().toString() == status ? QString() : status);
        });
        m_counts[status] = b;
        filters->addWidget(b);
    }
    filters->addStretch(1);
    filters->addWidget(m_acceptAll);
    filters->addWidget(m_rejectAll);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 4);
    layout->addLayout(filters);

    auto changed = [this] {
        if (!m_silent)
            Q_EMIT filterChanged();
    };
    connect(m_status, &QComboBox::currentIndexChanged, this, changed);
    connect(m_task, &QComboBox::currentIndexChanged, this, changed);
    connect(m_provenance, &QComboBox::currentIndexChanged, this, changed);
    connect(m_dialogue, &QLineEdit::editingFinished, this, changed);
    connect(m_dialogue, &QLineEdit::textChanged, this, [this, changed](const QString& t) {
        if (t.isEmpty())
            changed(); // the clear button
    });
    connect(m_acceptAll, &QPushButton::clicked, this, &SuggestionFilterBar::acceptAllRequested);
    connect(m_rejectAll, &QPushButton::clicked, this, &SuggestionFilterBar::rejectAllRequested);
    setCounts({}, 0);
}

QPushButton* SuggestionFilterBar::countButton(const QString& status) const
{
    const auto it = m_counts.find(status);
    return it == m_counts.end() ? nullptr : it->second;
}

void SuggestionFilterBar::setChoices(const std::vector<std::string>& tasks, const std::vector<std::string>& provenances)
{
    m_silent = true;
    const QString task = m_task->currentData().toString();
    const QString prov = m_provenance->currentData().toString();
    while (m_task->count() > 1)
        m_task->removeItem(1);
    for (const auto& t : tasks)
        m_task->addItem(QString::fromStdString(t), QString::fromStdString(t));
    while (m_provenance->count() > 1)
        m_provenance->removeItem(1);
    for (const auto& p : provenances)
        m_provenance->addItem(tr("from %1").arg(QString::fromStdString(p)), QString::fromStdString(p));
    selectData(m_task, task);
    selectData(m_provenance, prov);
    m_silent = false;
}

hw::SuggestionQueryFilter SuggestionFilterBar::filter() const
{
    hw::SuggestionQueryFilter f;
    f.status = m_status->currentData().toString().toStdString();
    f.task = m_task->currentData().toString().toStdString();
    f.provenance = m_provenance->currentData().toString().toStdString();
    bool ok = false;
    const qint64 id = m_dialogue->text().toLongLong(&ok);
    if (ok && id > 0)
        f.dialogueId = id;
    return f;
}

void SuggestionFilterBar::setFilter(const hw::SuggestionQueryFilter& f)
{
    m_silent = true;
    selectData(m_status, QString::fromStdString(f.status));
    if (!f.task.empty() && m_task->findData(QString::fromStdString(f.task)) < 0)
        m_task->addItem(QString::fromStdString(f.task), QString::fromStdString(f.task));
    selectData(m_task, QString::fromStdString(f.task));
    if (!f.provenance.empty() && m_provenance->findData(QString::fromStdString(f.provenance)) < 0)
        m_provenance->addItem(tr("from %1").arg(QString::fromStdString(f.provenance)), QString::fromStdString(f.provenance));
    selectData(m_provenance, QString::fromStdString(f.provenance));
    m_dialogue->setText(f.dialogueId ? QString::number(*f.dialogueId) : QString());
    m_silent = false;
    Q_EMIT filterChanged();
}

void SuggestionFilterBar::setCounts(const std::map<std::string, int64_t>& counts, int64_t shown)
{
    const QLocale loc;
    for (const char* s : kStatuses) {
        const auto it = counts.find(s);
        const int64_t n = it == counts.end() ? 0 : it->second;
        m_counts[QString::fromLatin1(s)]->setText(QStringLiteral("%1 %2").arg(loc.toString(n), QString::fromLatin1(s)));
    }
    m_acceptAll->setText(tr("Accept all shown (%1)").arg(loc.toString(shown)));
    m_rejectAll->setText(tr("Reject all shown (%1)").arg(loc.toString(shown)));
    m_acceptAll->setEnabled(shown > 0);
    m_rejectAll->setEnabled(shown > 0);
}

} // namespace hw::ui
