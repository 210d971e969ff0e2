#pragma once
// One hindsight suggestion on the suggestions page: the dialogue's turn it replaces (with the
// user turn before it for context), the controller's critique, and the proposed text as an
// inline word diff against the turn; buttons to accept, reject, edit in place, or put back to
// proposed. A failed suggestion shows its error and the raw reply, with Retry.
//
// The card only shows and asks: every change goes out as a signal carrying the suggestion id,
// and the page turns it into an undoable command.
#include "core/store/suggestion_store.h"

#include <QFrame>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QWidget;

namespace hw::ui {

class WordDiffLabel;

class SuggestionCard : public QFrame {
    Q_OBJECT
public:
    // What the card needs from the dialogue besides the suggestion.
    struct Context {
        QString turnText;         // the dialogue's text of the replaced turn ("" when unmatched)
        QString previousText;     // the user turn just before it, for context ("" when none)
        QString agentName = QStringLiteral("Agent");
        QString userName = QStringLiteral("User");
        int suggestionsInReply = 0; // how many suggestions the reply had (for "2 of 3")
    };

    explicit SuggestionCard(QWidget* parent = nullptr);

    // Shows a suggestion. While the card is being edited the editor's text is kept.
    void setSuggestion(const hw::Suggestion& suggestion, const Context& context);
    const hw::Suggestion& suggestion() const { return m_suggestion; }
    qint64 suggestionId() const { return m_suggestion.id; }

    void setCurrent(bool current);
    bool isCurrent() const { return m_current; }

    void beginEdit();
    void cancelEdit();
    void saveEdit();
    bool isEditing() const { return m_editing; }

    QPlainTextEdit* editor() const { return m_editor; }
    WordDiffLabel* diffLabel() const { return m_diff; }
    QPushButton* acceptButton() const { return m_accept; }
    QPushButton* rejectButton() const { return m_reject; }
    QPushButton* editButton() const { return m_edit; }
    QPushButton* resetButton() const { return m_reset; }
    QPushButton* retryButton() const { return m_retry; }
    QLabel* statusLabel() const { return m_status; }

    // Colours of a status, for the card's edge and pills elsewhere.
    static QColor statusColor(const QString& status);

Q_SIGNALS:
    void acceptRequested(qint64 id);
    void rejectRequested(qint64 id);
    void resetRequested(qint64 id);
    void editStarted(qint64 id);
    void editSaved(qint64 id, const QString& text);
    void editCancelled(qint64 id);
    void retryRequested(qint64 id);
    void activated(qint64 id);   // clicked: make it the current card

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    void updateFrame();
    void updateButtons();

    hw::Suggestion m_suggestion;
    Context m_context;
    bool m_current = false;
    bool m_editing = false;

    QLabel* m_title;
    QLabel* m_status;
    QLabel* m_provenance;
    QPushButton* m_accept;
    QPushButton* m_reject;
    QPushButton* m_edit;
    QPushButton* m_reset;
    QPushButton* m_retry;
    QLabel* m_contextLabel;
    QLabel* m_originalCaption;
    QLabel* m_original;
    QLabel* m_critique;
    QLabel* m_proposedCaption;
    WordDiffLabel* m_diff;
    QLabel* m_modelText;          // the model's text, when an edit replaced it
    QWidget* m_editBox;
    QPlainTextEdit* m_editor;
    QLabel* m_error;
    QWidget* m_rawBox;
    QPlainTextEdit* m_raw;
};

} // namespace hw::ui
