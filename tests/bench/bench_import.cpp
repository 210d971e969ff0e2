// bench_import: the real import path (hw::importFiles on a chat-layout JSONL file, what
// `hindsight import --format jsonl` runs) versus the raw sqlite3 API writing the same rows.
//
//   bench_import [N_DIALOGUES=100000] [TURNS=10] [DIR] [--keep]   (HW_BENCH_ROUNDS=2 rounds)
//
// The generated dialogues are written to DIR/bench.jsonl before any clock starts. Then, in
// alternating rounds (the machine's load drifts; each side keeps its best run):
//   baseline  the rows inserted with the raw sqlite3 API in one transaction, every JSON column
//             and FTS body serialized before its clock starts;
//   import    open the project (made by createProject, as `hindsight init`) and
//             hw::importFiles(Jsonl, {bench.jsonl}): reading and parsing the file, checks, and
//             the store's inserts in one transaction. Target: import <= 2x baseline;
//   store     DialogueStore::insert of the in-memory dialogues in one transaction (the insert
//             part of the import alone, as a breakdown).
// All three files get identical row counts (checked). Then the browser's first rows on the
// imported project through DialogueQuery (count + first page); the Qt model on top of it is
// timed by bench_ui_browser: with --keep, DIR/import.hwb is left for
// `bench_ui_browser --keep DIR/import.hwb`. Target: first rows < 0.5 s.
#include "core/util/runtime_env.h"
#include "core/data/task.h"
#include "core/io/chat_json.h"
#include "core/io/import.h"
#include "core/store/database.h"
#include "core/store/dialogue_query.h"
#include "core/store/dialogue_store.h"
#include "core/store/project_file.h"
#include "core/util/error.h"

#include <sqlite3.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace hw;
using Clock = std::chrono::steady_clock;

// Wall time and this process's CPU time: on a busy machine the wall clock also counts time spent
// waiting for a core, so both are printed.
struct Timing {
    double wall = 0;
    double cpu = 0;
};

double cpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

struct Stopwatch {
    Clock::time_point wall = Clock::now();
    double cpu = cpuSeconds();
    Timing elapsed() const
    {
        return {std::chrono::duration<double>(Clock::now() - wall).count(), cpuSeconds() - cpu};
    }
};

namespace {

const char* kWords[] = {
    "i", "you", "feel", "really", "today", "work", "job", "family", "friend", "sleep", "worried",
    "about", "the", "and", "that", "it", "is", "was", "so", "very", "how", "what", "when", "why",
    "can", "could", "would", "help", "talk", "maybe", "think", "know", "just", "time", "day",
    "night", "week", "money", "children", "donate", "charity", "save", "school", "food", "health",
    "anxious", "sad", "angry", "lonely", "tired", "better", "worse", "understand", "sounds", "hard",
    "great", "thank", "sorry", "hear", "try", "plan", "small", "step", "together", "alone", "home",
    "parents", "partner", "exam", "study", "stress", "calm", "breathe", "walk", "write", "call",
    "message", "weekend", "morning", "dollar", "cents", "give", "support", "listen", "care"};
constexpr size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);

std::vector<Dialogue> generate(int n, int turns)
{
    std::mt19937 rng(12345);
    std::uniform_int_distribution<size_t> word(0, kWordCount - 1);
    std::uniform_int_distribution<int> len(6, 24);
    std::uniform_int_distribution<int> intensity(1, 5);
    const char* strategies[] = {"Question", "Reflection of feelings", "Providing Suggestions",
                                "Affirmation and Reassurance", "Self-disclosure", "Information"};
    std::vector<Dialogue> out;
    out.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        Dialogue d;
        d.uid = "bench-" + std::to_string(i);
        d.task = i % 2 ? "persuasion" : "counseling";
        d.source = "jsonl";
        d.split = "train";
        const int a = intensity(rng), b = intensity(rng);
        if (i % 10 != 0) {
            d.reward = i % 2 ? (a % 3) * 0.5 : double(a - b);
            d.rewardSource = "dataset";
        }
        d.metadata = {{"initial_emotion_intensity", a}, {"final_emotion_intensity", b},
                      {"emotion_type", "anxiety"}, {"situation", "generated dialogue " + std::to_string(i)}};
        for (int t = 0; t < turns; ++t) {
            Turn turn;
            turn.index = t;
            turn.role = t % 2 ? Role::Agent : Role::User;
            const int words = len(rng);
            for (int w = 0; w < words; ++w) {
                if (w)
                    turn.text += ' ';
                turn.text += kWords[word(rng)];
            }
            turn.text += t % 3 ? "." : "?";
            if (turn.role == Role::Agent)
                turn.annotations = {{"strategy", strategies[(i + t) % 6]}};
            d.turns.push_back(std::move(turn));
        }
        out.push_back(std::move(d));
    }
    return out;
}

