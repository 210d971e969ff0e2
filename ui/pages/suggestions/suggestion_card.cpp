#include "ui/pages/suggestions/suggestion_card.h"

#include "core/store/suggestion_query.h"
#include "ui/style/ui_style.h"
#include "ui/widgets/word_diff_label.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace hw::ui {
namespace {

QLabel* caption(const QString& text)
{
    auto* l = new QLabel(text);
    QFont f = l->font();
    f.setPointSizeF(std::max(7.0, f.pointSizeF() * 0.85));
    f.setBold(true);
    l->setFont(f);
    l->setStyleSheet(style::mutedTextCss());
    return l;
}

QLabel* body()
{
    auto* l = new QLabel;
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setTextFormat(Qt::PlainText);
    return l;
}

QPushButton* smallButton(const QString& text, const QString& tip)
{
    auto* b = new QPushButton(text);
    b->setToolTip(tip);
    b->setFocusPolicy(Qt::NoFocus); // keys belong to the deck
    b->setCursor(Qt::PointingHandCursor);
    return b;
}

} // namespace

QColor SuggestionCard::statusColor(const QString& status)
{
    if (status == QLatin1String("accepted"))
        return style::stateDone();
    if (status == QLatin1String("rejected"))
        return style::faintText();
    if (status == QLatin1String("failed"))
        return style::stateStopped();
    return style::stateRunning();
}

SuggestionCard::SuggestionCard(QWidget* parent)
    : QFrame(parent), m_title(new QLabel), m_status(new QLabel), m_provenance(new QLabel),
      m_accept(smallButton(tr("Accept"), tr("Accept this suggestion (A)"))),
      m_reject(smallButton(tr("Reject"), tr("Reject this suggestion (R)"))),
      m_edit(smallButton(tr("Edit"), tr("Edit the proposed text in place (E; Enter saves, Esc cancels)"))),
      m_reset(smallButton(tr("Undecide"), tr("Put back to proposed"))),
      m_retry(smallButton(tr("Retry"), tr("Ask the controller again about this dialogue"))), m_contextLabel(body()),
      m_originalCaption(caption(tr("Original turn"))), m_original(body()), m_critique(body()),
      m_proposedCaption(caption(tr("Proposed"))), m_diff(new WordDiffLabel), m_modelText(body()),
      m_editBox(new QWidget), m_editor(new QPlainTextEdit), m_error(body()), m_rawBox(new QWidget),
      m_raw(new QPlainTextEdit)
{
    setObjectName(QStringLiteral("suggestionCard"));
    setFrameShape(QFrame::NoFrame);
    setAttribute(Qt::WA_StyledBackground);
    setFocusPolicy(Qt::NoFocus);

    QFont tf = m_title->font();
    tf.setBold(true);
    m_title->setFont(tf);
    m_provenance->setStyleSheet(style::mutedTextCss());
    m_contextLabel->setStyleSheet(style::mutedTextCss());
    m_original->setStyleSheet(QStringLiteral("QLabel { background: %1; border-radius: 4px; padding: 6px; color: %2; }")
                                  .arg(style::quoteBackground().name(), style::bodyText().name()));
    QFont cf = m_critique->font();
    cf.setItalic(true);
    m_critique->setFont(cf);
    m_critique->setStyleSheet(style::secondaryTextCss());
    m_diff->setStyleSheet(QStringLiteral("QLabel { background: %1; border: 1px solid %2; border-radius: 4px; padding: 6px; }")
                              .arg(style::cardBackground().name(), style::cardBorder().name()));
    m_modelText->setStyleSheet(style::colorCss(style::faintText()));
    m_error->setStyleSheet(QStringLiteral("QLabel { background: %1; border: 1px solid %2; border-radius: 4px; padding: 6px;"
                                          " color: %3; }")
                               .arg(style::warningBackground().name(), style::warningBorder().name(),
                                    style::warningText().name()));
    m_raw->setReadOnly(true);
    m_raw->setMaximumHeight(150);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    m_raw->setFont(mono);
    m_editor->setTabChangesFocus(true);
    m_editor->setMinimumHeight(60);
    m_editor->setMaximumHeight(140);
    m_editor->installEventFilter(this);

    auto* header = new QHBoxLayout;
    header->setSpacing(8);
    header->addWidget(m_title);
    header->addWidget(m_status);
    header->addWidget(m_provenance);
    header->addStretch(1);
    for (QPushButton* b : {m_retry, m_reset, m_edit, m_reject, m_accept})
        header->addWidget(b);
    connect(m_accept, &QPushButton::clicked, this, [this] { Q_EMIT acceptRequested(m_suggestion.id); });
    connect(m_reject, &QPushButton::clicked, this, [this] { Q_EMIT rejectRequested(m_suggestion.id); });
    connect(m_reset, &QPushButton::clicked, this, [this] { Q_EMIT resetRequested(m_suggestion.id); });
    connect(m_retry, &QPushButton::clicked, this, [this] { Q_EMIT retryRequested(m_suggestion.id); });
    connect(m_edit, &QPushButton::clicked, this, [this] {
        Q_EMIT activated(m_suggestion.id);
        beginEdit();
    });

    auto* editLayout = new QVBoxLayout(m_editBox);
    editLayout->setContentsMargins(0, 0, 0, 0);
    editLayout->setSpacing(2);
    editLayout->addWidget(m_editor);
    auto* hint = new QLabel(tr("Enter saves · Shift+Enter new line · Esc cancels"));
    hint->setStyleSheet(style::mutedTextCss());
    editLayout->addWidget(hint);
    m_editBox->hide();

    auto* rawLayout = new QVBoxLayout(m_rawBox);
    rawLayout->setContentsMargins(0, 0, 0, 0);
    rawLayout->setSpacing(2);
    rawLayout->addWidget(caption(tr("Raw reply")));
    rawLayout->addWidget(m_raw);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 10, 12, 10);
    layout->setSpacing(5);
    layout->addLayout(header);
    layout->addWidget(m_contextLabel);
    layout->addWidget(m_originalCaption);
    layout->addWidget(m_original);
    layout->addWidget(m_critique);
    layout->addWidget(m_proposedCaption);
    layout->addWidget(m_diff);
    layout->addWidget(m_modelText);
    layout->addWidget(m_editBox);
    layout->addWidget(m_error);
    layout->addWidget(m_rawBox);
    updateFrame();
}

