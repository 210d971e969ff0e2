#include "ui/pages/dataset/dataset_page.h"

#include "core/store/dialogue_query.h"
#include "core/store/dialogue_store.h"
#include "ui/charts/nice_scale.h"
#include "ui/pages/dataset/task_summary_card.h"
#include "ui/project_session.h"
#include "ui/widgets/empty_state.h"

#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QVBoxLayout>

#include <exception>

namespace hw::ui {

DatasetPage::DatasetPage(ProjectSession* session, QWidget* parent)
    : Page(session, parent), m_header(new QLabel(this)), m_cardsLayout(new QVBoxLayout),
      m_scroll(new QScrollArea(this)), m_empty(new EmptyState(this))
{
    setObjectName(QStringLiteral("datasetPage"));
    QFont f = m_header->font();
    f.setPointSizeF(f.pointSizeF() * 1.15);
    m_header->setFont(f);
    m_header->setTextFormat(Qt::RichText);

    auto* content = new QWidget;
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->addLayout(m_cardsLayout);
    contentLayout->addStretch(1);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setWidget(content);
    m_empty->setContent(tr("No dialogues yet"),
                        tr("This page summarises the project's dialogues per task: counts, labels and a reward "
                           "histogram. Import ESConv, PersuasionForGood or chat JSONL files first (File ▸ Import "
                           "Dialogues…, or <tt>hindsight import project.hwb --format esconv|p4g|jsonl FILE</tt>)."),
                        tr("Import Dialogues…"));
    m_empty->hide();
    connect(m_empty, &EmptyState::actionTriggered, this, &Page::importRequested);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 6);
    layout->addWidget(m_header);
    layout->addWidget(m_scroll, 1);
    layout->addWidget(m_empty, 1);

    connect(session, &ProjectSession::opened, this, &DatasetPage::markStale);
    connect(session, &ProjectSession::closed, this, &DatasetPage::markStale);
    connect(session, &ProjectSession::dialoguesChanged, this, &DatasetPage::markStale);
    connect(session, &ProjectSession::dialogueChanged, this, &DatasetPage::markStale);
}

QIcon DatasetPage::icon() const { return QIcon(QStringLiteral(":/icons/dataset.png")); }

void DatasetPage::activated()
{
    if (m_stale)
        refresh();
}

void DatasetPage::markStale()
{
    m_stale = true;
    if (isVisible())
        refresh();
}

void DatasetPage::refresh()
{
    m_stale = false;
    for (auto* card : m_cards)
        delete card;
    m_cards.clear();
    setEmpty(false);
    if (!session()->isOpen()) {
        m_header->setText(tr("No project open."));
        return;
    }
    try {
        hw::Database& db = session()->db();
        hw::DialogueStore store(db);
        const auto summaries = hw::summarizeTasks(db);
        int64_t dialogues = 0, turns = 0, labeled = 0;
        for (const auto& s : summaries) {
            const auto task = store.task(s.task);
            // The rewards the data has, not every reward the task allows (ESConv's -4..4 with all
            // dialogues between -1 and 3 is mostly empty bars).
            const double lo = s.rewardMinSeen.value_or(task ? task->rewardMin : 0.0);
            const double hi = s.rewardMaxSeen.value_or(task ? task->rewardMax : 1.0);
            // Bin edges at nice numbers (-1, 0, 1, ...), not at eighths of the data's range.
            const NiceScale edges = niceScale(lo, hi, 10);
            const auto bins = hw::rewardHistogram(db, s.task, edges.min, edges.max, std::max(1, edges.ticks - 1));
            auto* card = new TaskSummaryCard(this);
            card->setSummary(s, task, bins);
            m_cardsLayout->addWidget(card);
            m_cards.push_back(card);
            dialogues += s.dialogues;
            turns += s.turns;
            labeled += s.labeled;
        }
        const QLocale loc;
        setEmpty(dialogues == 0);
        if (dialogues > 0)
            m_header->setText(tr("<b>%1</b> · %2 dialogues · %3 turns · %4 labeled · %5 tasks")
                                  .arg(session()->displayName().toHtmlEscaped(),
                                       loc.toString(static_cast<qlonglong>(dialogues)),
                                       loc.toString(static_cast<qlonglong>(turns)),
                                       loc.toString(static_cast<qlonglong>(labeled)))
                                  .arg(summaries.size()));
    } catch (const std::exception& e) {
        m_header->setText(tr("Cannot read the project: %1").arg(QString::fromUtf8(e.what()).toHtmlEscaped()));
    }
}

void DatasetPage::setEmpty(bool empty)
{
    m_header->setVisible(!empty);
    m_scroll->setVisible(!empty);
    m_empty->setVisible(empty);
}

} // namespace hw::ui
