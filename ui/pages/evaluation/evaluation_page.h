#pragma once
// Evaluation: the results of evaluation runs (jobs of kind "evaluate", core/eval) as the paper
// prints them and better. For the run chosen: the results table in the paper's layout (agents as
// columns; Reward (sim) with std and its bootstrap 95% interval, per persona, the paired difference
// against the chosen baseline with its Holm-corrected p and an explicit "n.s.", episodes, failed
// ones and simulator faults); a chart of reward per agent with interval whiskers, overall and per
// persona; and an episode browser (filter by agent, persona and outcome) showing the transcript
// beside the same episode — same persona and seed — played by another agent. New evaluation…
// starts a run through the stage registry (progress, cancel and resume on the Jobs page); Export
// writes the report as Markdown, CSV, LaTeX or JSON. A human study of the run's task (chosen in
// the bar) adds its rows above Reward (sim), as `hindsight eval-report --study` does.
#include "core/data/task.h"
#include "core/eval/eval_report.h"
#include "ui/pages/page.h"

#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QPushButton;
class QStackedWidget;
class QTableWidget;

namespace hw::ui {

class DialogueView;
class EmptyState;
class IntervalBarChart;

class EvaluationPage : public Page {
    Q_OBJECT
public:
    explicit EvaluationPage(ProjectSession* session, QWidget* parent = nullptr);

    QString title() const override { return tr("Evaluation"); }
    QIcon icon() const override;
    void activated() override { refresh(); }

    // Re-reads the project's evaluation runs, keeping the run shown when it still exists.
    void refresh();
    // Shows run `jobId`; false when the project has no such evaluation run.
    bool selectRun(qint64 jobId);
    qint64 currentRun() const;
    // The report shown (nullopt: none, or it could not be built; the header says why).
    const std::optional<hw::EvalReport>& report() const { return m_report; }
    // format: md | csv | latex | json. False with the reason in the status bar.
    bool exportReport(const QString& path, const QString& format);

    QComboBox* runBox() const { return m_runs; }
    QComboBox* baselineBox() const { return m_baseline; }
    // Human studies of the run's task ("none" first; data: the study id, 0 = none).
    QComboBox* studyBox() const { return m_study; }
    QLabel* headerLabel() const { return m_header; }
    QTableWidget* resultsTable() const { return m_results; }
    IntervalBarChart* chart() const { return m_chart; }
    QTableWidget* episodeTable() const { return m_episodes; }
    QComboBox* agentFilter() const { return m_agentFilter; }
    QComboBox* personaFilter() const { return m_personaFilter; }
    QComboBox* outcomeFilter() const { return m_outcomeFilter; }
    QComboBox* compareBox() const { return m_compareWith; }
    DialogueView* episodeView() const { return m_left; }
    DialogueView* pairedView() const { return m_right; }
    EmptyState* emptyState() const { return m_empty; }

private:
    void loadRun();
    // Lists the studies of `task` in the study box (keeping the choice) and adds the chosen one's rows.
    void addStudyRows(hw::EvalReport& report);
    void fillResults();
    void fillChart();
    void fillEpisodes();
    void showEpisode();
    void startEvaluation();
    void askForExport();
    // The episode of `agentIndex` with episode number `episode`, if it finished.
    const hw::EvalEpisodeRecord* findEpisode(int agentIndex, int episode) const;

    QStackedWidget* m_stack;
    EmptyState* m_empty;
    QComboBox* m_runs;
    QComboBox* m_baseline;
    QComboBox* m_study;
    QPushButton* m_export;
    QLabel* m_header;
    QTableWidget* m_results;
    IntervalBarChart* m_chart;
    QComboBox* m_agentFilter;
    QComboBox* m_personaFilter;
    QComboBox* m_outcomeFilter;
    QTableWidget* m_episodes;
    QComboBox* m_compareWith;
    DialogueView* m_left;
    DialogueView* m_right;
    std::optional<hw::EvalReport> m_report;
    std::vector<hw::EvalEpisodeRecord> m_records;
    std::optional<hw::Task> m_task;
    bool m_filling = false;
};

} // namespace hw::ui
