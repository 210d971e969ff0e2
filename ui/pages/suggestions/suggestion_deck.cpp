#include "ui/pages/suggestions/suggestion_deck.h"

#include "ui/pages/suggestions/suggestion_card.h"
#include "ui/style/ui_style.h"

#include <QKeyEvent>
#include <QLabel>
#include <QPushButton>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTimer>
#include <QVBoxLayout>

#include <map>

namespace hw::ui {
namespace {

QString capitalized(const std::string& s)
{
    QString q = QString::fromStdString(s);
    if (!q.isEmpty())
        q[0] = q[0].toUpper();
    return q;
}

} // namespace

SuggestionDeck::SuggestionDeck(QWidget* parent)
    : QScrollArea(parent), m_content(new QWidget), m_layout(new QVBoxLayout(m_content)), m_placeholder(new QLabel)
{
    setWidgetResizable(true);
    setFocusPolicy(Qt::StrongFocus);
    setFrameShape(QFrame::NoFrame);
    m_content->setObjectName(QStringLiteral("suggestionDeck"));
    m_content->setStyleSheet(
        QStringLiteral("QWidget#suggestionDeck { background: %1; }").arg(style::deckBackground().name()));
    m_layout->setContentsMargins(12, 10, 12, 10);
    m_layout->setSpacing(10);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setStyleSheet(style::mutedTextCss() + QStringLiteral("; padding: 30px"));
    m_layout->addWidget(m_placeholder);
    m_layout->addStretch(1);
    setWidget(m_content);
    clear();
}

SuggestionCard* SuggestionDeck::card(int index) const
{
    return index >= 0 && index < count() ? m_cards[static_cast<size_t>(index)] : nullptr;
}

qint64 SuggestionDeck::currentId() const
{
    const SuggestionCard* c = currentCard();
    return c ? c->suggestionId() : -1;
}

std::vector<qint64> SuggestionDeck::ids() const
{
    std::vector<qint64> out;
    for (const SuggestionCard* c : m_cards)
        out.push_back(c->suggestionId());
    return out;
}

bool SuggestionDeck::isEditing() const
{
    for (const SuggestionCard* c : m_cards)
        if (c->isEditing())
            return true;
    return false;
}

void SuggestionDeck::clear(const QString& placeholder)
{
    for (SuggestionCard* c : m_cards)
        delete c;
    m_cards.clear();
    m_current = -1;
    m_dialogue.reset();
    m_task.reset();
    m_placeholder->setText(placeholder.isEmpty() ? tr("No suggestion to show.") : placeholder);
    m_placeholder->show();
}

void SuggestionDeck::updateCard(SuggestionCard* card, const hw::Suggestion& s)
{
    SuggestionCard::Context ctx;
    if (m_task) {
        ctx.agentName = capitalized(m_task->agentRole);
        ctx.userName = capitalized(m_task->userRole);
    }
    if (m_dialogue && s.turnIndex) {
        const auto& turns = m_dialogue->turns;
        for (size_t i = 0; i < turns.size(); ++i) {
            if (turns[i].index != *s.turnIndex)
                continue;
            ctx.turnText = QString::fromStdString(turns[i].text);
            for (size_t j = i; j-- > 0;)
                if (turns[j].role == hw::Role::User) {
                    ctx.previousText = QString::fromStdString(turns[j].text);
                    break;
                }
            break;
        }
    }
    // Suggestions of the same reply (same job) are numbered "n of m".
    int inReply = 0;
    for (const SuggestionCard* c : m_cards)
        if (c->suggestion().jobId == s.jobId && c->suggestion().rank > 0)
            ++inReply;
    ctx.suggestionsInReply = std::max(inReply, s.rank);
    card->setSuggestion(s, ctx);
}

SuggestionCard* SuggestionDeck::addCard(const hw::Suggestion& s)
{
    auto* card = new SuggestionCard(m_content);
    m_layout->insertWidget(m_layout->count() - 1, card); // before the stretch
    card->show(); // now, not on the next event loop pass: keys may edit it at once
    m_cards.push_back(card);
    connect(card, &SuggestionCard::acceptRequested, this, &SuggestionDeck::acceptRequested);
    connect(card, &SuggestionCard::rejectRequested, this, &SuggestionDeck::rejectRequested);
    connect(card, &SuggestionCard::resetRequested, this, &SuggestionDeck::resetRequested);
    connect(card, &SuggestionCard::retryRequested, this, &SuggestionDeck::retryRequested);
    connect(card, &SuggestionCard::editSaved, this, [this](qint64 id, const QString& text) {
        Q_EMIT editSaved(id, text);
        onEditFinished();
    });
    connect(card, &SuggestionCard::editCancelled, this, &SuggestionDeck::onEditFinished);
    connect(card, &SuggestionCard::activated, this, [this](qint64 id) {
        for (int i = 0; i < count(); ++i)
            if (m_cards[static_cast<size_t>(i)]->suggestionId() == id)
                setCurrentIndex(i);
        setFocus();
    });
    updateCard(card, s);
    return card;
}

void SuggestionDeck::setDialogue(const hw::Dialogue& dialogue, const std::optional<hw::Task>& task,
                                 std::vector<hw::Suggestion> suggestions)
{
    clear();
    m_dialogue = dialogue;
    m_task = task;
    m_placeholder->setVisible(suggestions.empty());
    for (const auto& s : suggestions)
        addCard(s);
    // Numbering needs every card of the reply: a second pass now that all exist.
    for (size_t i = 0; i < m_cards.size(); ++i)
        updateCard(m_cards[i], suggestions[i]);
    verticalScrollBar()->setValue(0);
    setCurrentIndex(m_cards.empty() ? -1 : 0);
}

void SuggestionDeck::updateSuggestions(std::vector<hw::Suggestion> suggestions)
{
    if (!m_dialogue)
        return;
    std::map<qint64, const hw::Suggestion*> byId;
    for (const auto& s : suggestions)
        byId[s.id] = &s;
    for (SuggestionCard* c : m_cards) {
        const auto it = byId.find(c->suggestionId());
        if (it != byId.end()) {
            updateCard(c, *it->second);
            byId.erase(it);
        }
    }
    for (const auto& s : suggestions)
        if (byId.count(s.id))
            addCard(s);
    m_placeholder->setVisible(m_cards.empty());
    if (m_current < 0 && !m_cards.empty())
        setCurrentIndex(0);
}

void SuggestionDeck::setCurrentIndex(int index)
{
    if (index < -1 || index >= count())
        return;
    if (SuggestionCard* old = currentCard(); old && index != m_current && old->isEditing())
        old->cancelEdit();
    m_current = index;
    for (int i = 0; i < count(); ++i)
        m_cards[static_cast<size_t>(i)]->setCurrent(i == index);
    if (SuggestionCard* c = currentCard()) {
        // After layout, so a card just added has its geometry.
        QTimer::singleShot(0, this, [this, c] {
            if (currentCard() == c)
                ensureWidgetVisible(c, 0, 24);
        });
        Q_EMIT currentChanged(c->suggestionId());
    } else {
        Q_EMIT currentChanged(-1);
    }
}

void SuggestionDeck::next()
{
    if (m_current + 1 < count())
        setCurrentIndex(m_current + 1);
    else
        Q_EMIT nextDialogueRequested();
}

void SuggestionDeck::previous()
{
    if (m_current > 0)
        setCurrentIndex(m_current - 1);
    else
        Q_EMIT previousDialogueRequested();
}

void SuggestionDeck::onEditFinished()
{
    // Back to the deck so the next key is a command, not text.
    setFocus();
}

void SuggestionDeck::keyPressEvent(QKeyEvent* event)
{
    if (event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier)) {
        QScrollArea::keyPressEvent(event);
        return;
    }
    SuggestionCard* c = currentCard();
    switch (event->key()) {
    case Qt::Key_J:
    case Qt::Key_Down:
        next();
        break;
    case Qt::Key_K:
    case Qt::Key_Up:
        previous();
        break;
    case Qt::Key_A:
        if (c && c->suggestion().status != hw::suggestion_status::kFailed && c->acceptButton()->isEnabled()) {
            Q_EMIT acceptRequested(c->suggestionId());
            next();
        }
        break;
    case Qt::Key_R:
        if (c && c->rejectButton()->isEnabled()) {
            Q_EMIT rejectRequested(c->suggestionId());
            next();
        }
        break;
    case Qt::Key_U:
        if (c && c->suggestion().status != hw::suggestion_status::kProposed
            && c->suggestion().status != hw::suggestion_status::kFailed)
            Q_EMIT resetRequested(c->suggestionId());
        break;
    case Qt::Key_E:
        if (c)
            c->beginEdit();
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (c && c->isEditing())
            c->saveEdit();
        break;
    case Qt::Key_Escape:
        if (c && c->isEditing())
            c->cancelEdit();
        break;
    default:
        QScrollArea::keyPressEvent(event);
        return;
    }
    event->accept();
}

} // namespace hw::ui
