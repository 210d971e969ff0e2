#include "ui/pages/suggestions/suggestions_page.h"

#include "core/store/suggestion_store.h"
#include "core/store/dialogue_store.h"
#include "core/store/suggestion_query.h"
#include "ui/commands/suggestion_edit_command.h"
#include "ui/commands/suggestion_status_command.h"
#include "ui/models/suggestion_dialogue_model.h"
#include "ui/pages/jobs/jobs_prefs.h"
#include "ui/pages/suggestions/suggestion_card.h"
#include "ui/pages/suggestions/suggestion_deck.h"
#include "ui/pages/suggestions/suggestion_filter_bar.h"
#include "ui/project_session.h"
#include "ui/style/ui_style.h"
#include "ui/widgets/dialogue_view.h"
#include "ui/widgets/empty_state.h"
#include "ui/workers/pipeline_worker_host.h"

#include <QCoreApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

namespace hw::ui {

SuggestionsPage::SuggestionsPage(ProjectSession* session, QWidget* parent)
    : Page(session, parent), m_filters(new SuggestionFilterBar), m_model(new SuggestionDialogueModel(this)),
      m_table(new QTableView), m_header(new QLabel), m_openDialogue(new QPushButton(tr("Open in Dialogues"))),
      m_deck(new SuggestionDeck), m_splitter(new QSplitter(Qt::Horizontal)), m_keys(new QLabel),
      m_content(new QWidget), m_empty(new EmptyState)
{
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->setShowGrid(false);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(SuggestionDialogueModel::Task, QHeaderView::Stretch);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->installEventFilter(this);

    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_openDialogue->setFocusPolicy(Qt::NoFocus);
    m_openDialogue->setToolTip(tr("Show this dialogue in the browser"));
    m_keys->setText(tr("<b>J</b>/<b>K</b> or <b>↓</b>/<b>↑</b> next/previous · <b>A</b> accept · <b>R</b> reject · "
                       "<b>E</b> edit (<b>Enter</b> saves, <b>Esc</b> cancels) · <b>U</b> undecide · "
                       "<b>Ctrl+Z</b> undo<br>Accepted suggestions are what <i>accepted</i>-mode regeneration "
                       "(Jobs, or hindsight regenerate --mode accepted) regenerates; the default mode picks one "
                       "per dialogue among proposed and accepted ones; rejected ones are never regenerated."));
    m_keys->setWordWrap(true);
    m_keys->setStyleSheet(style::mutedTextCss() + QStringLiteral("; padding: 4px 8px"));

    auto* headerRow = new QHBoxLayout;
    headerRow->setContentsMargins(12, 8, 12, 4);
    headerRow->addWidget(m_header, 1);
    headerRow->addWidget(m_openDialogue);
    auto* right = new QWidget;
    auto* rl = new QVBoxLayout(right);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->setSpacing(0);
    rl->addLayout(headerRow);
    rl->addWidget(m_deck, 1);
    rl->addWidget(m_keys);

    m_splitter->addWidget(m_table);
    m_splitter->addWidget(right);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 3);
    m_splitter->setSizes({320, 900});
    if (!prefs::suggestionsSplitterState.get().isEmpty())
        m_splitter->restoreState(prefs::suggestionsSplitterState);
    connect(m_splitter, &QSplitter::splitterMoved, this,
            [this] { prefs::suggestionsSplitterState = m_splitter->saveState(); });

    auto* contentLayout = new QVBoxLayout(m_content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->setSpacing(0);
    contentLayout->addWidget(m_filters);
    contentLayout->addWidget(m_splitter, 1);
    m_empty->hide();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_content, 1);
    layout->addWidget(m_empty, 1);
    connect(m_empty, &EmptyState::actionTriggered, this, [this] {
        if (m_emptyNeedsDialogues)
            Q_EMIT importRequested();
        else
            Q_EMIT showPageRequested(tr("Jobs"));
    });

