#include "core/store/dialogue_store.h"

#include "core/data/task_json.h"
#include "core/store/database.h"
#include "core/util/error.h"

#include <sqlite3.h>

#include <map>
#include <utility>

namespace hw {
namespace {

using nlohmann::json;

// Resets a cached statement when the scope ends, so no read stays open on the connection.
class ResetGuard {
public:
    explicit ResetGuard(Statement& st) : m_st(st) {}
    ~ResetGuard() { m_st.reset(); }
    ResetGuard(const ResetGuard&) = delete;
    ResetGuard& operator=(const ResetGuard&) = delete;

private:
    Statement& m_st;
};

json parseJsonColumn(const std::string& text, const char* what, int64_t id)
{
    if (text.empty())
        return json::object();
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        throw Error(std::string("dialogue ") + std::to_string(id) + ": corrupt " + what
                    + " JSON: " + e.what());
    }
}

bool isRewardSource(const std::string& s)
{
    return s == "dataset" || s == "llm" || s == "model" || s == "human";
}

Task taskFromRow(const Statement& st, int first)
{
    Task t;
    t.name = st.text(first);
    t.kind = taskKindFromString(st.text(first + 1));
    t.agentRole = st.text(first + 2);
    t.userRole = st.text(first + 3);
    t.rewardName = st.text(first + 4);
    t.rewardMin = st.real(first + 5);
    t.rewardMax = st.real(first + 6);
    t.description = st.text(first + 7);
    const std::string definition = st.text(first + 8);
    if (definition.empty() || definition == "{}") {
        // Stored before definitions existed: a built-in reads the rest from the build.
        if (const auto builtin = Task::builtinNamed(t.name); builtin && builtin->kind == t.kind) {
            Task full = *builtin;
            full.agentRole = t.agentRole;
            full.userRole = t.userRole;
            full.rewardName = t.rewardName;
            full.rewardMin = t.rewardMin;
            full.rewardMax = t.rewardMax;
            full.description = t.description;
            return full;
        }
        return t;
    }
    json j;
    try {
        j = json::parse(definition);
    } catch (const json::exception& e) {
        throw Error("task '" + t.name + "': corrupt definition JSON: " + e.what());
    }
    try {
        Task full = taskFromJson(j);
        full.name = t.name;
        full.kind = t.kind;
        return full;
    } catch (const TaskDefinitionError& e) {
        throw Error("task '" + t.name + "': stored definition is invalid: " + e.what());
    }
}

constexpr const char* kTaskColumns =
    "name, kind, agent_role, user_role, reward_name, reward_min, reward_max, description, definition";

// The definition column of a task: its JSON when complete, '{}' for a bare task (an import of a
// custom task names only roles and reward range).
std::string definitionColumn(const Task& task)
{
    try {
        validateTask(task);
    } catch (const TaskDefinitionError&) {
        return "{}";
    }
    return taskToJson(task).dump();
}

constexpr const char* kDialogueColumns =
    "d.id, d.uid, t.name, d.source, d.split, d.reward, d.reward_source, d.flags, d.metadata, "
    "d.parent_id";

Dialogue dialogueFromRow(const Statement& st)
{
    Dialogue d;
    d.id = st.int64(0);
    d.uid = st.text(1);
    d.task = st.text(2);
    d.source = st.text(3);
    d.split = st.text(4);
    d.reward = st.optReal(5);
    d.rewardSource = st.text(6);
    d.flags = static_cast<uint32_t>(st.int64(7));
    d.metadata = parseJsonColumn(st.text(8), "metadata", d.id);
    d.parentId = st.optInt64(9);
    return d;
}

Turn turnFromRow(const Statement& st, int first, int64_t dialogueId)
{
    Turn t;
    t.index = static_cast<int>(st.int64(first));
    t.role = roleFromString(st.text(first + 1));
    t.text = st.text(first + 2);
    t.annotations = parseJsonColumn(st.text(first + 3), "turn annotations", dialogueId);
    return t;
}

std::string dumpObject(const json& j)
{
    // An empty or null annotation/metadata is stored as the schema default '{}'.
    if (j.is_null() || (j.is_object() && j.empty()))
        return "{}";
    // Imported text is not always valid UTF-8 (old CSV exports); store it rather than fail.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

// Statements used once per inserted row are prepared once per store: an import of 100k dialogues
// would otherwise spend a good part of its time in the SQL compiler.
struct DialogueStore::Cache {
    std::unique_ptr<Statement> taskId, insertDialogue, findUid, insertTurn, insertFts, insertLabel;
    std::unique_ptr<Statement> savepoint, release, rollback;
    // Tasks are never deleted or renamed, so a name -> id map stays valid for the store's life.
    std::map<std::string, int64_t> taskIds;

    Statement& get(std::unique_ptr<Statement>& slot, Database& db, const char* sql)
    {
        if (!slot)
            slot = std::make_unique<Statement>(db, sql);
        return *slot;
    }
};

namespace {

// A savepoint from cached statements: insert() runs once per imported dialogue, and parsing
// "SAVEPOINT x" / "RELEASE x" text each time costs more than some of the inserts it guards.
// SQLite allows the same name to nest; RELEASE / ROLLBACK TO act on the innermost one.
class InsertSavepoint {
public:
    InsertSavepoint(Statement& begin, Statement& release, Statement& rollback)
        : m_release(release), m_rollback(rollback)
    {
        begin.exec();
    }
    ~InsertSavepoint()
    {
        if (m_done)
            return;
        try {
            m_rollback.exec();
            m_release.exec();
        } catch (...) {
            // Destructors must not throw; the connection reports the failure on its next use.
        }
    }
    void commit()
    {
        m_release.exec();
        m_done = true;
    }
    InsertSavepoint(const InsertSavepoint&) = delete;
    InsertSavepoint& operator=(const InsertSavepoint&) = delete;

private:
    Statement& m_release;
    Statement& m_rollback;
    bool m_done = false;
};

} // namespace

DialogueStore::DialogueStore(Database& db) : m_db(db), m_cache(std::make_unique<Cache>()) {}
DialogueStore::~DialogueStore() = default;
DialogueStore::DialogueStore(DialogueStore&&) noexcept = default;

// ---------------------------------------------------------------- tasks

int64_t DialogueStore::ensureTask(const Task& task)
{
    if (task.name.empty())
        throw Error("task name must not be empty");
    if (const auto id = taskId(task.name))
        return *id;
    Statement st(m_db, "INSERT INTO tasks(name, kind, agent_role, user_role, reward_name, "
                       "reward_min, reward_max, description, definition) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, task.name).bind(2, toString(task.kind)).bind(3, task.agentRole).bind(4, task.userRole);
    st.bind(5, task.rewardName).bind(6, task.rewardMin).bind(7, task.rewardMax);
    st.bind(8, task.description).bind(9, definitionColumn(task));
    st.exec();
    return m_db.lastInsertId();
}

int64_t DialogueStore::createTask(const Task& task)
{
    validateTask(task);
    if (taskId(task.name))
        throw Error("a task named '" + task.name + "' already exists in the project");
    return ensureTask(task);
}

void DialogueStore::replaceTask(const Task& task)
{
    validateTask(task);
    const auto id = taskId(task.name);
    if (!id)
        throw Error("unknown task '" + task.name + "'");
    const auto existing = this->task(task.name);
    if (existing && existing->kind != task.kind)
        throw TaskDefinitionError("kind", "'" + toString(task.kind) + "' differs from the stored task's kind '"
                                              + toString(existing->kind) + "'");
    Statement st(m_db, "UPDATE tasks SET agent_role = ?, user_role = ?, reward_name = ?, reward_min = ?, "
                       "reward_max = ?, description = ?, definition = ? WHERE id = ?");
    st.bind(1, task.agentRole).bind(2, task.userRole).bind(3, task.rewardName).bind(4, task.rewardMin);
    st.bind(5, task.rewardMax).bind(6, task.description).bind(7, taskToJson(task).dump()).bind(8, *id);
    st.exec();
}

std::optional<Task> DialogueStore::task(const std::string& name)
{
    Statement st(m_db, std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE name = ?");
    st.bind(1, name);
    if (!st.step())
        return std::nullopt;
    return taskFromRow(st, 0);
}

std::optional<int64_t> DialogueStore::taskId(const std::string& name)
{
    if (const auto it = m_cache->taskIds.find(name); it != m_cache->taskIds.end())
        return it->second;
    Statement& st = m_cache->get(m_cache->taskId, m_db, "SELECT id FROM tasks WHERE name = ?");
    ResetGuard guard(st);
    st.bind(1, name);
    if (!st.step())
        return std::nullopt;
    const int64_t id = st.int64(0);
    m_cache->taskIds.emplace(name, id);
    return id;
}

std::vector<Task> DialogueStore::tasks()
{
    Statement st(m_db, std::string("SELECT ") + kTaskColumns + " FROM tasks ORDER BY id");
    std::vector<Task> out;
    while (st.step())
        out.push_back(taskFromRow(st, 0));
    return out;
}

// ---------------------------------------------------------------- dialogues

DialogueStore::InsertResult DialogueStore::insert(const Dialogue& d)
{
    const auto tid = taskId(d.task);
    if (!tid)
        throw Error("dialogue '" + d.uid + "': unknown task '" + d.task + "'");
    if (d.uid.empty())
        throw Error("dialogue of task '" + d.task + "' has no uid");
    const std::string rewardSource =
        d.reward ? (d.rewardSource.empty() ? std::string("dataset") : d.rewardSource) : std::string();
    if (d.reward && !isRewardSource(rewardSource))
        throw Error("dialogue '" + d.uid + "': unknown reward source '" + rewardSource + "'");

    // Alone, an insert is its own transaction (a savepoint). Inside a caller's transaction (an
    // import) it takes none: FTS5 flushes its pending index data at every savepoint, which made
    // bulk imports ~3x slower than plain inserts. A failure there is undone by deleting the rows.
    const bool alone = sqlite3_get_autocommit(m_db.handle()) != 0;
    std::optional<InsertSavepoint> tx;
    if (alone)
        tx.emplace(m_cache->get(m_cache->savepoint, m_db, "SAVEPOINT hw_dialogue_insert"),
                   m_cache->get(m_cache->release, m_db, "RELEASE hw_dialogue_insert"),
                   m_cache->get(m_cache->rollback, m_db, "ROLLBACK TO hw_dialogue_insert"));
    Statement& ins = m_cache->get(
        m_cache->insertDialogue, m_db,
        "INSERT INTO dialogues(uid, task_id, source, split, n_turns, n_agent_turns, reward, "
        "reward_source, flags, metadata, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(task_id, uid) DO NOTHING");
    ins.bind(1, d.uid).bind(2, *tid).bind(3, d.source).bind(4, d.split);
    ins.bind(5, static_cast<int64_t>(d.turns.size())).bind(6, d.agentTurnCount());
    ins.bind(7, d.reward).bind(8, rewardSource).bind(9, static_cast<int64_t>(d.flags));
    ins.bind(10, dumpObject(d.metadata)).bind(11, d.parentId);
    ins.exec();
    if (m_db.changes() == 0) {
        const auto existing = findByUid(d.task, d.uid);
        if (!existing)
            throw Error("dialogue '" + d.uid + "': insert ignored but no existing row found");
        if (tx)
            tx->commit();
        return {*existing, false};
    }
    const int64_t id = m_db.lastInsertId();

    try {
        Statement& turn = m_cache->get(
            m_cache->insertTurn, m_db,
            "INSERT INTO turns(dialogue_id, idx, role, text, annotations) VALUES (?, ?, ?, ?, ?)");
        std::string body;
        for (size_t i = 0; i < d.turns.size(); ++i) {
            const Turn& t = d.turns[i];
            // Stored indexes are positions, so they are always 0..n-1 whatever the caller set.
            turn.bind(1, id).bind(2, static_cast<int64_t>(i)).bind(3, toString(t.role)).bind(4, t.text);
            turn.bind(5, dumpObject(t.annotations));
            turn.exec();
            if (i)
                body += '\n';
            body += t.text;
        }

        Statement& fts = m_cache->get(m_cache->insertFts, m_db,
                                      "INSERT INTO dialogue_fts(rowid, body) VALUES (?, ?)");
        fts.bind(1, id).bind(2, body);
        fts.exec();

        if (d.reward) {
            Statement& label = m_cache->get(
                m_cache->insertLabel, m_db,
                "INSERT INTO reward_labels(dialogue_id, value, source, provenance) VALUES (?, ?, ?, ?)");
            label.bind(1, id).bind(2, *d.reward).bind(3, rewardSource);
            label.bind(4, "{\"dataset\":" + json(d.source).dump() + "}");
            label.exec();
        }
    } catch (...) {
        if (!alone) {
            try {
                Statement(m_db, "DELETE FROM dialogue_fts WHERE rowid = ?").bind(1, id).exec();
                Statement(m_db, "DELETE FROM dialogues WHERE id = ?").bind(1, id).exec(); // cascades
            } catch (...) {
                // The original error matters more; the caller's transaction is failing anyway.
            }
        }
        throw;
    }
    if (tx)
        tx->commit();
    return {id, true};
}

std::optional<Dialogue> DialogueStore::get(int64_t id)
{
    Statement st(m_db, std::string("SELECT ") + kDialogueColumns
                           + " FROM dialogues d JOIN tasks t ON t.id = d.task_id WHERE d.id = ?");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    Dialogue d = dialogueFromRow(st);
    Statement turns(m_db,
                    "SELECT idx, role, text, annotations FROM turns WHERE dialogue_id = ? ORDER BY idx");
    turns.bind(1, id);
    while (turns.step())
        d.turns.push_back(turnFromRow(turns, 0, id));
    return d;
}

std::optional<int64_t> DialogueStore::findByUid(const std::string& task, const std::string& uid)
{
    Statement& st = m_cache->get(
        m_cache->findUid, m_db,
        "SELECT d.id FROM dialogues d JOIN tasks t ON t.id = d.task_id WHERE t.name = ? AND d.uid = ?");
    ResetGuard guard(st);
    st.bind(1, task).bind(2, uid);
    if (!st.step())
        return std::nullopt;
    return st.int64(0);
}

// ---------------------------------------------------------------- rewards, flags, removal

int64_t DialogueStore::setReward(int64_t dialogueId, std::optional<double> value,
                                 const std::string& source, const nlohmann::json& provenance)
{
    if (!isRewardSource(source))
        throw Error("unknown reward source '" + source + "' (expected dataset, llm, model or human)");
    Transaction tx(m_db);
    Statement upd(m_db, "UPDATE dialogues SET reward = ?, reward_source = ? WHERE id = ?");
    upd.bind(1, value).bind(2, value ? source : std::string()).bind(3, dialogueId);
    upd.exec();
    if (m_db.changes() == 0)
        throw Error("no dialogue with id " + std::to_string(dialogueId));
    Statement ins(m_db,
                  "INSERT INTO reward_labels(dialogue_id, value, source, provenance) VALUES (?, ?, ?, ?)");
    ins.bind(1, dialogueId).bind(2, value).bind(3, source).bind(4, dumpObject(provenance));
    ins.exec();
    const int64_t labelId = m_db.lastInsertId();
    tx.commit();
    return labelId;
}

std::vector<RewardLabel> DialogueStore::rewardLabels(int64_t dialogueId)
{
    Statement st(m_db, "SELECT id, value, source, provenance, created_at FROM reward_labels "
                       "WHERE dialogue_id = ? ORDER BY id");
    st.bind(1, dialogueId);
    std::vector<RewardLabel> out;
    while (st.step()) {
        RewardLabel l;
        l.id = st.int64(0);
        l.dialogueId = dialogueId;
        l.value = st.optReal(1);
        l.source = st.text(2);
        l.provenance = parseJsonColumn(st.text(3), "label provenance", dialogueId);
        l.createdAt = st.text(4);
        out.push_back(std::move(l));
    }
    return out;
}

void DialogueStore::setFlags(int64_t dialogueId, uint32_t flags)
{
    Statement st(m_db, "UPDATE dialogues SET flags = ? WHERE id = ?");
    st.bind(1, static_cast<int64_t>(flags)).bind(2, dialogueId);
    st.exec();
    if (m_db.changes() == 0)
        throw Error("no dialogue with id " + std::to_string(dialogueId));
}

void DialogueStore::replaceTurns(int64_t dialogueId, const std::vector<Turn>& turns)
{
    Transaction tx(m_db);
    int64_t agent = 0;
    for (const auto& t : turns)
        agent += t.role == Role::Agent;
    Statement up(m_db, "UPDATE dialogues SET n_turns = ?, n_agent_turns = ? WHERE id = ?");
    up.bind(1, static_cast<int64_t>(turns.size())).bind(2, agent).bind(3, dialogueId);
    up.exec();
    if (m_db.changes() == 0)
        throw Error("no dialogue with id " + std::to_string(dialogueId));
    Statement(m_db, "DELETE FROM turns WHERE dialogue_id = ?").bind(1, dialogueId).exec();
    Statement ins(m_db, "INSERT INTO turns(dialogue_id, idx, role, text, annotations) VALUES (?, ?, ?, ?, '{}')");
    std::string body;
    for (size_t i = 0; i < turns.size(); ++i) {
        ins.reset();
        ins.bind(1, dialogueId).bind(2, static_cast<int64_t>(i)).bind(3, toString(turns[i].role)).bind(4, turns[i].text);
        ins.exec();
        if (i)
            body += '\n';
        body += turns[i].text;
    }
    Statement(m_db, "DELETE FROM dialogue_fts WHERE rowid = ?").bind(1, dialogueId).exec();
    Statement(m_db, "INSERT INTO dialogue_fts(rowid, body) VALUES (?, ?)").bind(1, dialogueId).bind(2, body).exec();
    tx.commit();
}

void DialogueStore::setMetadata(int64_t dialogueId, const nlohmann::json& metadata)
{
    Statement st(m_db, "UPDATE dialogues SET metadata = ? WHERE id = ?");
    st.bind(1, dumpObject(metadata)).bind(2, dialogueId);
    st.exec();
    if (m_db.changes() == 0)
        throw Error("no dialogue with id " + std::to_string(dialogueId));
}

bool DialogueStore::remove(int64_t dialogueId)
{
    Transaction tx(m_db);
    // Regenerations of the dialogue go with it (ON DELETE CASCADE on parent_id); their FTS rows
    // are not covered by foreign keys, so remove the whole subtree's rows first.
    Statement fts(m_db, "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION "
                        "SELECT d.id FROM dialogues d JOIN sub ON d.parent_id = sub.id) "
                        "DELETE FROM dialogue_fts WHERE rowid IN sub");
    fts.bind(1, dialogueId);
    fts.exec();
    Statement del(m_db, "DELETE FROM dialogues WHERE id = ?");
    del.bind(1, dialogueId);
    del.exec();
    const bool removed = m_db.changes() > 0;
    tx.commit();
    return removed;
}

// ---------------------------------------------------------------- queries

std::vector<int64_t> DialogueStore::search(const std::string& ftsQuery, int limit)
{
    Statement st(m_db,
                 "SELECT rowid FROM dialogue_fts WHERE dialogue_fts MATCH ? ORDER BY rank LIMIT ?");
    st.bind(1, ftsQuery).bind(2, static_cast<int64_t>(limit));
    std::vector<int64_t> ids;
    while (st.step())
        ids.push_back(st.int64(0));
    return ids;
}

void DialogueStore::forEach(const std::string& task, const std::function<bool(const Dialogue&)>& fn)
{
    std::optional<int64_t> tid;
    if (!task.empty()) {
        tid = taskId(task);
        if (!tid)
            throw Error("unknown task '" + task + "'");
    }
    const std::string where = tid ? " WHERE d.task_id = ?1" : "";
    Statement ds(m_db, std::string("SELECT ") + kDialogueColumns
                           + " FROM dialogues d JOIN tasks t ON t.id = d.task_id" + where
                           + " ORDER BY d.id");
    Statement ts(m_db, std::string("SELECT tu.dialogue_id, tu.idx, tu.role, tu.text, tu.annotations "
                                   "FROM turns tu")
                           + (tid ? " WHERE tu.dialogue_id IN (SELECT id FROM dialogues d"
                                        + where + ")"
                                  : std::string())
                           + " ORDER BY tu.dialogue_id, tu.idx");
    if (tid) {
        ds.bind(1, *tid);
        ts.bind(1, *tid);
    }
    bool haveTurn = ts.step();
    while (ds.step()) {
        Dialogue d = dialogueFromRow(ds);
        while (haveTurn && ts.int64(0) < d.id)
            haveTurn = ts.step();
        while (haveTurn && ts.int64(0) == d.id) {
            d.turns.push_back(turnFromRow(ts, 1, d.id));
            haveTurn = ts.step();
        }
        if (!fn(d))
            return;
    }
}

int64_t DialogueStore::count()
{
    return m_db.queryInt64("SELECT count(*) FROM dialogues").value_or(0);
}

int64_t DialogueStore::count(const std::string& task)
{
    Statement st(m_db, "SELECT count(*) FROM dialogues d JOIN tasks t ON t.id = d.task_id "
                       "WHERE t.name = ?");
    st.bind(1, task);
    return st.step() ? st.int64(0) : 0;
}

} // namespace hw
