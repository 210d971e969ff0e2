#include "core/eval/eval_report.h"

#include "core/eval/eval_spec.h"
#include "core/io/text_util.h"
#include "core/util/error.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

namespace hw {
namespace {

std::string num(double v, int decimals = 2) { return text::fixed(v, decimals); }

std::string pText(double p)
{
    if (p < 0.001)
        return "<0.001";
    return num(p, 3);
}

nlohmann::json summaryJson(const stats::Summary& s)
{
    return {{"n", s.n}, {"mean", s.mean}, {"std", s.std}, {"ci_low", s.ciLow}, {"ci_high", s.ciHigh}};
}

// "1.02 ± 0.60 [0.88, 1.25]" (mean ± std, then the 95% interval); "–" without episodes.
std::string cell(const stats::Summary& s)
{
    if (s.n == 0)
        return "–";
    return num(s.mean) + " ± " + num(s.std) + " [" + num(s.ciLow) + ", " + num(s.ciHigh) + "]";
}

std::string comparisonCell(const EvalReport& r, const std::string& agent)
{
    if (agent == r.baseline)
        return "baseline";
    for (const auto& c : r.comparisons)
        if (c.agent == agent) {
            if (c.test.n == 0)
                return "–";
            return (c.test.diff >= 0 ? "+" : "") + num(c.test.diff) + " [" + num(c.test.ciLow) + ", " + num(c.test.ciHigh)
                + "] p" + (c.pHolm < 0.001 ? std::string() : std::string("=")) + pText(c.pHolm) + (c.significant ? " *" : " n.s.");
        }
    return "–";
}

std::string faultsText(const EvalAgentResult& a)
{
    if (a.faultyEpisodes == 0)
        return "0";
    std::string s = std::to_string(a.faultyEpisodes) + " (";
    bool first = true;
    for (auto it = a.faults.begin(); it != a.faults.end(); ++it) {
        s += (first ? "" : ", ") + it.key() + " " + std::to_string(it.value().get<int64_t>());
        first = false;
    }
    return s + ")";
}

std::string simulatorText(const nlohmann::json& sim)
{
    std::string s = sim.value("kind", std::string("?"));
    if (sim.contains("model"))
        s += " " + sim.value("model", std::string()) + " @ " + sim.value("endpoint", std::string());
    if (sim.contains("forward"))
        s += " forward " + sim.value("forward", std::string()) + ", reward " + sim.value("reward", std::string());
    if (sim.contains("prompt_sha256"))
        s += ", prompt " + sim.value("prompt_sha256", std::string()).substr(0, 12);
    if (sim.contains("persona_set"))
        s += ", personas " + sim.value("persona_set", std::string());
    return s;
}

std::string latexEscape(const std::string& s)
{
    std::string out;
    for (char c : s) {
        if (c == '_' || c == '%' || c == '&' || c == '#' || c == '$')
            out += '\\';
        out += c;
    }
    return out;
}

// The same agent in a study and in an evaluation run: the same name, or the same checkpoint with
// the same decoding (π_β, or ILQL at the same β).
bool sameAgent(const EvalAgentResult& evalAgent, const HumanAgentResult& human)
{
    if (evalAgent.name == human.name || (!human.spec.name.empty() && evalAgent.name == human.spec.name))
        return true;
    if (!human.spec.isLocal() || human.spec.checkpoint.empty())
        return false;
    try {
        const EvalAgentSpec e = parseAgentSpec(evalAgent.spec);
        if (e.kind != "ckpt" || e.checkpoint != human.spec.checkpoint)
            return false;
        const bool ilql = human.spec.kind == agent_kind::kIlql;
        return ilql == e.beta.has_value() && (!ilql || *e.beta == human.spec.beta);
    } catch (const Error&) {
        return false;
    }
}

const HumanMetricResult* humanMetricOf(const std::optional<HumanAgentResult>& a, const std::string& key)
{
    if (!a)
        return nullptr;
    const auto it = a->metrics.find(key);
    return it == a->metrics.end() ? nullptr : &it->second;
}

} // namespace

void addHumanResults(EvalReport& report, const HumanStudyResults& human)
{
    if (!report.task.empty() && human.task != report.task)
        throw Error("study '" + human.name + "' is of task '" + human.task + "', evaluation run "
                    + std::to_string(report.run) + " of task '" + report.task + "'");
    EvalHumanRows rows;
    rows.study = human.study;
    rows.name = human.name;
    rows.metrics = human.metrics;
    rows.participants = human.participants;
    for (const auto& a : report.agents) {
        std::optional<HumanAgentResult> match;
        for (const auto& h : human.agents)
            if (sameAgent(a, h)) {
                match = h;
                break;
            }
        rows.perAgent.push_back(std::move(match));
    }
    report.human = std::move(rows);
}

EvalReport buildEvalReport(int64_t run, const nlohmann::json& jobConfig, const std::vector<EvalEpisodeRecord>& episodes,
                           const EvalReportOptions& options)
{
    EvalReport r;
    r.run = run;
    r.task = jobConfig.value("task", std::string());
    r.simulator = jobConfig.value("simulator", nlohmann::json::object());
    r.alpha = options.stats.alpha;
    for (const auto& p : jobConfig.value("personas", nlohmann::json::array()))
        r.personas.push_back(p.value("name", std::string()));
    std::set<std::string> identities;
    for (const auto& e : episodes)
        identities.insert(e.simulator.dump());
    if (identities.size() > 1)
        throw Error("run " + std::to_string(run)
                    + " holds episodes of different simulators; results of different simulators are never pooled");
    if (!episodes.empty())
        r.simulator = episodes.front().simulator;

    const auto agentsJson = jobConfig.value("agents", nlohmann::json::array());
    std::vector<std::map<int, double>> rewardsByEpisode(agentsJson.size());
    for (size_t i = 0; i < agentsJson.size(); ++i) {
        EvalAgentResult a;
        a.name = agentsJson[i].value("name", "agent " + std::to_string(i + 1));
        a.spec = agentsJson[i].value("spec", std::string());
        std::vector<double> all;
        std::map<std::string, std::vector<double>> byPersona;
        for (const auto& e : episodes) {
            if (e.agentIndex != static_cast<int>(i))
                continue;
            ++a.episodes;
            if (e.faults.is_object() && !e.faults.empty()) {
                ++a.faultyEpisodes;
                for (auto it = e.faults.begin(); it != e.faults.end(); ++it)
                    a.faults[it.key()] = a.faults.value(it.key(), int64_t(0)) + it.value().get<int64_t>();
            }
            if (e.status != "ok" || !e.reward) {
                ++a.failed;
                continue;
            }
            all.push_back(*e.reward);
            byPersona[e.persona].push_back(*e.reward);
            rewardsByEpisode[i][e.episode] = *e.reward;
        }
        a.overall = stats::summarize(all, options.stats);
        for (const auto& name : r.personas)
            a.perPersona[name] = stats::summarize(byPersona[name], options.stats);
        r.agents.push_back(std::move(a));
    }
    if (r.agents.empty())
        return r;

    size_t base = 0;
    if (!options.baseline.empty()) {
        const auto it = std::find_if(r.agents.begin(), r.agents.end(), [&](const EvalAgentResult& a) {
            return a.name == options.baseline || a.spec == options.baseline;
        });
        if (it == r.agents.end()) {
            std::string known;
            for (const auto& a : r.agents)
                known += (known.empty() ? "" : ", ") + a.name;
            throw Error("--baseline '" + options.baseline + "' is no agent of run " + std::to_string(run) + " (agents: "
                        + known + ")");
        }
        base = static_cast<size_t>(it - r.agents.begin());
    }
    r.baseline = r.agents[base].name;
    std::vector<double> pValues;
    for (size_t i = 0; i < r.agents.size(); ++i) {
        if (i == base)
            continue;
        std::vector<double> a, b;
        for (const auto& [episode, reward] : rewardsByEpisode[i]) {
            const auto it = rewardsByEpisode[base].find(episode);
            if (it == rewardsByEpisode[base].end())
                continue;
            a.push_back(reward);
            b.push_back(it->second);
        }
        AgentComparison c;
        c.agent = r.agents[i].name;
        c.baseline = r.baseline;
        c.test = stats::pairedTest(a, b, options.stats);
        pValues.push_back(c.test.p);
        r.comparisons.push_back(c);
    }
    const auto adjusted = stats::holm(pValues);
    for (size_t i = 0; i < r.comparisons.size(); ++i) {
        r.comparisons[i].pHolm = adjusted[i];
        r.comparisons[i].significant = r.comparisons[i].test.n > 0 && adjusted[i] < options.stats.alpha;
    }
    return r;
}

nlohmann::json toJson(const EvalReport& r)
{
    nlohmann::json agents = nlohmann::json::array();
    for (const auto& a : r.agents) {
        nlohmann::json per = nlohmann::json::object();
        for (const auto& [name, s] : a.perPersona)
            per[name] = summaryJson(s);
        agents.push_back({{"name", a.name},
                          {"spec", a.spec},
                          {"n", a.overall.n},
                          {"episodes", a.episodes},
                          {"failed", a.failed},
                          {"mean", a.overall.mean},
                          {"std", a.overall.std},
                          {"ci_low", a.overall.ciLow},
                          {"ci_high", a.overall.ciHigh},
                          {"per_persona", per},
                          {"faults", a.faults},
                          {"faulty_episodes", a.faultyEpisodes}});
    }
    nlohmann::json comparisons = nlohmann::json::array();
    for (const auto& c : r.comparisons)
        comparisons.push_back({{"agent", c.agent},
                               {"baseline", c.baseline},
                               {"n", c.test.n},
                               {"diff", c.test.diff},
                               {"ci_low", c.test.ciLow},
                               {"ci_high", c.test.ciHigh},
                               {"p", c.test.p},
                               {"p_exact", c.test.exact},
                               {"p_holm", c.pHolm},
                               {"significant", c.significant}});
    nlohmann::json out = {{"run", r.run},
            {"task", r.task},
            {"simulator", r.simulator},
            {"personas", r.personas},
            {"baseline", r.baseline},
            {"agents", agents},
            {"comparisons", comparisons},
            {"alpha", r.alpha},
            {"requests", r.requests},
            {"cache_hits", r.cacheHits},
            {"fidelity", r.fidelity}};
    if (r.human) {
        nlohmann::json metrics = nlohmann::json::array();
        for (const auto& m : r.human->metrics)
            metrics.push_back({{"key", m.key}, {"label", m.label}});
        nlohmann::json humanAgents = nlohmann::json::array();
        for (size_t i = 0; i < r.agents.size(); ++i) {
            const auto& h = r.human->perAgent.at(i);
            nlohmann::json per = nlohmann::json::object();
            if (h)
                for (const auto& [key, m] : h->metrics)
                    per[key] = toJson(m);
            humanAgents.push_back({{"name", r.agents[i].name},
                                   {"matched", h ? nlohmann::json(h->name) : nlohmann::json()},
                                   {"label", h ? nlohmann::json(h->label) : nlohmann::json()},
                                   {"trials", h ? h->trials : 0},
                                   {"participants", h ? h->participants : 0},
                                   {"metrics", per}});
        }
        out["human"] = {{"study", r.human->study},
                        {"name", r.human->name},
                        {"participants", r.human->participants},
                        {"metrics", metrics},
                        {"agents", humanAgents}};
    }
    return out;
}

std::string formatEvalReport(const EvalReport& r, const std::string& format)
{
    if (format == "json")
        return toJson(r).dump(2) + "\n";
    std::ostringstream out;
    if (format == "md") {
        out << "Evaluation run " << r.run << " (" << r.task << "), simulator: " << simulatorText(r.simulator) << "\n\n";
        out << "| Metric |";
        for (const auto& a : r.agents)
            out << " " << a.name << " |";
        out << "\n|---|";
        for (size_t i = 0; i < r.agents.size(); ++i)
            out << "---|";
        out << "\n";
        if (r.human)
            for (const auto& m : r.human->metrics) {
                out << "| " << m.label << " |";
                for (size_t i = 0; i < r.agents.size(); ++i) {
                    const auto* hm = humanMetricOf(r.human->perAgent[i], m.key);
                    out << " " << (hm ? formatHumanCell(*hm) : std::string("—")) << " |";
                }
                out << "\n";
            }
        out << "| Reward (sim) |";
        for (const auto& a : r.agents)
            out << " " << cell(a.overall) << " |";
        out << "\n";
        for (const auto& p : r.personas) {
            out << "| · " << p << " |";
            for (const auto& a : r.agents)
                out << " " << cell(a.perPersona.at(p)) << " |";
            out << "\n";
        }
        out << "| Δ vs " << r.baseline << " |";
        for (const auto& a : r.agents)
            out << " " << comparisonCell(r, a.name) << " |";
        out << "\n| Episodes (failed) |";
        for (const auto& a : r.agents)
            out << " " << a.episodes << " (" << a.failed << ") |";
        out << "\n| Simulator faults |";
        for (const auto& a : r.agents)
            out << " " << faultsText(a) << " |";
        out << "\n";
        if (r.human) {
            out << "| Human trials (participants) |";
            for (const auto& h : r.human->perAgent)
                out << " " << (h ? std::to_string(h->trials) + " (" + std::to_string(h->participants) + ")" : "—")
                    << " |";
            out << "\n";
        }
        out << "\n";
        if (r.human)
            out << "Human rows: study #" << r.human->study << " '" << r.human->name << "', " << r.human->participants
                << " participant(s); mean of the participants' means ± std over trials [bootstrap 95% interval "
                   "over participants]; — = the agent was not in the study.\n";
        if (r.fidelity.is_object())
            out << "Simulator fidelity (" << r.fidelity.value("n", 0) << " real dialogues, "
                << r.fidelity.value("measure", std::string()) << "): Spearman rho = "
                << num(r.fidelity.value("spearman", 0.0)) << ", MAE = " << num(r.fidelity.value("mae", 0.0)) << "\n";
        else
            out << "Simulator fidelity: not measured (hindsight evaluate --fidelity N)\n";
        out << "mean ± std [bootstrap 95% interval]; Δ: paired difference with its interval, sign-flip p "
               "Holm-corrected across agents, * = significant at "
            << num(r.alpha) << ", n.s. = not significant.\n";
        return out.str();
    }
    if (format == "csv") {
        out << "metric,agent,persona,n,mean,std,ci_low,ci_high,diff,p,p_holm,significant\n";
        if (r.human)
            for (const auto& m : r.human->metrics)
                for (size_t i = 0; i < r.agents.size(); ++i) {
                    const auto* hm = humanMetricOf(r.human->perAgent[i], m.key);
                    out << "human_" << m.key << "," << text::csvField(r.agents[i].name) << ",all,";
                    if (hm && hm->trials > 0)
                        out << hm->trials << "," << hm->mean << "," << hm->std << "," << hm->ciLow << "," << hm->ciHigh;
                    else
                        out << "0,,,,";
                    out << ",,,,\n";
                }
        for (const auto& a : r.agents) {
            const auto& s = a.overall;
            out << "reward_sim," << text::csvField(a.name) << ",all," << s.n << "," << s.mean << "," << s.std << "," << s.ciLow
                << "," << s.ciHigh << ",,,,\n";
            for (const auto& [p, ps] : a.perPersona)
                out << "reward_sim," << text::csvField(a.name) << "," << text::csvField(p) << "," << ps.n << "," << ps.mean << ","
                    << ps.std << "," << ps.ciLow << "," << ps.ciHigh << ",,,,\n";
        }
        for (const auto& c : r.comparisons)
            out << "diff_vs_" << text::csvField(c.baseline) << "," << text::csvField(c.agent) << ",all," << c.test.n << ",,,"
                << c.test.ciLow << "," << c.test.ciHigh << "," << c.test.diff << "," << c.test.p << "," << c.pHolm
                << "," << (c.significant ? "yes" : "no") << "\n";
        return out.str();
    }
    if (format == "latex") {
        out << "\\begin{tabular}{l" << std::string(r.agents.size(), 'c') << "}\n\\toprule\nMetric";
        for (const auto& a : r.agents)
            out << " & " << latexEscape(a.name);
        out << " \\\\\n\\midrule\n";
        if (r.human)
            for (const auto& m : r.human->metrics) {
                out << latexEscape(m.label);
                for (size_t i = 0; i < r.agents.size(); ++i) {
                    const auto* hm = humanMetricOf(r.human->perAgent[i], m.key);
                    out << " & "
                        << (hm && hm->trials > 0 ? "$" + num(hm->mean) + " \\pm " + num(hm->std) + "$ {\\scriptsize ["
                                   + num(hm->ciLow) + ", " + num(hm->ciHigh) + "]}"
                                                 : std::string("--"));
                }
                out << " \\\\\n";
            }
        out << "Reward (sim)";
        auto latexCell = [](const stats::Summary& s) {
            return s.n == 0 ? std::string("--")
                            : "$" + num(s.mean) + " \\pm " + num(s.std) + "$ {\\scriptsize [" + num(s.ciLow) + ", "
                    + num(s.ciHigh) + "]}";
        };
        for (const auto& a : r.agents)
            out << " & " << latexCell(a.overall);
        out << " \\\\\n";
        for (const auto& p : r.personas) {
            out << "\\quad " << latexEscape(p);
            for (const auto& a : r.agents)
                out << " & " << latexCell(a.perPersona.at(p));
            out << " \\\\\n";
        }
        out << "$\\Delta$ vs " << latexEscape(r.baseline);
        for (const auto& a : r.agents) {
            std::string c = comparisonCell(r, a.name);
            out << " & " << latexEscape(c);
        }
        out << " \\\\\n\\bottomrule\n\\end{tabular}\n";
        return out.str();
    }
    throw Error("unknown report format '" + format + "' (md, csv, latex or json)");
}

} // namespace hw
