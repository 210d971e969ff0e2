#include "ui/pages/regenerations/regenerations_page.h"

#include "core/store/dialogue_store.h"
#include "core/store/regeneration_query.h"
#include "core/store/suggestion_store.h"
#include "ui/commands/set_reward_command.h"
#include "ui/models/regeneration_compare_model.h"
#include "ui/models/regeneration_tree_model.h"
#include "ui/pages/dialogues/reward_edit_bar.h"
#include "ui/pages/jobs/jobs_prefs.h"
#include "ui/pages/regenerations/branch_compare_delegate.h"
#include "ui/project_session.h"
#include "ui/style/ui_style.h"
#include "ui/widgets/branch_tree_widget.h"
#include "ui/widgets/dialogue_view.h"
#include "ui/widgets/empty_state.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QTimer>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace hw::ui {

RegenerationsPage::RegenerationsPage(ProjectSession* session, QWidget* parent)
    : Page(session, parent), m_tree(new RegenerationTreeModel(this)), m_compare(new RegenerationCompareModel(this)),
      m_task(new QComboBox), m_originals(new QComboBox), m_prev(new QToolButton), m_next(new QToolButton),
      m_summary(new QLabel), m_treeWidget(new BranchTreeWidget), m_treeScroll(new QScrollArea), m_header(new QLabel),
      m_critique(new QLabel), m_open(new QPushButton(tr("Open in Dialogues"))), m_rewardBar(new RewardEditBar),
      m_compareView(new QTableView), m_splitter(new QSplitter(Qt::Horizontal)), m_content(new QWidget),
      m_empty(new EmptyState)
{
    m_task->addItem(tr("Every task"), QString());
    m_originals->setMinimumContentsLength(44);
    m_originals->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_prev->setArrowType(Qt::LeftArrow);
    m_next->setArrowType(Qt::RightArrow);
    m_prev->setToolTip(tr("Previous original with regenerations"));
    m_task->setToolTip(tr("Only originals of one task"));
    m_originals->setToolTip(tr("An original dialogue that has regenerations: its tree is shown below"));
    m_next->setToolTip(tr("Next original with regenerations"));
    m_summary->setStyleSheet(style::mutedTextCss());

    auto* top = new QHBoxLayout;
    top->setContentsMargins(8, 8, 8, 4);
    top->addWidget(new QLabel(tr("Original")));
    top->addWidget(m_originals);
    top->addWidget(m_prev);
    top->addWidget(m_next);
    top->addWidget(m_task);
    top->addSpacing(12);
    top->addWidget(m_summary, 1);

    m_treeWidget->setModel(m_tree);
    m_treeScroll->setWidget(m_treeWidget);
    m_treeScroll->setWidgetResizable(true);
    m_treeScroll->setFrameShape(QFrame::NoFrame);
    m_treeScroll->setAlignment(Qt::AlignLeft | Qt::AlignTop);

    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_critique->setWordWrap(true);
    m_critique->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_critique->setStyleSheet(style::secondaryTextCss() + QStringLiteral("; font-style: italic"));
    m_open->setToolTip(tr("Show the selected dialogue in the browser"));

    m_compareView->setModel(m_compare);
    m_compareView->setItemDelegate(new BranchCompareDelegate(m_compareView));
    m_compareView->setSelectionMode(QAbstractItemView::NoSelection);
    m_compareView->setShowGrid(false);
    m_compareView->setWordWrap(true);
    m_compareView->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_compareView->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_compareView->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_compareView->verticalHeader()->hide();
    m_compareView->setFocusPolicy(Qt::NoFocus);

    auto* headerRow = new QHBoxLayout;
    headerRow->addWidget(m_header, 1);
    headerRow->addWidget(m_open);
    auto* rewardRow = new QHBoxLayout;
    m_rewardBar->setToolTip(tr("Override the selected dialogue's reward by hand (source human); Ctrl+Z restores "
                               "the previous one"));
    rewardRow->addWidget(m_rewardBar);
    rewardRow->addStretch(1);
    auto* legend = new QLabel(tr("<span style='background:%1'>&nbsp;shared prefix&nbsp;</span> "
                                 "<span style='background:%2'>&nbsp;replaced turn&nbsp;</span> "
                                 "<span style='background:%3'>&nbsp;new continuation&nbsp;</span>")
                                  .arg(style::sharedPrefixBackground().name(), style::replacedTurnBackground().name(),
                                       style::continuationBackground().name()));
    legend->setStyleSheet(style::mutedTextCss());
    rewardRow->addWidget(legend);

    auto* right = new QWidget;
    auto* rl = new QVBoxLayout(right);
    rl->setContentsMargins(8, 4, 8, 4);
    rl->addLayout(headerRow);
    rl->addWidget(m_critique);
    rl->addLayout(rewardRow);
    rl->addWidget(m_compareView, 1);

    m_splitter->addWidget(m_treeScroll);
    m_splitter->addWidget(right);
    m_splitter->setStretchFactor(0, 2);
    m_splitter->setStretchFactor(1, 3);
    m_splitter->setSizes({540, 860});
    if (!prefs::regenerationsSplitterState.get().isEmpty())
        m_splitter->restoreState(prefs::regenerationsSplitterState);
    connect(m_splitter, &QSplitter::splitterMoved, this,
            [this] { prefs::regenerationsSplitterState = m_splitter->saveState(); });

    auto* contentLayout = new QVBoxLayout(m_content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->setSpacing(0);
    contentLayout->addLayout(top);
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

    connect(m_originals, &QComboBox::activated, this,
            [this](int i) { loadOriginal(m_originals->itemData(i).toLongLong()); });
    connect(m_task, &QComboBox::activated, this, &RegenerationsPage::reloadOriginals);
    connect(m_prev, &QToolButton::clicked, this, [this] { step(-1); });
    connect(m_next, &QToolButton::clicked, this, [this] { step(+1); });
    connect(m_treeWidget, &BranchTreeWidget::dialogueSelected, this, &RegenerationsPage::selectDialogue);
    connect(m_rewardBar, &RewardEditBar::setRequested, this, [this](double v) { requestReward(v); });
    connect(m_rewardBar, &RewardEditBar::clearRequested, this, [this] { requestReward(std::nullopt); });
    connect(m_open, &QPushButton::clicked, this, [this] {
        if (m_selected > 0)
            Q_EMIT showDialogueRequested(m_selected, tr("Dialogues"));
    });
    connect(session, &ProjectSession::opened, this, &RegenerationsPage::onOpened);
    connect(session, &ProjectSession::closed, this, &RegenerationsPage::onClosed);
    connect(session, &ProjectSession::dialogueChanged, this, &RegenerationsPage::onDialogueChanged);
    connect(session, &ProjectSession::dialoguesChanged, this, [this] {
        if (isVisible())
            reloadOriginals();
    });
    if (session->isOpen())
        onOpened();
    else
        onClosed();
}

RegenerationsPage::~RegenerationsPage() = default;

QIcon RegenerationsPage::icon() const
{
    return style()->standardIcon(QStyle::SP_FileDialogDetailedView);
}

void RegenerationsPage::activated()
{
    reloadOriginals();
}

qint64 RegenerationsPage::originalId() const
{
    return m_tree->originalId();
}

void RegenerationsPage::onOpened()
{
    m_task->blockSignals(true);
    while (m_task->count() > 1)
        m_task->removeItem(1);
    try {
        for (const hw::Task& t : hw::DialogueStore(session()->db()).tasks())
            m_task->addItem(QString::fromStdString(t.name), QString::fromStdString(t.name));
    } catch (const std::exception&) {
    }
    m_task->blockSignals(false);
    reloadOriginals();
}

void RegenerationsPage::onClosed()
{
    m_originals->clear();
    m_tree->clear();
    m_compare->clear();
    m_selected = -1;
    m_summary->clear();
    m_header->setText(QString());
    m_critique->clear();
    m_rewardBar->setNoDialogue();
    m_open->setEnabled(false);
    setEmpty(false);
}

void RegenerationsPage::setEmpty(bool empty)
{
    m_emptyNeedsDialogues = false;
    if (empty) {
        int64_t dialogues = 0, suggestions = 0;
        try {
            dialogues = hw::DialogueStore(session()->db()).count();
            suggestions = hw::SuggestionStore(session()->db()).count(hw::SuggestionFilter());
        } catch (const std::exception& e) {
            session()->showStatus(tr("Regenerations: %1").arg(QString::fromUtf8(e.what())), 0);
        }
        m_emptyNeedsDialogues = dialogues == 0;
        if (dialogues == 0)
            m_empty->setContent(tr("No regenerations yet"),
                                tr("Regenerations branch off the project's dialogues, and it has none yet. Import "
                                   "dialogues first (File ▸ Import Dialogues…), then run relabel and regenerate "
                                   "jobs from the Jobs page."),
                                tr("Import Dialogues…"));
        else if (suggestions == 0)
            m_empty->setContent(tr("No regenerations yet"),
                                tr("First run a relabel job (Jobs ▸ Start job… ▸ relabel, or <tt>hindsight relabel</tt>) "
                                   "for hindsight suggestions, then a regenerate job (or <tt>hindsight regenerate</tt>): "
                                   "each regenerated dialogue branches off its original here."),
                                tr("Go to Jobs"));
        else
            m_empty->setContent(tr("No regenerations yet"),
                                tr("Run a regenerate job (Jobs ▸ Start job… ▸ regenerate, or "
                                   "<tt>hindsight regenerate project.hwb --endpoint NAME</tt>). In <i>accepted</i> mode it "
                                   "regenerates the suggestions you accepted on the Suggestions page."),
                                tr("Go to Jobs"));
    }
    m_content->setVisible(!empty);
    m_empty->setVisible(empty);
}

void RegenerationsPage::reloadOriginals()
{
    if (!session()->isOpen())
        return;
    const qint64 keep = originalId();
    std::vector<hw::RegenerationParentRow> rows;
    try {
        rows = hw::RegenerationQuery(session()->db()).parents(m_task->currentData().toString().toStdString());
    } catch (const std::exception& e) {
        session()->showStatus(tr("Regenerations: %1").arg(QString::fromUtf8(e.what())), 0);
        return;
    }
    const QLocale loc;
    m_originals->clear();
    for (const auto& r : rows) {
        const QString reward = r.reward ? loc.toString(*r.reward, 'f', 2) : tr("unlabelled");
        m_originals->addItem(tr("#%1 · %2 · reward %3 · %n branches", nullptr, static_cast<int>(r.branches))
                                 .arg(r.dialogueId)
                                 .arg(QString::fromStdString(r.task), reward),
                             QVariant::fromValue<qint64>(r.dialogueId));
    }
    m_prev->setEnabled(rows.size() > 1);
    m_next->setEnabled(rows.size() > 1);
    if (rows.empty()) {
        m_tree->clear();
        m_compare->clear();
        m_selected = -1;
        m_summary->setText(tr("No regenerations yet: after a relabel job, run a regenerate job (Jobs → Start job…); in accepted mode it "
                              "regenerates the suggestions you accepted on the Suggestions page."));
        m_header->setText(QString());
        m_critique->clear();
        m_rewardBar->setNoDialogue();
        m_open->setEnabled(false);
        // A task filter keeps its bar (to choose another task); no regeneration at all: what to do.
        setEmpty(m_task->currentIndex() == 0);
        return;
    }
    setEmpty(false);
    const int i = m_originals->findData(QVariant::fromValue<qint64>(keep));
    if (i >= 0 && keep == originalId()) {
        m_originals->setCurrentIndex(i);
        loadOriginal(keep); // re-read: branches may have been added
        return;
    }
    m_originals->setCurrentIndex(i >= 0 ? i : 0);
    loadOriginal(m_originals->currentData().toLongLong());
}

void RegenerationsPage::step(int delta)
{
    const int n = m_originals->count();
    if (n == 0)
        return;
    const int i = (m_originals->currentIndex() + delta + n) % n;
    m_originals->setCurrentIndex(i);
    loadOriginal(m_originals->itemData(i).toLongLong());
}

void RegenerationsPage::loadOriginal(qint64 originalId)
{
    if (!session()->isOpen() || originalId <= 0)
        return;
    const qint64 keepSelected = m_selected;
    try {
        hw::DialogueStore store(session()->db());
        const auto row = hw::RegenerationQuery(session()->db()).parent(originalId);
        std::optional<hw::Task> task;
        if (const auto d = store.get(originalId))
            task = store.task(d->task);
        m_rangeMin = task ? std::optional<double>(task->rewardMin) : std::nullopt;
        m_rangeMax = task ? std::optional<double>(task->rewardMax) : std::nullopt;
        m_tree->setOriginal(session()->db(), originalId, task);
        const QLocale loc;
        if (row)
            m_summary->setText(tr("%n branches of original #%1", nullptr, static_cast<int>(row->branches)).arg(originalId)
                               + (row->branchRewardMean
                                      ? tr(" · mean branch reward %1 (original %2)")
                                            .arg(loc.toString(*row->branchRewardMean, 'f', 2),
                                                 row->reward ? loc.toString(*row->reward, 'f', 2) : tr("unlabelled"))
                                      : QString()));
        else
            m_summary->setText(tr("Dialogue %1 has no regenerations yet.").arg(originalId));
    } catch (const std::exception& e) {
        session()->showStatus(tr("Regenerations: %1").arg(QString::fromUtf8(e.what())), 0);
        return;
    }
    const int i = m_originals->findData(QVariant::fromValue<qint64>(originalId));
    if (i >= 0)
        m_originals->setCurrentIndex(i);
    m_treeScroll->horizontalScrollBar()->setValue(0);
    // Keep the selection when it is in this tree; else the first branch.
    if (m_tree->indexOfDialogue(keepSelected).isValid()) {
        m_selected = -1;
        selectDialogue(keepSelected);
        return;
    }
    const std::vector<qint64> order = m_treeWidget->dialogueOrder();
    selectDialogue(order.size() > 1 ? order[1] : originalId);
}

void RegenerationsPage::selectDialogue(qint64 dialogueId)
{
    m_selected = dialogueId;
    m_treeWidget->setCurrentDialogue(dialogueId);
    // After layout (the pane may not have its final width yet): scroll only as far as needed to
    // show the node, from the left, so the root stays in view when it can.
    QTimer::singleShot(0, this, [this, dialogueId] {
        const QRect r = m_treeWidget->nodeRect(dialogueId);
        if (r.isEmpty() || dialogueId != m_selected)
            return;
        QScrollBar* h = m_treeScroll->horizontalScrollBar();
        const int viewW = m_treeScroll->viewport()->width();
        if (r.right() + 12 > h->value() + viewW)
            h->setValue(r.right() + 12 - viewW);
        else if (r.left() - 12 < h->value())
            h->setValue(std::max(0, r.left() - 12));
        m_treeScroll->ensureVisible(h->value(), r.center().y(), 0, r.height());
    });
    showSelected();
}

void RegenerationsPage::showSelected()
{
    if (!session()->isOpen() || m_selected <= 0) {
        m_compare->clear();
        m_rewardBar->setNoDialogue();
        m_open->setEnabled(false);
        return;
    }
    m_open->setEnabled(true);
    try {
        hw::DialogueStore store(session()->db());
        const auto selected = store.get(m_selected);
        if (!selected) {
            m_compare->clear();
            m_rewardBar->setNoDialogue();
            return;
        }
        const std::optional<hw::Task> task = store.task(selected->task);
        const QModelIndex idx = m_tree->indexOfDialogue(m_selected);
        const hw::BranchRow* branch = m_tree->branch(idx);
        const QLocale loc;
        const QString reward = DialogueView::rewardText(selected->reward, selected->rewardSource).toHtmlEscaped();
        if (branch) {
            const auto parent = store.get(branch->parentDialogueId);
            if (parent)
                m_compare->setDialogues(*parent, *selected, branch->prefixLen, task);
            QStringList bits;
            bits << tr("replaces turn %1").arg(branch->prefixLen + 1);
            bits << tr("%1 turns").arg(selected->turns.size());
            bits << tr("reward %1").arg(reward);
            bits << tr("sample %1").arg(branch->sampleIndex);
            if (branch->hard)
                bits << tr("<b>hard</b> forward model");
            const std::string model = branch->generator.value("model", std::string());
            if (!model.empty())
                bits << QString::fromStdString(model).toHtmlEscaped();
            if (branch->jobId > 0)
                bits << tr("job %1").arg(branch->jobId);
            m_header->setText(tr("<span style='font-size:large'><b>Branch #%1</b></span> of #%2 &nbsp; "
                                 "<span style='color:%3'>%4</span>")
                                  .arg(m_selected)
                                  .arg(branch->parentDialogueId)
                                  .arg(style::mutedText().name(), bits.join(QStringLiteral(" · "))));
            m_critique->setVisible(!branch->critique.empty());
            m_critique->setText(tr("Critique: %1").arg(QString::fromStdString(branch->critique)));
        } else {
            m_compare->setDialogues(*selected, std::nullopt, 0, task);
            m_header->setText(tr("<span style='font-size:large'><b>Original #%1</b></span> &nbsp; "
                                 "<span style='color:%2'>%3 turns · reward %4 · select a branch to compare</span>")
                                  .arg(m_selected)
                                  .arg(style::mutedText().name())
                                  .arg(selected->turns.size())
                                  .arg(reward));
            m_critique->hide();
        }
        m_rewardBar->setDialogue(selected->reward, task ? task->rewardMin : 0.0, task ? task->rewardMax : 1.0);
        // Scroll to the divergence so the change is in view.
        if (branch && branch->prefixLen > 0 && m_compare->rowCount() > 0)
            m_compareView->scrollTo(m_compare->index(std::max(0, branch->prefixLen - 1), 0), QAbstractItemView::PositionAtTop);
        else
            m_compareView->scrollToTop();
    } catch (const std::exception& e) {
        session()->showStatus(tr("Regenerations: %1").arg(QString::fromUtf8(e.what())), 0);
    }
}

void RegenerationsPage::requestReward(std::optional<double> value)
{
    if (!session()->isOpen() || m_selected <= 0)
        return;
    session()->undoStack()->push(new SetRewardCommand(session(), m_selected, value));
}

void RegenerationsPage::onDialogueChanged(qint64 id)
{
    if (!session()->isOpen() || !m_tree->indexOfDialogue(id).isValid())
        return;
    try {
        m_tree->refreshRewards(session()->db());
    } catch (const std::exception&) {
    }
    if (id == m_selected)
        showSelected();
}

void RegenerationsPage::showDialogue(qint64 dialogueId)
{
    if (!session()->isOpen())
        return;
    qint64 root = dialogueId;
    try {
        root = hw::RegenerationQuery(session()->db()).rootOf(dialogueId);
    } catch (const std::exception&) {
    }
    if (m_originals->findData(QVariant::fromValue<qint64>(root)) < 0 && m_task->currentIndex() != 0) {
        m_task->setCurrentIndex(0);
        reloadOriginals();
    }
    if (root != originalId())
        loadOriginal(root);
    if (m_tree->indexOfDialogue(dialogueId).isValid())
        selectDialogue(dialogueId);
    if (m_originals->findData(QVariant::fromValue<qint64>(root)) < 0)
        session()->showStatus(tr("Dialogue %1 has no regenerations yet.").arg(dialogueId));
}

} // namespace hw::ui
