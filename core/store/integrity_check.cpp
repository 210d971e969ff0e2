#include "core/store/integrity_check.h"

#include "core/util/error.h"

#include <sqlite3.h>

#include <algorithm>

namespace hw {

std::vector<std::string> runIntegrityCheck(sqlite3* db, const std::string& path, IntegrityLevel level,
                                           int maxErrors)
{
    std::vector<std::string> found;
    const std::string sql = std::string("PRAGMA ") + (level == IntegrityLevel::Quick ? "quick_check" : "integrity_check")
                            + "(" + std::to_string(std::max(1, maxErrors)) + ")";
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
        found.emplace_back(sqlite3_errmsg(db));
        return found;
    }
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        const std::string line = text ? text : "";
        if (line != "ok")
            found.push_back(line);
    }
    if (rc != SQLITE_DONE)
        found.emplace_back(sqlite3_errmsg(db));
    sqlite3_finalize(st);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        throw Error(path + ": cannot check the project now, it is locked (" + found.back() + ")");
    return found;
}

} // namespace hw
