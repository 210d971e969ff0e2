#include "core/store/chat_store.h"

#include "core/io/text_util.h"
#include "core/store/database.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <sstream>

namespace hw {
namespace {

nlohmann::json parseOr(const std::string& text, nlohmann::json fallback)
{
    auto j = nlohmann::json::parse(text, nullptr, false);
    return j.is_discarded() ? fallback : j;
}

} // namespace

std::string ChatSessionInfo::columnLabel(int column) const
{
    if (column < 0 || column >= static_cast<int>(columnOrder.size()))
        return {};
    if (blind)
        return std::string("Agent ") + static_cast<char>('A' + column);
    return agents.at(static_cast<size_t>(columnOrder[static_cast<size_t>(column)])).displayName();
}

int ChatSessionInfo::columnOf(int slot) const
{
    const auto it = std::find(columnOrder.begin(), columnOrder.end(), slot);
    return it == columnOrder.end() ? -1 : static_cast<int>(it - columnOrder.begin());
}

std::string RatingStat::format(int decimals) const
{
    if (n == 0)
        return "–";
    return text::fixed(mean, decimals) + " ± " + text::fixed(std, decimals);
}

RatingStat ratingStat(const std::vector<double>& values)
{
    RatingStat s;
    s.n = static_cast<int64_t>(values.size());
    if (s.n == 0)
        return s;
    s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(s.n);
    if (s.n > 1) {
        double ss = 0.0;
        for (double v : values)
            ss += (v - s.mean) * (v - s.mean);
        s.std = std::sqrt(ss / static_cast<double>(s.n - 1));
    }
    return s;
}

ChatStore::ChatStore(Database& db) : m_db(db) {}

int64_t ChatStore::createSession(std::optional<int64_t> taskId, bool blind, std::vector<ChatAgentSpec> agents,
                                 std::vector<int> columnOrder)
{
    if (agents.empty())
        throw Error("a chat session needs at least one agent");
    for (size_t i = 0; i < agents.size(); ++i)
        agents[i].slot = static_cast<int>(i);
    if (columnOrder.empty()) {
        columnOrder.resize(agents.size());
        std::iota(columnOrder.begin(), columnOrder.end(), 0);
    }
    std::vector<int> sorted = columnOrder;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i)
        if (sorted.size() != agents.size() || sorted[i] != static_cast<int>(i))
            throw Error("chat session: column order is not a permutation of the agents' slots");

    Statement st(m_db, "INSERT INTO chat_sessions(task_id, blind, agents, column_order) VALUES (?, ?, ?, ?)");
    st.bind(1, taskId).bind(2, blind ? 1 : 0);
    st.bind(3, nlohmann::json(agents).dump()).bind(4, nlohmann::json(columnOrder).dump());
    st.exec();
    return m_db.lastInsertId();
}

std::optional<ChatSessionInfo> ChatStore::session(int64_t id)
{
    Statement st(m_db, "SELECT s.id, s.task_id, coalesce(t.name, ''), s.blind, s.agents, s.column_order, "
                       "s.status, s.created_at, "
                       "(SELECT count(*) FROM chat_messages m WHERE m.session_id = s.id AND m.role = 'user' "
                       "   AND m.agent_slot = 0) "
                       "FROM chat_sessions s LEFT JOIN tasks t ON t.id = s.task_id WHERE s.id = ?");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    ChatSessionInfo s;
    s.id = st.int64(0);
    s.taskId = st.optInt64(1);
    s.taskName = st.text(2);
    s.blind = st.int64(3) != 0;
    try {
        s.agents = parseOr(st.text(4), nlohmann::json::array()).get<std::vector<ChatAgentSpec>>();
        s.columnOrder = parseOr(st.text(5), nlohmann::json::array()).get<std::vector<int>>();
    } catch (const nlohmann::json::exception& e) {
        throw Error("chat session " + std::to_string(id) + ": malformed agents or column order: " + e.what());
    }
    s.status = st.text(6);
    s.createdAt = st.text(7);
    s.userMessages = st.int64(8);
    if (s.columnOrder.size() != s.agents.size()) {
        s.columnOrder.resize(s.agents.size());
        std::iota(s.columnOrder.begin(), s.columnOrder.end(), 0);
    }
    return s;
}

