#pragma once
// The selected job in the jobs panel: figures, its error, its failed items, and for the selected
// failed item the request that was sent and the reply that came back (answered calls from
// llm_calls; a call that failed — HTTP error, timeout, retries used up — from the exchange the job
// kept with the item), so a failure can be read in place. The job's configuration is on a second tab.
#include "core/store/job_store.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTableView;
class QTabWidget;

namespace hw::ui {

class JobItemModel;
class JsonTreeWidget;
class ProjectSession;

class JobDetailsView : public QWidget {
    Q_OBJECT
public:
    explicit JobDetailsView(ProjectSession* session, QWidget* parent = nullptr);

    // Shows (or refreshes) a job; the failed items are re-read from the project.
    void showJob(const hw::JobRecord& job);
    void clear();
    qint64 jobId() const { return m_jobId; }

    JobItemModel* itemModel() const { return m_items; }
    QTableView* itemsView() const { return m_itemsView; }
    QPlainTextEdit* requestView() const { return m_request; }
    QPlainTextEdit* replyView() const { return m_reply; }
    QLabel* errorLabel() const { return m_error; }

    // A request body as readable text: each message under a "── role ──" line.
    static QString formatRequest(const std::string& requestJson);
    // A raw reply body: the message content first, then the JSON.
    static QString formatReply(const std::string& content, const std::string& responseJson);

private:
    void showItem();

    ProjectSession* m_session;
    qint64 m_jobId = 0;
    QLabel* m_title;
    QLabel* m_figures;
    QLabel* m_error;
    QTabWidget* m_tabs;
    JobItemModel* m_items;
    QTableView* m_itemsView;
    QLabel* m_itemError;
    QPlainTextEdit* m_request;
    QPlainTextEdit* m_reply;
    JsonTreeWidget* m_config;
};

} // namespace hw::ui
