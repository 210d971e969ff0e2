#pragma once
// The results of a human study (study_store.h) per agent: for each metric the task asks for
// (persuasion: Nat./Flu., Relevancy, Reward = donation; counseling: Naturalness, Comforting,
// Helpfulness, Reward = initial - final intensity), mean ± std and a 95% interval that does not
// pretend a participant's trials are independent: each participant's trials of an agent are
// averaged first, the mean is the mean of those participant means, and the interval is a seeded
// percentile bootstrap over participants. std is over trials, as the papers print it.
//
//   HumanStudyResults r = humanStudyResults(*store.study(id), store.trials(id), options);
#include "core/eval/statistics.h"
#include "core/store/study_store.h"

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

struct HumanMetric {
    std::string key;      // naturalness | relevance | comforting | reward (JSON and CSV)
    std::string label;    // the paper's row: "Nat./Flu.", "Relevancy", "Helpfulness", ...
};

// The rows of a task's human table, in the paper's order.
std::vector<HumanMetric> humanMetrics(bool counseling);

struct HumanMetricResult {
    int64_t trials = 0;         // trials with a value
    int64_t participants = 0;   // participants with at least one
    double mean = 0.0;          // mean of the participants' means
    double std = 0.0;           // sample std over trials (n - 1; 0 when n < 2)
    double ciLow = 0.0;         // bootstrap over participants; = mean with one participant
    double ciHigh = 0.0;
};

struct HumanAgentResult {
    int agentIndex = 0;
    std::string name;           // real name (revealed in results only)
    std::string label;          // "Agent B"
    ChatAgentSpec spec;
    int64_t trials = 0;         // done trials
    int64_t participants = 0;
    std::map<std::string, HumanMetricResult> metrics;   // by HumanMetric::key
};

struct HumanStudyResults {
    int64_t study = 0;
    std::string name;
    std::string task;
    bool counseling = false;
    std::vector<HumanMetric> metrics;
    std::vector<HumanAgentResult> agents;   // the study's listed order
    int64_t participants = 0;               // with at least one done trial
};

// Only done trials count. Resampling is seeded by options.seed (same input, same figures).
HumanStudyResults humanStudyResults(const StudyInfo& study, const std::vector<StudyTrial>& trials,
                                    const stats::Options& options = {});

HumanMetricResult humanMetricResult(const std::map<std::string, std::vector<double>>& valuesByParticipant,
                                    const stats::Options& options);

// "3.40 ± 0.89 [2.90, 3.80]"; "—" without trials.
std::string formatHumanCell(const HumanMetricResult& m, int decimals = 2);

nlohmann::json toJson(const HumanMetricResult& m);
// {"study","name","task","participants","metrics":[{"key","label"}],"agents":[{"name","label",
//  "trials","participants","metrics":{key:{...}}}]}
nlohmann::json toJson(const HumanStudyResults& r);
// The study's own table (agents as columns, real names with their labels): md | csv | json.
// Throws hw::Error for another format.
std::string formatHumanStudy(const HumanStudyResults& r, const std::string& format);

} // namespace hw
