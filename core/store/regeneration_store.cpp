#include "core/store/regeneration_store.h"

#include "core/store/database.h"

namespace hw {
namespace {

constexpr const char* kSelect =
    "SELECT r.dialogue_id, r.parent_dialogue_id, r.prefix_len, r.suggestion_id, r.generator, r.hard, r.seed, "
    "r.sample_index, r.job_id FROM regenerations r ";

Regeneration readRow(Statement& st)
{
    Regeneration r;
    r.dialogueId = st.int64(0);
    r.parentDialogueId = st.int64(1);
    r.prefixLen = static_cast<int>(st.int64(2));
    r.suggestionId = st.optInt64(3);
    r.generator = nlohmann::json::parse(st.text(4), nullptr, false);
    if (r.generator.is_discarded())
        r.generator = nlohmann::json::object();
    r.hard = st.int64(5) != 0;
    r.seed = st.int64(6);
    r.sampleIndex = static_cast<int>(st.int64(7));
    r.jobId = st.optInt64(8).value_or(0);
    return r;
}

} // namespace

RegenerationStore::RegenerationStore(Database& db) : m_db(db) {}

void RegenerationStore::insert(const Regeneration& r)
{
    Statement st(m_db,
                 "INSERT INTO regenerations(dialogue_id, parent_dialogue_id, prefix_len, suggestion_id, generator, "
                 "hard, seed, sample_index, job_id) VALUES (?,?,?,?,?,?,?,?,?)");
    st.bind(1, r.dialogueId).bind(2, r.parentDialogueId).bind(3, r.prefixLen).bind(4, r.suggestionId);
    st.bind(5, r.generator.dump()).bind(6, r.hard ? 1 : 0).bind(7, r.seed).bind(8, r.sampleIndex);
    if (r.jobId > 0)
        st.bind(9, r.jobId);
    else
        st.bindNull(9);
    st.exec();
}

std::optional<Regeneration> RegenerationStore::get(int64_t dialogueId)
{
    Statement st(m_db, std::string(kSelect) + "WHERE r.dialogue_id = ?");
    st.bind(1, dialogueId);
    if (!st.step())
        return std::nullopt;
    return readRow(st);
}

std::vector<Regeneration> RegenerationStore::forParent(int64_t parentDialogueId)
{
    Statement st(m_db, std::string(kSelect) + "WHERE r.parent_dialogue_id = ? ORDER BY r.prefix_len, r.dialogue_id");
    st.bind(1, parentDialogueId);
    std::vector<Regeneration> out;
    while (st.step())
        out.push_back(readRow(st));
    return out;
}

std::vector<Regeneration> RegenerationStore::forSuggestion(int64_t suggestionId)
{
    Statement st(m_db, std::string(kSelect) + "WHERE r.suggestion_id = ? ORDER BY r.sample_index, r.dialogue_id");
    st.bind(1, suggestionId);
    std::vector<Regeneration> out;
    while (st.step())
        out.push_back(readRow(st));
    return out;
}

int64_t RegenerationStore::count(const std::string& task)
{
    if (task.empty())
        return m_db.queryInt64("SELECT count(*) FROM regenerations").value_or(0);
    Statement st(m_db,
                 "SELECT count(*) FROM regenerations r JOIN dialogues d ON d.id = r.dialogue_id "
                 "JOIN tasks t ON t.id = d.task_id WHERE t.name = ?");
    st.bind(1, task);
    return st.step() ? st.int64(0) : 0;
}

} // namespace hw
