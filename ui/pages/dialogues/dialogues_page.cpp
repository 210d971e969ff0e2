#include "ui/pages/dialogues/dialogues_page.h"

#include "core/store/dialogue_query.h"
#include "core/store/dialogue_store.h"
#include "core/store/imagined_lineage.h"
#include "core/util/error.h"
#include "ui/commands/set_reward_command.h"
#include "ui/models/dialogue_table_model.h"
#include "ui/pages/dialogues/dialogue_selection.h"
#include "ui/pages/dialogues/dialogue_filter_bar.h"
#include "ui/pages/dialogues/reward_edit_bar.h"
#include "ui/project_session.h"
#include "ui/settings/workbench_settings.h"
#include "ui/widgets/dialogue_view.h"
#include "ui/widgets/empty_state.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QListView>
#include <QLocale>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <exception>

namespace hw::ui {

DialoguesPage::DialoguesPage(ProjectSession* session, QWidget* parent)
    : Page(session, parent),
      m_filters(new DialogueFilterBar(this)),
      m_model(new DialogueTableModel(this)),
      m_table(new QTableView(this)),
      m_view(new DialogueView(this)),
      m_rewardBar(new RewardEditBar(this)),
      m_splitter(new QSplitter(Qt::Horizontal, this)),
      m_content(new QWidget(this)),
      m_empty(new EmptyState(this))
{
    setObjectName(QStringLiteral("dialoguesPage"));
    m_table->setObjectName(QStringLiteral("dialogueTable"));
    m_table->setModel(m_model);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(DialogueTableModel::IdColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    // Several rows may be picked (Ctrl/Shift) to start a job on just those (Jobs → Start).
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setHighlightSections(false);
    const QList<int> widths = {56, 86, 48, 60, 76, 112}; // Source: "regeneration" whole
    for (int c = 0; c < widths.size(); ++c)
        m_table->setColumnWidth(c, widths[c]);

    m_view->addHeaderWidget(m_rewardBar);

    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_view);
    m_splitter->setStretchFactor(0, 2);
    m_splitter->setStretchFactor(1, 3);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setSizes({600, 800});
    m_splitter->restoreState(prefs::dialoguesSplitterState);

    auto* contentLayout = new QVBoxLayout(m_content);
    contentLayout->setContentsMargins(8, 8, 8, 4);
    contentLayout->addWidget(m_filters);
    contentLayout->addWidget(m_splitter, 1);
    m_empty->setContent(tr("No dialogues yet"),
                        tr("Start by importing dialogues: ESConv, PersuasionForGood or chat JSONL files "
                           "(File ▸ Import Dialogues…, Ctrl+I). In a terminal: "
                           "<tt>hindsight import project.hwb --format esconv|p4g|jsonl FILE</tt>."),
                        tr("Import Dialogues…"));
    m_empty->hide();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_content, 1);
    layout->addWidget(m_empty, 1);

    connect(m_empty, &EmptyState::actionTriggered, this, &Page::importRequested);

    connect(m_filters, &DialogueFilterBar::filterChanged, m_model, &DialogueTableModel::setFilter);
    // After the model applied the filter: a dialogue the filter removed must not stay on show.
    connect(m_filters, &DialogueFilterBar::filterChanged, this, &DialoguesPage::followFilter);
    connect(m_model, &DialogueTableModel::countChanged, this, &DialoguesPage::onCountChanged);
    connect(m_model, &DialogueTableModel::queryFailed, this, [this](const QString& msg) {
        this->session()->showStatus(tr("Query failed: %1").arg(msg), 0);
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] { selectRowOf(m_shownId); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &DialoguesPage::onCurrentRowChanged);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        QList<qint64> ids;
        for (const QModelIndex& i : m_table->selectionModel()->selectedRows())
            if (const qint64 id = m_model->dialogueId(i.row()); id >= 0)
                ids.push_back(id);
        DialogueSelection::of(this->session())->set(ids);
    });
    connect(m_rewardBar, &RewardEditBar::setRequested, this, [this](double v) { requestReward(v); });
    connect(m_rewardBar, &RewardEditBar::clearRequested, this, [this] { requestReward(std::nullopt); });
    connect(m_splitter, &QSplitter::splitterMoved, this,
            [this] { prefs::dialoguesSplitterState = m_splitter->saveState(); });

    connect(session, &ProjectSession::opened, this, &DialoguesPage::onOpened);
    connect(session, &ProjectSession::closed, this, &DialoguesPage::onClosed);
    connect(session, &ProjectSession::dialoguesChanged, this, &DialoguesPage::refreshAll);
    connect(session, &ProjectSession::dialogueChanged, this, [this](qint64 id) {
        m_model->refreshDialogue(id);
        if (id == m_shownId)
            loadDialogue(id);
    });
    if (session->isOpen())
        onOpened();
}

DialoguesPage::~DialoguesPage() = default;

QIcon DialoguesPage::icon() const { return QIcon(QStringLiteral(":/icons/dialogues.png")); }

void DialoguesPage::activated() { m_table->setFocus(); }

