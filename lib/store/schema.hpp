// Internal: the store's schema and its forward migrations, written once for SQLite and PostgreSQL.
#ifndef BLOCKSTORE_LIB_STORE_SCHEMA_HPP
#define BLOCKSTORE_LIB_STORE_SCHEMA_HPP

#include <string>
#include <vector>

#include "blockstore/status.hpp"
#include "lib/store/sql_db.hpp"

namespace blockstore::internal {

// Brings the database up to the newest schema, one migration per transaction, under the
// database's migration lock. failed_precondition when the database is newer than this build.
Status MigrateSchema(Db& db);
int LatestSchemaVersion();
// The store's tables, parents before the tables that refer to them.
const std::vector<std::string>& StoreTables();

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_SCHEMA_HPP
