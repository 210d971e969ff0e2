#pragma once
// The suggestions of one dialogue as a column of cards, with a current card and the keyboard:
//   J / Down  next suggestion (past the last one: nextDialogueRequested)
//   K / Up    previous suggestion (before the first: previousDialogueRequested)
//   A         accept, then move on      R   reject, then move on
//   E         edit in place (Enter saves, Shift+Enter new line, Esc cancels)
//   U         put back to proposed
// Requests leave as signals with the suggestion id; the page makes them undoable commands.
#include "core/data/dialogue.h"
#include "core/data/task.h"
#include "core/store/suggestion_store.h"

#include <QScrollArea>

#include <optional>
#include <vector>

class QLabel;
class QVBoxLayout;

namespace hw::ui {

class SuggestionCard;

class SuggestionDeck : public QScrollArea {
    Q_OBJECT
public:
    explicit SuggestionDeck(QWidget* parent = nullptr);

    // Shows a dialogue's suggestions (a new dialogue: the first card becomes current).
    void setDialogue(const hw::Dialogue& dialogue, const std::optional<hw::Task>& task,
                     std::vector<hw::Suggestion> suggestions);
    // Fresh rows for the dialogue shown: cards are updated in place, new ones appended; the
    // current card and an edit in progress are kept.
    void updateSuggestions(std::vector<hw::Suggestion> suggestions);
    void clear(const QString& placeholder = {});

    qint64 dialogueId() const { return m_dialogue ? m_dialogue->id : -1; }
    int count() const { return static_cast<int>(m_cards.size()); }
    SuggestionCard* card(int index) const;
    SuggestionCard* currentCard() const { return card(m_current); }
    int currentIndex() const { return m_current; }
    qint64 currentId() const;
    std::vector<qint64> ids() const;
    void setCurrentIndex(int index);
    void selectLast() { setCurrentIndex(count() - 1); }
    bool isEditing() const;

    // Moves to the next/previous card; at the end asks for the next/previous dialogue.
    void next();
    void previous();

Q_SIGNALS:
    void acceptRequested(qint64 id);
    void rejectRequested(qint64 id);
    void resetRequested(qint64 id);
    void editSaved(qint64 id, const QString& text);
    void retryRequested(qint64 id);
    void nextDialogueRequested();
    void previousDialogueRequested();
    void currentChanged(qint64 id);

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    SuggestionCard* addCard(const hw::Suggestion& s);
    void updateCard(SuggestionCard* card, const hw::Suggestion& s);
    void onEditFinished();

    std::optional<hw::Dialogue> m_dialogue;
    std::optional<hw::Task> m_task;
    std::vector<SuggestionCard*> m_cards;
    int m_current = -1;
    QWidget* m_content;
    QVBoxLayout* m_layout;
    QLabel* m_placeholder;
};

} // namespace hw::ui
