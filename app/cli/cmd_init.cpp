// hindsight init: creates an empty project file with the two built-in tasks.
#include "app/cli/args.h"
#include "app/cli/command.h"

#include "core/store/database.h"
#include "core/store/project_file.h"
#include "core/util/error.h"

#include <filesystem>
#include <iostream>

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight init PROJECT.hwb [--if-missing]

Creates a new, empty Hindsight Workbench project: one SQLite file holding the dialogues, their
rewards and everything later steps add. The built-in tasks "counseling" (ESConv) and
"persuasion" (PersuasionForGood) are registered.

  --if-missing   succeed without changes when PROJECT.hwb already is a project
                 (for scripts that may run twice)

Fails when the file already exists (unless --if-missing and it is a valid project).
)";

int runInit(const std::vector<std::string>& argv)
{
    const Args args(argv, {}, {"if-missing"});
    if (args.positional().size() > 1)
        throw Error("too many arguments (one project file expected)");
    const std::string& path = args.positional(0, "PROJECT.hwb");
    if (args.flag("if-missing")) {
        std::error_code ec;
        if (std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) > 0) {
            Database::open(path); // throws when it is not a project
            std::cout << path << ": already a project, left unchanged\n";
            return 0;
        }
    }
    Database db = createProject(path);
    std::cout << "created " << path << " (schema version " << db.schemaVersion() << ")\n";
    return 0;
}

const bool registered = registerCommand({"init", "create an empty project file", kUsage, &runInit});

} // namespace
} // namespace hw::cli
