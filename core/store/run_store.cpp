#include "core/store/run_store.h"

#include "core/store/database.h"
#include "core/store/provenance_key.h"
#include "core/store/run_liveness.h"

#include <algorithm>
#include <map>

namespace hw {
namespace {

constexpr const char* kRunColumns =
    "r.id, r.name, r.kind, r.set_id, coalesce(s.name, ''), r.status, r.step, r.best_eval, "
    "r.checkpoint_dir, r.error, r.created_at, r.updated_at, "
    "EXISTS (SELECT 1 FROM checkpoints c WHERE c.run_id = r.id), "
    "r.stop_requested, r.owner_host, r.owner_pid, r.heartbeat, (julianday(r.updated_at) - 2440587.5) * 86400.0 "
    "FROM runs r LEFT JOIN training_sets s ON s.id = r.set_id";

RunSummary readRun(const Statement& st, double now)
{
    RunSummary r;
    r.id = st.int64(0);
    r.name = st.text(1);
    r.kind = st.text(2);
    r.setId = st.optInt64(3);
    r.setName = st.text(4);
    r.status = st.text(5);
    r.step = st.int64(6);
    r.bestEval = st.optReal(7);
    r.checkpointDir = st.text(8);
    r.error = st.text(9);
    r.createdAt = st.text(10);
    r.updatedAt = st.text(11);
    r.hasCheckpoint = st.int64(12) != 0;
    r.stopRequested = st.int64(13) != 0;
    r.ownerHost = st.text(14);
    r.ownerPid = st.int64(15);
    // Rows written before version 3 never beat: their last update stands in.
    const double beat = st.real(16) > 0 ? st.real(16) : st.optReal(17).value_or(0.0);
    r.stale = r.status == "running" && runTrainerGone(r.ownerHost, r.ownerPid, beat, now);
    return r;
}

nlohmann::json parseOr(const std::string& text, nlohmann::json fallback)
{
    auto j = nlohmann::json::parse(text, nullptr, false);
    return j.is_discarded() ? fallback : j;
}

CheckpointInfo readCheckpoint(const Statement& st)
{
    CheckpointInfo c;
    c.id = st.int64(0);
    c.runId = st.int64(1);
    c.step = st.int64(2);
    c.path = st.text(3);
    c.metrics = parseOr(st.text(4), nlohmann::json::object());
    c.createdAt = st.text(5);
    return c;
}

} // namespace

bool RunSummary::operator==(const RunSummary& o) const
{
    return id == o.id && name == o.name && kind == o.kind && setId == o.setId && setName == o.setName
        && status == o.status && step == o.step && bestEval == o.bestEval
        && checkpointDir == o.checkpointDir && error == o.error && createdAt == o.createdAt
        && updatedAt == o.updatedAt && stopRequested == o.stopRequested && stale == o.stale
        && hasCheckpoint == o.hasCheckpoint && ownerHost == o.ownerHost && ownerPid == o.ownerPid;
}

nlohmann::json RunDetails::toJson() const
{
    nlohmann::json j;
    j["run"] = {{"id", run.id},         {"name", run.name},   {"kind", run.kind},
                {"status", run.status}, {"step", run.step},   {"checkpoint_dir", run.checkpointDir},
                {"created_at", run.createdAt}, {"updated_at", run.updatedAt}};
    j["run"]["best_eval"] = run.bestEval ? nlohmann::json(*run.bestEval) : nlohmann::json();
    if (!run.error.empty())
        j["run"]["error"] = run.error;
    if (run.ownerPid > 0)
        j["run"]["trainer"] = {{"host", run.ownerHost}, {"pid", run.ownerPid}};
    if (run.stale)
        j["run"]["interrupted"] = true;
    if (run.stopRequested)
        j["run"]["stop_requested"] = true;
    j["config"] = config;
    j["lineage"] = lineage;
    j["training_set"] = trainingSet;
    auto& cks = j["checkpoints"] = nlohmann::json::array();
    for (const auto& c : checkpoints)
        cks.push_back({{"step", c.step}, {"path", c.path}, {"metrics", c.metrics}, {"created_at", c.createdAt}});
    j["metrics"] = {{"rows", metricCount}, {"names", metricNames}};
    return j;
}

RunStore::RunStore(Database& db) : m_db(db) {}

std::vector<RunSummary> RunStore::runs()
{
    Statement st(m_db, std::string("SELECT ") + kRunColumns + " ORDER BY r.id");
    const double now = unixSeconds();
    std::vector<RunSummary> out;
    while (st.step())
        out.push_back(readRun(st, now));
    return out;
}

std::optional<RunSummary> RunStore::run(int64_t id)
{
    Statement st(m_db, std::string("SELECT ") + kRunColumns + " WHERE r.id = ?");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return readRun(st, unixSeconds());
}

std::optional<RunDetails> RunStore::details(int64_t id)
{
    auto summary = run(id);
    if (!summary)
        return std::nullopt;
    RunDetails d;
    d.run = *summary;
    {
        Statement st(m_db, "SELECT config, lineage FROM runs WHERE id = ?");
        st.bind(1, id);
        if (st.step()) {
            d.config = parseOr(st.text(0), nlohmann::json::object());
            d.lineage = parseOr(st.text(1), nlohmann::json::object());
        }
    }
    if (summary->setId) {
        Statement st(m_db, "SELECT s.id, s.name, coalesce(t.name, ''), s.spec, s.lineage, s.created_at, "
                           "(SELECT count(*) FROM training_set_items i WHERE i.set_id = s.id) "
                           "FROM training_sets s LEFT JOIN tasks t ON t.id = s.task_id WHERE s.id = ?");
        st.bind(1, *summary->setId);
        if (st.step()) {
            nlohmann::json set = {{"id", st.int64(0)},
                                  {"name", st.text(1)},
                                  {"task", st.text(2)},
                                  {"spec", parseOr(st.text(3), nlohmann::json::object())},
                                  {"lineage", parseOr(st.text(4), nlohmann::json::object())},
                                  {"created_at", st.text(5)},
                                  {"items", st.int64(6)}};
            nlohmann::json sources = nlohmann::json::object();
            Statement src(m_db, "SELECT d.source, count(*) FROM training_set_items i "
                                "JOIN dialogues d ON d.id = i.dialogue_id WHERE i.set_id = ? "
                                "GROUP BY d.source ORDER BY count(*) DESC");
            src.bind(1, *summary->setId);
            while (src.step())
                sources[src.text(0)] = src.int64(1);
            set["sources"] = sources;
            // Which models and prompts made the regenerations in the set, one entry per model +
            // prompt (per-call fields such as llm_call_id or seed would make one per regeneration).
            std::map<std::string, std::pair<nlohmann::json, int64_t>> groups;
            std::vector<std::string> order;
            Statement rg(m_db, "SELECT g.generator, g.hard FROM training_set_items i "
                               "JOIN regenerations g ON g.dialogue_id = i.dialogue_id WHERE i.set_id = ? "
                               "ORDER BY g.dialogue_id");
            rg.bind(1, *summary->setId);
            while (rg.step()) {
                nlohmann::json key = {{"generator", provenanceKeyOfText(rg.text(0))}, {"hard", rg.int64(1) != 0}};
                const std::string k = key.dump();
                auto [it, fresh] = groups.try_emplace(k, key, 0);
                if (fresh)
                    order.push_back(k);
                ++it->second.second;
            }
            std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
                return groups[a].second > groups[b].second;
            });
            nlohmann::json regens = nlohmann::json::array();
            for (const auto& k : order) {
                nlohmann::json row = groups[k].first;
                row["dialogues"] = groups[k].second;
                regens.push_back(std::move(row));
            }
            set["regenerations"] = regens;
            d.trainingSet = set;
        }
    }
    d.checkpoints = checkpoints(id);
    {
        Statement st(m_db, "SELECT count(*) FROM metrics WHERE run_id = ?");
        st.bind(1, id);
        if (st.step())
            d.metricCount = st.int64(0);
    }
    d.metricNames = metricNames(id);
    return d;
}