// The rows as the baseline binds them: every string prepared in advance.
struct RawRow {
    const Dialogue* d;
    std::string metadata;
    std::vector<std::string> annotations;
    std::string body;
    int64_t taskId;
};

void check(int rc, sqlite3* db, const char* what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        std::fprintf(stderr, "sqlite error in %s: %s\n", what, sqlite3_errmsg(db));
        std::exit(1);
    }
}

Timing baseline(const std::string& path, const std::vector<Dialogue>& dialogues)
{
    int64_t counseling = 0, persuasion = 0;
    {
        // Schema and tasks through the normal path; only the rows are timed.
        auto db = Database::create(path);
        DialogueStore store(db);
        counseling = store.ensureTask(Task::counseling());
        persuasion = store.ensureTask(Task::persuasion());
    }
    std::vector<RawRow> rows;
    rows.reserve(dialogues.size());
    for (const auto& d : dialogues) {
        RawRow r{&d, d.metadata.dump(), {}, {}, d.task == "counseling" ? counseling : persuasion};
        for (const auto& t : d.turns) {
            r.annotations.push_back(t.annotations.empty() ? "{}" : t.annotations.dump());
            if (!r.body.empty())
                r.body += '\n';
            r.body += t.text;
        }
        rows.push_back(std::move(r));
    }
    const std::string provenance = R"({"dataset":"jsonl"})";

    sqlite3* db = nullptr;
    check(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr), db, "open");
    check(sqlite3_exec(db, "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL",
                       nullptr, nullptr, nullptr), db, "pragmas");
    sqlite3_stmt *ins = nullptr, *turn = nullptr, *fts = nullptr, *label = nullptr;
    check(sqlite3_prepare_v2(db, "INSERT INTO dialogues(uid, task_id, source, split, n_turns, n_agent_turns, "
                                 "reward, reward_source, flags, metadata, parent_id) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)", -1, &ins, nullptr), db, "prepare");
    check(sqlite3_prepare_v2(db, "INSERT INTO turns(dialogue_id, idx, role, text, annotations) VALUES (?, ?, ?, ?, ?)",
                             -1, &turn, nullptr), db, "prepare");
    check(sqlite3_prepare_v2(db, "INSERT INTO dialogue_fts(rowid, body) VALUES (?, ?)", -1, &fts, nullptr), db, "prepare");
    check(sqlite3_prepare_v2(db, "INSERT INTO reward_labels(dialogue_id, value, source, provenance) VALUES (?, ?, ?, ?)",
                             -1, &label, nullptr), db, "prepare");

    const Stopwatch clock;
    check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "begin");
    for (const auto& r : rows) {
        const Dialogue& d = *r.d;
        sqlite3_bind_text(ins, 1, d.uid.c_str(), static_cast<int>(d.uid.size()), SQLITE_STATIC);
        sqlite3_bind_int64(ins, 2, r.taskId);
        sqlite3_bind_text(ins, 3, d.source.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, d.split.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 5, static_cast<int64_t>(d.turns.size()));
        sqlite3_bind_int64(ins, 6, d.agentTurnCount());
        if (d.reward)
            sqlite3_bind_double(ins, 7, *d.reward);
        else
            sqlite3_bind_null(ins, 7);
        sqlite3_bind_text(ins, 8, d.rewardSource.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 9, d.flags);
        sqlite3_bind_text(ins, 10, r.metadata.c_str(), static_cast<int>(r.metadata.size()), SQLITE_STATIC);
        check(sqlite3_step(ins), db, "insert dialogue");
        sqlite3_reset(ins);
        const int64_t id = sqlite3_last_insert_rowid(db);
        for (size_t i = 0; i < d.turns.size(); ++i) {
            const Turn& t = d.turns[i];
            sqlite3_bind_int64(turn, 1, id);
            sqlite3_bind_int64(turn, 2, static_cast<int64_t>(i));
            sqlite3_bind_text(turn, 3, t.role == Role::Agent ? "agent" : "user", -1, SQLITE_STATIC);
            sqlite3_bind_text(turn, 4, t.text.c_str(), static_cast<int>(t.text.size()), SQLITE_STATIC);
            sqlite3_bind_text(turn, 5, r.annotations[i].c_str(), static_cast<int>(r.annotations[i].size()),
                              SQLITE_STATIC);
            check(sqlite3_step(turn), db, "insert turn");
            sqlite3_reset(turn);
        }
        sqlite3_bind_int64(fts, 1, id);
        sqlite3_bind_text(fts, 2, r.body.c_str(), static_cast<int>(r.body.size()), SQLITE_STATIC);
        check(sqlite3_step(fts), db, "insert fts");
        sqlite3_reset(fts);
        if (d.reward) {
            sqlite3_bind_int64(label, 1, id);
            sqlite3_bind_double(label, 2, *d.reward);
            sqlite3_bind_text(label, 3, "dataset", -1, SQLITE_STATIC);
            sqlite3_bind_text(label, 4, provenance.c_str(), -1, SQLITE_STATIC);
            check(sqlite3_step(label), db, "insert label");
            sqlite3_reset(label);
        }
    }
    check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
    const Timing seconds = clock.elapsed();
    for (auto* st : {ins, turn, fts, label})
        sqlite3_finalize(st);
    sqlite3_close(db);
    return seconds;
}

