// Internal: runs a SELECT and reads every row into a record, the way every table's queries do.
#ifndef BLOCKSTORE_LIB_STORE_ROW_QUERY_HPP
#define BLOCKSTORE_LIB_STORE_ROW_QUERY_HPP

#include <memory>
#include <string>
#include <vector>

#include "lib/core/macros.hpp"
#include "lib/store/sql_db.hpp"

namespace blockstore::internal {

// `sql` with `binds` (positional, text); `read` turns the current row into a record. Fixed
// statements are prepared once and cached (`cache`); per-call ones (list queries) are not.
template <typename Read>
auto QueryRows(Db& db, const std::string& sql, const std::vector<std::string>& binds, bool cache,
               Read read) -> Result<std::vector<decltype(read(std::declval<const Stmt&>()))>> {
  using Record = decltype(read(std::declval<const Stmt&>()));
  std::unique_ptr<Stmt> once;
  Stmt* st = nullptr;
  if (cache) {
    BS_ASSIGN_OR_RETURN(st, db.Prepare(sql));
  } else {
    BS_ASSIGN_OR_RETURN(once, db.PrepareOnce(sql));
    st = once.get();
  }
  for (std::size_t i = 0; i < binds.size(); ++i) st->Bind(static_cast<int>(i + 1), binds[i]);
  std::vector<Record> out;
  while (true) {
    auto row = st->Step();
    if (!row.ok()) {
      st->Reset();
      return row.status();
    }
    if (!*row) break;
    out.push_back(read(*st));
  }
  st->Reset();
  return out;
}

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_ROW_QUERY_HPP
