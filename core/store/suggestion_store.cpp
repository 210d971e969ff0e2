#include "core/store/suggestion_store.h"

#include "core/store/database.h"
#include "core/util/error.h"

namespace hw {

const char* const kSuggestionSelect =
    "SELECT s.id, s.dialogue_id, s.turn_idx, s.rank, s.original_text, s.critique, s.proposed_text, "
    "s.status, s.edited_text, s.provenance, s.raw_reply, s.error, s.job_id, s.created_at "
    "FROM suggestions s ";

Suggestion readSuggestion(Statement& st)
{
    Suggestion s;
    s.id = st.int64(0);
    s.dialogueId = st.int64(1);
    if (!st.isNull(2))
        s.turnIndex = static_cast<int>(st.int64(2));
    s.rank = static_cast<int>(st.int64(3));
    s.originalText = st.text(4);
    s.critique = st.text(5);
    s.proposedText = st.text(6);
    s.status = st.text(7);
    if (!st.isNull(8))
        s.editedText = st.text(8);
    s.provenance = nlohmann::json::parse(st.text(9), nullptr, false);
    if (s.provenance.is_discarded() || !s.provenance.is_object())
        s.provenance = nlohmann::json::object();
    s.rawReply = st.text(10);
    s.error = st.text(11);
    s.jobId = st.optInt64(12).value_or(0);
    s.createdAt = st.text(13);
    return s;
}

namespace {

std::string whereOf(const SuggestionFilter& f)
{
    std::string w = " WHERE 1 = 1";
    if (!f.task.empty())
        w += " AND s.dialogue_id IN (SELECT d.id FROM dialogues d JOIN tasks t ON t.id = d.task_id WHERE t.name = ?)";
    if (!f.status.empty())
        w += " AND s.status = ?";
    if (f.dialogueId)
        w += " AND s.dialogue_id = ?";
    return w;
}

int bindFilter(Statement& st, const SuggestionFilter& f)
{
    int i = 1;
    if (!f.task.empty())
        st.bind(i++, f.task);
    if (!f.status.empty())
        st.bind(i++, f.status);
    if (f.dialogueId)
        st.bind(i++, *f.dialogueId);
    return i;
}

bool validStatus(const std::string& s)
{
    return s == suggestion_status::kProposed || s == suggestion_status::kAccepted
           || s == suggestion_status::kRejected || s == suggestion_status::kFailed;
}

} // namespace

SuggestionStore::SuggestionStore(Database& db) : m_db(db) {}
SuggestionStore::~SuggestionStore() = default;
SuggestionStore::SuggestionStore(SuggestionStore&&) noexcept = default;

int64_t SuggestionStore::insert(const Suggestion& s)
{
    if (!validStatus(s.status))
        throw Error("unknown suggestion status '" + s.status + "'");
    if (!m_insert)
        m_insert = std::make_unique<Statement>(
            m_db, "INSERT INTO suggestions(dialogue_id, turn_idx, rank, original_text, critique, proposed_text, "
                  "status, edited_text, provenance, raw_reply, error, job_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    Statement& st = *m_insert;
    st.reset();
    st.bind(1, s.dialogueId);
    if (s.turnIndex)
        st.bind(2, static_cast<int64_t>(*s.turnIndex));
    else
        st.bindNull(2);
    st.bind(3, s.rank).bind(4, s.originalText).bind(5, s.critique).bind(6, s.proposedText).bind(7, s.status);
    if (s.editedText)
        st.bind(8, *s.editedText);
    else
        st.bindNull(8);
    st.bind(9, s.provenance.dump()).bind(10, s.rawReply).bind(11, s.error);
    if (s.jobId > 0)
        st.bind(12, s.jobId);
    else
        st.bindNull(12);
    st.exec();
    return m_db.lastInsertId();
}

std::optional<Suggestion> SuggestionStore::get(int64_t id)
{
    Statement st(m_db, std::string(kSuggestionSelect) + "WHERE s.id = ?");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return readSuggestion(st);
}

std::vector<Suggestion> SuggestionStore::forDialogue(int64_t dialogueId)
{
    SuggestionFilter f;
    f.dialogueId = dialogueId;
    return list(f);
}

std::vector<Suggestion> SuggestionStore::list(const SuggestionFilter& f)
{
    Statement st(m_db, std::string(kSuggestionSelect) + whereOf(f) + " ORDER BY s.dialogue_id, s.rank, s.id LIMIT ? OFFSET ?");
    const int i = bindFilter(st, f);
    st.bind(i, f.limit).bind(i + 1, f.offset);
    std::vector<Suggestion> out;
    while (st.step())
        out.push_back(readSuggestion(st));
    return out;
}

int64_t SuggestionStore::count(const SuggestionFilter& f)
{
    Statement st(m_db, "SELECT count(*) FROM suggestions s" + whereOf(f));
    bindFilter(st, f);
    return st.step() ? st.int64(0) : 0;
}

std::map<std::string, int64_t> SuggestionStore::countsByStatus(const std::string& task)
{
    SuggestionFilter f;
    f.task = task;
    Statement st(m_db, "SELECT s.status, count(*) FROM suggestions s" + whereOf(f) + " GROUP BY s.status");
    bindFilter(st, f);
    std::map<std::string, int64_t> out;
    for (const char* s : {suggestion_status::kProposed, suggestion_status::kAccepted, suggestion_status::kRejected,
                          suggestion_status::kFailed})
        out[s] = 0;
    while (st.step())
        out[st.text(0)] = st.int64(1);
    return out;
}

void SuggestionStore::setStatus(int64_t id, const std::string& status)
{
    if (!validStatus(status))
        throw Error("unknown suggestion status '" + status + "'");
    const auto s = get(id);
    if (!s)
        throw Error("no suggestion with id " + std::to_string(id));
    if (status == suggestion_status::kAccepted && !s->turnIndex)
        throw Error("suggestion " + std::to_string(id) + " has no matched turn and cannot be accepted");
    Statement st(m_db, "UPDATE suggestions SET status = ? WHERE id = ?");
    st.bind(1, status).bind(2, id);
    st.exec();
}

void SuggestionStore::setEditedText(int64_t id, const std::optional<std::string>& text)
{
    Statement st(m_db, "UPDATE suggestions SET edited_text = ? WHERE id = ?");
    if (text)
        st.bind(1, *text);
    else
        st.bindNull(1);
    st.bind(2, id);
    st.exec();
    if (m_db.changes() == 0)
        throw Error("no suggestion with id " + std::to_string(id));
}

} // namespace hw
