// SqlStore: shared helpers and quota bookkeeping.
#include "lib/store/sql_store.hpp"

#include <boost/json.hpp>

#include "lib/core/macros.hpp"
#include "lib/store/schema.hpp"

namespace blockstore {

Store::~Store() = default;

QuotaLimits DefaultQuotaLimits() {
  return {
      {std::string(kQuotaVolumes), 10},         {std::string(kQuotaSnapshots), 10},
      {std::string(kQuotaGigabytes), 1000},     {std::string(kQuotaBackups), 10},
      {std::string(kQuotaBackupGigabytes), 1000}, {std::string(kQuotaPerVolumeGigabytes), -1},
  };
}

int SqliteSchemaVersion() { return internal::LatestSchemaVersion(); }

namespace internal {

SqlStore::SqlStore(std::unique_ptr<Db> db, SqlStoreOptions options)
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
    if (kv.value().is_string()) out.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
  }
  return out;
}

void SqlStore::Close() {
  std::lock_guard lock(mu_);
  db_->Close();
}

bool SqlStore::TakeConflict() {
  std::lock_guard lock(mu_);
  return db_->TakeConflict();
}

std::string SqlStore::NowText() const { return FormatTime(options_.env->Now()); }

Result<Metadata> SqlStore::LoadPairsLocked(const char* table, const char* id_col,
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

Status SqlStore::ReplacePairsLocked(const char* table, const char* id_col,
                                       std::string_view id, const Metadata& pairs) {
  BS_ASSIGN_OR_RETURN(Stmt * del, db_->Prepare(std::string("DELETE FROM ") + table + " WHERE " +
                                               id_col + " = ?"));
  BS_RETURN_IF_ERROR(del->Bind(1, id).Run());
  return UpsertPairsLocked(table, id_col, id, pairs);
}

Status SqlStore::UpsertPairsLocked(const char* table, const char* id_col,
                                      std::string_view id, const Metadata& pairs) {
  if (pairs.empty()) return Status::Ok();
  BS_ASSIGN_OR_RETURN(Stmt * ins, db_->Prepare(std::string("INSERT INTO ") + table + " (" + id_col +
                                               ", key, value) VALUES (?, ?, ?) ON CONFLICT (" +
                                               id_col + ", key) DO UPDATE SET value = excluded.value"));
  for (const auto& [k, v] : pairs) {
    ins->Reset();
    BS_RETURN_IF_ERROR(ins->Bind(1, id).Bind(2, k).Bind(3, v).Run());
  }
  return Status::Ok();
}

// ---- quotas ----

Status SqlStore::ReserveLocked(std::string_view project, std::string_view owner,
                                  const std::vector<QuotaCharge>& charges) {
  // The limit (NULL: the default) and the usage (NULL: none yet) in one statement.
  BS_ASSIGN_OR_RETURN(
      Stmt * usage,
      db_->Prepare("SELECT (SELECT hard_limit FROM quota_limits WHERE project_id = ?1 AND resource = ?2), "
                   "(SELECT in_use FROM quota_usages WHERE project_id = ?1 AND resource = ?2), "
                   "(SELECT reserved FROM quota_usages WHERE project_id = ?1 AND resource = ?2)"));
  for (const auto& c : charges) {
    if (c.delta <= 0) continue;
    usage->Reset();
    usage->Bind(1, project).Bind(2, c.resource);
    BS_ASSIGN_OR_RETURN(bool row, usage->Step());
    if (!row) {
      usage->Reset();
      return Internal("the quota query answered no row");
    }
    int64_t limit = -1;
    if (!usage->IsNull(0)) {
      limit = usage->Int(0);
    } else if (auto it = options_.quota_defaults.find(c.resource); it != options_.quota_defaults.end()) {
      limit = it->second;
    }
    const int64_t in_use = usage->Int(1);
    const int64_t reserved = usage->Int(2);
    usage->Reset();
    if (limit >= 0 && limit < c.delta + in_use + reserved) {
      return ResourceExhausted("quota exceeded for " + c.resource + ": requested " +
                               std::to_string(c.delta) + ", in use " + std::to_string(in_use) +
                               ", reserved " + std::to_string(reserved) + ", limit " +
                               std::to_string(limit));
    }
  }
  BS_ASSIGN_OR_RETURN(Stmt * bump,
                      db_->Prepare("INSERT INTO quota_usages (project_id, resource, reserved) "
                                   "VALUES (?, ?, ?) ON CONFLICT (project_id, resource) DO "
                                   "UPDATE SET reserved = quota_usages.reserved + excluded.reserved"));
  BS_ASSIGN_OR_RETURN(Stmt * rsv,
                      db_->Prepare("INSERT INTO reservations (owner, project_id, resource, delta, "
                                   "created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (owner, "
                                   "resource) DO UPDATE SET delta = reservations.delta + excluded.delta"));
  const std::string now = NowText();
  for (const auto& c : charges) {
    if (c.delta == 0) continue;
    if (c.delta > 0) {
      bump->Reset();
      BS_RETURN_IF_ERROR(bump->Bind(1, project).Bind(2, c.resource).Bind(3, c.delta).Run());
    }
    rsv->Reset();
    BS_RETURN_IF_ERROR(
        rsv->Bind(1, owner).Bind(2, project).Bind(3, c.resource).Bind(4, c.delta).Bind(5, now).Run());
  }
  return Status::Ok();
}

Status SqlStore::SettleLocked(std::string_view owner, QuotaAction action) {
  if (action == QuotaAction::kNone) return Status::Ok();
  BS_ASSIGN_OR_RETURN(
      Stmt * sel, db_->Prepare("SELECT project_id, resource, delta FROM reservations WHERE owner = ?"));
  sel->Bind(1, owner);
  struct Row {
    std::string project, resource;
    int64_t delta;
  };
  std::vector<Row> rows;
  while (true) {
    BS_ASSIGN_OR_RETURN(bool row, sel->Step());
    if (!row) break;
    rows.push_back({sel->Text(0), sel->Text(1), sel->Int(2)});
  }
  sel->Reset();
  // Reserved only ever holds positive deltas; in_use never drops below zero.
  BS_ASSIGN_OR_RETURN(
      Stmt * upd,
      db_->Prepare("INSERT INTO quota_usages (project_id, resource, in_use, reserved) "
                   "VALUES (?1, ?2, max(0, ?3), 0) ON CONFLICT (project_id, resource) DO UPDATE "
                   "SET in_use = max(0, quota_usages.in_use + ?3), "
                   "reserved = max(0, quota_usages.reserved - ?4)"));
  for (const auto& r : rows) {
    const int64_t to_use = action == QuotaAction::kCommit ? r.delta : 0;
    const int64_t unreserve = r.delta > 0 ? r.delta : 0;
    upd->Reset();
    BS_RETURN_IF_ERROR(
        upd->Bind(1, r.project).Bind(2, r.resource).Bind(3, to_use).Bind(4, unreserve).Run());
  }
  BS_ASSIGN_OR_RETURN(Stmt * del, db_->Prepare("DELETE FROM reservations WHERE owner = ?"));
  return del->Bind(1, owner).Run();
}

Status SqlStore::ReleaseLocked(std::string_view project,
                                  const std::vector<QuotaCharge>& charges) {
  BS_ASSIGN_OR_RETURN(Stmt * upd,
                      db_->Prepare("UPDATE quota_usages SET in_use = max(0, in_use - ?) "
                                   "WHERE project_id = ? AND resource = ?"));
  for (const auto& c : charges) {
    upd->Reset();
    BS_RETURN_IF_ERROR(upd->Bind(1, c.delta).Bind(2, project).Bind(3, c.resource).Run());
  }
  return Status::Ok();
}

Result<QuotaSet> SqlStore::GetQuotaSet(std::string_view project_id) {
  std::lock_guard lock(mu_);
  QuotaSet set;
  set.project_id = std::string(project_id);
  for (const auto& [res, limit] : options_.quota_defaults) set.resources[res].limit = limit;
  BS_ASSIGN_OR_RETURN(
      Stmt * lim, db_->Prepare("SELECT resource, hard_limit FROM quota_limits WHERE project_id = ?"));
  lim->Bind(1, project_id);
  while (true) {
    BS_ASSIGN_OR_RETURN(bool row, lim->Step());
    if (!row) break;
    set.resources[lim->Text(0)].limit = lim->Int(1);
  }
  lim->Reset();
  BS_ASSIGN_OR_RETURN(
      Stmt * use,
      db_->Prepare("SELECT resource, in_use, reserved FROM quota_usages WHERE project_id = ?"));
  use->Bind(1, project_id);
  while (true) {
    BS_ASSIGN_OR_RETURN(bool row, use->Step());
    if (!row) break;
    auto& u = set.resources[use->Text(0)];
    u.in_use = use->Int(1);
    u.reserved = use->Int(2);
  }
  use->Reset();
  return set;
}

Status SqlStore::SetQuotaLimit(std::string_view project_id, std::string_view resource,
                                  int64_t limit) {
  std::lock_guard lock(mu_);
  BS_ASSIGN_OR_RETURN(Stmt * st,
                      db_->Prepare("INSERT INTO quota_limits (project_id, resource, hard_limit) "
                                   "VALUES (?, ?, ?) ON CONFLICT (project_id, resource) "
                                   "DO UPDATE SET hard_limit = excluded.hard_limit"));
  return st->Bind(1, project_id).Bind(2, resource).Bind(3, limit).Run();
}

Status SqlStore::DeleteQuotaOverrides(std::string_view project_id) {
  std::lock_guard lock(mu_);
  BS_ASSIGN_OR_RETURN(Stmt * st, db_->Prepare("DELETE FROM quota_limits WHERE project_id = ?"));
  return st->Bind(1, project_id).Run();
}

}  // namespace internal
}  // namespace blockstore