std::vector<ChatSessionInfo> ChatStore::sessions()
{
    std::vector<int64_t> ids;
    {
        Statement st(m_db, "SELECT id FROM chat_sessions ORDER BY id DESC");
        while (st.step())
            ids.push_back(st.int64(0));
    }
    std::vector<ChatSessionInfo> out;
    for (int64_t id : ids)
        if (auto s = session(id))
            out.push_back(std::move(*s));
    return out;
}

void ChatStore::setStatus(int64_t sessionId, const std::string& status)
{
    Statement st(m_db, "UPDATE chat_sessions SET status = ? WHERE id = ?");
    st.bind(1, status).bind(2, sessionId).exec();
}

bool ChatStore::removeSession(int64_t id)
{
    Statement st(m_db, "DELETE FROM chat_sessions WHERE id = ?");
    st.bind(1, id).exec();
    return m_db.changes() > 0;
}

int64_t ChatStore::addUserMessage(int64_t sessionId, const std::string& text)
{
    const auto s = session(sessionId);
    if (!s)
        throw Error("chat session " + std::to_string(sessionId) + " does not exist");
    Transaction tx(m_db);
    Statement st(m_db, "INSERT INTO chat_messages(session_id, agent_slot, role, text) VALUES (?, ?, 'user', ?)");
    int64_t first = 0;
    for (const auto& a : s->agents) {
        st.reset();
        st.bind(1, sessionId).bind(2, a.slot).bind(3, text).exec();
        if (first == 0)
            first = m_db.lastInsertId();
    }
    tx.commit();
    return first;
}

int64_t ChatStore::addAgentMessage(int64_t sessionId, int slot, const std::string& text,
                                   const std::vector<TokenValue>& tokens)
{
    Statement st(m_db, "INSERT INTO chat_messages(session_id, agent_slot, role, text, token_info) "
                       "VALUES (?, ?, 'agent', ?, ?)");
    st.bind(1, sessionId).bind(2, slot).bind(3, text).bind(4, tokenValuesToJson(tokens).dump());
    st.exec();
    return m_db.lastInsertId();
}

std::vector<ChatMessageRow> ChatStore::messages(int64_t sessionId, int slot)
{
    Statement st(m_db, "SELECT id, session_id, agent_slot, role, text, token_info, created_at "
                       "FROM chat_messages WHERE session_id = ? AND (? < 0 OR agent_slot = ?) ORDER BY id");
    st.bind(1, sessionId).bind(2, slot).bind(3, slot);
    std::vector<ChatMessageRow> out;
    while (st.step()) {
        ChatMessageRow m;
        m.id = st.int64(0);
        m.sessionId = st.int64(1);
        m.slot = static_cast<int>(st.int64(2));
        m.role = st.text(3);
        m.text = st.text(4);
        m.tokens = tokenValuesFromJson(parseOr(st.text(5), nlohmann::json::array()));
        m.createdAt = st.text(6);
        out.push_back(std::move(m));
    }
    return out;
}

void ChatStore::saveRating(int64_t sessionId, const ChatRating& r)
{
    auto check = [](const std::optional<int>& v, const char* what) {
        if (v && (*v < 1 || *v > 5))
            throw Error(std::string(what) + " rating must be between 1 and 5");
    };
    check(r.naturalness, "naturalness");
    check(r.relevance, "relevance");
    check(r.comforting, "comforting");
    Statement st(m_db, "INSERT OR REPLACE INTO chat_ratings(session_id, agent_slot, agent_label, naturalness, "
                       "relevance, comforting, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)");
    auto opt = [](const std::optional<int>& v) {
        return v ? std::optional<int64_t>(*v) : std::optional<int64_t>();
    };
    st.bind(1, sessionId).bind(2, r.slot).bind(3, r.agentLabel);
    st.bind(4, opt(r.naturalness)).bind(5, opt(r.relevance)).bind(6, opt(r.comforting)).bind(7, r.outcome);
    st.exec();
}

