#pragma once
// The researcher's review of hindsight suggestions: dialogues with suggestions on the left (with
// per-status counts), the selected dialogue's suggestions as cards on the right (turn, critique,
// proposed text as a word diff), keyboard-driven curation (see SuggestionDeck), bulk accept or
// reject of everything the filter shows, and counts by status in the header. Every change is an
// undoable command on the session's undo stack; a bulk action is one command.
#include "ui/pages/page.h"

#include <cstdint>
#include <optional>
#include <vector>

class QLabel;
class QPushButton;
class QSplitter;
class QTableView;

namespace hw::ui {

class EmptyState;
class SuggestionDeck;
class SuggestionDialogueModel;
class SuggestionFilterBar;

class SuggestionsPage : public Page {
    Q_OBJECT
public:
    explicit SuggestionsPage(ProjectSession* session, QWidget* parent = nullptr);
    ~SuggestionsPage() override;

    QString title() const override { return tr("Suggestions"); }
    QIcon icon() const override;
    void activated() override;

    SuggestionFilterBar* filterBar() const { return m_filters; }
    SuggestionDialogueModel* model() const { return m_model; }
    QTableView* dialogueTable() const { return m_table; }
    SuggestionDeck* deck() const { return m_deck; }
    EmptyState* emptyState() const { return m_empty; }
    qint64 currentDialogueId() const { return m_shownId; }

public Q_SLOTS:
    // Shows one dialogue's suggestions (clearing filters that would hide it).
    void showDialogue(qint64 dialogueId);
    // Re-runs the filter; keeps the shown dialogue and card when they are still listed.
    void reload();
    void acceptAllShown();
    void rejectAllShown();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void onOpened();
    void onClosed();
    void onSuggestionsChanged();
    void onCurrentRowChanged();
    void loadDialogue(qint64 id);
    void updateHeader();
    void updateCounts();
    void updateEmptyState();
    void setStatus(const std::vector<int64_t>& ids, const char* status);
    void saveEdit(qint64 id, const QString& text);
    void retry(qint64 id);
    void moveDialogue(int delta);
    void reportError(const std::exception& e);

    SuggestionFilterBar* m_filters;
    SuggestionDialogueModel* m_model;
    QTableView* m_table;
    QLabel* m_header;
    QPushButton* m_openDialogue;
    SuggestionDeck* m_deck;
    QSplitter* m_splitter;
    QLabel* m_keys;
    QWidget* m_content;   // filters and splitter, hidden while the project has no suggestions
    EmptyState* m_empty;
    bool m_emptyNeedsDialogues = false;
    qint64 m_shownId = -1;
    bool m_selectLastOnLoad = false;
};

} // namespace hw::ui