Timing viaStore(const std::string& path, const std::vector<Dialogue>& dialogues)
{
    auto db = Database::create(path);
    DialogueStore store(db);
    store.ensureTask(Task::counseling());
    store.ensureTask(Task::persuasion());
    const Stopwatch clock;
    Transaction tx(db);
    for (const auto& d : dialogues)
        if (!store.insert(d).inserted)
            throw Error("unexpected duplicate " + d.uid);
    tx.commit();
    return clock.elapsed();
}

void writeJsonl(const std::string& path, const std::vector<Dialogue>& dialogues)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (const auto& d : dialogues)
        out << dialogueToChatJson(d).dump() << '\n';
    out.close();
    if (!out)
        throw Error(path + ": write failed");
}

// What `hindsight import P.hwb --format jsonl FILE` does once the process is up.
Timing viaImport(const std::string& path, const std::string& jsonl, int64_t expected)
{
    { createProject(path); } // `hindsight init`, not timed
    const Stopwatch clock;
    auto db = Database::open(path);
    const ImportResult r = importFiles(db, ImportFormat::Jsonl, {jsonl});
    const Timing t = clock.elapsed();
    if (r.inserted != expected)
        throw Error("import inserted " + std::to_string(r.inserted) + " of " + std::to_string(expected));
    return t;
}

// The browser's first screen in SQL: open the project, count the rows, read the first page.
double firstRowsMs(const std::string& path)
{
    const auto t0 = Clock::now();
    auto db = Database::open(path);
    DialogueQuery query(db);
    const int64_t n = query.count();
    const auto rows = query.page(0, 200, n);
    if (rows.empty())
        throw Error("no rows in " + path);
    return std::chrono::duration<double>(Clock::now() - t0).count() * 1000.0;
}

int64_t rowCount(const std::string& path, const char* table)
{
    auto db = Database::open(path, Database::Mode::ReadOnly);
    return *db.queryInt64(std::string("SELECT count(*) FROM ") + table);
}

} // namespace

void removeProject(const std::string& p)
{
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(p + suffix);
}

