#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

// What `hindsight check` and File > Check Project report about a project file.
struct ProjectCheckResult {
    std::string path;
    bool ok = false;               // a project whose checks found nothing
    int schemaVersion = 0;         // PRAGMA user_version
    std::vector<std::string> problems; // integrity_check / foreign_key_check findings, or why it
                                       // could not be checked
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ProjectCheckResult, path, ok, schemaVersion, problems)

// The full check: SQLite's integrity_check (every page, index and constraint), foreign_key_check,
// and that the file is a Hindsight project this build can read. Opens the file read-only and never
// writes; a project in use by another program can be checked. Never throws for a damaged or
// foreign file (that is the finding); at most maxProblems lines are kept.
ProjectCheckResult checkProject(const std::string& path, int maxProblems = 100);

} // namespace hw
