#include "core/pipeline/label_job.h"

#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/imagined_dialogue.h"

namespace hw {

JobSummary runLabel(SharedProject& project, const LabelConfig& config, RewardLabeler& labeler, const JobHooks& hooks)
{
    nlohmann::json cfg = config;
    if (cfg["stage"].empty())
        cfg["stage"] = {{"labeler", labeler.name()}};
    JobRunner::Options opts;
    opts.kind = "label";
    opts.name = "label " + config.task;
    opts.config = config.description.is_null() ? cfg : config.description;
    opts.concurrency = std::min(config.concurrency, labeler.maxConcurrency());
    opts.seed = config.seed;
    JobRunner runner(project, opts, hooks);
    const int64_t jobId = runner.jobId();

    Task task;
    std::vector<std::string> keys;
    project.with([&](Database& db) {
        const auto t = DialogueStore(db).task(config.task);
        if (!t)
            throw Error("no task named '" + config.task + "' in " + db.path());
        task = *t;
        std::string sql =
            "SELECT d.id FROM dialogues d JOIN tasks t ON t.id = d.task_id WHERE t.name = ?1 AND d.source IN "
            + std::string(config.includeImagined ? "('regeneration', 'imagined')" : "('regeneration')")
            + " AND " + notRejectedImaginedSql("d")
            + " AND NOT EXISTS (SELECT 1 FROM reward_labels r WHERE r.dialogue_id = d.id AND r.source = 'llm' "
              "                 AND coalesce(json_extract(r.provenance, '$.job_id'), -1) != ?2)"
              " AND (d.reward IS NULL OR EXISTS (SELECT 1 FROM reward_labels r WHERE r.dialogue_id = d.id "
              "                 AND json_extract(r.provenance, '$.job_id') = ?2))"
              " ORDER BY d.id";
        if (config.limit > 0)
            sql += " LIMIT " + std::to_string(config.limit);
        Statement st(db, sql);
        st.bind(1, config.task).bind(2, jobId);
        while (st.step())
            keys.push_back("r:" + std::to_string(st.int64(0)));
    });

    return runner.run(keys, [&](const std::string& key, const StageContext& ctx) {
        const int64_t id = std::stoll(key.substr(2));
        const auto dialogue = project.with([&](Database& db) { return DialogueStore(db).get(id); });
        JobItemOutcome out;
        if (!dialogue) {
            out.error = "dialogue " + std::to_string(id) + " no longer exists";
            return out;
        }
        RewardResult r = labeler.label(task, *dialogue, ctx);
        out.usage = r.usage;
        if (!r.ok) {
            out.error = r.error;
            out.result = {{"raw", r.raw.substr(0, 20000)}};
            return out;
        }
        if (!r.unfinished && (!r.value || *r.value < task.rewardMin || *r.value > task.rewardMax)) {
            out.error = "reward " + (r.value ? std::to_string(*r.value) : std::string("none")) + " is outside the task's range ["
                        + std::to_string(task.rewardMin) + ", " + std::to_string(task.rewardMax) + "]";
            out.result = {{"raw", r.raw.substr(0, 20000)}};
            return out;
        }
        out.ok = true;
        nlohmann::json prov = r.provenance;
        prov["job_id"] = ctx.jobId;
        prov["labeler"] = labeler.name();
        prov["details"] = r.details;
        out.counts = {{"labeled", r.unfinished ? 0 : 1}, {"discarded", r.unfinished ? 1 : 0}};
        out.result = {{"reward", r.value ? nlohmann::json(*r.value) : nlohmann::json()}, {"unfinished", r.unfinished}};
        const uint32_t flags = dialogue->flags;
        // The label's source: "llm" for an LLM labeller, "model" for a local reward model.
        const std::string source = r.provenance.value("kind", std::string()) == "reward_model" ? "model" : "llm";
        out.commit = [id, r, prov, flags, source](Database& db, nlohmann::json&) {
            DialogueStore store(db);
            if (r.unfinished) {
                store.setFlags(id, flags | kFlagUnfinished);
                store.setReward(id, std::nullopt, source, prov);
            } else {
                store.setReward(id, r.value, source, prov);
            }
        };
        return out;
    });
}

} // namespace hw
