#include "core/eval/evaluation_job.h"

#include "core/eval/episode_runner.h"
#include "core/eval/finished_job.h"
#include "core/eval/simulated_source.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/eval_store.h"

#include <algorithm>

namespace hw {

EpisodePlan planEpisode(const EvaluationConfig& config, size_t personaCount, int episode)
{
    EpisodePlan p;
    p.episode = episode;
    p.persona = static_cast<size_t>(episode / std::max(1, config.episodesPerPersona)) % std::max<size_t>(1, personaCount);
    p.seed = itemSeed(config.seed, "episode:" + std::to_string(episode));
    return p;
}

JobSummary runEvaluation(SharedProject& project, EvaluationConfig config, const std::vector<EvalPersona>& personas,
                         const std::vector<NamedAgent>& agents, UserSimulator& simulator, const JobHooks& hooks)
{
    if (agents.empty())
        throw Error("evaluate: no agents");
    if (personas.empty())
        throw Error("evaluate: no personas");
    if (config.episodesPerPersona < 1)
        throw Error("evaluate: --episodes-per-persona must be at least 1");
    Task task;
    project.with([&](Database& db) {
        const auto t = DialogueStore(db).task(config.task);
        if (!t)
            throw Error("no task named '" + config.task + "' in " + db.path());
        task = *t;
    });
    if (config.maxTurns <= 0)
        config.maxTurns = defaultMaxTurns(task);
    const nlohmann::json identity = simulator.identity();
    config.simulator = identity;
    config.agents = nlohmann::json::array();
    for (const auto& a : agents)
        config.agents.push_back({{"name", a.name}, {"spec", a.spec}, {"describe", a.agent->describe()}});
    config.personas = personas;

    int concurrency = std::max(1, config.concurrency);
    concurrency = std::min(concurrency, simulator.maxConcurrency() * static_cast<int>(agents.size()));
    JobRunner::Options opts;
    opts.kind = "evaluate";
    opts.name = "evaluate " + config.task;
    opts.config = config;
    opts.concurrency = std::max(1, concurrency);
    opts.seed = config.seed;
    if (auto done = finishedJob(project, opts.kind, opts.config))
        return *done;
    JobRunner runner(project, opts, hooks);

    const int episodes = config.episodesPerPersona * static_cast<int>(personas.size());
    std::vector<std::string> keys;
    // Episode-major order: the agents' episode i run close together, so a partial run still
    // holds paired episodes.
    for (int e = 0; e < episodes; ++e)
        for (size_t a = 0; a < agents.size(); ++a)
            keys.push_back("e:" + std::to_string(a) + ":" + std::to_string(e));

    return runner.run(keys, [&](const std::string& key, const StageContext& jobCtx) {
        const size_t c1 = key.find(':', 2);
        const size_t agentIndex = std::stoul(key.substr(2, c1 - 2));
        const int episode = std::stoi(key.substr(c1 + 1));
        const EpisodePlan plan = planEpisode(config, personas.size(), episode);
        const EvalPersona& persona = personas[plan.persona];
        const NamedAgent& agent = agents[agentIndex];
        StageContext ctx = jobCtx;
        ctx.seed = plan.seed;   // the episode's, not the item's: paired across agents

        EpisodeResult r = runEpisode(task, persona, *agent.agent, simulator, config.maxTurns, ctx);

        JobItemOutcome out;
        out.ok = true;           // a failed episode is a result, not a failed item
        out.usage = r.usage;
        out.result = {{"episode_ok", r.ok}, {"persona", persona.name}};
        out.counts = {{"episodes", 1}, {"failed_episodes", r.ok ? 0 : 1}};
        Dialogue d;
        d.task = task.name;
        d.source = source::kSimulated;
        d.turns = r.turns;
        d.metadata = {{"evaluation",
                       {{"agent", agent.name},
                        {"agent_spec", agent.spec},
                        {"agent_index", agentIndex},
                        {"episode", episode},
                        {"persona", persona},
                        {"seed", plan.seed},
                        {"ok", r.ok},
                        {"reward", r.reward ? nlohmann::json(*r.reward) : nlohmann::json(nullptr)},
                        {"decision", r.decisionRaw},
                        {"decision_provenance", r.decisionProvenance},
                        {"ended_early", r.endedEarly},
                        {"simulator", identity}}}};
        EvalEpisodeRecord rec;
        rec.agentIndex = static_cast<int>(agentIndex);
        rec.episode = episode;
        rec.agentName = agent.name;
        rec.agentSpec = agent.spec;
        rec.persona = persona.name;
        rec.seed = plan.seed;
        rec.status = r.ok ? "ok" : "failed";
        rec.reward = r.reward;
        rec.outcome = r.outcome;
        rec.decisionRaw = r.decisionRaw;
        rec.faults = r.faults;
        rec.error = r.error;
        rec.simulator = identity;
        rec.turns = static_cast<int>(r.turns.size());
        const int64_t jobId = jobCtx.jobId;
        out.commit = [d, rec, jobId](Database& db, nlohmann::json& result) mutable {
            d.uid = "eval-" + std::to_string(jobId) + "-a" + std::to_string(rec.agentIndex) + "-e"
                + std::to_string(rec.episode);
            if (!d.turns.empty()) {
                const auto ins = DialogueStore(db).insert(d);
                rec.dialogueId = ins.id;
                result["dialogue_id"] = ins.id;
            }
            rec.jobId = jobId;
            EvalStore(db).record(rec);
        };
        return out;
    });
}

} // namespace hw
