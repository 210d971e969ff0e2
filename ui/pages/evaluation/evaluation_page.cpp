#include "ui/pages/evaluation/evaluation_page.h"

#include "core/io/atomic_file.h"
#include "core/eval/human_study.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/eval_store.h"
#include "core/store/job_store.h"
#include "core/store/study_store.h"
#include "core/util/error.h"
#include "ui/charts/interval_bar_chart.h"
#include "ui/pages/jobs/start_job_dialog.h"
#include "ui/project_session.h"
#include "ui/style/ui_style.h"
#include "ui/widgets/dialogue_view.h"
#include "ui/widgets/empty_state.h"
#include "ui/workers/pipeline_worker_host.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTableWidget>
#include <QVBoxLayout>

#include <exception>

namespace hw::ui {
namespace {

constexpr int kRecordRole = Qt::UserRole;

QString num(double v) { return QString::number(v, 'f', 3); }

QString interval(const hw::stats::Summary& s)
{
    return QStringLiteral("[%1, %2]").arg(num(s.ciLow), num(s.ciHigh));
}

QTableWidgetItem* cell(const QString& text, const QString& tip = {})
{
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setToolTip(tip);
    return item;
}

QString pText(double p) { return p < 0.001 ? QStringLiteral("p<0.001") : QStringLiteral("p=%1").arg(p, 0, 'f', 3); }

} // namespace

EvaluationPage::EvaluationPage(ProjectSession* session, QWidget* parent)
    : Page(session, parent), m_stack(new QStackedWidget), m_empty(new EmptyState), m_runs(new QComboBox),
      m_baseline(new QComboBox), m_study(new QComboBox), m_export(new QPushButton(tr("Export report…"))), m_header(new QLabel),
      m_results(new QTableWidget), m_chart(new IntervalBarChart), m_agentFilter(new QComboBox),
      m_personaFilter(new QComboBox), m_outcomeFilter(new QComboBox), m_episodes(new QTableWidget),
      m_compareWith(new QComboBox), m_left(new DialogueView), m_right(new DialogueView)
{
    auto* newRun = new QPushButton(tr("New evaluation…"));
    newRun->setToolTip(tr("Play agents against a simulated user (a job: progress, cancel and resume on the Jobs page)."));
    m_runs->setToolTip(tr("Evaluation runs of this project, newest first."));
    m_runs->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_baseline->setToolTip(tr("The agent the others are compared with, episode by episode (paired sign-flip test, "
                              "Holm-corrected across agents)."));
    m_export->setToolTip(tr("Write the report as Markdown, CSV, LaTeX or JSON (the same as hindsight eval-report)."));
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Run")));
    bar->addWidget(m_runs);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Baseline")));
    bar->addWidget(m_baseline);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Human study")));
    bar->addWidget(m_study);
    m_study->setToolTip(tr("A human study of the same task: its rows (mean of the participants' means ± std, "
                           "interval over participants) above Reward (sim), for the agents it also had."));
    bar->addStretch(1);
    bar->addWidget(m_export);
    bar->addWidget(newRun);

    m_header->setWordWrap(true);
    m_header->setStyleSheet(style::secondaryTextCss());
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_results->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_results->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_results->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_results->setToolTip(tr("Mean ± std as the paper prints it, with a seeded bootstrap 95% interval; Δ is the paired "
                             "difference against the baseline; n.s. = not significant at 5% after Holm correction."));

    auto* top = new QSplitter(Qt::Horizontal);
    top->addWidget(m_results);
    top->addWidget(m_chart);
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 2);

