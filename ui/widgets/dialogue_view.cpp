#include "ui/widgets/dialogue_view.h"

#include "ui/widgets/lineage_text.h"

#include "core/chat/token_value.h"
#include "ui/models/chat_message_model.h"
#include "ui/models/dialogue_table_model.h"
#include "ui/models/turn_list_model.h"
#include "ui/settings/workbench_settings.h"
#include "ui/style/ui_style.h"
#include "ui/widgets/chat_bubble_delegate.h"
#include "ui/widgets/token_shading.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QScrollBar>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace hw::ui {

DialogueView::DialogueView(QWidget* parent)
    : QWidget(parent),
      m_title(new QLabel(this)),
      m_subtitle(new QLabel(this)),
      m_reward(new QLabel(this)),
      m_lineage(new QLabel(this)),
      m_headerTools(new QHBoxLayout),
      m_turns(new QListView(this)),
      m_model(new TurnListModel(this)),
      m_shaded(new ChatMessageModel(this)),
      m_bubbles(new ChatBubbleDelegate(this)),
      m_shading(new TokenShadingDelegate(this)),
      m_metadataToggle(new QToolButton(this)),
      m_metadata(new QTreeWidget(this))
{
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_subtitle->setStyleSheet(style::mutedTextCss());
    m_subtitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_reward->setObjectName(QStringLiteral("rewardLabel"));
    m_reward->setTextFormat(Qt::RichText);
    m_lineage->setObjectName(QStringLiteral("lineageLabel"));
    m_lineage->setTextFormat(Qt::RichText);
    m_lineage->setWordWrap(true);
    m_lineage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_lineage->hide();

    auto* header = new QHBoxLayout;
    auto* titles = new QVBoxLayout;
    titles->setSpacing(2);
    titles->addWidget(m_title);
    titles->addWidget(m_subtitle);
    titles->addWidget(m_reward);
    titles->addWidget(m_lineage);
    header->addLayout(titles, 1);
    header->addLayout(m_headerTools);

    m_turns->setModel(m_model);
    m_turns->setItemDelegate(m_bubbles);
    m_turns->setUniformItemSizes(false);
    m_turns->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_turns->verticalScrollBar()->setSingleStep(24);
    m_turns->setResizeMode(QListView::Adjust);
    m_turns->setSelectionMode(QAbstractItemView::SingleSelection);
    m_turns->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_turns->setStyleSheet(QStringLiteral("QListView { background: %1; }").arg(style::turnListBackground().name()));
    m_turns->setObjectName(QStringLiteral("turnsView"));

    m_metadataToggle->setCheckable(true);
    m_metadataToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_metadataToggle->setAutoRaise(true);
    m_metadataToggle->setText(tr("Metadata"));
    m_metadata->setColumnCount(2);
    m_metadata->setHeaderLabels({tr("Key"), tr("Value")});
    m_metadata->setRootIsDecorated(true);
    m_metadata->setAlternatingRowColors(true);
    m_metadata->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_metadata->setMaximumHeight(220);
    connect(m_metadataToggle, &QToolButton::toggled, this, [this](bool on) {
        setMetadataExpanded(on);
        prefs::dialogueMetadataExpanded = on;
    });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addLayout(header);
    layout->addWidget(m_turns, 1);
    layout->addWidget(m_metadataToggle);
    layout->addWidget(m_metadata);
    setMetadataExpanded(prefs::dialogueMetadataExpanded);
    clear();
}

void DialogueView::addHeaderWidget(QWidget* widget) { m_headerTools->addWidget(widget, 0, Qt::AlignTop); }

bool DialogueView::metadataExpanded() const { return m_metadataToggle->isChecked(); }

void DialogueView::setMetadataExpanded(bool expanded)
{
    m_metadataToggle->setChecked(expanded);
    m_metadataToggle->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
    m_metadata->setVisible(expanded);
}

void DialogueView::setLineage(const nlohmann::json& lineage)
{
    const QString html = lineageHtml(lineage);
    m_lineage->setText(html);
    m_lineage->setVisible(!html.isEmpty());
}

QString DialogueView::lineageText() const { return m_lineage->isVisibleTo(this) ? m_lineage->text() : QString(); }

QString DialogueView::rewardText(const std::optional<double>& reward, const std::string& source)
{
    if (!reward)
        return tr("unlabeled");
    QString text = QLocale().toString(*reward, 'f', 2);
    if (!source.empty())
        text += QStringLiteral(" (%1)").arg(QString::fromStdString(source));
    return text;
}

