#include "lib/store/list_query.hpp"

#include <algorithm>

namespace blockstore::internal {
namespace {

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

Result<std::vector<SortKey>> ResolveSort(const ListTable& table, const ListQuery& q) {
  std::vector<SortKey> keys = q.sort;
  if (keys.empty()) keys.push_back({"created_at", true});
  for (const auto& k : keys) {
    if (!Contains(table.sort_keys, k.key)) {
      std::string allowed;
      for (const auto& a : table.sort_keys) allowed += (allowed.empty() ? "" : ", ") + a;
      return InvalidArgument("cannot sort " + std::string(table.table) + " by '" + k.key +
                             "'; sort keys are: " + allowed);
    }
  }
  const bool has_id = std::any_of(keys.begin(), keys.end(),
                                  [](const SortKey& k) { return k.key == "id"; });
  if (!has_id) keys.push_back({"id", keys.back().descending});
  return keys;
}

Result<ListSql> BuildListSql(const ListTable& table, const ListQuery& q,
                             std::string_view project_scope,
                             const std::map<std::string, std::string>& marker_row) {
  ListSql out;
  std::vector<std::string> where;
  auto add = [&](std::string clause, std::string bind) {
    where.push_back(std::move(clause));
    out.binds.push_back(std::move(bind));
  };
  auto reject = [&](const char* field) -> Status {
    return InvalidArgument(std::string("'") + field + "' is not a filter for " + table.table);
  };
  if (!project_scope.empty()) add("t.project_id = ?", std::string(project_scope));
  if (q.name) add("t.name = ?", *q.name);
  if (q.status) add("t.status = ?", *q.status);
  if (q.volume_id) {
    if (!Contains(table.filters, "volume_id")) return reject("volume_id");
    add("t.volume_id = ?", *q.volume_id);
  }
  if (q.availability_zone) {
    if (!Contains(table.filters, "availability_zone")) return reject("availability_zone");
    add("t.availability_zone = ?", *q.availability_zone);
  }
  if (q.bootable) {
    if (!Contains(table.filters, "bootable")) return reject("bootable");
    add("t.bootable = ?", *q.bootable ? "1" : "0");
  }
  for (const auto& [k, v] : q.metadata) {
    where.push_back(std::string("EXISTS (SELECT 1 FROM ") + table.metadata_table +
                    " m WHERE m." + table.metadata_id + " = t.id AND m.key = ? AND m.value = ?)");
    out.binds.push_back(k);
    out.binds.push_back(v);
  }

  auto keys = ResolveSort(table, q);
  if (!keys.ok()) return keys.status();

  if (!marker_row.empty()) {
    // Keyset pagination: rows strictly after the marker in sort order.
    // (k1 after v1) OR (k1 = v1 AND k2 after v2) OR …
    std::string any;
    for (std::size_t i = 0; i < keys->size(); ++i) {
      std::string term = "(";
      for (std::size_t j = 0; j < i; ++j) {
        term += "t." + (*keys)[j].key + " = ? AND ";
        out.binds.push_back(marker_row.at((*keys)[j].key));
      }
      term += "t." + (*keys)[i].key + ((*keys)[i].descending ? " < ?" : " > ?") + ")";
      out.binds.push_back(marker_row.at((*keys)[i].key));
      any += (any.empty() ? "" : " OR ") + term;
    }
    where.push_back("(" + any + ")");
  }

  const int64_t limit = q.limit.value_or(kMaxListLimit);
  if (limit < 1 || limit > kMaxListLimit) {
    return InvalidArgument("limit must be between 1 and " + std::to_string(kMaxListLimit) +
                           ", got " + std::to_string(limit));
  }

  if (!where.empty()) {
    out.tail = "WHERE ";
    for (std::size_t i = 0; i < where.size(); ++i) out.tail += (i ? " AND " : "") + where[i];
  }
  out.tail += " ORDER BY ";
  for (std::size_t i = 0; i < keys->size(); ++i) {
    out.tail += (i ? ", t." : "t.") + (*keys)[i].key + ((*keys)[i].descending ? " DESC" : " ASC");
  }
  out.tail += " LIMIT " + std::to_string(limit);
  return out;
}

}  // namespace blockstore::internal
