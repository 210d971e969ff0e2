#include "core/eval/simulator_fidelity.h"

#include "core/eval/eval_persona.h"
#include "core/eval/finished_job.h"
#include "core/eval/statistics.h"
#include "core/store/job_store.h"
#include "core/pipeline/llm_stage_support.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/eval_store.h"

namespace hw {
namespace {

// P4G has no personas: the simulator plays a participant like those of the study.
EvalPersona p4gParticipant()
{
    EvalPersona p;
    p.name = "p4g-participant";
    p.description = "A crowd worker paired with another worker to chat; they may donate part of their $2 task payment.";
    p.origin = "fidelity";
    return p;
}

std::optional<double> realOutcome(const Task& task, const Dialogue& d)
{
    if (task.kind != TaskKind::Counseling)
        return d.reward;
    const auto it = d.metadata.find("final_emotion_intensity");
    if (it == d.metadata.end() || !it->is_number())
        return std::nullopt;
    return it->get<double>();
}

FidelityResult summarise(int64_t jobId, const std::string& measure, const nlohmann::json& identity, Database& db)
{
    FidelityResult r;
    r.jobId = jobId;
    r.measure = measure;
    r.simulator = identity;
    JobStore jobs(db);
    std::vector<double> sim, real;
    for (const auto& key : jobs.doneKeys(jobId)) {
        const auto item = jobs.item(jobId, key);
        if (!item)
            continue;
        const auto& res = item->result;
        if (!res.value("ok", false) || !res.contains("simulated") || !res.contains("real")) {
            ++r.failed;
            continue;
        }
        sim.push_back(res["simulated"].get<double>());
        real.push_back(res["real"].get<double>());
    }
    r.n = static_cast<int64_t>(sim.size());
    r.spearman = stats::spearman(sim, real);
    r.mae = stats::meanAbsoluteError(sim, real);
    return r;
}

} // namespace

nlohmann::json FidelityResult::toJson() const
{
    return {{"job", jobId}, {"measure", measure}, {"n", n}, {"failed", failed},
            {"spearman", spearman}, {"mae", mae}, {"simulator", simulator}};
}

FidelityResult runFidelity(SharedProject& project, FidelityConfig config, UserSimulator& simulator,
                           const JobHooks& hooks, JobSummary* summary)
{
    if (config.dialogues < 1)
        throw Error("--fidelity needs at least one dialogue");
    Task task;
    std::vector<int64_t> ids;
    project.with([&](Database& db) {
        const auto t = DialogueStore(db).task(config.task);
        if (!t)
            throw Error("no task named '" + config.task + "' in " + db.path());
        task = *t;
        ids = EvalStore(db).fidelityDialogueIds(config.task, config.dialogues);
    });
    if (ids.empty())
        throw Error("simulator fidelity: no labelled real dialogues of task '" + config.task
                    + "' in the project (import P4G or ESConv first)");
    config.simulator = simulator.identity();
    JobRunner::Options opts;
    opts.kind = "eval-fidelity";
    opts.name = "simulator fidelity " + config.task;
    opts.config = config;
    opts.concurrency = std::max(1, std::min(config.concurrency, simulator.maxConcurrency()));
    opts.seed = config.seed;
    const std::string measure = task.kind == TaskKind::Counseling ? "final intensity" : "donation";
    if (auto done = finishedJob(project, opts.kind, opts.config)) {
        if (summary)
            *summary = *done;
        return project.with([&](Database& db) { return summarise(done->jobId, measure, config.simulator, db); });
    }
    JobRunner runner(project, opts, hooks);
    std::vector<std::string> keys;
    for (int64_t id : ids)
        keys.push_back("d:" + std::to_string(id));

    const JobSummary s = runner.run(keys, [&](const std::string& key, const StageContext& ctx) {
        const int64_t id = std::stoll(key.substr(2));
        const auto d = project.with([&](Database& db) { return DialogueStore(db).get(id); });
        JobItemOutcome out;
        if (!d) {
            out.error = "dialogue " + std::to_string(id) + " is gone";
            return out;
        }
        EvalPersona persona = task.kind == TaskKind::Counseling ? personaFromEsconvMetadata(d->uid, d->metadata)
                                                                : p4gParticipant();
        const auto real = realOutcome(task, *d);
        out.ok = true;
        if (persona.name.empty() || !real) {
            out.result = {{"ok", false}, {"why", "no real outcome or persona metadata"}};
            return out;
        }
        // Real agent turns, simulated user turns in place of the real ones.
        std::vector<Turn> history;
        for (const auto& t : d->turns) {
            StageContext turnCtx = ctx;
            turnCtx.seed = attemptSeed(ctx.seed + static_cast<uint64_t>(history.size()), 0);
            if (t.role == Role::Agent) {
                history.push_back({static_cast<int>(history.size()), Role::Agent, t.text, {}});
                continue;
            }
            SimulatorTurn u = simulator.userTurn(task, persona, history, turnCtx);
            out.usage += u.usage;
            if (!u.ok) {
                out.result = {{"ok", false}, {"why", u.error}};
                return out;
            }
            history.push_back({static_cast<int>(history.size()), Role::User, u.text, {}});
        }
        StageContext decideCtx = ctx;
        decideCtx.seed = attemptSeed(ctx.seed + 0x5eedull, 0);
        SimulatorDecision dec = simulator.decide(task, persona, history, decideCtx);
        out.usage += dec.usage;
        if (!dec.ok || !dec.outcome) {
            out.result = {{"ok", false}, {"why", dec.error}, {"raw", dec.raw.substr(0, 4000)}};
            return out;
        }
        out.result = {{"ok", true}, {"simulated", *dec.outcome}, {"real", *real}, {"dialogue_id", id}};
        return out;
    });
    if (summary)
        *summary = s;
    return project.with([&](Database& db) { return summarise(s.jobId, measure, config.simulator, db); });
}

std::optional<FidelityResult> latestFidelity(Database& db, const nlohmann::json& identity)
{
    JobStore jobs(db);
    for (const auto& j : jobs.list("eval-fidelity")) {
        if (j.status != "done" || j.config.value("simulator", nlohmann::json()) != identity)
            continue;
        const std::string task = j.config.value("task", std::string());
        const auto t = DialogueStore(db).task(task);
        const std::string measure = t && t->kind == TaskKind::Counseling ? "final intensity" : "donation";
        return summarise(j.id, measure, identity, db);
    }
    return std::nullopt;
}

} // namespace hw
