#include "core/io/import.h"

#include "core/data/task.h"
#include "core/io/esconv_import.h"
#include "core/io/jsonl_import.h"
#include "core/io/p4g_import.h"
#include "core/io/reward_range_check.h"
#include "core/io/text_util.h"
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

// Where a dialogue came from, for "FILE:LINE: reason" after reading.
struct Origin {
    std::string file;
    int line = 0;
    std::string where() const { return file + ":" + std::to_string(line); }
};

// Two readings of one (task, uid) are the same dialogue when their turns and dataset reward agree.
// Whitespace runs count as one space, as in the content-hash uids (ESConv's two releases differ
// only there), and metadata such as the file name or split may differ.
bool sameTurns(const Dialogue& a, const Dialogue& b)
{
    if (a.turns.size() != b.turns.size())
        return false;
    for (size_t i = 0; i < a.turns.size(); ++i)
        if (a.turns[i].role != b.turns[i].role
            || (a.turns[i].text != b.turns[i].text
                && text::collapseWhitespace(a.turns[i].text) != text::collapseWhitespace(b.turns[i].text)))
            return false;
    return true;
}

// Refuses rewards far outside their task's range (the project's own range for tasks it has),
// and a second dialogue with the same id but other content within the files being imported.
void checkRead(Database& db, const std::vector<Dialogue>& dialogues, const std::vector<Origin>& origins)
{
    DialogueStore store(db);
    std::map<std::string, Task> tasks;
    std::map<std::pair<std::string, std::string>, size_t> firstOf;
    for (size_t i = 0; i < dialogues.size(); ++i) {
        const Dialogue& d = dialogues[i];
        auto t = tasks.find(d.task);
        if (t == tasks.end()) {
            auto known = store.task(d.task);
            t = tasks.emplace(d.task, known ? *known : taskFor(d.task, dialogues)).first;
        }
        if (d.reward) {
            try {
                checkRewardNotFarOutside(*d.reward, t->second);
            } catch (const Error& e) {
                throw Error(origins[i].where() + ": " + e.what());
            }
        }
        const auto [first, isNew] = firstOf.emplace(std::make_pair(d.task, d.uid), i);
        if (isNew)
            continue;
        const Dialogue& a = dialogues[first->second];
        if (!sameTurns(a, d) || a.reward != d.reward)
            throw Error(origins[i].where() + ": dialogue id '" + d.uid + "' (task " + d.task
                        + ") appears again with different " + (sameTurns(a, d) ? "reward" : "turns")
                        + " (first at " + origins[first->second].where()
                        + "); give one of them another id");
    }
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
    std::vector<Origin> origins;
    if (format == ImportFormat::P4g) {
        const P4gFiles files = resolveP4gFiles(paths);
        result.files = {files.dialog, files.info};
        report(0, 1, "read", files.dialog);
        std::vector<int> lines;
        dialogues = readP4g(files, &lines);
        for (const int line : lines)
            origins.push_back({files.dialog, line});
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
            std::vector<int> lines;
            auto part = format == ImportFormat::Esconv ? readEsconvFile(f, &lines)
                                                       : readChatJsonl(f, options.defaultTask, &lines);
            for (const int line : lines)
                origins.push_back({f, line});
            dialogues.insert(dialogues.end(), std::make_move_iterator(part.begin()),
                             std::make_move_iterator(part.end()));
        }
    }
    checkStop(stop);
    checkRead(db, dialogues, origins);

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
            // Already in the project: the same dialogue again, or another one under a taken id.
            const auto existing = store.get(r.id);
            if (existing && !sameTurns(*existing, d))
                throw Error(origins[static_cast<size_t>(i)].where() + ": dialogue id '" + d.uid + "' (task "
                            + d.task + ") is already in " + db.path() + " (dialogue " + std::to_string(r.id)
                            + ") with different turns; give it another id");
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
