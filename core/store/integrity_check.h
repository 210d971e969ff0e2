#pragma once
#include <string>
#include <vector>

struct sqlite3;

namespace hw {

// SQLite's own consistency checks on an open connection.
//   Quick: PRAGMA quick_check, run by every read-write Database::open before the first write
//          (it skips comparing index contents with their tables, so it stays fast)
//   Full:  PRAGMA integrity_check (`hindsight check`, File > Check Project Integrity)
// Returns the problems found, at most maxErrors; empty when the file is sound. Damage that makes
// the check itself fail (SQLITE_CORRUPT, "malformed") is a finding too. Throws hw::Error naming
// `path` only when the file is locked.
enum class IntegrityLevel { Quick, Full };
std::vector<std::string> runIntegrityCheck(sqlite3* db, const std::string& path, IntegrityLevel level,
                                           int maxErrors = 20);

} // namespace hw
