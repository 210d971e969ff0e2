#include "core/store/suggestion_query.h"

#include "core/store/database.h"

namespace hw {
namespace {

constexpr const char* kKindExpr = "coalesce(json_extract(s.provenance, '$.kind'), '')";

// Per-status counts over suggestions, grouped by dialogue, joined with the dialogue's columns.
constexpr const char* kDialogueSelect =
    "SELECT d.id, d.uid, t.name, d.reward, "
    "sum(s.status = 'proposed'), sum(s.status = 'accepted'), sum(s.status = 'rejected'), sum(s.status = 'failed') "
    "FROM suggestions s JOIN dialogues d ON d.id = s.dialogue_id JOIN tasks t ON t.id = d.task_id ";

SuggestionDialogueRow readDialogue(Statement& st)
{
    SuggestionDialogueRow r;
    r.dialogueId = st.int64(0);
    r.uid = st.text(1);
    r.task = st.text(2);
    r.reward = st.optReal(3);
    r.proposed = st.int64(4);
    r.accepted = st.int64(5);
    r.rejected = st.int64(6);
    r.failed = st.int64(7);
    return r;
}

} // namespace

SuggestionQuery::SuggestionQuery(Database& db, SuggestionQueryFilter filter)
    : m_db(db), m_filter(std::move(filter))
{
}

std::string SuggestionQuery::whereSql(bool withStatus) const
{
    std::string w = " WHERE 1 = 1";
    if (!m_filter.task.empty())
        w += " AND s.dialogue_id IN (SELECT d2.id FROM dialogues d2 JOIN tasks t2 ON t2.id = d2.task_id "
             "WHERE t2.name = ?)";
    if (withStatus && !m_filter.status.empty())
        w += " AND s.status = ?";
    if (!m_filter.provenance.empty())
        w += std::string(" AND ") + kKindExpr + " = ?";
    if (m_filter.dialogueId)
        w += " AND s.dialogue_id = ?";
    return w;
}

int SuggestionQuery::bind(Statement& st, bool withStatus) const
{
    int i = 1;
    if (!m_filter.task.empty())
        st.bind(i++, m_filter.task);
    if (withStatus && !m_filter.status.empty())
        st.bind(i++, m_filter.status);
    if (!m_filter.provenance.empty())
        st.bind(i++, m_filter.provenance);
    if (m_filter.dialogueId)
        st.bind(i++, *m_filter.dialogueId);
    return i;
}

std::vector<SuggestionDialogueRow> SuggestionQuery::dialogues(int64_t limit) const
{
    // Counts cover every status; the status filter only decides which dialogues are listed.
    std::string sql = std::string(kDialogueSelect) + whereSql(false) + " GROUP BY d.id";
    if (!m_filter.status.empty())
        sql += " HAVING sum(s.status = ?) > 0";
    sql += " ORDER BY d.id LIMIT ?";
    Statement st(m_db, sql);
    int i = bind(st, false);
    if (!m_filter.status.empty())
        st.bind(i++, m_filter.status);
    st.bind(i, limit);
    std::vector<SuggestionDialogueRow> out;
    while (st.step())
        out.push_back(readDialogue(st));
    return out;
}

std::optional<SuggestionDialogueRow> SuggestionQuery::dialogue(int64_t dialogueId) const
{
    SuggestionQueryFilter f = m_filter;
    f.dialogueId = dialogueId;
    f.status.clear();
    const auto rows = SuggestionQuery(m_db, f).dialogues(1);
    if (rows.empty())
        return std::nullopt;
    return rows.front();
}

std::vector<Suggestion> SuggestionQuery::suggestions(int64_t limit) const
{
    Statement st(m_db, std::string(kSuggestionSelect) + whereSql(true) + " ORDER BY s.dialogue_id, s.rank, s.id LIMIT ?");
    st.bind(bind(st, true), limit);
    std::vector<Suggestion> out;
    while (st.step())
        out.push_back(readSuggestion(st));
    return out;
}

std::vector<int64_t> SuggestionQuery::ids() const
{
    Statement st(m_db, "SELECT s.id FROM suggestions s" + whereSql(true) + " ORDER BY s.dialogue_id, s.rank, s.id");
    bind(st, true);
    std::vector<int64_t> out;
    while (st.step())
        out.push_back(st.int64(0));
    return out;
}

std::map<std::string, int64_t> SuggestionQuery::countsByStatus() const
{
    std::map<std::string, int64_t> out;
    for (const char* s : {suggestion_status::kProposed, suggestion_status::kAccepted, suggestion_status::kRejected,
                          suggestion_status::kFailed})
        out[s] = 0;
    Statement st(m_db, "SELECT s.status, count(*) FROM suggestions s" + whereSql(false) + " GROUP BY s.status");
    bind(st, false);
    while (st.step())
        out[st.text(0)] = st.int64(1);
    return out;
}

std::vector<std::string> SuggestionQuery::provenanceKinds(Database& db)
{
    Statement st(db, std::string("SELECT DISTINCT ") + kKindExpr + " AS k FROM suggestions s WHERE k <> '' ORDER BY k");
    std::vector<std::string> out;
    while (st.step())
        out.push_back(st.text(0));
    return out;
}

std::vector<std::string> SuggestionQuery::tasks(Database& db)
{
    Statement st(db,
                 "SELECT DISTINCT t.name FROM suggestions s JOIN dialogues d ON d.id = s.dialogue_id "
                 "JOIN tasks t ON t.id = d.task_id ORDER BY t.name");
    std::vector<std::string> out;
    while (st.step())
        out.push_back(st.text(0));
    return out;
}

std::string SuggestionQuery::provenanceKind(const nlohmann::json& provenance)
{
    if (provenance.is_object()) {
        const auto it = provenance.find("kind");
        if (it != provenance.end() && it->is_string())
            return it->get<std::string>();
    }
    return {};
}

} // namespace hw