QString DialoguesPage::taskFilter() const { return QString::fromStdString(m_model->filter().task); }

void DialoguesPage::onOpened()
{
    m_shownId = -1;
    reloadChoices(); // first: the count label needs the project's total
    m_model->setDatabase(&session()->db());
    if (m_model->rowCount() > 0)
        m_table->selectRow(0);
    else
        m_view->clear(tr("No dialogues yet: File ▸ Import Dialogues… adds ESConv, PersuasionForGood or chat JSONL "
                         "files (Help ▸ User Guide)"));
}

void DialoguesPage::onClosed()
{
    m_model->setDatabase(nullptr);
    m_shownId = -1;
    m_view->clear();
    m_rewardBar->setNoDialogue();
    m_projectTotal = 0;
    updateEmptyState();
}

void DialoguesPage::updateEmptyState()
{
    const bool empty = session()->isOpen() && m_projectTotal == 0;
    m_content->setVisible(!empty);
    m_empty->setVisible(empty);
}

void DialoguesPage::reloadChoices()
{
    if (!session()->isOpen())
        return;
    QStringList tasks, sources;
    try {
        for (const auto& t : hw::DialogueStore(session()->db()).tasks())
            tasks << QString::fromStdString(t.name);
        for (const auto& s : hw::DialogueQuery::sources(session()->db()))
            sources << QString::fromStdString(s);
        m_projectTotal = hw::DialogueStore(session()->db()).count();
    } catch (const std::exception& e) {
        session()->showStatus(QString::fromUtf8(e.what()), 0);
    }
    tasks.sort();
    m_filters->setChoices(tasks, sources);
    updateEmptyState();
}

void DialoguesPage::refreshAll()
{
    reloadChoices();
    m_model->refresh();
    if (m_shownId < 0 && m_model->rowCount() > 0)
        m_table->selectRow(0);
}

void DialoguesPage::onCountChanged(qint64 count)
{
    const QLocale locale;
    if (!session()->isOpen())
        m_filters->setCountText(QString());
    else if (count == m_projectTotal)
        m_filters->setCountText(tr("%1 dialogues").arg(locale.toString(count)));
    else
        m_filters->setCountText(tr("%1 of %2 dialogues").arg(locale.toString(count), locale.toString(m_projectTotal)));
}

void DialoguesPage::onCurrentRowChanged()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (!current.isValid())
        return; // keep showing the last dialogue (e.g. while a filter hides its row)
    const qint64 id = m_model->dialogueId(current.row());
    if (id >= 0 && id != m_shownId)
        loadDialogue(id);
}

void DialoguesPage::loadDialogue(qint64 id)
{
    if (!session()->isOpen())
        return;
    try {
        hw::DialogueStore store(session()->db());
        const auto d = store.get(id);
        if (!d) {
            m_shownId = -1;
            m_view->clear(tr("Dialogue %1 no longer exists").arg(id));
            m_rewardBar->setNoDialogue();
            return;
        }
        const auto task = store.task(d->task);
        const bool same = id == m_shownId;
        const int scroll = m_view->turnsView()->verticalScrollBar()->value();
        m_shownId = id;
        m_view->setDialogue(*d, task);
        if (d->source == hw::source::kImagined || d->source == hw::source::kRegeneration) {
            try {
                m_view->setLineage(hw::imaginedLineage(session()->db(), d->uid, d->task));
            } catch (const hw::Error&) {
                // Not imagined, nor made from an imagined dialogue: no lineage line.
            }
        }
        if (same) // a reward edit reloads the dialogue: stay where the reader was
            m_view->turnsView()->verticalScrollBar()->setValue(scroll);
        m_rewardBar->setDialogue(d->reward, task ? task->rewardMin : -1000.0, task ? task->rewardMax : 1000.0);
    } catch (const std::exception& e) {
        session()->showStatus(tr("Cannot read dialogue %1: %2").arg(id).arg(QString::fromUtf8(e.what())), 0);
    }
}

void DialoguesPage::requestReward(std::optional<double> value)
{
    if (m_shownId < 0 || !session()->isOpen())
        return;
    session()->undoStack()->push(new SetRewardCommand(session(), m_shownId, value));
}

void DialoguesPage::selectRowOf(qint64 id)
{
    if (id < 0)
        return;
    m_model->dialogueId(0); // after a reset nothing is loaded yet: look at least in the first page
    const int row = m_model->rowOfDialogue(id);
    if (row < 0)
        return;
    m_table->selectionModel()->setCurrentIndex(m_model->index(row, 0),
                                               QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void DialoguesPage::followFilter()
{
    if (!session()->isOpen() || (m_shownId >= 0 && m_model->rowOfDialogue(m_shownId) >= 0))
        return;
    if (m_model->rowCount() > 0) {
        m_table->selectRow(0);
        return;
    }
    m_shownId = -1;
    m_view->clear(tr("No dialogue matches the filter"));
    m_rewardBar->setNoDialogue();
}

void DialoguesPage::showDialogue(qint64 dialogueId)
{
    loadDialogue(dialogueId);
    selectRowOf(dialogueId);
}

} // namespace hw::ui
