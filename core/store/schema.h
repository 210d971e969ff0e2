#pragma once

namespace hw {

class Database;

// The newest schema version this build writes. Files with a larger PRAGMA user_version are
// refused; smaller ones are migrated forward inside one transaction.
int currentSchemaVersion();

// Brings an open read-write project up to currentSchemaVersion(). Throws hw::Error.
void migrateSchema(Database& db);

} // namespace hw
