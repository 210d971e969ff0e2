#include "core/eval/human_study.h"

#include "core/io/text_util.h"
#include "core/util/error.h"

#include <cstdio>
#include <sstream>
#include <tuple>
#include <optional>
#include <set>

namespace hw {
namespace {

std::optional<double> metricValue(const StudyTrial& t, const std::string& key)
{
    auto d = [](const std::optional<int>& v) { return v ? std::optional<double>(*v) : std::nullopt; };
    if (key == "naturalness")
        return d(t.rating.naturalness);
    if (key == "relevance")
        return d(t.rating.relevance);
    if (key == "comforting")
        return d(t.rating.comforting);
    if (key == "reward")
        return t.reward;
    return std::nullopt;
}

} // namespace

std::vector<HumanMetric> humanMetrics(bool counseling)
{
    if (counseling)
        return {{"naturalness", "Naturalness"},
                {"comforting", "Comforting"},
                {"relevance", "Helpfulness"},
                {"reward", "Reward"}};
    return {{"naturalness", "Nat./Flu."}, {"relevance", "Relevancy"}, {"reward", "Reward"}};
}

HumanMetricResult humanMetricResult(const std::map<std::string, std::vector<double>>& valuesByParticipant,
                                    const stats::Options& options)
{
    HumanMetricResult m;
    std::vector<double> all, participantMeans;
    for (const auto& [participant, values] : valuesByParticipant) {
        if (values.empty())
            continue;
        all.insert(all.end(), values.begin(), values.end());
        participantMeans.push_back(stats::mean(values));
    }
    m.trials = static_cast<int64_t>(all.size());
    m.participants = static_cast<int64_t>(participantMeans.size());
    if (m.trials == 0)
        return m;
    m.mean = stats::mean(participantMeans);
    m.std = stats::sampleStd(all);
    std::tie(m.ciLow, m.ciHigh) = stats::bootstrapMeanCi(participantMeans, options);
    return m;
}

HumanStudyResults humanStudyResults(const StudyInfo& study, const std::vector<StudyTrial>& trials,
                                    const stats::Options& options)
{
    HumanStudyResults r;
    r.study = study.id;
    r.name = study.name;
    r.task = study.task;
    r.counseling = study.counseling;
    r.metrics = humanMetrics(study.counseling);
    std::set<std::string> everyone;
    for (size_t i = 0; i < study.agents.size(); ++i) {
        HumanAgentResult a;
        a.agentIndex = static_cast<int>(i);
        a.name = study.agentName(static_cast<int>(i));
        a.label = study.labels.at(i);
        a.spec = study.agents[i];
        std::map<std::string, std::map<std::string, std::vector<double>>> values; // metric -> participant -> values
        std::set<std::string> who;
        for (const auto& t : trials) {
            if (t.studyId != study.id || t.agentIndex != static_cast<int>(i) || t.status != trial_status::kDone)
                continue;
            ++a.trials;
            who.insert(t.participant);
            for (const auto& m : r.metrics)
                if (const auto v = metricValue(t, m.key))
                    values[m.key][t.participant].push_back(*v);
        }
        a.participants = static_cast<int64_t>(who.size());
        everyone.insert(who.begin(), who.end());
        // One seed per agent and metric: agents' intervals do not share resampling noise.
        uint64_t k = 0;
        for (const auto& m : r.metrics) {
            stats::Options o = options;
            o.seed = options.seed + 1000003ull * i + 7919ull * k++;
            a.metrics[m.key] = humanMetricResult(values[m.key], o);
        }
        r.agents.push_back(std::move(a));
    }
    r.participants = static_cast<int64_t>(everyone.size());
    return r;
}

std::string formatHumanCell(const HumanMetricResult& m, int decimals)
{
    if (m.trials == 0)
        return "—";
    return text::fixed(m.mean, decimals) + " ± " + text::fixed(m.std, decimals) + " [" + text::fixed(m.ciLow, decimals) + ", "
        + text::fixed(m.ciHigh, decimals) + "]";
}

nlohmann::json toJson(const HumanMetricResult& m)
{
    return {{"trials", m.trials}, {"participants", m.participants}, {"mean", m.mean},
            {"std", m.std},       {"ci_low", m.ciLow},              {"ci_high", m.ciHigh}};
}

nlohmann::json toJson(const HumanStudyResults& r)
{
    nlohmann::json metrics = nlohmann::json::array();
    for (const auto& m : r.metrics)
        metrics.push_back({{"key", m.key}, {"label", m.label}});
    nlohmann::json agents = nlohmann::json::array();
    for (const auto& a : r.agents) {
        nlohmann::json per = nlohmann::json::object();
        for (const auto& [key, m] : a.metrics)
            per[key] = toJson(m);
        agents.push_back({{"name", a.name},
                          {"label", a.label},
                          {"trials", a.trials},
                          {"participants", a.participants},
                          {"metrics", per}});
    }
    return {{"study", r.study},   {"name", r.name},       {"task", r.task},
            {"participants", r.participants}, {"metrics", metrics}, {"agents", agents}};
}

std::string formatHumanStudy(const HumanStudyResults& r, const std::string& format)
{
    if (format == "json")
        return toJson(r).dump(2) + "\n";
    std::ostringstream out;
    if (format == "md") {
        out << "Human study #" << r.study << " '" << r.name << "' (" << r.task << "), " << r.participants
            << " participant(s)\n\n| Metric |";
        for (const auto& a : r.agents)
            out << " " << a.name << " (" << a.label << ") |";
        out << "\n|---|";
        for (size_t i = 0; i < r.agents.size(); ++i)
            out << "---|";
        out << "\n";
        for (const auto& m : r.metrics) {
            out << "| " << m.label << " |";
            for (const auto& a : r.agents)
                out << " " << formatHumanCell(a.metrics.at(m.key)) << " |";
            out << "\n";
        }
        out << "| Trials (participants) |";
        for (const auto& a : r.agents)
            out << " " << a.trials << " (" << a.participants << ") |";
        out << "\n\nmean of the participants' means ± std over trials [bootstrap 95% interval over participants]; "
            << (r.counseling ? "Reward = initial − final emotional intensity (1-5)" : "Reward = donation ($0-2)") << ".\n";
        return out.str();
    }
    if (format == "csv") {
        out << "metric,agent,label,trials,participants,mean,std,ci_low,ci_high\n";
        for (const auto& m : r.metrics)
            for (const auto& a : r.agents) {
                const auto& v = a.metrics.at(m.key);
                out << m.key << "," << text::csvField(a.name) << "," << a.label << "," << v.trials << "," << v.participants;
                if (v.trials > 0)
                    out << "," << v.mean << "," << v.std << "," << v.ciLow << "," << v.ciHigh << "\n";
                else
                    out << ",,,,\n";
            }
        return out.str();
    }
    throw Error("unknown study report format '" + format + "' (md, csv or json)");
}

} // namespace hw
