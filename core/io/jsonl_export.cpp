#include "core/io/jsonl_export.h"

#include "core/io/chat_json.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace hw {

ExportResult exportJsonl(Database& db, const std::string& path, const ExportOptions& options,
                         const ProgressFn& progress, const StopToken& stop)
{
    DialogueStore store(db);
    const int64_t total = options.task.empty() ? store.count() : store.count(options.task);
    if (!options.task.empty() && !store.taskId(options.task))
        throw Error("no task '" + options.task + "' in " + db.path());

    const std::string tmp = path + ".part";
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
        throw Error(path + ": cannot write (" + std::strerror(errno) + ")");

    ExportResult result;
    result.path = path;
    int64_t seen = 0;
    try {
        store.forEach(options.task, [&](const Dialogue& d) {
            if (stop.stopRequested())
                throw Cancelled();
            ++seen;
            if (options.labeledOnly && !d.reward)
                return true;
            out << dialogueToChatJson(d, options.messages).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                << '\n';
            ++result.dialogues;
            result.turns += static_cast<int64_t>(d.turns.size());
            if (progress && (seen % 500 == 0 || seen == total))
                progress({seen, total, "export", path});
            return true;
        });
        out.close();
        if (!out)
            throw Error(path + ": write failed (disk full?)");
        if (std::rename(tmp.c_str(), path.c_str()) != 0)
            throw Error(path + ": cannot rename " + tmp + " (" + std::strerror(errno) + ")");
    } catch (...) {
        out.close();
        std::remove(tmp.c_str());
        throw;
    }
    if (progress)
        progress({seen, total, "export", path});
    return result;
}

} // namespace hw
