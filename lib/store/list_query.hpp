// Internal: turns a ListQuery into SQL (filters, keyset pagination, ordering).
#ifndef BLOCKSTORE_LIB_STORE_LIST_QUERY_HPP
#define BLOCKSTORE_LIB_STORE_LIST_QUERY_HPP

#include <map>
#include <string>
#include <vector>

#include "blockstore/requests.hpp"
#include "blockstore/result.hpp"

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

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_LIST_QUERY_HPP
