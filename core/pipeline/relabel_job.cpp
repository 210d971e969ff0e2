#include "core/pipeline/relabel_job.h"

#include "core/store/suggestion_store.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/imagined_dialogue.h"
#include "core/store/original_dialogue.h"

namespace hw {

JobSummary runRelabel(SharedProject& project, const RelabelConfig& config, HindsightController& controller,
                      const JobHooks& hooks)
{
    nlohmann::json cfg = config;
    if (cfg["stage"].empty())
        cfg["stage"] = {{"controller", controller.name()}};
    JobRunner::Options opts;
    opts.kind = "relabel";
    opts.name = "relabel " + config.task;
    opts.config = config.description.is_null() ? cfg : config.description;
    opts.concurrency = std::min(config.concurrency, controller.maxConcurrency());
    opts.seed = config.seed;
    JobRunner runner(project, opts, hooks);

    Task task;
    std::vector<std::string> keys;
    project.with([&](Database& db) {
        DialogueStore store(db);
        const auto t = store.task(config.task);
        if (!t)
            throw Error("no task named '" + config.task + "' in " + db.path());
        task = *t;
        std::string sql =
            "SELECT d.id FROM dialogues d JOIN tasks t ON t.id = d.task_id "
            "WHERE t.name = ?1 AND "
            + (config.includeImagined ? "(" + originalDialogueSql("d") + " OR (d.source = 'imagined' AND "
                                            + notRejectedImaginedSql("d") + "))"
                                      : originalDialogueSql("d"))
            + " AND d.n_turns > 0 "
            "AND NOT EXISTS (SELECT 1 FROM suggestions s WHERE s.dialogue_id = d.id AND s.status != 'failed' "
            "                AND coalesce(s.job_id, 0) != ?2) ";
        if (!config.dialogueIds.empty()) {
            sql += "AND d.id IN (";
            for (size_t i = 0; i < config.dialogueIds.size(); ++i)
                sql += (i ? "," : "") + std::to_string(config.dialogueIds[i]);
            sql += ") ";
        }
        sql += "ORDER BY d.id";
        if (config.limit > 0)
            sql += " LIMIT " + std::to_string(config.limit);
        Statement st(db, sql);
        st.bind(1, config.task).bind(2, runner.jobId());
        while (st.step())
            keys.push_back("d:" + std::to_string(st.int64(0)));
    });

    const int count = config.suggestions;
    // One store of each for the whole job (they keep prepared statements); used under the mutex.
    DialogueStore dialogues(project.db);
    SuggestionStore suggestions(project.db);
    return runner.run(keys, [&](const std::string& key, const StageContext& ctx) {
        const int64_t id = std::stoll(key.substr(2));
        const auto dialogue = project.with([&](Database&) { return dialogues.get(id); });
        JobItemOutcome out;
        if (!dialogue) {
            out.error = "dialogue " + std::to_string(id) + " no longer exists";
            return out;
        }
        ControllerResult r = controller.suggest(task, *dialogue, count, ctx);
        out.ok = r.ok;
        out.error = r.error;
        out.usage = r.usage;
        int usable = 0;
        for (const auto& s : r.suggestions)
            usable += s.error.empty();
        const int failedRows = r.suggestions.empty() ? 1 : static_cast<int>(r.suggestions.size()) - usable;
        out.counts = {{"suggestions", usable}, {"failed_suggestions", failedRows}};
        out.result = {{"suggestions", usable}};
        const int64_t jobId = ctx.jobId;
        out.commit = [r = std::move(r), id, jobId, &suggestions](Database&, nlohmann::json&) {
            SuggestionStore& store = suggestions;
            auto base = [&](Suggestion& s) {
                s.dialogueId = id;
                s.provenance = r.provenance;
                s.rawReply = r.raw;
                s.jobId = jobId;
            };
            if (r.suggestions.empty()) {
                Suggestion s;
                base(s);
                s.rank = 0;
                s.status = suggestion_status::kFailed;
                s.error = r.error;
                store.insert(s);
                return;
            }
            for (const auto& d : r.suggestions) {
                Suggestion s;
                base(s);
                s.rank = d.rank;
                s.turnIndex = d.turnIndex;
                s.originalText = d.originalText;
                s.critique = d.critique;
                s.proposedText = d.proposedText;
                s.status = d.error.empty() ? suggestion_status::kProposed : suggestion_status::kFailed;
                s.error = d.error;
                store.insert(s);
            }
        };
        return out;
    });
}

} // namespace hw