    m_outcomeFilter->addItem(tr("All outcomes"), QString());
    m_outcomeFilter->addItem(tr("Finished (ok)"), QStringLiteral("ok"));
    m_outcomeFilter->addItem(tr("Failed"), QStringLiteral("failed"));
    m_outcomeFilter->addItem(tr("With simulator faults"), QStringLiteral("faults"));
    for (QComboBox* f : {m_agentFilter, m_personaFilter, m_outcomeFilter})
        f->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_agentFilter->setToolTip(tr("Show one agent's episodes."));
    m_personaFilter->setToolTip(tr("Show one persona's episodes."));
    m_compareWith->setToolTip(tr("The agent whose episode with the same persona and seed is shown on the right."));
    const QStringList headers{tr("Episode"), tr("Agent"), tr("Persona"), tr("Reward"), tr("Status"), tr("Turns"),
                              tr("Faults")};
    m_episodes->setColumnCount(headers.size());
    m_episodes->setHorizontalHeaderLabels(headers);
    m_episodes->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_episodes->setSelectionMode(QAbstractItemView::SingleSelection);
    m_episodes->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_episodes->verticalHeader()->hide();
    m_episodes->horizontalHeader()->setStretchLastSection(true);
    auto* filters = new QHBoxLayout;
    filters->addWidget(m_agentFilter);
    filters->addWidget(m_personaFilter);
    filters->addWidget(m_outcomeFilter);
    auto* browser = new QWidget;
    auto* browserLayout = new QVBoxLayout(browser);
    browserLayout->setContentsMargins(0, 0, 0, 0);
    browserLayout->addLayout(filters);
    browserLayout->addWidget(m_episodes, 1);

    auto* pairedBox = new QWidget;
    auto* pairedLayout = new QVBoxLayout(pairedBox);
    pairedLayout->setContentsMargins(0, 0, 0, 0);
    auto* compareRow = new QHBoxLayout;
    compareRow->addWidget(new QLabel(tr("Same episode played by")));
    compareRow->addWidget(m_compareWith, 1);
    pairedLayout->addLayout(compareRow);
    pairedLayout->addWidget(m_right, 1);
    auto* episodeBox = new QWidget;
    auto* episodeLayout = new QVBoxLayout(episodeBox);
    episodeLayout->setContentsMargins(0, 0, 0, 0);
    episodeLayout->addSpacing(m_compareWith->sizeHint().height() + 2);
    episodeLayout->addWidget(m_left, 1);

    auto* bottom = new QSplitter(Qt::Horizontal);
    bottom->addWidget(browser);
    bottom->addWidget(episodeBox);
    bottom->addWidget(pairedBox);
    bottom->setStretchFactor(0, 2);
    bottom->setStretchFactor(1, 3);
    bottom->setStretchFactor(2, 3);
    bottom->setSizes({470, 500, 500}); // the browser's three filters fit side by side

    auto* main = new QSplitter(Qt::Vertical);
    main->addWidget(top);
    main->addWidget(bottom);
    main->setStretchFactor(0, 2);
    main->setStretchFactor(1, 3);

    auto* content = new QWidget;
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addLayout(bar);
    contentLayout->addWidget(m_header);
    contentLayout->addWidget(main, 1);

    m_empty->setContent(tr("No evaluation yet"),
                        tr("An evaluation plays each agent (a checkpoint, an ILQL agent with β, an endpoint with a "
                           "prompt) against a simulated user with each persona, and compares them episode by episode. "
                           "Start one here, or with <tt>hindsight evaluate</tt>."),
                        tr("New evaluation…"));
    m_stack->addWidget(m_empty);
    m_stack->addWidget(content);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_stack);

    connect(newRun, &QPushButton::clicked, this, &EvaluationPage::startEvaluation);
    connect(m_empty, &EmptyState::actionTriggered, this, &EvaluationPage::startEvaluation);
    connect(m_export, &QPushButton::clicked, this, &EvaluationPage::askForExport);
    connect(m_runs, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_filling)
            loadRun();
    });
    for (QComboBox* box : {m_baseline, m_study})
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_filling)
                loadRun();
        });
    for (QComboBox* f : {m_agentFilter, m_personaFilter, m_outcomeFilter})
        connect(f, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_filling)
                fillEpisodes();
        });
    connect(m_episodes, &QTableWidget::itemSelectionChanged, this, &EvaluationPage::showEpisode);
    connect(m_compareWith, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_filling)
            showEpisode();
    });
    if (session) {
        connect(session, &ProjectSession::opened, this, [this] { refresh(); });
        connect(session, &ProjectSession::closed, this, [this] { refresh(); });
        connect(PipelineWorkerHost::of(session), &PipelineWorkerHost::jobFinished, this, [this] { refresh(); });
    }
    refresh();
}

QIcon EvaluationPage::icon() const { return style()->standardIcon(QStyle::SP_FileDialogDetailedView); }

