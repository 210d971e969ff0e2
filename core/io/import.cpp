#include "core/io/import.h"

#include "core/data/task.h"
#include "core/io/esconv_import.h"
#include "core/io/jsonl_import.h"
#include "core/io/p4g_import.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"

#include <algorithm>
#include <filesystem>

namespace hw {
namespace {

// The task a dialogue names: the built-in ones by name, anything else a custom task whose reward
// range is the range of the rewards it arrives with ([0, 1] when none are labeled).
Task taskFor(const std::string& name, const std::vector<Dialogue>& dialogues)
{
    if (name == Task::counseling().name)
        return Task::counseling();
    if (name == Task::persuasion().name)
        return Task::persuasion();
    Task t;
    t.name = name;
    t.kind = TaskKind::Custom;
    t.agentRole = "agent";
    t.userRole = "user";
    t.rewardName = "reward";
    bool any = false;
    for (const auto& d : dialogues) {
        if (d.task != name || !d.reward)
            continue;
        t.rewardMin = any ? std::min(t.rewardMin, *d.reward) : *d.reward;
        t.rewardMax = any ? std::max(t.rewardMax, *d.reward) : *d.reward;
        any = true;
    }
    if (!any || t.rewardMin == t.rewardMax) {
        t.rewardMin = any ? std::min(0.0, t.rewardMin) : 0.0;
        t.rewardMax = any ? std::max(1.0, t.rewardMax) : 1.0;
    }
    t.description = "Imported dialogues of task '" + name + "'.";
    return t;
}

void checkStop(const StopToken& stop)
{
    if (stop.stopRequested())
        throw Cancelled();
}

} // namespace

std::string toString(ImportFormat format)
{
    switch (format) {
    case ImportFormat::Esconv: return "esconv";
    case ImportFormat::P4g: return "p4g";
    case ImportFormat::Jsonl: return "jsonl";
    }
    return "jsonl";
}

ImportFormat importFormatFromString(const std::string& s)
{
    if (s == "esconv") return ImportFormat::Esconv;
    if (s == "p4g") return ImportFormat::P4g;
    if (s == "jsonl") return ImportFormat::Jsonl;
    throw Error("unknown import format '" + s + "' (expected esconv, p4g or jsonl)");
}

ImportResult importFiles(Database& db, ImportFormat format, const std::vector<std::string>& paths,
                         const ImportOptions& options, const ProgressFn& progress,
                         const StopToken& stop)
{
    if (paths.empty())
        throw Error("nothing to import: no files given");
    auto report = [&](int64_t done, int64_t total, const std::string& stage, const std::string& msg) {
        if (progress)
            progress({done, total, stage, msg});
    };

    // 1. Read and check every file before touching the project.
    ImportResult result;
    std::vector<Dialogue> dialogues;
    if (format == ImportFormat::P4g) {
        const P4gFiles files = resolveP4gFiles(paths);
        result.files = {files.dialog, files.info};
        report(0, 1, "read", files.dialog);
        dialogues = readP4g(files);
    } else {
        for (const auto& p : paths) {
            std::error_code ec;
            if (format == ImportFormat::Esconv && std::filesystem::is_directory(p, ec)) {
                const auto inDir = esconvFilesIn(p);
                result.files.insert(result.files.end(), inDir.begin(), inDir.end());
            } else {
                result.files.push_back(p);
            }
        }
        for (size_t i = 0; i < result.files.size(); ++i) {
            checkStop(stop);
            const std::string& f = result.files[i];
            report(static_cast<int64_t>(i), static_cast<int64_t>(result.files.size()), "read", f);
            auto part = format == ImportFormat::Esconv ? readEsconvFile(f)
                                                       : readChatJsonl(f, options.defaultTask);
            dialogues.insert(dialogues.end(), std::make_move_iterator(part.begin()),
                             std::make_move_iterator(part.end()));
        }
    }
    checkStop(stop);

    // 2. Insert everything in one transaction; leaving this scope early rolls it all back.
    const auto total = static_cast<int64_t>(dialogues.size());
    Transaction tx(db);
    DialogueStore store(db);
    std::vector<std::string> taskNames;
    for (const auto& d : dialogues)
        if (std::find(taskNames.begin(), taskNames.end(), d.task) == taskNames.end())
            taskNames.push_back(d.task);
    for (const auto& name : taskNames)
        if (!store.taskId(name))
            store.ensureTask(taskFor(name, dialogues));

    report(0, total, "import", "");
    for (int64_t i = 0; i < total; ++i) {
        if ((i & 63) == 0)
            checkStop(stop);
        const Dialogue& d = dialogues[static_cast<size_t>(i)];
        const auto r = store.insert(d);
        ++result.read;
        if (r.inserted) {
            ++result.inserted;
            ++result.insertedPerTask[d.task];
        } else {
            ++result.duplicates;
        }
        if (d.reward)
            ++result.labeled;
        else
            ++result.unlabeled;
        if (d.flags != kFlagNone)
            ++result.flagged;
        if ((i + 1) % 250 == 0)
            report(i + 1, total, "import", "");
    }
    checkStop(stop);
    tx.commit();
    report(total, total, "import", "");
    return result;
}

} // namespace hw
