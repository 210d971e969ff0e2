#include "core/store/job_store.h"

#include "core/store/database.h"
#include "core/util/error.h"

namespace hw {
namespace {

constexpr const char* kSelect =
    "SELECT id, kind, name, config, status, done, failed, total, summary, error, created_at, updated_at FROM jobs ";

nlohmann::json parseObject(const std::string& s)
{
    auto j = nlohmann::json::parse(s, nullptr, false);
    return j.is_discarded() ? nlohmann::json::object() : j;
}

JobRecord readRow(Statement& st)
{
    JobRecord j;
    j.id = st.int64(0);
    j.kind = st.text(1);
    j.name = st.text(2);
    j.config = parseObject(st.text(3));
    j.status = st.text(4);
    j.done = st.int64(5);
    j.failed = st.int64(6);
    j.total = st.int64(7);
    j.summary = parseObject(st.text(8));
    j.error = st.text(9);
    j.createdAt = st.text(10);
    j.updatedAt = st.text(11);
    return j;
}

} // namespace

JobStore::JobStore(Database& db) : m_db(db) {}
JobStore::~JobStore() = default;

int64_t JobStore::create(const std::string& kind, const std::string& name, const nlohmann::json& config)
{
    Statement st(m_db, "INSERT INTO jobs(kind, name, config, status) VALUES (?, ?, ?, 'pending')");
    st.bind(1, kind).bind(2, name).bind(3, config.dump());
    st.exec();
    return m_db.lastInsertId();
}

std::optional<JobRecord> JobStore::get(int64_t id)
{
    Statement st(m_db, std::string(kSelect) + "WHERE id = ?");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return readRow(st);
}

std::vector<JobRecord> JobStore::list(const std::string& kind, int limit)
{
    Statement st(m_db, std::string(kSelect) + (kind.empty() ? "WHERE ?1 = ''" : "WHERE kind = ?1")
                           + " ORDER BY id DESC LIMIT ?2");
    st.bind(1, kind).bind(2, limit);
    std::vector<JobRecord> out;
    while (st.step())
        out.push_back(readRow(st));
    return out;
}

std::optional<JobRecord> JobStore::findResumable(const std::string& kind, const std::string& configHash)
{
    Statement st(m_db, std::string(kSelect)
                           + "WHERE kind = ? AND (status != 'done' OR failed > 0) AND json_extract(config, '$.config_hash') = ? "
                             "ORDER BY id DESC LIMIT 1");
    st.bind(1, kind).bind(2, configHash);
    if (!st.step())
        return std::nullopt;
    return readRow(st);
}

void JobStore::setStatus(int64_t id, const std::string& status, const std::string& error)
{
    Statement st(m_db, "UPDATE jobs SET status = ?, error = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                       "WHERE id = ?");
    st.bind(1, status).bind(2, error).bind(3, id);
    st.exec();
}

void JobStore::setTotal(int64_t id, int64_t total)
{
    Statement st(m_db, "UPDATE jobs SET total = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?");
    st.bind(1, total).bind(2, id);
    st.exec();
}

void JobStore::setPipelineThen(int64_t id, const nlohmann::json& stages)
{
    if (!stages.is_array())
        throw Error("job " + std::to_string(id) + ": the stages after it must be a list");
    Statement st(m_db, stages.empty() ? "UPDATE jobs SET config = json_remove(config, '$.pipeline_then') WHERE id = ?"
                                      : "UPDATE jobs SET config = json_set(config, '$.pipeline_then', json(?)) WHERE id = ?");
    if (stages.empty())
        st.bind(1, id);
    else
        st.bind(1, stages.dump()).bind(2, id);
    st.exec();
}

nlohmann::json JobStore::pipelineThen(int64_t id)
{
    const auto job = get(id);
    if (!job)
        return nlohmann::json::array();
    const auto it = job->config.find("pipeline_then");
    return it != job->config.end() && it->is_array() ? *it : nlohmann::json::array();
}

void JobStore::setProgress(int64_t id, int64_t done, int64_t failed, const nlohmann::json& summary)
{
    if (!m_setProgress)
        m_setProgress = std::make_unique<Statement>(m_db, "UPDATE jobs SET done = ?, failed = ?, summary = ?, "
                                                          "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?");
    Statement& st = *m_setProgress;
    st.reset();
    st.bind(1, done).bind(2, failed).bind(3, summary.dump()).bind(4, id);
    st.exec();
}

std::optional<JobItemRecord> JobStore::item(int64_t jobId, const std::string& key)
{
    Statement st(m_db, "SELECT item_key, status, result, error, created_at FROM job_items WHERE job_id = ? AND item_key = ?");
    st.bind(1, jobId).bind(2, key);
    if (!st.step())
        return std::nullopt;
    return JobItemRecord{st.text(0), st.text(1), parseObject(st.text(2)), st.text(3), st.text(4)};
}

std::set<std::string> JobStore::doneKeys(int64_t jobId)
{
    Statement st(m_db, "SELECT item_key FROM job_items WHERE job_id = ? AND status = 'done'");
    st.bind(1, jobId);
    std::set<std::string> out;
    while (st.step())
        out.insert(st.text(0));
    return out;
}

std::vector<JobItemRecord> JobStore::failedItems(int64_t jobId)
{
    Statement st(m_db, "SELECT item_key, status, result, error, created_at FROM job_items "
                       "WHERE job_id = ? AND status = 'failed' ORDER BY created_at, item_key");
    st.bind(1, jobId);
    std::vector<JobItemRecord> out;
    while (st.step())
        out.push_back({st.text(0), st.text(1), parseObject(st.text(2)), st.text(3), st.text(4)});
    return out;
}

void JobStore::recordItem(int64_t jobId, const std::string& key, const std::string& status,
                          const nlohmann::json& result, const std::string& error)
{
    if (status != "done" && status != "failed")
        throw Error("job item status must be done or failed, not '" + status + "'");
    if (!m_recordItem)
        m_recordItem = std::make_unique<Statement>(
            m_db, "INSERT OR REPLACE INTO job_items(job_id, item_key, status, result, error) VALUES (?,?,?,?,?)");
    Statement& st = *m_recordItem;
    st.reset();
    st.bind(1, jobId).bind(2, key).bind(3, status).bind(4, result.dump()).bind(5, error);
    st.exec();
}

int JobStore::failedAttempts(const std::string& kind, const std::string& key)
{
    Statement st(m_db, "SELECT coalesce(sum(coalesce(json_extract(i.result, '$.attempts'), 1)), 0) "
                       "FROM job_items i JOIN jobs j ON j.id = i.job_id "
                       "WHERE j.kind = ? AND i.item_key = ? AND i.status = 'failed'");
    st.bind(1, kind).bind(2, key);
    return st.step() ? static_cast<int>(st.int64(0)) : 0;
}

std::map<std::string, int> JobStore::failedAttemptsByKey(const std::string& kind)
{
    Statement st(m_db, "SELECT i.item_key, sum(coalesce(json_extract(i.result, '$.attempts'), 1)) "
                       "FROM jobs j JOIN job_items i ON i.job_id = j.id "
                       "WHERE j.kind = ? AND i.status = 'failed' GROUP BY i.item_key");
    st.bind(1, kind);
    std::map<std::string, int> out;
    while (st.step())
        out[st.text(0)] = static_cast<int>(st.int64(1));
    return out;
}

} // namespace hw