qint64 EvaluationPage::currentRun() const { return m_runs->currentData().toLongLong(); }

void EvaluationPage::refresh()
{
    const qint64 keep = currentRun();
    std::vector<std::pair<int64_t, std::string>> runs;
    if (session() && session()->isOpen()) {
        try {
            hw::Database& db = session()->db();
            hw::JobStore jobs(db);
            for (const auto& [id, name] : hw::EvalStore(db).runs())
                if (const auto job = jobs.get(id))
                    runs.emplace_back(id, "#" + std::to_string(id) + "  " + name + " — " + job->status + ", "
                                              + std::to_string(job->done) + "/" + std::to_string(job->total) + " episodes");
        } catch (const std::exception& e) {
            m_header->setText(tr("Could not read the evaluation runs: %1").arg(QString::fromUtf8(e.what())));
        }
    }
    m_filling = true;
    m_runs->clear();
    for (const auto& [id, text] : runs)
        m_runs->addItem(QString::fromStdString(text), QVariant::fromValue<qint64>(id));
    const int at = m_runs->findData(QVariant::fromValue<qint64>(keep));
    m_runs->setCurrentIndex(at >= 0 ? at : 0);
    m_filling = false;
    m_stack->setCurrentIndex(runs.empty() ? 0 : 1);
    loadRun();
}

bool EvaluationPage::selectRun(qint64 jobId)
{
    const int at = m_runs->findData(QVariant::fromValue<qint64>(jobId));
    if (at < 0)
        return false;
    m_runs->setCurrentIndex(at); // loads it
    return true;
}

void EvaluationPage::loadRun()
{
    m_report.reset();
    m_records.clear();
    m_task.reset();
    const qint64 run = currentRun();
    if (run > 0 && session() && session()->isOpen()) {
        try {
            hw::Database& db = session()->db();
            const auto job = hw::JobStore(db).get(run);
            if (!job)
                throw hw::Error("evaluation run " + std::to_string(run) + " is gone");
            m_records = hw::EvalStore(db).episodes(run);
            hw::EvalReportOptions options;
            options.baseline = m_baseline->currentData().toString().toStdString();
            hw::EvalReport report;
            try {
                report = hw::buildEvalReport(run, job->config, m_records, options);
            } catch (const hw::Error&) {
                if (options.baseline.empty())
                    throw;
                options.baseline.clear(); // the baseline of another run
                report = hw::buildEvalReport(run, job->config, m_records, options);
            }
            m_task = hw::DialogueStore(db).task(report.task);
            addStudyRows(report);
            m_report = std::move(report);
        } catch (const std::exception& e) {
            m_header->setText(tr("Run #%1: %2").arg(run).arg(QString::fromUtf8(e.what())));
        }
    }
    m_filling = true;
    const QString baseline = m_report ? QString::fromStdString(m_report->baseline) : QString();
    m_baseline->clear();
    m_agentFilter->clear();
    m_compareWith->clear();
    m_personaFilter->clear();
    m_agentFilter->addItem(tr("All agents"), -1);
    m_personaFilter->addItem(tr("All personas"), QString());
    if (m_report) {
        for (size_t i = 0; i < m_report->agents.size(); ++i) {
            const QString name = QString::fromStdString(m_report->agents[i].name);
            m_baseline->addItem(name, name);
            m_agentFilter->addItem(name, static_cast<int>(i));
            m_compareWith->addItem(name, static_cast<int>(i));
        }
        m_baseline->setCurrentIndex(std::max(0, m_baseline->findData(baseline)));
        for (const auto& p : m_report->personas)
            m_personaFilter->addItem(QString::fromStdString(p), QString::fromStdString(p));
        QString header = tr("Task %1 · simulator %2 · personas %3 · %4 requests, %5 from the cache")
                             .arg(QString::fromStdString(m_report->task),
                                  QString::fromStdString(m_report->simulator.value("kind", std::string("?")) + " "
                                                         + m_report->simulator.value("model", std::string())),
                                  QString::fromStdString([&] {
                                      std::string s;
                                      for (const auto& p : m_report->personas)
                                          s += (s.empty() ? "" : ", ") + p;
                                      return s;
                                  }()))
                             .arg(m_report->requests)
                             .arg(m_report->cacheHits);
        if (m_report->fidelity.is_object())
            header += tr(" · fidelity against real users: %1").arg(QString::fromStdString(m_report->fidelity.dump()));
        else
            header += tr(" · simulator fidelity not measured (hindsight evaluate --fidelity N)");
        m_header->setText(header);
    } else if (run <= 0) {
        m_header->clear();
    }
    m_filling = false;
    m_export->setEnabled(m_report.has_value());
    fillResults();
    fillChart();
    fillEpisodes();
}

