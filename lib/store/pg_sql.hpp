// Internal: the store's SQL, written in SQLite's spelling, as PostgreSQL spells it. The store
// keeps to what both share; what differs is small and mechanical:
//   ?  and ?N             → $k and $N (outside quoted text)
//   json_group_object(…)  → json_object_agg(…)
//   max(a, b) (scalar)    → GREATEST(a, b)   (max(x), the aggregate, stays)
// and, in DDL, INTEGER → BIGINT (SQLite's integers are 64-bit) and no WITHOUT ROWID.
#ifndef BLOCKSTORE_LIB_STORE_PG_SQL_HPP
#define BLOCKSTORE_LIB_STORE_PG_SQL_HPP

#include <string>

namespace blockstore::internal {

std::string PgStatement(const std::string& sqlite_sql);
std::string PgDdl(const std::string& sqlite_ddl);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_PG_SQL_HPP
