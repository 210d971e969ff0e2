#include "ui/pages/jobs/job_details_view.h"

#include "core/pipeline/job_lease.h"
#include "core/pipeline/stage_registry.h"
#include "core/util/liveness.h"
#include "core/llm/call_cache.h"
#include "ui/models/job_item_model.h"
#include "ui/project_session.h"
#include "ui/style/ui_style.h"
#include "ui/widgets/json_tree_widget.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace hw::ui {
namespace {

QPlainTextEdit* readOnlyText(const QString& placeholder)
{
    auto* t = new QPlainTextEdit;
    t->setReadOnly(true);
    t->setPlaceholderText(placeholder);
    t->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    mono.setPointSizeF(std::max(7.0, t->font().pointSizeF() * 0.92));
    t->setFont(mono);
    return t;
}

QWidget* titled(const QString& title, QWidget* body)
{
    auto* w = new QWidget;
    auto* l = new QVBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    l->setSpacing(2);
    auto* label = new QLabel(QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped()));
    l->addWidget(label);
    l->addWidget(body, 1);
    return w;
}

} // namespace

JobDetailsView::JobDetailsView(ProjectSession* session, QWidget* parent)
    : QWidget(parent), m_session(session), m_title(new QLabel), m_figures(new QLabel), m_error(new QLabel),
      m_tabs(new QTabWidget), m_items(new JobItemModel(this)), m_itemsView(new QTableView), m_itemError(new QLabel),
      m_request(readOnlyText(tr("The request of the selected item"))),
      m_reply(readOnlyText(tr("The reply of the selected item"))),
      m_config(new JsonTreeWidget)
{
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.15);
    big.setBold(true);
    m_title->setFont(big);
    m_figures->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_figures->setWordWrap(true);
    m_error->setWordWrap(true);
    // A long error wraps inside the pane instead of widening the window.
    m_error->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_error->setMinimumWidth(1);
    m_config->setObjectName(QStringLiteral("jobConfiguration"));
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("QLabel { background: %1; color: %2; border: 1px solid %3;"
                                          " border-radius: 4px; padding: 6px; }")
                               .arg(style::errorBackground().name(), style::errorText().name(),
                                    style::errorBorder().name()));
    m_error->hide();
    m_itemError->setWordWrap(true);
    m_itemError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_itemError->setStyleSheet(style::errorTextCss());

    m_itemsView->setModel(m_items);
    m_itemsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_itemsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_itemsView->verticalHeader()->hide();
    m_itemsView->horizontalHeader()->setStretchLastSection(false);
    m_itemsView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_itemsView->horizontalHeader()->setSectionResizeMode(JobItemModel::Error, QHeaderView::Stretch);
    m_itemsView->setWordWrap(false);
    connect(m_itemsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &JobDetailsView::showItem);
    connect(m_items, &QAbstractItemModel::modelReset, this, [this] {
        if (m_items->rowCount() > 0)
            m_itemsView->selectRow(0);
        else
            showItem();
    });

    auto* exchange = new QSplitter(Qt::Vertical);
    exchange->addWidget(titled(tr("Request sent"), m_request));
    exchange->addWidget(titled(tr("Reply received"), m_reply));
    auto* right = new QWidget;
    auto* rl = new QVBoxLayout(right);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->addWidget(m_itemError);
    rl->addWidget(exchange, 1);
    auto* failed = new QSplitter(Qt::Horizontal);
    failed->addWidget(m_itemsView);
    failed->addWidget(right);
    failed->setStretchFactor(0, 2);
    failed->setStretchFactor(1, 3);
    m_tabs->addTab(failed, tr("Failed items"));
    m_tabs->addTab(m_config, tr("Configuration"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    layout->addWidget(m_title);
    layout->addWidget(m_figures);
    layout->addWidget(m_error);
    layout->addWidget(m_tabs, 1);
    clear();
}

void JobDetailsView::clear()
{
    m_jobId = 0;
    m_title->setText(tr("No job selected"));
    m_figures->setText(tr("Select a job to see its figures, its failed items and the exchanges behind them."));
    m_error->hide();
    m_items->clear();
    m_config->setJson(nlohmann::json());
    m_tabs->setTabText(0, tr("Failed items"));
}

void JobDetailsView::showJob(const hw::JobRecord& job)
{
    const bool other = job.id != m_jobId;
    m_jobId = job.id;
    m_title->setText(tr("%1 #%2 — %3").arg(QString::fromStdString(job.kind)).arg(job.id).arg(
        QString::fromStdString(job.name.empty() ? job.kind : job.name)));

    const QLocale loc;
    const nlohmann::json usage = job.summary.is_object() ? job.summary.value("usage", nlohmann::json::object())
                                                         : nlohmann::json::object();
    const nlohmann::json counts = job.summary.is_object() ? job.summary.value("counts", nlohmann::json::object())
                                                          : nlohmann::json::object();
    QStringList parts;
    parts << tr("Status <b>%1</b>").arg(QString::fromStdString(job.status).toHtmlEscaped());
    parts << tr("done %1 · failed %2 · total %3").arg(loc.toString(job.done), loc.toString(job.failed),
                                                       loc.toString(job.total));
    if (usage.is_object() && !usage.empty()) {
        const qint64 tokens = usage.value("prompt_tokens", qint64(0)) + usage.value("completion_tokens", qint64(0));
        parts << tr("%1 requests (%2 from cache, %3 retries)")
                     .arg(loc.toString(usage.value("requests", qint64(0))),
                          loc.toString(usage.value("cache_hits", qint64(0))),
                          loc.toString(usage.value("retries", qint64(0))));
        parts << tr("%1 tokens").arg(loc.toString(tokens));
        const double cost = usage.value("cost", 0.0);
        if (cost > 0)
            parts << tr("cost %1").arg(loc.toString(cost, 'f', 4));
    }
    if (counts.is_object())
        for (auto it = counts.begin(); it != counts.end(); ++it)
            if (it.value().is_number())
                parts << QStringLiteral("%1 %2").arg(QString::fromStdString(it.key()).replace(QLatin1Char('_'), QLatin1Char(' ')),
                                                    QString::fromStdString(it.value().dump()));
    // Who runs it now (a CLI in another process, this workbench, ...), from the job's lease.
    if (m_session && m_session->isOpen()) {
        try {
            if (const auto owner = hw::jobOwner(m_session->db(), job.id))
                parts << tr("run by %1").arg(QString::fromStdString(owner->describe(hw::unixSeconds())).toHtmlEscaped());
        } catch (const std::exception&) {
        }
    }
    // Where each role ran, from the stage description the job stores.
    if (job.config.is_object() && job.config.contains("backends"))
        try {
            const hw::StageDescription d = hw::describeJob(job.kind, job.config);
            for (const auto& [role, backend] : d.backends)
                parts << QStringLiteral("%1: %2").arg(QString::fromStdString(role),
                                                     QString::fromStdString(backend.summary()).toHtmlEscaped());
        } catch (const std::exception&) {
        }
    parts << tr("started %1, updated %2")
                 .arg(QString::fromStdString(job.createdAt).left(19).replace(QLatin1Char('T'), QLatin1Char(' ')),
                      QString::fromStdString(job.updatedAt).left(19).replace(QLatin1Char('T'), QLatin1Char(' ')));
    m_figures->setText(parts.join(QStringLiteral(" · ")));

    m_error->setVisible(!job.error.empty());
    m_error->setText(QString::fromStdString(job.error));
    if (other || m_config->json() != job.config)
        m_config->setJson(job.config);

    std::vector<hw::JobItemRecord> items;
    if (m_session && m_session->isOpen()) {
        try {
            items = hw::JobStore(m_session->db()).failedItems(job.id);
        } catch (const std::exception& e) {
            m_itemError->setText(QString::fromUtf8(e.what()));
        }
    }
    m_tabs->setTabText(0, tr("Failed items (%1)").arg(items.size()));
    // Another job: open on what it has, its failures, else its configuration (not two empty panes).
    if (other)
        m_tabs->setCurrentIndex(items.empty() ? 1 : 0);
    m_items->setItems(job.id, std::move(items));
}

QString JobDetailsView::formatRequest(const std::string& requestJson)
{
    const nlohmann::json body = nlohmann::json::parse(requestJson, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("messages"))
        return QString::fromStdString(requestJson);
    QString out;
    nlohmann::json rest = body;
    rest.erase("messages");
    out += QStringLiteral("%1\n\n").arg(QString::fromStdString(rest.dump()));
    for (const auto& m : body["messages"]) {
        const std::string role = m.is_object() ? m.value("role", std::string("?")) : std::string("?");
        std::string content;
        if (m.is_object() && m.contains("content"))
            content = m["content"].is_string() ? m["content"].get<std::string>() : m["content"].dump();
        out += QStringLiteral("── %1 ──\n%2\n\n").arg(QString::fromStdString(role), QString::fromStdString(content));
    }
    return out.trimmed();
}

QString JobDetailsView::formatReply(const std::string& content, const std::string& responseJson)
{
    QString out = QString::fromStdString(content);
    const nlohmann::json body = nlohmann::json::parse(responseJson, nullptr, false);
    const QString raw = body.is_discarded() ? QString::fromStdString(responseJson) : QString::fromStdString(body.dump(2));
    if (!raw.isEmpty())
        out += QStringLiteral("\n\n── raw reply ──\n") + raw;
    return out.trimmed();
}

void JobDetailsView::showItem()
{
    const int row = m_itemsView->selectionModel()->currentIndex().row();
    const hw::JobItemRecord* item = m_items->item(row);
    m_request->clear();
    m_reply->clear();
    if (!item) {
        m_itemError->clear();
        m_itemError->setVisible(false);
        return;
    }
    m_itemError->setVisible(true);
    m_itemError->setText(tr("%1: %2").arg(QString::fromStdString(item->key), QString::fromStdString(item->error)));
    const QList<qint64> ids = m_items->index(row, 0).data(JobItemModel::CallIdsRole).value<QList<qint64>>();
    // The call that failed (HTTP error, timeout, retries used up): the core keeps it with the item,
    // since only answered calls reach the call cache.
    const nlohmann::json exchange = item->result.is_object() ? item->result.value("exchange", nlohmann::json())
                                                             : nlohmann::json();
    const bool hasExchange = exchange.is_object() && exchange.contains("request");
    if ((ids.isEmpty() || !m_session || !m_session->isOpen()) && !hasExchange) {
        m_request->setPlainText(tr("Not recorded: only answered calls are kept (in the project's LLM call cache)."));
        m_reply->setPlainText(tr("No reply was recorded for this item: the request failed before an answer came "
                                 "back (timeout, connection error or HTTP error). The error above says why."));
        return;
    }
    QString requests, replies;
    const int blocks = ids.size() + (hasExchange ? 1 : 0);
    if (m_session && m_session->isOpen()) {
        for (qint64 id : ids) {
            std::optional<hw::CallRecord> call;
            try {
                call = hw::ProjectCallCache::get(m_session->db(), id);
            } catch (const std::exception& e) {
                replies += QString::fromUtf8(e.what());
            }
            if (!call)
                continue;
            const QString head = blocks > 1 ? tr("═══ call %1 (%2, %3) ═══\n").arg(id).arg(QString::fromStdString(call->model),
                                                                                        QString::fromStdString(call->endpoint))
                                            : tr("call %1 · %2 · %3\n\n").arg(id).arg(QString::fromStdString(call->model),
                                                                                    QString::fromStdString(call->endpoint));
            requests += head + formatRequest(call->request) + QStringLiteral("\n\n");
            replies += (blocks > 1 ? head : QString()) + formatReply(call->content, call->response) + QStringLiteral("\n\n");
        }
    }
    if (hasExchange) {
        const auto text = [&](const char* key) {
            const auto it = exchange.find(key);
            return it != exchange.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        const QString model = QString::fromStdString(text("model"));
        const QString endpoint = QString::fromStdString(text("endpoint"));
        const QString head = blocks > 1 ? tr("═══ failed call (%1, %2) ═══\n").arg(model, endpoint)
                                        : tr("failed call · %1 · %2\n\n").arg(model, endpoint);
        requests += head + formatRequest(text("request"));
        const long status = exchange.value("status", 0L);
        const int attempts = exchange.value("attempts", 0);
        QString reply = blocks > 1 ? head : QString();
        reply += status > 0 ? tr("HTTP %1 on attempt %2 (the last): %3").arg(status).arg(attempts).arg(
                                  QString::fromStdString(text("problem")))
                            : tr("No HTTP reply on attempt %1 (the last): %2").arg(attempts).arg(
                                  QString::fromStdString(text("problem")));
        const std::string body = text("reply");
        if (!body.empty()) {
            const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
            reply += QStringLiteral("\n\n── reply body ──\n")
                     + (parsed.is_discarded() ? QString::fromStdString(body) : QString::fromStdString(parsed.dump(2)));
        }
        replies += reply;
    }
    m_request->setPlainText(requests.trimmed());
    m_reply->setPlainText(replies.trimmed());
}

} // namespace hw::ui
