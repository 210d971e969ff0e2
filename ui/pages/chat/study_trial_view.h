#pragma once
// One trial of a human study, as the participant sees it: one agent under its anonymous label
// ("Agent B"; never its name, kind, β or token shading), for counseling first the participant's
// emotional intensity (1-5), then the chat up to the study's turn cap (further messages are
// refused, and the status line says so), then the rating panel (the task's Likert scales and the
// outcome). In the task's order: where the agent opens (persuasion), its first message comes
// before the participant's. The researcher can abandon the trial (it is offered again later). The trial runs in a
// single-agent blind chat session of ChatStore; the agent answers on its own worker thread.
#include "core/data/task.h"
#include "core/store/study_store.h"

#include <QWidget>

#include <optional>

class QButtonGroup;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QThread;

namespace hw {
struct ChatReply;
struct TokenValue;
} // namespace hw

namespace hw::ui {

class ChatColumn;
class GenerationWorker;
class ProjectSession;
class RatingPanel;

class StudyTrialView : public QWidget {
    Q_OBJECT
public:
    explicit StudyTrialView(ProjectSession* session, QWidget* parent = nullptr);
    ~StudyTrialView() override;

    // Shows the trial: a pending or abandoned one asks the initial intensity (counseling) or starts
    // at once; a running one is resumed with its messages. number/total: "Trial 4 of 9".
    // Returns false (reason in the status line) when the trial cannot start.
    bool begin(const hw::StudyInfo& study, const hw::StudyTrial& trial, const hw::Task& task, int number, int total);
    // Counseling: the participant's intensity before the chat (1-5); starts the chat.
    bool startWithIntensity(int intensity);
    bool sendMessage(const QString& text);
    // Ends the chat and shows the rating panel.
    void finish();
    // Saves the ratings: false when one is missing (reason in the status line).
    bool saveRatings();
    // Marks the trial abandoned (offered again later) and closes it.
    void abandon();
    // Stops the agent (e.g. the project closes); the trial stays running, to be resumed.
    void close();

    bool isActive() const { return m_trial.has_value(); }
    bool isGenerating() const { return m_busy; }
    bool atTurnCap() const;
    int userTurns() const { return m_userTurns; }
    QString header() const;
    QString statusText() const;
    ChatColumn* column() const { return m_column; }
    RatingPanel* ratingPanel() const { return m_rating; }
    QStackedWidget* steps() const { return m_steps; }

Q_SIGNALS:
    void agentLoaded(bool ok);
    void replyFinished();
    void trialSaved(qint64 trialId);
    void trialClosed();

private:
    QWidget* buildIntensityStep();
    QWidget* buildChatStep();
    bool openChat();
    // Asks the agent for the first message when the task's agent opens and nothing is said yet.
    void agentOpensIfDue();
    void startWorker();
    void stopWorker();
    void requestReply();
    void onToken(const hw::TokenValue& token);
    void onReply(const hw::ChatReply& reply);
    void onFailed(const QString& message);
    void updateControls();
    void setStatus(const QString& text);
    QString label() const;

    ProjectSession* m_session;
    QLabel* m_header;
    QStackedWidget* m_steps;
    QButtonGroup* m_intensity;
    QPushButton* m_intensityStart;
    ChatColumn* m_column;
    RatingPanel* m_rating = nullptr;
    QWidget* m_ratingHost;
    QPlainTextEdit* m_input;
    QPushButton* m_send;
    QPushButton* m_finish;
    QPushButton* m_save;
    QPushButton* m_abandon;
    QLabel* m_status;

    std::optional<hw::StudyInfo> m_study;
    std::optional<hw::StudyTrial> m_trial;
    hw::Task m_task;
    int m_number = 0;
    int m_total = 0;
    int m_userTurns = 0;
    bool m_rateStep = false;        // the chat is over: the rating panel shows
    QThread* m_thread = nullptr;
    GenerationWorker* m_worker = nullptr;
    bool m_loaded = false;
    bool m_loadFailed = false;
    bool m_pending = false;
    bool m_busy = false;
    int m_streamingRow = -1;
};

} // namespace hw::ui