    connect(m_filters, &SuggestionFilterBar::filterChanged, this, &SuggestionsPage::reload);
    connect(m_filters, &SuggestionFilterBar::acceptAllRequested, this, &SuggestionsPage::acceptAllShown);
    connect(m_filters, &SuggestionFilterBar::rejectAllRequested, this, &SuggestionsPage::rejectAllShown);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &SuggestionsPage::onCurrentRowChanged);
    connect(m_deck, &SuggestionDeck::acceptRequested, this,
            [this](qint64 id) { setStatus({id}, hw::suggestion_status::kAccepted); });
    connect(m_deck, &SuggestionDeck::rejectRequested, this,
            [this](qint64 id) { setStatus({id}, hw::suggestion_status::kRejected); });
    connect(m_deck, &SuggestionDeck::resetRequested, this,
            [this](qint64 id) { setStatus({id}, hw::suggestion_status::kProposed); });
    connect(m_deck, &SuggestionDeck::editSaved, this, &SuggestionsPage::saveEdit);
    connect(m_deck, &SuggestionDeck::retryRequested, this, &SuggestionsPage::retry);
    connect(m_deck, &SuggestionDeck::nextDialogueRequested, this, [this] { moveDialogue(+1); });
    connect(m_deck, &SuggestionDeck::previousDialogueRequested, this, [this] { moveDialogue(-1); });
    connect(m_openDialogue, &QPushButton::clicked, this, [this] {
        if (m_shownId > 0)
            Q_EMIT showDialogueRequested(m_shownId, tr("Dialogues"));
    });

    connect(session, &ProjectSession::opened, this, &SuggestionsPage::onOpened);
    connect(session, &ProjectSession::closed, this, &SuggestionsPage::onClosed);
    connect(session, &ProjectSession::suggestionsChanged, this, &SuggestionsPage::onSuggestionsChanged);
    // Imported dialogues change what the empty state asks for first.
    connect(session, &ProjectSession::dialoguesChanged, this, [this] {
        if (!m_empty->isHidden())
            updateEmptyState();
    });
    connect(session, &ProjectSession::dialogueChanged, this, [this](qint64 id) {
        if (id == m_shownId)
            updateHeader();
    });
    if (session->isOpen())
        onOpened();
    else
        onClosed();
}

SuggestionsPage::~SuggestionsPage() = default;

QIcon SuggestionsPage::icon() const
{
    return style()->standardIcon(QStyle::SP_DialogApplyButton);
}

void SuggestionsPage::activated()
{
    reload();
    // The single-key shortcuts work from the list (and the cards), never from a filter.
    m_table->setFocus(Qt::OtherFocusReason);
}

void SuggestionsPage::reportError(const std::exception& e)
{
    session()->showStatus(tr("Suggestions: %1").arg(QString::fromUtf8(e.what())), 0);
}

void SuggestionsPage::onOpened()
{
    try {
        m_filters->setChoices(hw::SuggestionQuery::tasks(session()->db()),
                              hw::SuggestionQuery::provenanceKinds(session()->db()));
    } catch (const std::exception& e) {
        reportError(e);
    }
    m_shownId = -1;
    reload();
}

void SuggestionsPage::onClosed()
{
    m_model->clear();
    m_shownId = -1;
    m_deck->clear(tr("Open a project to review its hindsight suggestions."));
    m_filters->setCounts({}, 0);
    updateHeader();
    updateEmptyState();
}

void SuggestionsPage::updateEmptyState()
{
    bool empty = false;
    m_emptyNeedsDialogues = false;
    if (session()->isOpen()) {
        try {
            empty = hw::SuggestionStore(session()->db()).count(hw::SuggestionFilter()) == 0;
            m_emptyNeedsDialogues = empty && hw::DialogueStore(session()->db()).count() == 0;
        } catch (const std::exception& e) {
            reportError(e);
        }
    }
    if (m_emptyNeedsDialogues)
        m_empty->setContent(tr("No suggestions yet"),
                            tr("Suggestions are better agent turns proposed for the project's dialogues, and it has "
                               "none yet. Import dialogues first (File ▸ Import Dialogues…), then run a relabel job "
                               "from the Jobs page."),
                            tr("Import Dialogues…"));
    else if (empty)
        m_empty->setContent(tr("No suggestions yet"),
                            tr("Run a relabel job to ask the hindsight controller for better agent turns: "
                               "Jobs ▸ Start job… ▸ relabel, or <tt>hindsight relabel project.hwb --endpoint NAME</tt> "
                               "in a terminal. Its suggestions appear here for review."),
                            tr("Go to Jobs"));
    m_content->setVisible(!empty);
    m_empty->setVisible(empty);
}

