#include "core/store/dialogue_ref.h"

#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace hw {
namespace {

std::optional<int64_t> rowNumber(const std::string& s)
{
    if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        return std::nullopt;
    return std::stoll(s);
}

} // namespace

int64_t resolveDialogueRef(Database& db, const std::string& ref, const std::string& task)
{
    DialogueStore store(db);
    if (ref.empty())
        throw Error("empty dialogue id");
    if (ref[0] == '#') {
        const auto n = rowNumber(ref.substr(1));
        if (!n || !store.get(*n))
            throw Error(db.path() + ": no dialogue with row number " + ref);
        return *n;
    }
    // By uid, through the (task, uid) index of each task.
    std::vector<std::pair<std::string, int64_t>> found;
    for (const Task& t : store.tasks()) {
        if (!task.empty() && t.name != task)
            continue;
        if (const auto id = store.findByUid(t.name, ref))
            found.emplace_back(t.name, *id);
    }
    if (found.size() == 1)
        return found.front().second;
    if (found.size() > 1) {
        std::string tasks;
        for (const auto& [name, id] : found)
            tasks += (tasks.empty() ? "" : ", ") + name + " (#" + std::to_string(id) + ")";
        throw Error(db.path() + ": dialogue id '" + ref + "' is used in several tasks: " + tasks
                    + "; name the task or give the row number as #N");
    }
    if (const auto n = rowNumber(ref); n && store.get(*n))
        return *n;
    throw Error(db.path() + ": no dialogue with id '" + ref + "'" + (task.empty() ? "" : " in task '" + task + "'")
                + " (give the dialogue's own id, as in its file and on the Dialogues page, or #N for row N)");
}

} // namespace hw