void DialogueView::setDialogue(const hw::Dialogue& d, const std::optional<hw::Task>& task)
{
    m_dialogueId = d.id;
    setLineage(nullptr);
    m_title->setText(tr("Dialogue %1 · %2").arg(d.id).arg(QString::fromStdString(d.task)));
    QString sub = tr("%1 · %2 turns (%3 by the agent) · uid %4")
                      .arg(QString::fromStdString(d.source))
                      .arg(d.turns.size())
                      .arg(d.agentTurnCount())
                      .arg(QString::fromStdString(d.uid).left(40));
    if (!d.split.empty())
        sub += tr(" · %1 split").arg(QString::fromStdString(d.split));
    m_subtitle->setText(sub);

    const QString meaning = task ? QString::fromStdString(task->rewardName) : QString();
    if (d.reward) {
        const QString colour = (d.rewardSource == "human" ? style::humanRewardText() : style::rewardText()).name();
        m_reward->setText(tr("Reward <b style=\"color:%1\">%2</b> %3 · labeled by <b>%4</b>")
                              .arg(colour, QLocale().toString(*d.reward, 'f', 2),
                                   meaning.isEmpty() ? QString() : QStringLiteral("(%1)").arg(meaning.toHtmlEscaped()),
                                   QString::fromStdString(d.rewardSource).toHtmlEscaped()));
    } else {
        m_reward->setText(tr("Reward <b style=\"color:%1\">unlabeled</b> %2")
                              .arg(style::faintText().name(),
                                   meaning.isEmpty() ? QString() : QStringLiteral("(%1)").arg(meaning.toHtmlEscaped())));
    }
    if (d.flags)
        m_reward->setText(m_reward->text() + tr(" · <span style=\"color:%1\">flags: %2</span>")
                                                 .arg(style::warningText().name(),
                                                      DialogueTableModel::flagsText(d.flags).toHtmlEscaped()));
    // A regeneration keeps its parent's first prefix_len turns; the rest are generated: mark them.
    int generatedFrom = -1;
    if (d.source == hw::source::kRegeneration && d.metadata.is_object()) {
        const auto regen = d.metadata.find("regeneration");
        if (regen != d.metadata.end() && regen->is_object() && regen->contains("prefix_len")
            && (*regen)["prefix_len"].is_number_integer())
            generatedFrom = (*regen)["prefix_len"].get<int>();
    }
    if (generatedFrom >= 0 && generatedFrom < static_cast<int>(d.turns.size()))
        m_subtitle->setText(m_subtitle->text() + tr(" · turns from #%1 on are regenerated").arg(generatedFrom + 1));
    m_model->setTurns(d.turns, task ? QString::fromStdString(task->agentRole) : QString(),
                      task ? QString::fromStdString(task->userRole) : QString(), generatedFrom);
    const bool shaded = fillShaded(d, task);
    useShading(shaded);
    if (shaded)
        m_subtitle->setText(m_subtitle->text()
                            + tr(" · agent tokens shaded by advantage Q̂ − V (red below, blue above what V expected; "
                                 "hover a token)"));
    m_turns->scrollToTop();
    fillMetadata(d.metadata);
    m_turns->setEnabled(true);
}

void DialogueView::clear(const QString& placeholder)
{
    m_dialogueId = -1;
    m_title->setText(placeholder.isEmpty() ? tr("No dialogue selected") : placeholder);
    m_subtitle->setText(tr("Select a row in the table to read the conversation."));
    m_reward->clear();
    setLineage(nullptr);
    m_model->clear();
    m_shaded->clear();
    useShading(false);
    m_metadata->clear();
    m_metadataToggle->setText(tr("Metadata"));
    m_turns->setEnabled(false);
}

bool DialogueView::isShaded() const { return m_turns->model() == m_shaded; }

bool DialogueView::fillShaded(const hw::Dialogue& d, const std::optional<hw::Task>& task)
{
    std::vector<std::vector<hw::TokenValue>> tokens(d.turns.size());
    bool any = false;
    for (size_t i = 0; i < d.turns.size(); ++i) {
        const auto& a = d.turns[i].annotations;
        if (d.turns[i].role != hw::Role::Agent || !a.is_object() || !a.contains("provenance"))
            continue;
        const auto& p = a["provenance"];
        if (!p.is_object() || !p.contains("tokens"))
            continue;
        tokens[i] = hw::tokenValuesFromJson(p["tokens"]);
        for (const auto& t : tokens[i])
            any = any || t.hasValues();
    }
    m_shaded->clear();
    if (!any)
        return false;
    // Named as the plain bubbles name them ("Persuader", "Persuadee").
    auto name = [](const std::string& role, const QString& fallback) {
        const QString s = QString::fromStdString(role);
        return s.isEmpty() ? fallback : s.left(1).toUpper() + s.mid(1);
    };
    m_shaded->setNames(name(task ? task->agentRole : std::string(), tr("Agent")),
                       name(task ? task->userRole : std::string(), tr("User")));
    for (size_t i = 0; i < d.turns.size(); ++i) {
        const QString text = QString::fromStdString(d.turns[i].text);
        if (d.turns[i].role == hw::Role::Agent)
            m_shaded->addAgentMessage(text, tokens[i]);
        else
            m_shaded->addUserMessage(text);
    }
    return true;
}

void DialogueView::useShading(bool on)
{
    if (isShaded() == on)
        return;
    m_turns->setModel(on ? static_cast<QAbstractItemModel*>(m_shaded) : m_model);
    m_turns->setItemDelegate(on ? static_cast<QAbstractItemDelegate*>(m_shading) : m_bubbles);
}

void DialogueView::addJson(QTreeWidgetItem* parent, QTreeWidget* tree, const QString& key,
                           const nlohmann::json& value)
{
    auto* item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(tree);
    item->setText(0, key);
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it)
            addJson(item, tree, QString::fromStdString(it.key()), it.value());
        item->setText(1, tr("{%1 keys}").arg(value.size()));
    } else if (value.is_array()) {
        int i = 0;
        for (const auto& v : value)
            addJson(item, tree, QStringLiteral("[%1]").arg(i++), v);
        item->setText(1, tr("[%1 items]").arg(value.size()));
    } else {
        const QString text = value.is_string() ? QString::fromStdString(value.get<std::string>())
                                               : QString::fromStdString(value.dump());
        item->setText(1, text);
        item->setToolTip(1, text);
    }
}

void DialogueView::fillMetadata(const nlohmann::json& metadata)
{
    m_metadata->clear();
    int n = 0;
    if (metadata.is_object()) {
        for (auto it = metadata.begin(); it != metadata.end(); ++it, ++n)
            addJson(nullptr, m_metadata, QString::fromStdString(it.key()), it.value());
    }
    m_metadataToggle->setText(tr("Metadata (%1)").arg(n));
    m_metadata->collapseAll();
}

} // namespace hw::ui
