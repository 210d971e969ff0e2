#include "core/llm/call_cache.h"

#include "core/store/database.h"

namespace hw {
namespace {

constexpr const char* kColumns =
    "id, request_hash, endpoint, model, request, response, content, prompt_tokens, "
    "completion_tokens, latency_ms, cost, job_id";

CallRecord readRecord(Statement& st)
{
    CallRecord r;
    r.id = st.int64(0);
    r.requestHash = st.text(1);
    r.endpoint = st.text(2);
    r.model = st.text(3);
    r.request = st.text(4);
    r.response = st.text(5);
    r.content = st.text(6);
    r.promptTokens = st.int64(7);
    r.completionTokens = st.int64(8);
    r.latencyMs = st.real(9);
    r.cost = st.real(10);
    r.jobId = st.optInt64(11).value_or(0);
    return r;
}

} // namespace

ProjectCallCache::ProjectCallCache(Database& db, std::mutex& dbMutex) : m_db(db), m_mutex(dbMutex) {}

ProjectCallCache::~ProjectCallCache() = default;

std::optional<CallRecord> ProjectCallCache::find(const std::string& requestHash)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_find)
        m_find = std::make_unique<Statement>(m_db, std::string("SELECT ") + kColumns + " FROM llm_calls WHERE request_hash = ?");
    Statement& st = *m_find;
    st.reset();
    st.bind(1, requestHash);
    std::optional<CallRecord> out;
    if (st.step())
        out = readRecord(st);
    st.reset();
    return out;
}

int64_t ProjectCallCache::store(const CallRecord& r)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_insert)
        m_insert = std::make_unique<Statement>(
            m_db, "INSERT OR IGNORE INTO llm_calls(request_hash, endpoint, model, request, response, content, "
                  "prompt_tokens, completion_tokens, latency_ms, cost, job_id) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    Statement& ins = *m_insert;
    ins.reset();
    ins.bind(1, r.requestHash).bind(2, r.endpoint).bind(3, r.model).bind(4, r.request);
    ins.bind(5, r.response).bind(6, r.content).bind(7, r.promptTokens).bind(8, r.completionTokens);
    ins.bind(9, r.latencyMs).bind(10, r.cost);
    if (r.jobId > 0)
        ins.bind(11, r.jobId);
    else
        ins.bindNull(11);
    ins.exec();
    if (m_db.changes() > 0)
        return m_db.lastInsertId();
    if (!m_idOf)
        m_idOf = std::make_unique<Statement>(m_db, "SELECT id FROM llm_calls WHERE request_hash = ?");
    Statement& st = *m_idOf;
    st.reset();
    st.bind(1, r.requestHash);
    const int64_t id = st.step() ? st.int64(0) : 0;
    st.reset();
    return id;
}

std::optional<CallRecord> ProjectCallCache::get(Database& db, int64_t id)
{
    Statement st(db, std::string("SELECT ") + kColumns + " FROM llm_calls WHERE id = ?");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return readRecord(st);
}

std::optional<CallRecord> MemoryCallCache::find(const std::string& requestHash)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    const auto it = m_records.find(requestHash);
    if (it == m_records.end())
        return std::nullopt;
    return it->second;
}

int64_t MemoryCallCache::store(const CallRecord& record)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto [it, inserted] = m_records.emplace(record.requestHash, record);
    if (inserted)
        it->second.id = static_cast<int64_t>(m_records.size());
    return it->second.id;
}

size_t MemoryCallCache::size() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_records.size();
}

} // namespace hw