void SuggestionCard::setSuggestion(const hw::Suggestion& s, const Context& context)
{
    m_suggestion = s;
    m_context = context;
    const QString status = QString::fromStdString(s.status);
    const bool failed = s.status == hw::suggestion_status::kFailed;

    QString title = s.rank > 0 ? tr("Suggestion %1").arg(s.rank) : tr("Reply");
    if (s.rank > 0 && context.suggestionsInReply > 1)
        title = tr("Suggestion %1 of %2").arg(s.rank).arg(context.suggestionsInReply);
    if (s.turnIndex)
        title += tr(" · turn %1").arg(*s.turnIndex + 1);
    m_title->setText(title);
    const QColor c = statusColor(status);
    m_status->setText(status);
    m_status->setStyleSheet(QStringLiteral("QLabel { color: white; background: %1; border-radius: 8px; padding: 1px 8px; }")
                                .arg(c.name()));
    QString prov = QString::fromStdString(hw::SuggestionQuery::provenanceKind(s.provenance));
    if (s.provenance.is_object() && s.provenance.contains("model") && s.provenance["model"].is_string())
        prov += (prov.isEmpty() ? QString() : QStringLiteral(" · ")) + QString::fromStdString(s.provenance["model"].get<std::string>());
    if (s.editedText)
        prov += (prov.isEmpty() ? QString() : QStringLiteral(" · ")) + tr("edited");
    m_provenance->setText(prov);

    m_contextLabel->setVisible(!context.previousText.isEmpty());
    m_contextLabel->setText(tr("%1: %2").arg(context.userName, context.previousText));

    const QString turn = !context.turnText.isEmpty() ? context.turnText : QString::fromStdString(s.originalText);
    m_originalCaption->setText(s.turnIndex ? tr("%1, turn %2").arg(context.agentName).arg(*s.turnIndex + 1)
                                           : tr("Quoted by the controller (not found in the dialogue)"));
    m_original->setText(turn);
    m_originalCaption->setVisible(!turn.isEmpty());
    m_original->setVisible(!turn.isEmpty());
    m_critique->setText(QString::fromStdString(s.critique));
    m_critique->setVisible(!s.critique.empty());

    const QString effective = QString::fromStdString(s.effectiveText());
    m_proposedCaption->setText(s.editedText ? tr("Proposed — edited by you") : tr("Proposed"));
    m_diff->setTexts(turn, effective);
    m_proposedCaption->setVisible(!effective.isEmpty());
    m_diff->setVisible(!effective.isEmpty());
    m_modelText->setVisible(s.editedText.has_value() && s.proposedText != *s.editedText);
    m_modelText->setText(tr("Model proposed: %1").arg(QString::fromStdString(s.proposedText)));

    m_error->setVisible(!s.error.empty());
    m_error->setText(tr("Why it failed: %1").arg(QString::fromStdString(s.error)));
    m_rawBox->setVisible(failed && !s.rawReply.empty());
    if (failed && m_raw->toPlainText() != QString::fromStdString(s.rawReply))
        m_raw->setPlainText(QString::fromStdString(s.rawReply));

    if (!m_editing)
        m_editor->setPlainText(effective);
    updateButtons();
    updateFrame();
}