std::vector<MetricPoint> RunStore::metricsSince(int64_t afterId, int64_t limit, int64_t runId)
{
    Statement st(m_db, runId > 0
                           ? "SELECT id, run_id, step, name, value, wall_time FROM metrics "
                             "WHERE id > ? AND run_id = ? ORDER BY id LIMIT ?"
                           : "SELECT id, run_id, step, name, value, wall_time FROM metrics "
                             "WHERE id > ? AND ? = 0 ORDER BY id LIMIT ?");
    st.bind(1, afterId).bind(2, runId).bind(3, limit);
    std::vector<MetricPoint> out;
    while (st.step()) {
        MetricPoint p;
        p.id = st.int64(0);
        p.runId = st.int64(1);
        p.step = st.int64(2);
        p.name = st.text(3);
        p.value = st.real(4);
        p.wallTime = st.real(5);
        out.push_back(std::move(p));
    }
    return out;
}

int64_t RunStore::lastMetricId()
{
    return m_db.queryInt64("SELECT coalesce(max(id), 0) FROM metrics").value_or(0);
}

std::vector<std::string> RunStore::metricNames(int64_t runId)
{
    Statement st(m_db, "SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name");
    st.bind(1, runId);
    std::vector<std::string> out;
    while (st.step())
        out.push_back(st.text(0));
    return out;
}

