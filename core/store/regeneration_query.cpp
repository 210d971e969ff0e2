#include "core/store/regeneration_query.h"

#include "core/store/database.h"

namespace hw {
namespace {

constexpr const char* kParentSelect =
    "SELECT d.id, d.uid, t.name, d.reward, d.reward_source, count(r.dialogue_id), avg(c.reward) "
    "FROM dialogues d JOIN tasks t ON t.id = d.task_id "
    "JOIN regenerations r ON r.parent_dialogue_id = d.id JOIN dialogues c ON c.id = r.dialogue_id "
    "WHERE d.id NOT IN (SELECT dialogue_id FROM regenerations) ";

RegenerationParentRow readParent(Statement& st)
{
    RegenerationParentRow p;
    p.dialogueId = st.int64(0);
    p.uid = st.text(1);
    p.task = st.text(2);
    p.reward = st.optReal(3);
    p.rewardSource = st.text(4);
    p.branches = st.int64(5);
    p.branchRewardMean = st.optReal(6);
    return p;
}

constexpr const char* kBranchSelect =
    "SELECT c.id, r.parent_dialogue_id, c.uid, r.prefix_len, c.n_turns, c.reward, c.reward_source, r.hard, "
    "r.sample_index, r.seed, r.job_id, r.generator, r.suggestion_id, coalesce(s.critique, '') "
    "FROM regenerations r JOIN dialogues c ON c.id = r.dialogue_id "
    "LEFT JOIN suggestions s ON s.id = r.suggestion_id ";

BranchRow readBranch(Statement& st)
{
    BranchRow b;
    b.dialogueId = st.int64(0);
    b.parentDialogueId = st.int64(1);
    b.uid = st.text(2);
    b.prefixLen = static_cast<int>(st.int64(3));
    b.turns = static_cast<int>(st.int64(4));
    b.reward = st.optReal(5);
    b.rewardSource = st.text(6);
    b.hard = st.int64(7) != 0;
    b.sampleIndex = static_cast<int>(st.int64(8));
    b.seed = st.int64(9);
    b.jobId = st.optInt64(10).value_or(0);
    b.generator = nlohmann::json::parse(st.text(11), nullptr, false);
    if (b.generator.is_discarded() || !b.generator.is_object())
        b.generator = nlohmann::json::object();
    b.suggestionId = st.optInt64(12);
    b.critique = st.text(13);
    return b;
}

} // namespace

RegenerationQuery::RegenerationQuery(Database& db) : m_db(db) {}

std::vector<RegenerationParentRow> RegenerationQuery::parents(const std::string& task, int64_t limit) const
{
    std::string sql = kParentSelect;
    if (!task.empty())
        sql += "AND t.name = ? ";
    sql += "GROUP BY d.id ORDER BY d.id LIMIT ?";
    Statement st(m_db, sql);
    int i = 1;
    if (!task.empty())
        st.bind(i++, task);
    st.bind(i, limit);
    std::vector<RegenerationParentRow> out;
    while (st.step())
        out.push_back(readParent(st));
    return out;
}

std::optional<RegenerationParentRow> RegenerationQuery::parent(int64_t dialogueId) const
{
    Statement st(m_db, std::string(kParentSelect) + "AND d.id = ? GROUP BY d.id");
    st.bind(1, dialogueId);
    if (!st.step())
        return std::nullopt;
    return readParent(st);
}

std::vector<BranchRow> RegenerationQuery::branches(int64_t parentDialogueId) const
{
    Statement st(m_db, std::string(kBranchSelect) + "WHERE r.parent_dialogue_id = ? ORDER BY r.prefix_len, c.id");
    st.bind(1, parentDialogueId);
    std::vector<BranchRow> out;
    while (st.step())
        out.push_back(readBranch(st));
    return out;
}

std::optional<BranchRow> RegenerationQuery::branch(int64_t dialogueId) const
{
    Statement st(m_db, std::string(kBranchSelect) + "WHERE r.dialogue_id = ?");
    st.bind(1, dialogueId);
    if (!st.step())
        return std::nullopt;
    return readBranch(st);
}

int64_t RegenerationQuery::rootOf(int64_t dialogueId) const
{
    Statement st(m_db, "SELECT parent_dialogue_id FROM regenerations WHERE dialogue_id = ?");
    int64_t id = dialogueId;
    // Lineage is a tree, but guard against a corrupt cycle.
    for (int depth = 0; depth < 64; ++depth) {
        st.reset();
        st.bind(1, id);
        if (!st.step())
            return id;
        id = st.int64(0);
    }
    return id;
}

} // namespace hw