void EvaluationPage::addStudyRows(hw::EvalReport& report)
{
    const qint64 chosen = m_study->currentData().toLongLong();
    const bool wasFilling = m_filling;
    m_filling = true;
    m_study->clear();
    m_study->addItem(tr("none"), QVariant::fromValue<qint64>(0));
    hw::StudyStore store(session()->db());
    std::optional<hw::StudyInfo> study;
    for (const auto& s : store.studies()) {
        if (s.task != report.task)
            continue;
        m_study->addItem(tr("#%1 %2").arg(s.id).arg(QString::fromStdString(s.name)), QVariant::fromValue<qint64>(s.id));
        if (s.id == chosen)
            study = s;
    }
    m_study->setCurrentIndex(std::max(0, m_study->findData(QVariant::fromValue<qint64>(study ? study->id : 0))));
    m_filling = wasFilling;
    if (study)
        hw::addHumanResults(report, hw::humanStudyResults(*study, store.trials(study->id)));
}

void EvaluationPage::fillResults()
{
    m_results->clear();
    m_results->setRowCount(0);
    m_results->setColumnCount(0);
    if (!m_report)
        return;
    const auto& agents = m_report->agents;
    const auto& human = m_report->human;
    QStringList columns, rows;
    if (human) {
        for (const auto& m : human->metrics)
            rows << tr("%1 (human)").arg(QString::fromStdString(m.label));
        rows << tr("Human trials (participants)");
    }
    rows << tr("Reward (sim)") << tr("95% CI");
    for (const auto& a : agents)
        columns << QString::fromStdString(a.name);
    for (const auto& p : m_report->personas)
        rows << tr("  %1").arg(QString::fromStdString(p));
    rows << tr("Δ vs %1").arg(QString::fromStdString(m_report->baseline)) << tr("Episodes (failed)")
         << tr("Episodes with simulator faults");
    m_results->setColumnCount(columns.size());
    m_results->setRowCount(rows.size());
    m_results->setHorizontalHeaderLabels(columns);
    m_results->setVerticalHeaderLabels(rows);
    for (int c = 0; c < static_cast<int>(agents.size()); ++c) {
        const hw::EvalAgentResult& a = agents[static_cast<size_t>(c)];
        int r = 0;
        if (human) {
            const auto& h = human->perAgent.at(static_cast<size_t>(c));
            for (const auto& m : human->metrics) {
                const hw::HumanMetricResult* v = nullptr;
                if (h)
                    if (const auto it = h->metrics.find(m.key); it != h->metrics.end())
                        v = &it->second;
                m_results->setItem(r++, c, v ? cell(QString::fromStdString(hw::formatHumanCell(*v)),
                                                    tr("%1 trial(s) of %2 participant(s), shown as %3")
                                                        .arg(v->trials)
                                                        .arg(v->participants)
                                                        .arg(QString::fromStdString(h->label)))
                                             : cell(QStringLiteral("—"), tr("Not in the study")));
            }
            m_results->setItem(r++, c, cell(h ? QStringLiteral("%1 (%2)").arg(h->trials).arg(h->participants)
                                              : QStringLiteral("—")));
        }
        m_results->setItem(r++, c, cell(QStringLiteral("%1 ± %2").arg(num(a.overall.mean), num(a.overall.std)),
                                        QString::fromStdString(a.spec)));
        m_results->setItem(r++, c, cell(interval(a.overall), tr("n = %1").arg(a.overall.n)));
        for (const auto& p : m_report->personas) {
            const auto it = a.perPersona.find(p);
            m_results->setItem(r++, c, it == a.perPersona.end() || it->second.n == 0
                                           ? cell(tr("n/a"))
                                           : cell(QStringLiteral("%1 %2").arg(num(it->second.mean), interval(it->second)),
                                                  tr("n = %1").arg(it->second.n)));
        }
        QTableWidgetItem* diff = cell(tr("baseline"));
        for (const auto& cmp : m_report->comparisons)
            if (cmp.agent == a.name) {
                diff = cell(QStringLiteral("%1 [%2, %3] %4%5")
                                .arg(cmp.test.diff >= 0 ? "+" + num(cmp.test.diff) : num(cmp.test.diff),
                                     num(cmp.test.ciLow), num(cmp.test.ciHigh), pText(cmp.pHolm),
                                     cmp.significant ? QStringLiteral(" *") : tr(" n.s.")),
                            tr("%1 paired episodes; p before Holm correction %2").arg(cmp.test.n).arg(pText(cmp.test.p)));
                diff->setForeground(cmp.significant ? (cmp.test.diff > 0 ? style::stateDone() : style::stateFailed())
                                                    : style::mutedText());
            }
        m_results->setItem(r++, c, diff);
        m_results->setItem(r++, c, cell(QStringLiteral("%1 (%2)").arg(a.episodes).arg(a.failed)));
        m_results->setItem(r++, c, cell(QString::number(a.faultyEpisodes), QString::fromStdString(a.faults.dump())));
    }
}

