#include "core/store/project_check.h"

#include "core/store/database.h"
#include "core/store/schema.h"
#include "core/util/error.h"

namespace hw {

ProjectCheckResult checkProject(const std::string& path, int maxProblems)
{
    ProjectCheckResult r;
    r.path = path;
    try {
        Database db = Database::openForInspection(path);
        r.schemaVersion = db.schemaVersion();
        r.problems = db.integrityCheck(maxProblems);
        if (r.problems.empty()) {
            Statement fk(db, "PRAGMA foreign_key_check");
            while (fk.step() && static_cast<int>(r.problems.size()) < maxProblems)
                r.problems.push_back("foreign key: row " + fk.text(1) + " of table " + fk.text(0)
                                     + " refers to a missing row of " + fk.text(2));
        }
        if (r.schemaVersion < 0 || r.schemaVersion > currentSchemaVersion())
            r.problems.push_back("schema version (PRAGMA user_version) " + std::to_string(r.schemaVersion)
                                 + " is not one this build reads (1 to "
                                 + std::to_string(currentSchemaVersion()) + ")");
        else if (r.problems.empty()
                 && db.queryInt64("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'project_info'")
                        .value_or(0) == 0)
            r.problems.push_back("an SQLite database but not a Hindsight Workbench project (no project_info table)");
    } catch (const Error& e) {
        r.problems.push_back(e.what());
    }
    r.ok = r.problems.empty();
    return r;
}

} // namespace hw
