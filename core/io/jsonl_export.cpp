#include "core/io/jsonl_export.h"

#include "core/io/atomic_file.h"
#include "core/io/chat_json.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"


namespace hw {

ExportResult exportJsonl(Database& db, const std::string& path, const ExportOptions& options,
                         const ProgressFn& progress, const StopToken& stop)
{
    DialogueStore store(db);
    const int64_t total = options.task.empty() ? store.count() : store.count(options.task);
    if (!options.task.empty() && !store.taskId(options.task))
        throw Error("no task '" + options.task + "' in " + db.path());

    AtomicFileWriter out(path);
    ExportResult result;
    result.path = path;
    int64_t seen = 0;
    std::string line;
    store.forEach(options.task, [&](const Dialogue& d) {
        if (stop.stopRequested())
            throw Cancelled();
        ++seen;
        if (options.labeledOnly && !d.reward)
            return true;
        line = dialogueToChatJson(d, options.messages).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        line += '\n';
        out.write(line);
        ++result.dialogues;
        result.turns += static_cast<int64_t>(d.turns.size());
        if (progress && (seen % 500 == 0 || seen == total))
            progress({seen, total, "export", path});
        return true;
    });
    out.commit();
    if (progress)
        progress({seen, total, "export", path});
    return result;
}

} // namespace hw
