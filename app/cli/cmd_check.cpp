// hindsight check: SQLite's full integrity check of a project file.
#include "app/cli/args.h"
#include "app/cli/command.h"

#include "core/store/project_check.h"

#include <iostream>

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight check PROJECT.hwb [--json]

Runs SQLite's full integrity check (every page, index and constraint) and the foreign-key check
on a project, read-only: it never writes, and works while another program has the project open.
Opening a project for writing runs the quicker PRAGMA quick_check and refuses a damaged file;
this command names every problem found (up to 100). Exit status 0 = sound, 1 = problems found.

  --json   {"path":..,"ok":true|false,"schemaVersion":N,"problems":["..",..]}
)";

int runCheck(const std::vector<std::string>& argv)
{
    const Args args(argv, {}, {"json"});
    const std::string& path = args.positional(0, "PROJECT.hwb");
    const ProjectCheckResult r = checkProject(path);
    if (args.flag("json")) {
        std::cout << nlohmann::json(r).dump() << "\n";
    } else if (r.ok) {
        std::cout << path << ": ok (integrity check and foreign keys, schema v" << r.schemaVersion << ")\n";
    } else {
        std::cout << path << ": " << r.problems.size() << " problem(s) found:\n";
        for (const auto& p : r.problems)
            std::cout << "  " << p << "\n";
    }
    return r.ok ? 0 : 1;
}

const bool registered = registerCommand({"check", "full integrity check of a project file", kUsage, &runCheck});

} // namespace
} // namespace hw::cli
