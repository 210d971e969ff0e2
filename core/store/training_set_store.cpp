#include "core/store/training_set_store.h"

#include <algorithm>

#include "core/io/chat_json.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace hw {
namespace {

constexpr const char* kSelect =
    "SELECT s.id, s.name, coalesce(t.name, ''), s.spec, s.lineage, "
    "(SELECT count(*) FROM training_set_items i WHERE i.set_id = s.id), s.created_at "
    "FROM training_sets s LEFT JOIN tasks t ON t.id = s.task_id ";

nlohmann::json parseObject(const std::string& s)
{
    auto j = nlohmann::json::parse(s, nullptr, false);
    return j.is_discarded() ? nlohmann::json::object() : j;
}

TrainingSet readRow(Statement& st)
{
    TrainingSet s;
    s.id = st.int64(0);
    s.name = st.text(1);
    s.task = st.text(2);
    s.spec = parseObject(st.text(3));
    s.lineage = parseObject(st.text(4));
    s.size = st.int64(5);
    s.createdAt = st.text(6);
    return s;
}

} // namespace

TrainingSetStore::TrainingSetStore(Database& db) : m_db(db) {}

int64_t TrainingSetStore::create(const std::string& name, const std::string& task, const nlohmann::json& spec,
                                 const nlohmann::json& lineage, const std::vector<TrainingSetItem>& items)
{
    if (find(name))
        throw Error("a training set named '" + name + "' already exists");
    Transaction tx(m_db);
    Statement ins(m_db, "INSERT INTO training_sets(name, task_id, spec, lineage) "
                        "VALUES (?, (SELECT id FROM tasks WHERE name = ?), ?, ?)");
    ins.bind(1, name).bind(2, task).bind(3, spec.dump()).bind(4, lineage.dump());
    ins.exec();
    const int64_t id = m_db.lastInsertId();
    Statement item(m_db, "INSERT INTO training_set_items(set_id, dialogue_id, weight) VALUES (?, ?, ?)");
    for (const auto& it : items) {
        item.reset();
        item.bind(1, id).bind(2, it.dialogueId).bind(3, it.weight);
        item.exec();
    }
    tx.commit();
    return id;
}

std::optional<TrainingSet> TrainingSetStore::get(int64_t id)
{
    Statement st(m_db, std::string(kSelect) + "WHERE s.id = ?");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return readRow(st);
}

std::optional<TrainingSet> TrainingSetStore::find(const std::string& name)
{
    Statement st(m_db, std::string(kSelect) + "WHERE s.name = ?");
    st.bind(1, name);
    if (!st.step())
        return std::nullopt;
    return readRow(st);
}

std::vector<TrainingSet> TrainingSetStore::list()
{
    Statement st(m_db, std::string(kSelect) + "ORDER BY s.id");
    std::vector<TrainingSet> out;
    while (st.step())
        out.push_back(readRow(st));
    return out;
}

std::vector<TrainingSetItem> TrainingSetStore::items(int64_t setId)
{
    Statement st(m_db, "SELECT dialogue_id, weight FROM training_set_items WHERE set_id = ? ORDER BY dialogue_id");
    st.bind(1, setId);
    std::vector<TrainingSetItem> out;
    while (st.step())
        out.push_back({st.int64(0), st.real(1)});
    return out;
}

std::optional<TrainingSet> TrainingSetStore::findSame(const std::string& task, const nlohmann::json& spec,
                                                      const std::vector<TrainingSetItem>& items,
                                                      const std::vector<std::string>& ignore)
{
    auto comparable = [&](nlohmann::json j) {
        if (j.is_object())
            for (const auto& k : ignore)
                j.erase(k);
        return j;
    };
    const nlohmann::json wanted = comparable(spec);
    std::vector<TrainingSetItem> sorted = items;
    std::sort(sorted.begin(), sorted.end(),
              [](const TrainingSetItem& a, const TrainingSetItem& b) { return a.dialogueId < b.dialogueId; });
    const std::vector<TrainingSet> all = list();
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        if (it->task != task || it->size != static_cast<int64_t>(sorted.size()) || comparable(it->spec) != wanted)
            continue;
        const std::vector<TrainingSetItem> have = this->items(it->id);
        const bool same = std::equal(have.begin(), have.end(), sorted.begin(), sorted.end(),
                                     [](const TrainingSetItem& a, const TrainingSetItem& b) {
                                         return a.dialogueId == b.dialogueId && a.weight == b.weight;
                                     });
        if (same)
            return *it;
    }
    return std::nullopt;
}

bool TrainingSetStore::remove(int64_t id)
{
    Statement st(m_db, "DELETE FROM training_sets WHERE id = ?");
    st.bind(1, id);
    st.exec();
    return m_db.changes() > 0;
}

std::string TrainingSetStore::uniqueName(const std::string& base)
{
    if (!find(base))
        return base;
    for (int i = 2;; ++i) {
        const std::string n = base + "-" + std::to_string(i);
        if (!find(n))
            return n;
    }
}

int64_t TrainingSetStore::exportJsonl(int64_t setId, const std::string& path, const StopToken& stop)
{
    if (!get(setId))
        throw Error("no training set with id " + std::to_string(setId));
    const std::string tmp = path + ".part" + std::to_string(::getpid());
    int64_t n = 0;
    {
        std::ofstream out(tmp, std::ios::trunc | std::ios::binary);
        if (!out)
            throw Error(path + ": cannot write");
        DialogueStore dialogues(m_db);
        for (const auto& item : items(setId)) {
            if (stop.stopRequested()) {
                out.close();
                std::remove(tmp.c_str());
                throw Cancelled();
            }
            const auto d = dialogues.get(item.dialogueId);
            if (!d)
                continue;
            auto j = dialogueToChatJson(*d);
            if (item.weight != 1.0)
                j["weight"] = item.weight;
            out << j.dump() << "\n";
            ++n;
        }
        if (!out.flush()) {
            std::remove(tmp.c_str());
            throw Error(path + ": write failed");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw Error(path + ": cannot write: " + ec.message());
    }
    return n;
}

} // namespace hw