void EvaluationPage::fillChart()
{
    if (!m_report) {
        m_chart->clear();
        return;
    }
    QStringList categories{tr("overall")}, series;
    for (const auto& p : m_report->personas)
        categories << QString::fromStdString(p);
    std::vector<std::vector<IntervalBar>> bars(static_cast<size_t>(categories.size()));
    auto barOf = [](const hw::stats::Summary& s) {
        return IntervalBar{s.mean, s.ciLow, s.ciHigh, s.n, s.n > 0};
    };
    for (const auto& a : m_report->agents) {
        series << QString::fromStdString(a.name);
        bars[0].push_back(barOf(a.overall));
        for (size_t p = 0; p < m_report->personas.size(); ++p) {
            const auto it = a.perPersona.find(m_report->personas[p]);
            bars[p + 1].push_back(it == a.perPersona.end() ? IntervalBar{} : barOf(it->second));
        }
    }
    m_chart->setData(categories, series, std::move(bars), tr("Reward (sim), 95% CI"));
}

void EvaluationPage::fillEpisodes()
{
    const int agent = m_agentFilter->currentData().isValid() ? m_agentFilter->currentData().toInt() : -1;
    const QString persona = m_personaFilter->currentData().toString();
    const QString outcome = m_outcomeFilter->currentData().toString();
    m_episodes->setSortingEnabled(false);
    m_episodes->setRowCount(0);
    for (size_t i = 0; i < m_records.size(); ++i) {
        const hw::EvalEpisodeRecord& e = m_records[i];
        if (agent >= 0 && e.agentIndex != agent)
            continue;
        if (!persona.isEmpty() && QString::fromStdString(e.persona) != persona)
            continue;
        const bool faulty = e.faults.is_object() && !e.faults.empty();
        if ((outcome == QLatin1String("ok") && e.status != "ok") || (outcome == QLatin1String("failed") && e.status != "failed")
            || (outcome == QLatin1String("faults") && !faulty))
            continue;
        const int row = m_episodes->rowCount();
        m_episodes->insertRow(row);
        auto* first = cell(QString::number(e.episode), tr("seed %1").arg(e.seed));
        first->setData(kRecordRole, static_cast<int>(i));
        m_episodes->setItem(row, 0, first);
        m_episodes->setItem(row, 1, cell(QString::fromStdString(e.agentName), QString::fromStdString(e.agentSpec)));
        m_episodes->setItem(row, 2, cell(QString::fromStdString(e.persona)));
        m_episodes->setItem(row, 3, cell(e.reward ? num(*e.reward) : QStringLiteral("—")));
        auto* status = cell(QString::fromStdString(e.status), QString::fromStdString(e.error.empty() ? e.decisionRaw : e.error));
        status->setForeground(e.status == "ok" ? style::stateDone() : style::stateFailed());
        m_episodes->setItem(row, 4, status);
        m_episodes->setItem(row, 5, cell(QString::number(e.turns)));
        m_episodes->setItem(row, 6, cell(faulty ? QString::fromStdString(e.faults.dump()) : QString()));
    }
    m_episodes->resizeColumnsToContents();
    if (m_episodes->rowCount() > 0)
        m_episodes->selectRow(0);
    else
        showEpisode();
}