std::vector<CheckpointInfo> RunStore::checkpoints(int64_t runId)
{
    Statement st(m_db, "SELECT id, run_id, step, path, metrics, created_at FROM checkpoints "
                       "WHERE run_id = ? ORDER BY step, id");
    st.bind(1, runId);
    std::vector<CheckpointInfo> out;
    while (st.step())
        out.push_back(readCheckpoint(st));
    return out;
}

std::optional<CheckpointInfo> RunStore::latestCheckpoint(int64_t runId)
{
    Statement st(m_db, "SELECT id, run_id, step, path, metrics, created_at FROM checkpoints "
                       "WHERE run_id = ? ORDER BY step DESC, id DESC LIMIT 1");
    st.bind(1, runId);
    if (!st.step())
        return std::nullopt;
    return readCheckpoint(st);
}

std::vector<RunSample> RunStore::samples(int64_t runId, int64_t limit)
{
    Statement st(m_db, "SELECT id, run_id, step, prompt, reply FROM run_samples WHERE run_id = ? "
                       "ORDER BY step DESC, id DESC LIMIT ?");
    st.bind(1, runId).bind(2, limit);
    std::vector<RunSample> out;
    while (st.step())
        out.push_back({st.int64(0), st.int64(1), st.int64(2), st.text(3), st.text(4)});
    return out;
}

std::vector<RunStore::ChatCheckpoint> RunStore::chatCheckpoints()
{
    std::vector<ChatCheckpoint> out;
    const auto all = runs();
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        auto cks = checkpoints(it->id);
        for (auto c = cks.rbegin(); c != cks.rend(); ++c)
            out.push_back({*it, *c});
    }
    return out;
}

std::vector<std::pair<int64_t, std::string>> RunStore::trainingSets()
{
    Statement st(m_db, "SELECT id, name FROM training_sets ORDER BY name");
    std::vector<std::pair<int64_t, std::string>> out;
    while (st.step())
        out.emplace_back(st.int64(0), st.text(1));
    return out;
}

bool RunStore::requestStop(int64_t id)
{
    Statement st(m_db, "UPDATE runs SET stop_requested = 1 WHERE id = ? AND status = 'running'");
    st.bind(1, id).exec();
    return m_db.changes() > 0;
}

bool RunStore::removeRun(int64_t id)
{
    Statement st(m_db, "DELETE FROM runs WHERE id = ?");
    st.bind(1, id).exec();
    return m_db.changes() > 0;
}

} // namespace hw
