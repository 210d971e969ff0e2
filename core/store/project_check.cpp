#include "core/store/project_check.h"

#include "core/store/integrity_check.h"
#include "core/store/schema.h"
#include "core/util/error.h"

#include <sqlite3.h>

#include <filesystem>
#include <memory>

namespace hw {
namespace {

// Raw, read-only and without Database::open's schema checks: the file may be damaged, foreign or
// from another version, and each of those is a finding here rather than a refusal.
using Connection = std::unique_ptr<sqlite3, int (*)(sqlite3*)>;

Connection openReadOnly(const std::string& path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw Error("no such project file");
    if (fs::is_directory(path, ec))
        throw Error("is a directory, not a project file");
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    Connection db(raw, sqlite3_close_v2);
    if (rc != SQLITE_OK)
        throw Error(std::string("cannot open: ") + (raw ? sqlite3_errmsg(raw) : "out of memory"));
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, 10000);
    return db;
}

// Runs `sql` and passes each row's text columns to `row`; a failure is an hw::Error.
template <typename Row>
void eachRow(sqlite3* db, const char* sql, Row&& row)
{
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK)
        throw Error(sqlite3_errmsg(db));
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        row(st);
    const std::string msg = sqlite3_errmsg(db);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        throw Error(msg);
}

std::string columnText(sqlite3_stmt* st, int col)
{
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
    return p ? p : "";
}

} // namespace

ProjectCheckResult checkProject(const std::string& path, int maxProblems)
{
    ProjectCheckResult r;
    r.path = path;
    try {
        const Connection db = openReadOnly(path);
        eachRow(db.get(), "PRAGMA user_version", [&](sqlite3_stmt* st) { r.schemaVersion = sqlite3_column_int(st, 0); });
        r.problems = runIntegrityCheck(db.get(), path, IntegrityLevel::Full, maxProblems);
        if (r.problems.empty())
            eachRow(db.get(), "PRAGMA foreign_key_check", [&](sqlite3_stmt* st) {
                if (static_cast<int>(r.problems.size()) < maxProblems)
                    r.problems.push_back("foreign key: row " + columnText(st, 1) + " of table " + columnText(st, 0)
                                         + " refers to a missing row of " + columnText(st, 2));
            });
        if (r.schemaVersion < 1 || r.schemaVersion > currentSchemaVersion())
            r.problems.push_back("schema version (PRAGMA user_version) " + std::to_string(r.schemaVersion)
                                 + " is not one this build reads (1 to " + std::to_string(currentSchemaVersion()) + ")");
        bool hasInfo = false;
        if (r.problems.empty())
            eachRow(db.get(), "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'project_info'",
                    [&](sqlite3_stmt*) { hasInfo = true; });
        if (r.problems.empty() && !hasInfo)
            r.problems.push_back("an SQLite database but not a Hindsight Workbench project (no project_info table)");
    } catch (const Error& e) {
        const std::string what = e.what();
        r.problems.push_back(what.rfind(path, 0) == 0 ? what : path + ": " + what);
    }
    r.ok = r.problems.empty();
    return r;
}

} // namespace hw
