// Internal: turns a ListQuery into SQL (filters, keyset pagination, ordering).
#ifndef BLOCKSTORE_LIB_STORE_LIST_QUERY_HPP
#define BLOCKSTORE_LIB_STORE_LIST_QUERY_HPP

#include <map>
#include <string>
#include <vector>

#include "blockstore/requests.hpp"
#include "blockstore/result.hpp"
#include "blockstore/types.hpp"

namespace blockstore::internal {

struct ListTable {
  const char* table;           // "volumes"
  const char* metadata_table;  // "volume_metadata"
  const char* metadata_id;     // "volume_id"
  std::vector<std::string> sort_keys;  // columns a caller may sort by
  // ListQuery fields this table accepts beyond name, status, size, metadata, project_id and
  // the substring filters on name, description and status: volume_id, availability_zone
  // (also as a substring filter), bootable.
  std::vector<std::string> filters;
  const char* image_metadata_table = nullptr;  // volumes: "volume_glance_metadata"
};

struct ListSql {
  std::string tail;                // "WHERE … ORDER BY … LIMIT n", table aliased as t
  std::vector<std::string> binds;  // positional, in order
};

inline constexpr int64_t kMaxListLimit = 1000;

// The keyset condition after a marker reads the marker's sort values in the statement itself.
// invalid_argument for unknown sort keys or filters and bad limits.
Result<ListSql> BuildListSql(const ListTable& table, const ListQuery& q,
                             std::string_view project_scope);

// The sort keys a query resolves to (Cinder's synonyms mapped to columns), with "id" appended
// as the tie-breaker.
Result<std::vector<SortKey>> ResolveSort(const ListTable& table, const ListQuery& q);

// A page of any record kind with an id and a project (volumes, snapshots, backups), written
// once: the marker is read with `get` (not_found when it does not exist or lies outside the
// caller's scope), and `query` runs the tail BuildListSql makes. `get(id)` answers
// Result<Record>; `query(const ListSql&)` Result<std::vector<Record>>.
template <typename Get, typename Query>
auto ListPage(const ListTable& table, const ListQuery& q, std::string_view project_scope, Get get,
              Query query) -> decltype(query(std::declval<const ListSql&>())) {
  if (!q.marker.empty()) {
    auto m = get(q.marker);
    const bool outside = (!project_scope.empty() && m.ok() && m->project_id != project_scope) ||
                         (q.project_id && m.ok() && m->project_id != *q.project_id);
    if (!m.ok() || outside) {
      return NotFound("marker " + q.marker.substr(0, 64) + " could not be found");
    }
  }
  auto sql = BuildListSql(table, q, project_scope);
  if (!sql.ok()) return sql.status();
  return query(*sql);
}

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_LIST_QUERY_HPP
