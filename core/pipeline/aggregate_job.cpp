#include "core/pipeline/aggregate_job.h"

#include "core/store/training_set_store.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/job_store.h"
#include "core/store/imagined_dialogue.h"
#include "core/store/original_dialogue.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <sstream>

namespace hw {

AggregateResult runAggregate(SharedProject& project, const AggregateConfig& config, const JobHooks& hooks)
{
    if (config.k < 1.0)
        throw Error("aggregate: k must be at least 1");
    JobRunner::Options opts;
    opts.kind = "aggregate";
    opts.name = "aggregate " + config.task;
    opts.config = config.description.is_null() ? nlohmann::json(config) : config.description;
    opts.concurrency = 1;
    opts.seed = config.seed;
    // Resumed like every stage: a run killed after the set's commit but before the job was marked
    // done finishes that job (its stored item result names the set) instead of starting another.
    opts.resume = true;
    JobRunner runner(project, opts, hooks);

    AggregateResult result;
    std::vector<int64_t> originals, pool;
    project.with([&](Database& db) {
        if (!DialogueStore(db).task(config.task))
            throw Error("no task named '" + config.task + "' in " + db.path());
        Statement st(db, "SELECT d.id, d.source FROM dialogues d JOIN tasks t ON t.id = d.task_id "
                         "WHERE t.name = ? AND d.reward IS NOT NULL AND (d.flags & ?) = 0 AND "
                         + notRejectedImaginedSql("d") + " ORDER BY d.id");
        st.bind(1, config.task).bind(2, static_cast<int64_t>(kFlagUnfinished));
        while (st.step()) {
            const std::string src = st.text(1);
            if (isOriginalSource(src))
                originals.push_back(st.int64(0));
            else if (src == source::kRegeneration || (src == source::kImagined && config.includeImagined))
                pool.push_back(st.int64(0));
        }
    });
    if (originals.empty())
        throw Error("aggregate: task '" + config.task + "' has no labelled original dialogues");
    result.originals = static_cast<int64_t>(originals.size());
    result.available = static_cast<int64_t>(pool.size());
    result.target = std::llround(config.k * static_cast<double>(originals.size()));
    const int64_t wanted = std::max<int64_t>(0, result.target - result.originals);
    if (static_cast<int64_t>(pool.size()) > wanted) {
        std::mt19937_64 rng(itemSeed(config.seed, "aggregate"));
        std::shuffle(pool.begin(), pool.end(), rng);
        pool.resize(static_cast<size_t>(wanted));
        std::sort(pool.begin(), pool.end());
    }
    result.regenerations = static_cast<int64_t>(pool.size());
    result.size = result.originals + result.regenerations;
    result.shortfall = std::max<int64_t>(0, result.target - result.size);
    result.achievedK = static_cast<double>(result.size) / static_cast<double>(result.originals);
    if (result.shortfall > 0) {
        // Said loudly: a training set smaller than asked for changes what ILQL learns from.
        char buf[400];
        std::snprintf(buf, sizeof buf,
                      "the training set reached only %.2fx the originals, not %gx: %lld of %lld dialogues (%lld "
                      "originals + %lld labelled regenerations available); regenerate more per dialogue "
                      "(--samples) or lower k",
                      result.achievedK, config.k, static_cast<long long>(result.size),
                      static_cast<long long>(result.target), static_cast<long long>(result.originals),
                      static_cast<long long>(result.available));
        result.warning = buf;
    }

    std::ostringstream k;
    k << config.k;
    const std::string key = "set";
    result.summary = runner.run({key}, [&](const std::string&, const StageContext&) {
        JobItemOutcome out;
        out.ok = true;
        out.commit = [&](Database& db, nlohmann::json& res) {
            TrainingSetStore sets(db);
            std::vector<TrainingSetItem> items;
            for (int64_t id : originals)
                items.push_back({id, 1.0});
            for (int64_t id : pool)
                items.push_back({id, 1.0});
            nlohmann::json spec = config;
            // Nothing changed since a set was made with the same settings (a re-run of a finished
            // pipeline): that set is the result, not a copy named -2, -3, ...
            if (const auto same = sets.findSame(config.task, spec, items, {"outputJsonl"})) {
                result.setId = same->id;
                result.name = same->name;
                result.reused = true;
                res["set_id"] = result.setId;
                res["name"] = result.name;
                res["reused"] = true;
                return;
            }
            result.name = sets.uniqueName(config.name.empty() ? config.task + "-hindsight-k" + k.str() : config.name);
            nlohmann::json lineage = {{"job_id", runner.jobId()},
                                      {"originals", result.originals},
                                      {"regenerations", result.regenerations},
                                      {"available", result.available},
                                      {"target", result.target}};
            result.setId = sets.create(result.name, config.task, spec, lineage, items);
            res["set_id"] = result.setId;
            res["name"] = result.name;
            res["achieved_k"] = result.achievedK;
            res["shortfall"] = result.shortfall;
        };
        out.counts = {{"size", 0}};
        return out;
    });
    if (result.summary.status != "done")
        throw Error("aggregate: " + (result.summary.error.empty() ? result.summary.status : result.summary.error));
    if (result.setId == 0) {
        // The set was committed by an earlier, interrupted run of this job: its item result has it.
        const auto item = project.with([&](Database& db) { return JobStore(db).item(result.summary.jobId, key); });
        if (!item || !item->result.contains("set_id"))
            throw Error("aggregate: job " + std::to_string(result.summary.jobId) + " is done but names no training set");
        result.setId = item->result["set_id"].get<int64_t>();
        result.name = item->result.value("name", std::string());
        result.reused = item->result.value("reused", false);
    }
    if (!config.outputJsonl.empty())
        project.with([&](Database& db) { TrainingSetStore(db).exportJsonl(result.setId, config.outputJsonl, hooks.stop); });
    result.summary.extra = {{"set_id", result.setId},        {"name", result.name},
                            {"originals", result.originals}, {"available", result.available},
                            {"regenerations", result.regenerations}, {"target", result.target},
                            {"size", result.size},           {"shortfall", result.shortfall},
                            {"reused", result.reused},   {"k", config.k},
                            {"achieved_k", result.achievedK}};
    if (!result.warning.empty())
        result.summary.extra["warning"] = result.warning;
    if (!config.outputJsonl.empty())
        result.summary.extra["output"] = config.outputJsonl;
    return result;
}

} // namespace hw