void SuggestionsPage::reload()
{
    if (!session()->isOpen())
        return;
    updateEmptyState();
    const qint64 keep = m_shownId;
    const int keepCard = m_deck->currentIndex();
    try {
        m_model->reload(session()->db(), m_filters->filter());
    } catch (const std::exception& e) {
        reportError(e);
        return;
    }
    updateCounts();
    int row = m_model->rowOf(keep);
    if (row < 0 && m_model->rowCount() > 0)
        row = 0;
    if (row < 0) {
        m_shownId = -1;
        m_deck->clear(m_filters->filter() == hw::SuggestionQueryFilter()
                          ? tr("No suggestions yet. Run a relabel job (Jobs → Start job…, or "
                               "<tt>hindsight relabel</tt>) to ask the hindsight controller for better agent turns.")
                          : tr("No suggestion matches the filter."));
        updateHeader();
        return;
    }
    m_shownId = -1; // force a fresh load of the deck for the new filter
    m_table->selectRow(row);
    if (m_shownId != m_model->dialogueId(row))
        loadDialogue(m_model->dialogueId(row)); // the row was current already: no signal
    if (m_model->dialogueId(row) == keep && keepCard >= 0)
        m_deck->setCurrentIndex(std::min(keepCard, m_deck->count() - 1));
}

void SuggestionsPage::updateCounts()
{
    if (!session()->isOpen())
        return;
    try {
        const hw::SuggestionQuery q(session()->db(), m_filters->filter());
        m_filters->setCounts(q.countsByStatus(), static_cast<int64_t>(q.ids().size()));
    } catch (const std::exception& e) {
        reportError(e);
    }
}

void SuggestionsPage::onCurrentRowChanged()
{
    const qint64 id = m_model->dialogueId(m_table->currentIndex().row());
    if (id != m_shownId)
        loadDialogue(id);
}

void SuggestionsPage::loadDialogue(qint64 id)
{
    m_shownId = id;
    if (id <= 0 || !session()->isOpen()) {
        m_deck->clear();
        updateHeader();
        return;
    }
    try {
        hw::DialogueStore store(session()->db());
        const auto dialogue = store.get(id);
        if (!dialogue) {
            m_deck->clear(tr("Dialogue %1 no longer exists.").arg(id));
            updateHeader();
            return;
        }
        hw::SuggestionQueryFilter f = m_filters->filter();
        f.dialogueId = id;
        m_deck->setDialogue(*dialogue, store.task(dialogue->task), hw::SuggestionQuery(session()->db(), f).suggestions());
    } catch (const std::exception& e) {
        reportError(e);
    }
    if (m_selectLastOnLoad)
        m_deck->selectLast();
    m_selectLastOnLoad = false;
    updateHeader();
}

void SuggestionsPage::updateHeader()
{
    const int row = m_model->rowOf(m_shownId);
    const hw::SuggestionDialogueRow* r = m_model->row(row);
    m_openDialogue->setEnabled(r != nullptr);
    if (!r) {
        m_header->setText(session()->isOpen() ? tr("<b>No dialogue selected</b>") : QString());
        return;
    }
    std::optional<double> reward = r->reward;
    std::string rewardSource;
    try {
        if (const auto d = hw::DialogueStore(session()->db()).get(r->dialogueId)) {
            reward = d->reward;
            rewardSource = d->rewardSource;
        }
    } catch (const std::exception&) {
    }
    m_header->setText(tr("<span style='font-size:large'><b>Dialogue #%1</b></span> &nbsp; "
                         "<span style='color:%2'>%3 · %4 · "
                         "reward %5 · %6 of %7 dialogues</span>")
                          .arg(r->dialogueId)
                          .arg(style::mutedText().name(), QString::fromStdString(r->uid).toHtmlEscaped(),
                               QString::fromStdString(r->task).toHtmlEscaped(),
                               DialogueView::rewardText(reward, rewardSource).toHtmlEscaped())
                          .arg(row + 1)
                          .arg(m_model->rowCount()));
}

void SuggestionsPage::onSuggestionsChanged()
{
    if (!session()->isOpen())
        return;
    if (!m_empty->isHidden()) { // the first suggestions of the project: list them
        reload();
        return;
    }
    try {
        m_model->refreshCounts(session()->db());
        if (m_shownId > 0) {
            // The cards shown stay (so an undo is visible); suggestions new to the filter join.
            hw::SuggestionQueryFilter f = m_filters->filter();
            f.dialogueId = m_shownId;
            std::vector<hw::Suggestion> rows = hw::SuggestionQuery(session()->db(), f).suggestions();
            std::set<qint64> have;
            for (const auto& s : rows)
                have.insert(s.id);
            hw::SuggestionStore store(session()->db());
            for (qint64 id : m_deck->ids())
                if (!have.count(id))
                    if (auto s = store.get(id))
                        rows.push_back(*s);
            std::sort(rows.begin(), rows.end(), [](const hw::Suggestion& a, const hw::Suggestion& b) {
                return std::make_pair(a.rank, a.id) < std::make_pair(b.rank, b.id);
            });
            m_deck->updateSuggestions(std::move(rows));
        }
    } catch (const std::exception& e) {
        reportError(e);
    }
    updateCounts();
}

