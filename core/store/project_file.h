#pragma once
#include <string>

namespace hw {

class Database;

// Registers the built-in tasks, "counseling" (ESConv) and "persuasion" (PersuasionForGood), that
// the importers and every later stage expect; tasks already present are left as they are.
void registerBuiltinTasks(Database& db);

// A new project as `hindsight init` and the workbench's New Project make it: an empty project
// file (Database::create) with the built-in tasks. Throws hw::Error (e.g. when the file exists).
Database createProject(const std::string& path);

} // namespace hw
