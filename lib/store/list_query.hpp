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
  std::vector<std::string> filters;    // ListQuery fields this table accepts
};

struct ListSql {
  std::string tail;                // "WHERE … ORDER BY … LIMIT n", table aliased as t
  std::vector<std::string> binds;  // positional, in order
};

inline constexpr int64_t kMaxListLimit = 1000;

// `marker_row` holds the marker record's values for the sort columns (and "id"); empty when
// the query has no marker. invalid_argument for unknown sort keys or filters and bad limits.
Result<ListSql> BuildListSql(const ListTable& table, const ListQuery& q,
                             std::string_view project_scope,
                             const std::map<std::string, std::string>& marker_row);

// The sort keys a query resolves to, with "id" appended as the tie-breaker.
Result<std::vector<SortKey>> ResolveSort(const ListTable& table, const ListQuery& q);

// A page of any record kind with an id, project, name, size, status and times (volumes,
// snapshots, backups), written once: the marker is read with `get` (invalid_argument when it
// does not exist or lies outside the caller's scope), and `query` runs the tail BuildListSql
// makes. `get(id)` answers Result<Record>; `query(const ListSql&)` Result<std::vector<Record>>.
template <typename Get, typename Query>
auto ListPage(const ListTable& table, const ListQuery& q, std::string_view project_scope, Get get,
              Query query) -> decltype(query(std::declval<const ListSql&>())) {
  std::map<std::string, std::string> marker_row;
  if (!q.marker.empty()) {
    auto m = get(q.marker);
    if (!m.ok() || (!project_scope.empty() && m->project_id != project_scope)) {
      return InvalidArgument("marker " + q.marker + " not found");
    }
    marker_row = {{"id", m->id},
                  {"created_at", FormatTime(m->created_at)},
                  {"updated_at", FormatTime(m->updated_at)},
                  {"name", m->name},
                  {"size", std::to_string(m->size_gb)},
                  {"status", std::string(ToString(m->status))}};
  }
  auto sql = BuildListSql(table, q, project_scope, marker_row);
  if (!sql.ok()) return sql.status();
  return query(*sql);
}

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_LIST_QUERY_HPP
