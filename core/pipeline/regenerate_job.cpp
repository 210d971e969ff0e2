#include "core/pipeline/regenerate_job.h"

#include "core/store/regeneration_store.h"
#include "core/store/suggestion_store.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/imagined_dialogue.h"

#include <algorithm>
#include <map>
#include <random>

namespace hw {

bool isHardSample(uint64_t seed, const std::string& itemKey, double hardShare)
{
    if (hardShare <= 0)
        return false;
    if (hardShare >= 1)
        return true;
    const uint64_t h = itemSeed(seed ^ 0x4841524400000000ull /* "HARD" */, itemKey);
    return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0) < hardShare;
}

JobSummary runRegenerate(SharedProject& project, const RegenerateConfig& config, ForwardModel& normal,
                         ForwardModel* hard, const JobHooks& hooks)
{
    if (config.mode != "random" && config.mode != "accepted")
        throw Error("regenerate: mode must be 'random' or 'accepted', not '" + config.mode + "'");
    if (config.samples < 1)
        throw Error("regenerate: samples must be at least 1");
    if (config.hardShare < 0 || config.hardShare > 1)
        throw Error("regenerate: the hard share must be between 0 and 1");
    if (config.hardShare > 0 && !hard)
        throw Error("regenerate: a hard share above 0 needs a hard forward model");

    nlohmann::json cfg = config;
    if (cfg["stage"].empty()) {
        cfg["stage"] = {{"forward", normal.name()}};
        if (hard)
            cfg["stage"]["forward_hard"] = hard->name();
    }
    JobRunner::Options opts;
    opts.kind = "regenerate";
    opts.name = "regenerate " + config.task;
    opts.config = config.description.is_null() ? cfg : config.description;
    opts.concurrency = std::min(config.concurrency, std::min(normal.maxConcurrency(), hard ? hard->maxConcurrency() : 1 << 20));
    opts.seed = config.seed;
    JobRunner runner(project, opts, hooks);
    const int64_t jobId = runner.jobId();

    Task task;
    std::vector<std::string> keys;
    project.with([&](Database& db) {
        DialogueStore store(db);
        const auto t = store.task(config.task);
        if (!t)
            throw Error("no task named '" + config.task + "' in " + db.path());
        task = *t;
        // Candidate suggestions per dialogue, in id order.
        const std::string statuses = config.mode == "accepted" ? "('accepted')" : "('proposed', 'accepted')";
        Statement st(db, "SELECT s.id, s.dialogue_id FROM suggestions s JOIN dialogues d ON d.id = s.dialogue_id "
                         "JOIN tasks t ON t.id = d.task_id WHERE t.name = ? AND s.turn_idx IS NOT NULL AND s.status IN "
                         + statuses + " AND " + notRejectedImaginedSql("d")
                         + (config.includeImagined ? "" : " AND d.source != 'imagined'") + " ORDER BY s.dialogue_id, s.id");
        st.bind(1, config.task);
        std::map<int64_t, std::vector<int64_t>> byDialogue;
        std::vector<int64_t> dialogueOrder;
        while (st.step()) {
            const int64_t sid = st.int64(0), did = st.int64(1);
            if (!byDialogue.count(did))
                dialogueOrder.push_back(did);
            byDialogue[did].push_back(sid);
        }
        std::vector<int64_t> chosen;
        for (int64_t did : dialogueOrder) {
            const auto& c = byDialogue[did];
            if (config.mode == "accepted") {
                chosen.insert(chosen.end(), c.begin(), c.end());
            } else {
                std::mt19937_64 rng(itemSeed(config.seed, "pick:" + std::to_string(did)));
                std::uniform_int_distribution<size_t> pick(0, c.size() - 1);
                chosen.push_back(c[pick(rng)]);
            }
        }
        // Skip (suggestion, sample) pairs another job already regenerated.
        Statement done(db, "SELECT 1 FROM regenerations WHERE suggestion_id = ? AND sample_index = ? "
                           "AND coalesce(job_id, 0) != ?");
        for (int64_t sid : chosen)
            for (int i = 0; i < config.samples; ++i) {
                done.reset();
                done.bind(1, sid).bind(2, i).bind(3, jobId);
                if (done.step())
                    continue;
                keys.push_back("s:" + std::to_string(sid) + ":" + std::to_string(i));
                if (config.limit > 0 && static_cast<int64_t>(keys.size()) >= config.limit)
                    return;
            }
    });

    return runner.run(keys, [&](const std::string& key, const StageContext& ctx) {
        const size_t colon = key.find(':', 2);
        const int64_t sid = std::stoll(key.substr(2, colon - 2));
        const int sample = std::stoi(key.substr(colon + 1));
        JobItemOutcome out;
        std::optional<Suggestion> suggestion;
        std::optional<Dialogue> parent;
        project.with([&](Database& db) {
            suggestion = SuggestionStore(db).get(sid);
            if (suggestion)
                parent = DialogueStore(db).get(suggestion->dialogueId);
        });
        if (!suggestion || !parent || !suggestion->turnIndex) {
            out.error = "suggestion " + std::to_string(sid) + " or its dialogue no longer exists";
            return out;
        }
        const int turnIdx = *suggestion->turnIndex;
        if (turnIdx < 0 || turnIdx >= static_cast<int>(parent->turns.size())
            || parent->turns[static_cast<size_t>(turnIdx)].role != Role::Agent) {
            out.error = "suggestion " + std::to_string(sid) + " points at turn " + std::to_string(turnIdx)
                        + ", which is not an agent turn";
            return out;
        }
        ForwardRequest req;
        req.task = &task;
        req.parent = &*parent;
        req.prefix.assign(parent->turns.begin(), parent->turns.begin() + turnIdx);
        Turn replaced;
        replaced.index = turnIdx;
        replaced.role = Role::Agent;
        replaced.text = suggestion->effectiveText();
        replaced.annotations = {{"hindsight", true}, {"suggestion_id", sid}};
        req.prefix.push_back(replaced);
        const int remaining = static_cast<int>(parent->turns.size()) - turnIdx - 1;
        req.turnBudget = config.turnBudget > 0 ? config.turnBudget : std::clamp(remaining + 4, 4, 40);
        req.sampleIndex = sample;

        const bool useHard = isHardSample(config.seed, key, config.hardShare);
        ForwardModel& model = useHard ? *hard : normal;
        ForwardResult r = model.complete(req, ctx);
        out.ok = r.ok;
        out.error = r.error;
        out.usage = r.usage;
        if (!r.ok) {
            out.result = {{"raw", r.raw.substr(0, 20000)}, {"hard", useHard}};
            return out;
        }
        Dialogue d;
        d.uid = "regen-" + parent->uid + "-s" + std::to_string(sid) + "-" + std::to_string(sample);
        d.task = parent->task;
        d.source = source::kRegeneration;
        d.split = parent->split;
        d.turns = req.prefix;
        d.turns.insert(d.turns.end(), r.continuation.begin(), r.continuation.end());
        d.parentId = parent->id;
        d.metadata = {{"regeneration",
                       {{"parent_id", parent->id}, {"parent_uid", parent->uid}, {"suggestion_id", sid},
                        {"prefix_len", turnIdx}, {"sample_index", sample}, {"hard", useHard}}}};
        // The reward labeler needs the seeker's starting point (ESConv).
        if (parent->metadata.is_object() && parent->metadata.contains("initial_emotion_intensity"))
            d.metadata["initial_emotion_intensity"] = parent->metadata["initial_emotion_intensity"];
        Regeneration lineage;
        lineage.parentDialogueId = parent->id;
        lineage.prefixLen = turnIdx;
        lineage.suggestionId = sid;
        lineage.generator = r.provenance;
        lineage.generator["model_name"] = model.name();
        lineage.hard = useHard;
        lineage.seed = static_cast<int64_t>(ctx.seed);
        lineage.sampleIndex = sample;
        lineage.jobId = ctx.jobId;
        out.counts = {{"regenerations", 1}, {"hard", useHard ? 1 : 0}};
        out.commit = [d, lineage](Database& db, nlohmann::json& result) mutable {
            const auto ins = DialogueStore(db).insert(d);
            if (!ins.inserted)
                throw Error("a dialogue with uid " + d.uid + " already exists");
            lineage.dialogueId = ins.id;
            RegenerationStore(db).insert(lineage);
            result["dialogue_id"] = ins.id;
        };
        return out;
    });
}

} // namespace hw
