#include "lib/store/list_query.hpp"

#include <algorithm>

namespace blockstore::internal {
namespace {

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Cinder's column names for the fields blockstore names otherwise.
std::string_view Column(std::string_view key) {
  if (key == "display_name") return "name";
  if (key == "display_description") return "description";
  return key;
}

// `text` as a LIKE pattern that matches it anywhere, its own % _ and \ taken literally.
std::string SubstringPattern(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

}  // namespace

Result<std::vector<SortKey>> ResolveSort(const ListTable& table, const ListQuery& q) {
  std::vector<SortKey> keys = q.sort;
  if (keys.empty()) keys.push_back({"created_at", true});
  for (auto& k : keys) {
    k.key = std::string(Column(k.key));
    if (!Contains(table.sort_keys, k.key)) {
      std::string allowed;
      for (const auto& a : table.sort_keys) allowed += (allowed.empty() ? "" : ", ") + a;
      return InvalidArgument("cannot sort " + std::string(table.table) + " by '" +
                             k.key.substr(0, 64) + "'; sort keys are: " + allowed);
    }
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (keys[i].key == keys[j].key) {
        return InvalidArgument("sort key '" + keys[i].key + "' is given twice");
      }
    }
  }
  const bool has_id = std::any_of(keys.begin(), keys.end(),
                                  [](const SortKey& k) { return k.key == "id"; });
  if (!has_id) keys.push_back({"id", keys.back().descending});
  return keys;
}

Result<ListSql> BuildListSql(const ListTable& table, const ListQuery& q,
                             std::string_view project_scope) {
  ListSql out;
  std::vector<std::string> where;
  auto add = [&](std::string clause, std::string bind) {
    where.push_back(std::move(clause));
    out.binds.push_back(std::move(bind));
  };
  auto reject = [&](std::string_view field) -> Status {
    return InvalidArgument("'" + std::string(field) + "' is not a filter for " + table.table);
  };
  if (!project_scope.empty()) add("t.project_id = ?", std::string(project_scope));
  if (q.project_id) add("t.project_id = ?", *q.project_id);
  if (q.name) add("t.name = ?", *q.name);
  if (q.status) add("t.status = ?", *q.status);
  if (q.size) add("t.size = ?", std::to_string(*q.size));
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
  for (const auto& [key, text] : q.like) {
    const std::string_view column = Column(key);
    const bool known = column == "name" || column == "description" || column == "status" ||
                       (column == "availability_zone" && Contains(table.filters, column));
    if (!known) return reject(key + "~");
    // lower() on both sides: SQLite's LIKE ignores ASCII case and PostgreSQL's does not.
    add("lower(t." + std::string(column) + ") LIKE lower(CAST(? AS TEXT)) ESCAPE '\\'", SubstringPattern(text));
  }
  for (const auto& [k, v] : q.metadata) {
    where.push_back(std::string("EXISTS (SELECT 1 FROM ") + table.metadata_table +
                    " m WHERE m." + table.metadata_id + " = t.id AND m.key = ? AND m.value = ?)");
    out.binds.push_back(k);
    out.binds.push_back(v);
  }

  if (!q.image_metadata.empty() && !table.image_metadata_table) return reject("glance_metadata");
  for (const auto& [k, v] : q.image_metadata) {
    where.push_back(std::string("EXISTS (SELECT 1 FROM ") + table.image_metadata_table +
                    " g WHERE g." + table.metadata_id + " = t.id AND g.key = ? AND g.value = ?)");
    out.binds.push_back(k);
    out.binds.push_back(v);
  }

  auto keys = ResolveSort(table, q);
  if (!keys.ok()) return keys.status();

  if (!q.marker.empty()) {
    // Keyset pagination: rows strictly after the marker in sort order, the marker's values
    // read in the statement (any sort column works without the caller knowing it):
    // (k1 after v1) OR (k1 = v1 AND k2 after v2) OR …
    auto marker_value = [&](const std::string& column) {
      out.binds.push_back(q.marker);
      return "(SELECT mk." + column + " FROM " + table.table + " mk WHERE mk.id = ?)";
    };
    std::string any;
    for (std::size_t i = 0; i < keys->size(); ++i) {
      std::string term = "(";
      for (std::size_t j = 0; j < i; ++j) {
        term += "t." + (*keys)[j].key + " = " + marker_value((*keys)[j].key) + " AND ";
      }
      term += "t." + (*keys)[i].key + ((*keys)[i].descending ? " < " : " > ") +
              marker_value((*keys)[i].key) + ")";
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
