#include "core/store/project_file.h"

#include "core/data/task.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"

namespace hw {

void registerBuiltinTasks(Database& db)
{
    Transaction tx(db);
    DialogueStore store(db);
    store.ensureTask(Task::counseling());
    store.ensureTask(Task::persuasion());
    tx.commit();
}

Database createProject(const std::string& path)
{
    Database db = Database::create(path);
    registerBuiltinTasks(db);
    return db;
}

} // namespace hw