void SuggestionCard::updateButtons()
{
    const std::string& st = m_suggestion.status;
    const bool failed = st == hw::suggestion_status::kFailed;
    m_accept->setVisible(!failed && !m_editing);
    m_accept->setEnabled(st != hw::suggestion_status::kAccepted && m_suggestion.turnIndex.has_value());
    m_reject->setVisible(!m_editing);
    m_reject->setEnabled(st != hw::suggestion_status::kRejected);
    m_edit->setVisible(!failed && !m_editing);
    m_reset->setVisible((st == hw::suggestion_status::kAccepted || st == hw::suggestion_status::kRejected) && !m_editing);
    m_retry->setVisible(failed);
}

void SuggestionCard::updateFrame()
{
    const QColor edge = statusColor(QString::fromStdString(m_suggestion.status));
    const QString border = m_current ? QStringLiteral("2px solid %1").arg(style::cardCurrentBorder().name())
                                     : QStringLiteral("1px solid %1").arg(style::cardBorder().name());
    const QString background = (m_suggestion.status == hw::suggestion_status::kRejected ? style::cardDimmedBackground()
                                                                                          : style::cardBackground())
                                   .name();
    setStyleSheet(QStringLiteral("QFrame#suggestionCard { background: %1; border: %2; border-left: 5px solid %3;"
                                 " border-radius: 6px; }")
                      .arg(background, border, edge.name()));
}

void SuggestionCard::setCurrent(bool current)
{
    if (m_current == current)
        return;
    m_current = current;
    updateFrame();
}

void SuggestionCard::beginEdit()
{
    if (m_suggestion.status == hw::suggestion_status::kFailed)
        return;
    m_editing = true;
    m_editor->setPlainText(QString::fromStdString(m_suggestion.effectiveText()));
    m_editBox->show();
    m_diff->hide();
    m_modelText->hide();
    updateButtons();
    m_editor->setFocus();
    m_editor->selectAll();
    Q_EMIT editStarted(m_suggestion.id);
}

void SuggestionCard::cancelEdit()
{
    if (!m_editing)
        return;
    m_editing = false;
    m_editBox->hide();
    setSuggestion(m_suggestion, m_context);
    Q_EMIT editCancelled(m_suggestion.id);
}

void SuggestionCard::saveEdit()
{
    if (!m_editing)
        return;
    const QString text = m_editor->toPlainText().trimmed();
    m_editing = false;
    m_editBox->hide();
    setSuggestion(m_suggestion, m_context);
    if (!text.isEmpty() && text.toStdString() != m_suggestion.effectiveText())
        Q_EMIT editSaved(m_suggestion.id, text);
    else
        Q_EMIT editCancelled(m_suggestion.id);
}

bool SuggestionCard::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_editor && event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && !(key->modifiers() & Qt::ShiftModifier)) {
            saveEdit();
            return true;
        }
        if (key->key() == Qt::Key_Escape) {
            cancelEdit();
            return true;
        }
    }
    return QFrame::eventFilter(watched, event);
}

void SuggestionCard::mousePressEvent(QMouseEvent* event)
{
    Q_EMIT activated(m_suggestion.id);
    QFrame::mousePressEvent(event);
}

} // namespace hw::ui
