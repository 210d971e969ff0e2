#include "ui/pages/chat/chat_results_view.h"

#include "core/store/chat_store.h"
#include "core/store/dialogue_store.h"
#include "ui/models/chat_results_model.h"
#include "ui/project_session.h"
#include "ui/style/ui_style.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableView>
#include <QVBoxLayout>

namespace hw::ui {

ChatResultsView::ChatResultsView(ProjectSession* session, QWidget* parent)
    : QWidget(parent), m_session(session), m_model(new ChatResultsModel(this))
{
    m_task = new QComboBox;
    m_finishedOnly = new QCheckBox(tr("Finished sessions only"));
    m_finishedOnly->setChecked(true);
    auto* refresh = new QPushButton(tr("Refresh"));
    m_export = new QPushButton(tr("Export CSV…"));
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Task")));
    bar->addWidget(m_task);
    bar->addWidget(m_finishedOnly);
    bar->addStretch(1);
    bar->addWidget(refresh);
    bar->addWidget(m_export);

    m_table = new QTableView;
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->setAlternatingRowColors(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ChatResultsModel::AgentColumn, QHeaderView::Stretch);
    m_note = new QLabel;
    m_note->setWordWrap(true);
    m_note->setStyleSheet(style::mutedTextCss());

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_note);

    connect(refresh, &QPushButton::clicked, this, &ChatResultsView::refresh);
    connect(m_finishedOnly, &QCheckBox::toggled, this, &ChatResultsView::refresh);
    connect(m_task, &QComboBox::activated, this, &ChatResultsView::refresh);
    connect(m_export, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export results"), QStringLiteral("chat-results.csv"),
                                                          tr("CSV (*.csv)"));
        if (!path.isEmpty() && !exportCsv(path))
            QMessageBox::warning(this, tr("Export results"), tr("Cannot write %1").arg(path));
    });
}

void ChatResultsView::refresh()
{
    if (!m_session->isOpen()) {
        m_model->setResults({});
        return;
    }
    try {
        hw::DialogueStore ds(m_session->db());
        const QString current = m_task->currentData().toString();
        m_task->clear();
        std::optional<hw::Task> chosen;
        for (const auto& t : ds.tasks()) {
            m_task->addItem(QString::fromStdString(t.name), QString::fromStdString(t.name));
            if (QString::fromStdString(t.name) == current || (!chosen && current.isEmpty()))
                chosen = t;
        }
        m_task->addItem(tr("(all tasks)"), QStringLiteral("*"));
        if (current == QLatin1String("*"))
            chosen.reset();
        const int idx = m_task->findData(chosen ? QString::fromStdString(chosen->name) : QStringLiteral("*"));
        m_task->setCurrentIndex(std::max(0, idx));

        std::optional<int64_t> taskId;
        if (chosen)
            taskId = ds.taskId(chosen->name);
        hw::ChatStore cs(m_session->db());
        m_model->setResults(cs.results(taskId, m_finishedOnly->isChecked()));
        const bool counseling = !chosen || chosen->kind == hw::TaskKind::Counseling;
        m_model->setOutcomeName(!chosen ? tr("Outcome")
                                : counseling ? tr("Final emotional intensity")
                                             : tr("Donation ($)"));
        m_table->setColumnHidden(ChatResultsModel::ComfortingColumn, !counseling);
        m_note->setText(m_model->results().empty()
                            ? tr("No rated sessions yet: finish a chat session and rate its agents.")
                            : tr("Mean ± sample standard deviation over rated sessions; Likert scales 1–5. "
                                 "In blind sessions the rater did not see which agent was which."));
        m_export->setEnabled(!m_model->results().empty());
    } catch (const std::exception& e) {
        m_note->setText(QString::fromUtf8(e.what()));
    }
}

QString ChatResultsView::csv() const
{
    const bool counseling = !m_table->isColumnHidden(ChatResultsModel::ComfortingColumn);
    const QString outcome = m_model->headerData(ChatResultsModel::OutcomeColumn, Qt::Horizontal).toString();
    QString key = outcome.toLower();
    key.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("_"));
    while (key.endsWith(QLatin1Char('_')))
        key.chop(1);
    return QString::fromStdString(hw::resultsCsv(m_model->results(), counseling, key.toStdString()));
}

bool ChatResultsView::exportCsv(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(csv().toUtf8()) >= 0;
}

} // namespace hw::ui
