// Internal: the SQLite schema and its forward migrations.
#ifndef BLOCKSTORE_LIB_STORE_SCHEMA_HPP
#define BLOCKSTORE_LIB_STORE_SCHEMA_HPP

#include "blockstore/status.hpp"
#include "lib/store/sqlite_db.hpp"

namespace blockstore::internal {

// Brings the database at PRAGMA user_version up to the newest schema, one migration per
// transaction. failed_precondition when the file is newer than this build.
Status MigrateSchema(Db& db);
int LatestSchemaVersion();

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_SCHEMA_HPP