void SuggestionsPage::setStatus(const std::vector<int64_t>& ids, const char* status)
{
    if (ids.empty() || !session()->isOpen())
        return;
    session()->undoStack()->push(new SuggestionStatusCommand(session(), ids, status));
}

void SuggestionsPage::saveEdit(qint64 id, const QString& text)
{
    if (!session()->isOpen())
        return;
    session()->undoStack()->push(new SuggestionEditCommand(session(), id, text.toStdString()));
}

void SuggestionsPage::acceptAllShown()
{
    if (!session()->isOpen())
        return;
    try {
        setStatus(hw::SuggestionQuery(session()->db(), m_filters->filter()).ids(), hw::suggestion_status::kAccepted);
    } catch (const std::exception& e) {
        reportError(e);
    }
}

void SuggestionsPage::rejectAllShown()
{
    if (!session()->isOpen())
        return;
    try {
        setStatus(hw::SuggestionQuery(session()->db(), m_filters->filter()).ids(), hw::suggestion_status::kRejected);
    } catch (const std::exception& e) {
        reportError(e);
    }
}

void SuggestionsPage::retry(qint64 id)
{
    if (!session()->isOpen())
        return;
    std::optional<hw::Suggestion> s;
    try {
        s = hw::SuggestionStore(session()->db()).get(id);
    } catch (const std::exception& e) {
        reportError(e);
        return;
    }
    if (!s)
        return;
    // The relabel stage only asks again about dialogues without a usable suggestion.
    try {
        for (const hw::Suggestion& other : hw::SuggestionStore(session()->db()).forDialogue(s->dialogueId))
            if (other.status != hw::suggestion_status::kFailed) {
                session()->showStatus(tr("Dialogue %1 already has usable suggestions, so the relabel stage would skip "
                                         "it: only replies that gave nothing usable can be retried.").arg(s->dialogueId), 0);
                return;
            }
    } catch (const std::exception& e) {
        reportError(e);
        return;
    }
    QString why;
    PipelineWorkerHost* host = PipelineWorkerHost::of(session());
    auto request = host->retryRequest(*s, &why);
    if (!request) {
        session()->showStatus(tr("Cannot retry: %1").arg(why), 0);
        return;
    }
    host->start(std::move(*request));
    session()->showStatus(tr("Asking the controller again about dialogue %1 (see Jobs)…").arg(s->dialogueId));
}

void SuggestionsPage::moveDialogue(int delta)
{
    const int row = m_table->currentIndex().row() + delta;
    if (row < 0 || row >= m_model->rowCount()) {
        session()->showStatus(delta > 0 ? tr("Last suggestion of the list") : tr("First suggestion of the list"), 2000);
        return;
    }
    m_selectLastOnLoad = delta < 0;
    m_table->selectRow(row);
    m_deck->setFocus();
}

void SuggestionsPage::showDialogue(qint64 dialogueId)
{
    if (!session()->isOpen())
        return;
    if (m_model->rowOf(dialogueId) < 0) {
        // Only the dialogue filter is dropped first; then everything, if still hidden.
        hw::SuggestionQueryFilter f = m_filters->filter();
        f.dialogueId.reset();
        f.status.clear();
        m_filters->setFilter(f);
        if (m_model->rowOf(dialogueId) < 0)
            m_filters->setFilter({});
    }
    const int row = m_model->rowOf(dialogueId);
    if (row < 0) {
        session()->showStatus(tr("Dialogue %1 has no suggestions yet.").arg(dialogueId));
        return;
    }
    m_table->selectRow(row);
    m_deck->setFocus();
}

bool SuggestionsPage::eventFilter(QObject* watched, QEvent* event)
{
    // Curation keys typed while the dialogue list has focus go to the cards.
    if (watched == m_table && event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (!(key->modifiers() & (Qt::ControlModifier | Qt::AltModifier))) {
            switch (key->key()) {
            case Qt::Key_J:
            case Qt::Key_K:
            case Qt::Key_A:
            case Qt::Key_R:
            case Qt::Key_E:
            case Qt::Key_U:
                m_deck->setFocus();
                QCoreApplication::sendEvent(m_deck, event);
                return true;
            default:
                break;
            }
        }
    }
    return Page::eventFilter(watched, event);
}

} // namespace hw::ui
