// SqlSession: one connection, with what every repository's SQL shares — the readers, the
// pairs tables, quota bookkeeping.
#include "lib/store/sql_session.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <tuple>

#include "lib/core/macros.hpp"

namespace blockstore::internal {

SqlSession::SqlSession(std::unique_ptr<Db> db, SqlStoreOptions options)
    : db_(std::move(db)), options_(std::move(options)) {}

Metadata MetadataFromColumn(const Stmt& st, int col) {
  Metadata out;
  if (st.IsNull(col)) return out;
  const std::string text = st.Text(col);
  if (text.size() <= 2) return out;  // "{}"
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return out;
  for (const auto& kv : v.get_object()) {
    if (kv.value().is_string())
      out.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
  }
  return out;
}

void SqlSession::Close() { db_->Close(); }

bool SqlSession::TakeConflict() { return db_->TakeConflict(); }

const char* SqlSession::RowLock() const {
  return db_->LocksRows() && db_->InTransaction() ? " FOR UPDATE OF t" : "";
}

std::string SqlSession::NowText() const { return FormatTime(options_.env->Now()); }

Result<Metadata> SqlSession::LoadPairsLocked(const char* table, const char* id_col,
                                             std::string_view id) {
  BS_ASSIGN_OR_RETURN(Stmt * st, db_->Prepare(std::string("SELECT key, value FROM ") + table +
                                              " WHERE " + id_col + " = ?"));
  st->Bind(1, id);
  Metadata out;
  while (true) {
    BS_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.emplace(st->Text(0), st->Text(1));
  }
  st->Reset();
  return out;
}

Status SqlSession::ReplacePairsLocked(const char* table, const char* id_col, std::string_view id,
                                      const Metadata& pairs) {
  BS_ASSIGN_OR_RETURN(
      Stmt * del, db_->Prepare(std::string("DELETE FROM ") + table + " WHERE " + id_col + " = ?"));
  BS_RETURN_IF_ERROR(del->Bind(1, id).Run());
  return UpsertPairsLocked(table, id_col, id, pairs);
}

Status SqlSession::WriteNamedLocked(const char* table, std::string_view id, std::string_view name,
                                    std::string_view description, TimePoint updated_at) {
  BS_ASSIGN_OR_RETURN(Stmt * st, db_->Prepare(std::string("UPDATE ") + table +
                                              " SET name = ?, description = ?, updated_at = ? "
                                              "WHERE id = ?"));
  return st->Bind(1, name).Bind(2, description).Bind(3, FormatTime(updated_at)).Bind(4, id).Run();
}

Status SqlSession::UpsertPairsLocked(const char* table, const char* id_col, std::string_view id,
                                     const Metadata& pairs) {
  if (pairs.empty()) return Status::Ok();
  BS_ASSIGN_OR_RETURN(Stmt * ins,
                      db_->Prepare(std::string("INSERT INTO ") + table + " (" + id_col +
                                   ", key, value) VALUES (?, ?, ?) ON CONFLICT (" + id_col +
                                   ", key) DO UPDATE SET value = excluded.value"));
  for (const auto& [k, v] : pairs) {
    ins->Reset();
    BS_RETURN_IF_ERROR(ins->Bind(1, id).Bind(2, k).Bind(3, v).Run());
  }
  return Status::Ok();
}

// ---- quotas ----

Status SqlSession::ReserveLocked(std::string_view project, std::string_view owner,
                                 const std::vector<QuotaCharge>& charges) {
  // One delta per resource, in one order (by resource, as SettleLocked locks them too), so two
  // writers of one project's usage never wait on each other in a circle.
  std::map<std::string, int64_t> deltas;
  for (const auto& c : charges) deltas[c.resource] += c.delta;
  std::erase_if(deltas, [](const auto& d) { return d.second == 0; });
  if (deltas.empty()) return Status::Ok();
  std::vector<std::pair<std::string, int64_t>> grows;
  for (const auto& [resource, delta] : deltas) {
    if (delta > 0) grows.emplace_back(resource, delta);
  }
  if (!grows.empty()) {
    // Reserve first, then compare what is now in use and reserved with the limit (NULL: the
    // default): one statement. Over the limit, the caller's transaction rolls it back.
    std::string rows;
    for (std::size_t k = 0; k < grows.size(); ++k) {
      rows += std::string(k ? ", " : "") + "(?1, ?" + std::to_string(2 * k + 2) + ", ?" +
              std::to_string(2 * k + 3) + ")";
    }
    BS_ASSIGN_OR_RETURN(
        Stmt * bump,
        db_->Prepare("INSERT INTO quota_usages (project_id, resource, reserved) VALUES " + rows +
                     " ON CONFLICT (project_id, resource) DO UPDATE "
                     "SET reserved = quota_usages.reserved + excluded.reserved "
                     "RETURNING resource, in_use, reserved, (SELECT hard_limit FROM quota_limits l "
                     "WHERE l.project_id = quota_usages.project_id AND l.resource = "
                     "quota_usages.resource)"));
    bump->Bind(1, project);
    for (std::size_t k = 0; k < grows.size(); ++k) {
      bump->Bind(static_cast<int>(2 * k + 2), grows[k].first)
          .Bind(static_cast<int>(2 * k + 3), grows[k].second);
    }
    while (true) {
      BS_ASSIGN_OR_RETURN(bool row, bump->Step());
      if (!row) break;
      const std::string resource = bump->Text(0);
      int64_t limit = -1;
      if (!bump->IsNull(3)) {
        limit = bump->Int(3);
      } else if (auto it = options_.quota_defaults.find(resource);
                 it != options_.quota_defaults.end()) {
        limit = it->second;
      }
      const int64_t in_use = bump->Int(1);
      const int64_t delta = deltas[resource];
      const int64_t reserved = bump->Int(2) - delta;  // before this reservation
      if (limit >= 0 && limit < in_use + reserved + delta) {
        bump->Reset();
        return ResourceExhausted("quota exceeded for " + resource + ": requested " +
                                 std::to_string(delta) + ", in use " + std::to_string(in_use) +
                                 ", reserved " + std::to_string(reserved) + ", limit " +
                                 std::to_string(limit));
      }
    }
    bump->Reset();
  }
  std::string rows;
  int k = 0;
  for (std::size_t n = 0; n < deltas.size(); ++n, k += 2) {
    rows += std::string(n ? ", " : "") + "(?1, ?2, ?" + std::to_string(k + 4) + ", ?" +
            std::to_string(k + 5) + ", ?3)";
  }
  BS_ASSIGN_OR_RETURN(Stmt * rsv,
                      db_->Prepare("INSERT INTO reservations (owner, project_id, resource, delta, "
                                   "created_at) VALUES " +
                                   rows +
                                   " ON CONFLICT (owner, resource) "
                                   "DO UPDATE SET delta = reservations.delta + excluded.delta"));
  rsv->Bind(1, owner).Bind(2, project).Bind(3, NowText());
  k = 0;
  for (const auto& [resource, delta] : deltas) {
    rsv->Bind(k + 4, resource).Bind(k + 5, delta);
    k += 2;
  }
  return rsv->Run();
}

Status SqlSession::SettleLocked(std::string_view owner, QuotaAction action) {
  if (action == QuotaAction::kNone) return Status::Ok();
  BS_ASSIGN_OR_RETURN(Stmt * del, db_->Prepare("DELETE FROM reservations WHERE owner = ? "
                                               "RETURNING project_id, resource, delta"));
  del->Bind(1, owner);
  struct Row {
    std::string project, resource;
    int64_t delta;
  };
  std::vector<Row> rows;
  while (true) {
    BS_ASSIGN_OR_RETURN(bool row, del->Step());
    if (!row) break;
    rows.push_back({del->Text(0), del->Text(1), del->Int(2)});
  }
  del->Reset();
  if (rows.empty()) return Status::Ok();
  // In one order (by resource, as ReserveLocked locks them).
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.project, a.resource) < std::tie(b.project, b.resource);
  });
  // Every usage row a reservation settles exists: reserving made it (a negative delta needs
  // none: in_use never drops below zero). Reserved only ever holds positive deltas.
  std::string values;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const std::string n = std::to_string(4 * k + 1);
    values += std::string(k ? ", " : "") + "(?" + n + ", ?" + std::to_string(4 * k + 2) +
              ", CAST(?" + std::to_string(4 * k + 3) + " AS BIGINT), CAST(?" +
              std::to_string(4 * k + 4) + " AS BIGINT))";
  }
  // An UPDATE … FROM joins in whatever order its plan takes, and locks rows as it meets them.
  // Where writers run side by side (PostgreSQL: a settlement beside a reservation of the same
  // project), the rows are locked first, in resource order, by a sorted FOR UPDATE that the
  // UPDATE then joins: two writers of one project's usage never wait on each other in a circle.
  const std::string sql =
      db_->LocksRows()
          ? "UPDATE quota_usages SET in_use = max(0, in_use + l.grow), reserved = max(0, reserved - "
            "l.shrink) FROM (SELECT u.project_id, u.resource, r.column3 AS grow, r.column4 AS "
            "shrink FROM quota_usages u JOIN (VALUES " +
                values +
                ") AS r ON u.project_id = r.column1 AND u.resource = r.column2 ORDER BY "
                "u.project_id, u.resource FOR UPDATE OF u) AS l WHERE quota_usages.project_id = "
                "l.project_id AND quota_usages.resource = l.resource"
          : "UPDATE quota_usages SET in_use = max(0, in_use + r.column3), reserved = max(0, "
            "reserved - r.column4) FROM (VALUES " +
                values + ") AS r WHERE project_id = r.column1 AND resource = r.column2";
  BS_ASSIGN_OR_RETURN(Stmt * upd, db_->Prepare(sql));
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const int base = static_cast<int>(4 * k);
    const Row& r = rows[k];
    upd->Bind(base + 1, r.project).Bind(base + 2, r.resource);
    upd->Bind(base + 3, action == QuotaAction::kCommit ? r.delta : 0);
    upd->Bind(base + 4, r.delta > 0 ? r.delta : 0);
  }
  return upd->Run();
}

Status SqlSession::ReleaseLocked(std::string_view project,
                                 const std::vector<QuotaCharge>& charges) {
  BS_ASSIGN_OR_RETURN(Stmt * upd,
                      db_->Prepare("UPDATE quota_usages SET in_use = max(0, in_use - ?) "
                                   "WHERE project_id = ? AND resource = ?"));
  // In resource order, as the other writers of usage rows lock them.
  std::map<std::string, int64_t> deltas;
  for (const auto& c : charges) deltas[c.resource] += c.delta;
  for (const auto& [resource, delta] : deltas) {
    upd->Reset();
    BS_RETURN_IF_ERROR(upd->Bind(1, delta).Bind(2, project).Bind(3, resource).Run());
  }
  return Status::Ok();
}

}  // namespace blockstore::internal