int main(int argc, char** argv)
{
    hw::ensureRuntimeEnvironment(argc, argv); // OpenBLAS kernels, OpenMP wait policy
    std::fprintf(stderr, "%s\n", hw::runtimeEnvironmentSummary().c_str());
    std::vector<std::string> positional;
    bool keep = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--keep") == 0)
            keep = true;
        else
            positional.emplace_back(argv[i]);
    }
    const int n = positional.size() > 0 ? std::atoi(positional[0].c_str()) : 100000;
    const int turns = positional.size() > 1 ? std::atoi(positional[1].c_str()) : 10;
    const int rounds = std::getenv("HW_BENCH_ROUNDS") ? std::max(1, std::atoi(std::getenv("HW_BENCH_ROUNDS"))) : 2;
    namespace fs = std::filesystem;
    const bool ownDir = positional.size() <= 2;
    const fs::path dir = !ownDir ? fs::path(positional[2])
                                 : fs::temp_directory_path() / ("hw_bench_import_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string rawPath = (dir / "baseline.hwb").string();
    const std::string importPath = (dir / "import.hwb").string();
    const std::string storePath = (dir / "store.hwb").string();
    const std::string jsonlPath = (dir / "bench.jsonl").string();
    const std::vector<std::string> projects = {rawPath, importPath, storePath};

    try {
        std::printf("bench_import: %d dialogues x %d turns, sqlite %s, files in %s\n", n, turns,
                    sqlite3_libversion(), dir.c_str());
        auto t0 = Clock::now();
        const std::vector<Dialogue> dialogues = generate(n, turns);
        std::printf("  generated in memory:                   %8.2f s\n",
                    std::chrono::duration<double>(Clock::now() - t0).count());
        t0 = Clock::now();
        writeJsonl(jsonlPath, dialogues);
        std::printf("  wrote %s (%.0f MB):  %8.2f s\n", jsonlPath.c_str(),
                    double(fs::file_size(jsonlPath)) / 1e6, std::chrono::duration<double>(Clock::now() - t0).count());

        Timing raw{1e30, 1e30}, imp{1e30, 1e30}, store{1e30, 1e30};
        for (int round = 0; round < rounds; ++round) {
            for (const auto& p : projects)
                removeProject(p);
            const Timing r = baseline(rawPath, dialogues);
            const Timing i = viaImport(importPath, jsonlPath, n);
            const Timing s = viaStore(storePath, dialogues);
            std::printf("  round %d: baseline %.2f s wall / %.2f s cpu, import %.2f / %.2f, store %.2f / %.2f\n",
                        round + 1, r.wall, r.cpu, i.wall, i.cpu, s.wall, s.cpu);
            raw = {std::min(raw.wall, r.wall), std::min(raw.cpu, r.cpu)};
            imp = {std::min(imp.wall, i.wall), std::min(imp.cpu, i.cpu)};
            store = {std::min(store.wall, s.wall), std::min(store.cpu, s.cpu)};
        }
        for (const char* table : {"dialogues", "turns", "dialogue_fts", "reward_labels"}) {
            const int64_t a = rowCount(rawPath, table);
            if (rowCount(importPath, table) != a || rowCount(storePath, table) != a)
                throw Error(std::string("row counts differ in ") + table);
        }
        std::printf("  rows: %lld dialogues, %lld turns, %lld fts, %lld reward labels (all three files)\n",
                    static_cast<long long>(rowCount(importPath, "dialogues")),
                    static_cast<long long>(rowCount(importPath, "turns")),
                    static_cast<long long>(rowCount(importPath, "dialogue_fts")),
                    static_cast<long long>(rowCount(importPath, "reward_labels")));
        std::printf("  baseline, raw sqlite3, 1 transaction:   %8.2f s wall %8.2f s cpu  (%.0f dialogues/s)\n",
                    raw.wall, raw.cpu, n / raw.wall);
        std::printf("  import, hw::importFiles of the JSONL:   %8.2f s wall %8.2f s cpu  (%.0f dialogues/s)\n",
                    imp.wall, imp.cpu, n / imp.wall);
        std::printf("    of which DialogueStore::insert alone: %8.2f s wall %8.2f s cpu\n", store.wall, store.cpu);
        std::printf("  ratio import / baseline:                %8.2f   wall %8.2f   cpu  (target <= 2.00) %s\n",
                    imp.wall / raw.wall, imp.cpu / raw.cpu, imp.wall / raw.wall <= 2.0 ? "OK" : "OVER TARGET");
        std::printf("  ratio store / baseline:                 %8.2f   wall %8.2f   cpu\n",
                    store.wall / raw.wall, store.cpu / raw.cpu);

        std::vector<double> ms;
        for (int rep = 0; rep < 3; ++rep)
            ms.push_back(firstRowsMs(importPath));
        std::sort(ms.begin(), ms.end());
        std::printf("  browser first rows on the imported project (open + count + first 200 rows, SQL):"
                    " median %.1f ms (target < 500) %s\n", ms[1], ms[1] < 500.0 ? "OK" : "OVER TARGET");
        if (keep)
            std::printf("  kept %s: bench_ui_browser --keep %s times the table model on it\n",
                        importPath.c_str(), importPath.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_import: %s\n", e.what());
        return 1;
    }
    for (const auto& p : projects)
        if (!(keep && p == importPath))
            removeProject(p);
    fs::remove(jsonlPath);
    if (ownDir && !keep)
        fs::remove(dir);
    return 0;
}
