#include "lib/store/pg_sql.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace blockstore::internal {

namespace pg_sql {

bool WordAt(const std::string& s, std::size_t i, const std::string& word) {
  if (s.compare(i, word.size(), word) != 0) return false;
  if (i > 0 && (std::isalnum(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '_')) return false;
  const std::size_t end = i + word.size();
  return end >= s.size() || !(std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_');
}

// Whether the parenthesised list opening at `open` has a comma at its top level.
bool HasTopLevelComma(const std::string& s, std::size_t open) {
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = open; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\'') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    else if (c == ')' && --depth == 0) return false;
    else if (c == ',' && depth == 1) return true;
  }
  return false;
}

std::string ReplaceWord(const std::string& s, const std::string& from, const std::string& to) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (WordAt(s, i, from)) {
      out += to;
      i += from.size();
    } else {
      out += s[i++];
    }
  }
  return out;
}

}  // namespace pg_sql

std::string PgStatement(const std::string& sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < sql.size();) {
    const char c = sql[i];
    if (c == '\'') {
      quoted = !quoted;
      out += sql[i++];
      continue;
    }
    if (quoted) {
      out += sql[i++];
      continue;
    }
    if (c == '?') {
      std::size_t j = i + 1;
      while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) ++j;
      // As SQLite numbers them: ?N is N; a bare ? is one more than the largest so far.
      const int n = j > i + 1 ? std::stoi(sql.substr(i + 1, j - i - 1)) : next + 1;
      next = std::max(next, n);
      out += '$' + std::to_string(n);
      i = j;
      continue;
    }
    if (pg_sql::WordAt(sql, i, "json_group_object")) {
      out += "json_object_agg";
      i += 17;
      continue;
    }
    if (pg_sql::WordAt(sql, i, "max") && i + 3 < sql.size() && sql[i + 3] == '(' &&
        pg_sql::HasTopLevelComma(sql, i + 3)) {
      out += "GREATEST";
      i += 3;
      continue;
    }
    out += sql[i++];
  }
  return out;
}

std::string PgDdl(const std::string& ddl) {
  std::string out = pg_sql::ReplaceWord(pg_sql::ReplaceWord(ddl, "INTEGER", "BIGINT"), "json_group_object",
                                       "json_object_agg");
  for (std::size_t at; (at = out.find(" WITHOUT ROWID")) != std::string::npos;) out.erase(at, 14);
  // A statement only PostgreSQL runs is a comment to SQLite: "-- postgresql: <statement>".
  static const std::string kOnlyHere = "-- postgresql: ";
  for (std::size_t at; (at = out.find(kOnlyHere)) != std::string::npos;) out.erase(at, kOnlyHere.size());
  return out;
}

}  // namespace blockstore::internal
