#pragma once
// The results of an evaluation run in the paper's layout (methods as columns; metric rows:
// Reward (sim) overall and per persona), with what the paper lacks: bootstrap 95% intervals,
// paired differences against a baseline agent with a sign-flip test, Holm-corrected across
// agents, an explicit "n.s." mark, failed episodes and simulator faults counted.
//
//   EvalReport r = buildEvalReport(jobId, job.config, EvalStore(db).episodes(jobId), {});
//   std::cout << formatEvalReport(r, "md");
#include "core/eval/human_study.h"
#include "core/eval/statistics.h"
#include "core/store/eval_store.h"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

struct EvalReportOptions {
    std::string baseline;          // agent name or spec; "" = the first agent
    stats::Options stats;
};

struct EvalAgentResult {
    std::string name;
    std::string spec;
    int64_t episodes = 0;          // finished episodes (ok + failed)
    int64_t failed = 0;            // unparsable decisions, empty replies
    stats::Summary overall;        // over ok episodes
    std::map<std::string, stats::Summary> perPersona;
    nlohmann::json faults = nlohmann::json::object(); // fault -> count over episodes
    int64_t faultyEpisodes = 0;
};

struct AgentComparison {
    std::string agent;
    std::string baseline;
    stats::PairedTest test;        // over episodes both finished ok, paired by episode
    double pHolm = 1.0;
    bool significant = false;
};

// A human study's rows in an evaluation report: perAgent[i] is the study's result for
// EvalReport::agents[i] (matched by name, or by the same checkpoint and decoding), or nullopt.
struct EvalHumanRows {
    int64_t study = 0;
    std::string name;
    std::vector<HumanMetric> metrics;
    int64_t participants = 0;
    std::vector<std::optional<HumanAgentResult>> perAgent;
};

struct EvalReport {
    int64_t run = 0;
    std::string task;
    nlohmann::json simulator = nlohmann::json::object();
    std::vector<std::string> personas;
    std::vector<EvalAgentResult> agents;
    std::string baseline;
    std::vector<AgentComparison> comparisons;
    int64_t requests = 0;
    int64_t cacheHits = 0;
    double alpha = 0.05;
    // The simulator's fidelity against real users (simulator_fidelity.h), null when not measured.
    nlohmann::json fidelity;
    std::optional<EvalHumanRows> human;
};

// Throws hw::Error when the run's episodes come from different simulators (never pooled) or the
// baseline names no agent of the run.
EvalReport buildEvalReport(int64_t run, const nlohmann::json& jobConfig, const std::vector<EvalEpisodeRecord>& episodes,
                           const EvalReportOptions& options);

// Adds a human study's rows. Throws hw::Error when the study is of another task.
void addHumanResults(EvalReport& report, const HumanStudyResults& human);

// {"run","task","simulator","personas","baseline","agents":[{"name","spec","n","failed","mean","std",
//  "ci_low","ci_high","per_persona":{..},"faults","faulty_episodes"}],"comparisons":[{"agent",
//  "baseline","diff","ci_low","ci_high","p","p_holm","significant"}],"requests","cache_hits"}, and with
// human rows "human": {"study","name","participants","metrics":[{"key","label"}],"agents":[{"name",
// "matched": study agent name or null,"label","trials","participants","metrics":{key:{...}}}]}
nlohmann::json toJson(const EvalReport& report);
// format: md | csv | latex | json. Throws hw::Error for another format.
std::string formatEvalReport(const EvalReport& report, const std::string& format);

} // namespace hw
