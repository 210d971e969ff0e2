#pragma once
// Chat with checkpoints: the researcher plays the user and talks to 2-4 agents side by side
// (checkpoints as π_β or ILQL with a live β, endpoints with a prompting baseline); every column
// gets the same message. Blind mode shows "Agent A/B/..." in a shuffled column order (stored with
// the session) and hides β and the shading until the ratings are in. The Human study tab
// (study_view.h) runs the user-study protocol: participants, one anonymised agent per trial. Sessions, messages (with
// per-token Q̂, V, π_β) and ratings are saved in the project; the Results tab aggregates them.
// Generation runs on one worker thread per agent and streams into the bubbles; Stop cancels.
#include "core/chat/chat_agent_spec.h"
#include "core/data/dialogue.h"
#include "core/data/task.h"
#include "core/store/chat_store.h"
#include "ui/pages/page.h"

#include <QList>

#include <optional>
#include <vector>

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QThread;
class QHBoxLayout;

namespace hw {
struct ChatReply;
struct TokenValue;
} // namespace hw

namespace hw::ui {

class ChatColumn;
class ChatResultsView;
class ChatSetupView;
class EmptyState;
class GenerationWorker;
class RatingPanel;
class StudyView;

class ChatPage : public Page {
    Q_OBJECT
public:
    explicit ChatPage(ProjectSession* session, QWidget* parent = nullptr);
    ~ChatPage() override;

    QString title() const override { return tr("Chat"); }
    QIcon icon() const override;
    void activated() override;

    // Creates and opens a session. columnOrder empty: identity, or a random shuffle when blind.
    // Returns the session id (0 on failure, with the reason in the status line).
    qint64 startSession(const QString& taskName, bool blind, std::vector<hw::ChatAgentSpec> agents,
                        const QString& context = {}, std::vector<int> columnOrder = {});
    // Opens a saved session (its columns, messages and ratings).
    bool openSession(qint64 sessionId);
    void closeSession();
    // Sends the researcher's message to every agent.
    bool sendMessage(const QString& text);
    void stopGeneration();
    // Shows the rating panels (names stay hidden in blind mode until the ratings are saved).
    void finishSession();
    // Saves every column's ratings and marks the session finished; false when one is incomplete.
    bool saveRatings();

    qint64 sessionId() const { return m_info ? m_info->id : 0; }
    const std::optional<hw::ChatSessionInfo>& sessionInfo() const { return m_info; }
    bool isGenerating() const;
    bool agentsReady() const;
    QList<ChatColumn*> columns() const;
    RatingPanel* ratingPanel(int column) const;
    ChatResultsView* results() const { return m_results; }
    StudyView* study() const { return m_study; }
    QTabWidget* tabs() const { return m_tabs; }
    EmptyState* emptyState() const { return m_empty; }
    QString statusText() const;
    void showSetup();

Q_SIGNALS:
    void agentLoaded(int column, bool ok);
    void replyFinished(int column);
    void allRepliesFinished();
    void sessionSaved(qint64 sessionId);

private:
    struct Column {
        ChatColumn* widget = nullptr;
        QThread* thread = nullptr;
        GenerationWorker* worker = nullptr;
        RatingPanel* rating = nullptr;
        int slot = 0;
        bool loaded = false;
        bool loadFailed = false;
        bool busy = false;
        bool hasValues = false;
        int streamingRow = -1;
        int tokens = 0;
        bool pending = false;     // a request waits for the agent to load
        QString error;            // the last load or reply error, in full (shown once unblinded)
        bool errorOnLoad = false;
    };

    QWidget* buildConversation();
    void refreshSessions();
    void updateEmptyState();
    QString sessionText(const hw::ChatSessionInfo& s) const;
    void updateSessionItem(const hw::ChatSessionInfo& s); // one line of the list, in place
    void buildColumns();
    void startWorker(int column);
    void stopWorkers();
    void requestReply(int column);
    void onToken(int column, const hw::TokenValue& token);
    void onReply(int column, const hw::ChatReply& reply);
    void onReplyFailed(int column, const QString& message);
    void endReply(int column, const QString& tag, const QString& status);
    bool namesHidden() const;
    QString replyStatus(const hw::ChatReply& reply, bool local) const;
    QString errorStatus(int column) const;
    void showError(int column);
    void updateControls();
    void applyBlindState();
    void setStatus(const QString& text);
    std::vector<hw::Turn> historyOf(int column) const;
    std::optional<hw::Task> taskOf(const QString& name);

    QTabWidget* m_tabs;
    QListWidget* m_sessions;
    QStackedWidget* m_stack;
    ChatSetupView* m_setup;
    // conversation
    QLabel* m_header;
    QHBoxLayout* m_columnsLayout;
    QPlainTextEdit* m_input;
    QPushButton* m_send;
    QPushButton* m_stop;
    QPushButton* m_finish;
    QPushButton* m_saveRatings;
    QLabel* m_status;
    ChatResultsView* m_results;
    StudyView* m_study;              // the Human study tab
    EmptyState* m_empty = nullptr;   // instead of the tabs while there is nothing to chat with

    std::optional<hw::ChatSessionInfo> m_info;
    hw::Task m_taskObj;
    std::vector<Column> m_columns;   // in column (display) order
    bool m_rating = false;
};

} // namespace hw::ui