const hw::EvalEpisodeRecord* EvaluationPage::findEpisode(int agentIndex, int episode) const
{
    for (const auto& e : m_records)
        if (e.agentIndex == agentIndex && e.episode == episode)
            return &e;
    return nullptr;
}

void EvaluationPage::showEpisode()
{
    const auto rows = m_episodes->selectionModel() ? m_episodes->selectionModel()->selectedRows() : QModelIndexList{};
    const hw::EvalEpisodeRecord* e = nullptr;
    if (!rows.isEmpty())
        if (const QTableWidgetItem* item = m_episodes->item(rows.first().row(), 0))
            e = &m_records[static_cast<size_t>(item->data(kRecordRole).toInt())];
    auto show = [&](DialogueView* view, const hw::EvalEpisodeRecord* r, const QString& none) {
        if (!r || !r->dialogueId || !session() || !session()->isOpen()) {
            view->clear(r && !r->error.empty() ? QString::fromStdString(r->error) : none);
            return;
        }
        try {
            if (auto d = hw::DialogueStore(session()->db()).get(*r->dialogueId)) {
                // The transcript row holds no reward: the simulated user's decision is the episode's.
                if (r->reward && !d->reward) {
                    d->reward = r->reward;
                    d->rewardSource = "simulator";
                }
                view->setDialogue(*d, m_task);
            }
            else
                view->clear(tr("The transcript is gone."));
        } catch (const std::exception& ex) {
            view->clear(QString::fromUtf8(ex.what()));
        }
    };
    show(m_left, e, tr("Choose an episode."));
    if (!e) {
        m_right->clear(tr("The same episode played by another agent appears here."));
        return;
    }
    // Default partner: the baseline, or the next agent when the episode is the baseline's.
    if (m_compareWith->count() > 1 && m_compareWith->currentData().toInt() == e->agentIndex) {
        m_filling = true;
        m_compareWith->setCurrentIndex((e->agentIndex + 1) % m_compareWith->count());
        m_filling = false;
    }
    const int other = m_compareWith->currentData().toInt();
    show(m_right, findEpisode(other, e->episode),
         tr("%1 has not finished episode %2.").arg(m_compareWith->currentText()).arg(e->episode));
}

void EvaluationPage::startEvaluation()
{
    if (!session() || !session()->isOpen())
        return;
    PipelineWorkerHost* host = PipelineWorkerHost::of(session());
    StartJobDialog dialog(session(), host->profilesPath(), this);
    dialog.setKind(QStringLiteral("evaluate"));
    if (m_report)
        dialog.taskBox()->setCurrentText(QString::fromStdString(m_report->task));
    if (dialog.execAndStart(host))
        session()->showStatus(tr("Evaluation started: its progress is on the Jobs page; results appear here as it ends."));
}

bool EvaluationPage::exportReport(const QString& path, const QString& format)
{
    if (!m_report)
        return false;
    try {
        const std::string text = hw::formatEvalReport(*m_report, format.toStdString());
        hw::AtomicFileWriter out(path.toStdString());
        out.write(text);
        out.commit();
    } catch (const std::exception& e) {
        if (session())
            session()->showStatus(tr("Export failed: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    if (session())
        session()->showStatus(tr("Report written to %1").arg(path));
    return true;
}

void EvaluationPage::askForExport()
{
    QString filter;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export evaluation report"), QStringLiteral("evaluation-%1.md").arg(currentRun()),
        tr("Markdown (*.md);;CSV (*.csv);;LaTeX (*.tex);;JSON (*.json)"), &filter);
    if (path.isEmpty())
        return;
    const QString format = path.endsWith(QLatin1String(".csv"))    ? QStringLiteral("csv")
                           : path.endsWith(QLatin1String(".tex"))  ? QStringLiteral("latex")
                           : path.endsWith(QLatin1String(".json")) ? QStringLiteral("json")
                                                                   : QStringLiteral("md");
    exportReport(path, format);
}

} // namespace hw::ui