std::vector<ChatRating> ChatStore::ratings(int64_t sessionId)
{
    Statement st(m_db, "SELECT agent_slot, agent_label, naturalness, relevance, comforting, outcome "
                       "FROM chat_ratings WHERE session_id = ? ORDER BY agent_slot");
    st.bind(1, sessionId);
    std::vector<ChatRating> out;
    auto opt = [](std::optional<int64_t> v) { return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt; };
    while (st.step())
        out.push_back({static_cast<int>(st.int64(0)), st.text(1), opt(st.optInt64(2)), opt(st.optInt64(3)),
                       opt(st.optInt64(4)), st.optReal(5)});
    return out;
}

std::vector<AgentResult> ChatStore::results(std::optional<int64_t> taskId, bool finishedOnly)
{
    Statement st(m_db, "SELECT r.session_id, r.agent_slot, r.agent_label, r.naturalness, r.relevance, "
                       "r.comforting, r.outcome, s.agents FROM chat_ratings r "
                       "JOIN chat_sessions s ON s.id = r.session_id "
                       "WHERE (? = 0 OR s.task_id = ?) AND (? = 0 OR s.status = 'finished') "
                       "ORDER BY r.session_id, r.agent_slot");
    st.bind(1, taskId ? 1 : 0).bind(2, taskId.value_or(0)).bind(3, finishedOnly ? 1 : 0);

    struct Acc {
        std::string kind;
        std::vector<double> nat, rel, com, out;
        int64_t sessions = 0;
    };
    std::vector<std::string> order;
    std::map<std::string, Acc> acc;
    while (st.step()) {
        const std::string label = st.text(2);
        auto [it, inserted] = acc.try_emplace(label);
        if (inserted) {
            order.push_back(label);
            const auto agents = parseOr(st.text(7), nlohmann::json::array());
            const auto slot = st.int64(1);
            if (agents.is_array() && slot >= 0 && slot < static_cast<int64_t>(agents.size()))
                it->second.kind = agents[static_cast<size_t>(slot)].value("kind", std::string());
        }
        Acc& a = it->second;
        ++a.sessions;
        if (!st.isNull(3))
            a.nat.push_back(static_cast<double>(st.int64(3)));
        if (!st.isNull(4))
            a.rel.push_back(static_cast<double>(st.int64(4)));
        if (!st.isNull(5))
            a.com.push_back(static_cast<double>(st.int64(5)));
        if (!st.isNull(6))
            a.out.push_back(st.real(6));
    }
    std::vector<AgentResult> out;
    for (const auto& label : order) {
        const Acc& a = acc.at(label);
        AgentResult r;
        r.agent = label;
        r.kind = a.kind;
        r.sessions = a.sessions;
        r.naturalness = ratingStat(a.nat);
        r.relevance = ratingStat(a.rel);
        r.comforting = ratingStat(a.com);
        r.outcome = ratingStat(a.out);
        out.push_back(std::move(r));
    }
    return out;
}

std::string resultsCsv(const std::vector<AgentResult>& results, bool withComforting, const std::string& outcomeName)
{
    std::ostringstream os;
    os << "agent,kind,sessions,naturalness_mean,naturalness_std,relevance_mean,relevance_std";
    if (withComforting)
        os << ",comforting_mean,comforting_std";
    os << "," << text::csvField(outcomeName + "_mean") << "," << text::csvField(outcomeName + "_std") << "\n";
    auto stat = [&](const RatingStat& s) {
        if (s.n == 0)
            os << ",,";
        else
            os << "," << text::fixed(s.mean, 4) << "," << text::fixed(s.std, 4);
    };
    for (const auto& r : results) {
        os << text::csvField(r.agent) << "," << text::csvField(r.kind) << "," << r.sessions;
        stat(r.naturalness);
        stat(r.relevance);
        if (withComforting)
            stat(r.comforting);
        stat(r.outcome);
        os << "\n";
    }
    return os.str();
}

} // namespace hw
