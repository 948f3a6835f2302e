// The SQL volume repository, and the session's volume readers and compare-and-sets.
#include <algorithm>
#include <boost/json.hpp>
#include <tuple>

#include "lib/core/macros.hpp"
#include "lib/domain/type_quota.hpp"
#include "lib/store/list_query.hpp"
#include "lib/store/row_query.hpp"
#include "lib/store/sql_repositories.hpp"
#include "lib/store/status_set.hpp"

namespace blockstore::internal {
namespace {

// What ReadVolume reads, of the volumes row named `t` (an alias, or the table's own name where
// no alias may be used, as in an UPDATE's RETURNING).
std::string VolumeColumnsOf(const std::string& t) {
  std::string out;
  for (const char* c : {"id",          "project_id",        "user_id",
                        "name",        "description",       "size",
                        "status",      "previous_status",   "attach_status",
                        "host",        "availability_zone", "volume_type_id",
                        "snapshot_id", "source_volid",      "bootable",
                        "multiattach", "created_at",        "updated_at",
                        "readonly",    "migration_status",  "image_metadata",
                        "migration_host",   "migration_type_id"}) {
    out += t + "." + c + ", ";
  }
  // The metadata is on the row as one JSON object (kept with volume_metadata).
  return out + t + ".metadata";
}

// The metadata column's value: one JSON object, or NULL for none.
void BindMetadata(Stmt& st, int i, const Metadata& m) {
  if (m.empty()) {
    st.BindNull(i);
    return;
  }
  boost::json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  st.Bind(i, boost::json::serialize(o));
}

const std::string kVolumeColumns = VolumeColumnsOf("t");

Volume ReadVolume(const Stmt& st) {
  Volume v;
  v.id = st.Text(0);
  v.project_id = st.Text(1);
  v.user_id = st.Text(2);
  v.name = st.Text(3);
  v.description = st.Text(4);
  v.size_gb = static_cast<uint64_t>(st.Int(5));
  v.status = ParseVolumeStatus(st.Text(6)).value_or(VolumeStatus::kError);
  if (!st.IsNull(7)) v.previous_status = ParseVolumeStatus(st.Text(7));
  v.attach_status = ParseAttachStatus(st.Text(8)).value_or(AttachStatus::kDetached);
  v.host = st.Text(9);
  v.availability_zone = st.Text(10);
  v.volume_type_id = st.Text(11);
  v.snapshot_id = st.Text(12);
  v.source_volid = st.Text(13);
  v.bootable = st.Int(14) != 0;
  v.multiattach = st.Int(15) != 0;
  v.created_at = ParseTime(st.Text(16)).value_or(TimePoint{});
  v.updated_at = ParseTime(st.Text(17)).value_or(TimePoint{});
  if (!st.IsNull(18)) v.readonly = st.Int(18) != 0;
  v.migration_status = st.Text(19);
  v.image_metadata = MetadataFromColumn(st, 20);
  v.migration_host = st.Text(21);
  v.migration_type_id = st.Text(22);
  v.metadata = MetadataFromColumn(st, 23);
  return v;
}

const ListTable& VolumeTable() {
  static const ListTable kTable{
      "volumes",
      "volume_metadata",
      "volume_id",
      {"created_at", "updated_at", "id", "name", "description", "size", "status", "project_id",
       "user_id", "availability_zone", "bootable", "host", "volume_type_id", "attach_status",
       "snapshot_id", "source_volid", "multiattach"},
      {"availability_zone", "bootable"},
      "volume_glance_metadata"};
  return kTable;
}

Status WrongStatus(const Volume& v, std::string_view action,
                   const std::vector<VolumeStatus>& allowed) {
  return FailedPrecondition("volume " + v.id + " is '" + std::string(ToString(v.status)) + "'; " +
                            std::string(action) + " needs one of: " + StatusList(allowed));
}

std::string VolumeOwner(std::string_view id) { return "volume:" + std::string(id); }

}  // namespace

Result<Volume> SqlSession::GetVolumeLocked(std::string_view id) {
  BS_ASSIGN_OR_RETURN(Stmt * st, db_->Prepare(std::string("SELECT ") + kVolumeColumns +
                                              " FROM volumes t WHERE id = ?" + RowLock()));
  st->Bind(1, id);
  BS_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) {
    st->Reset();
    return NotFound("volume " + std::string(id) + " not found");
  }
  Volume v = ReadVolume(*st);
  st->Reset();
  return v;
}

Result<std::vector<Volume>> SqlSession::QueryVolumesLocked(const std::string& tail,
                                                           const std::vector<std::string>& binds,
                                                           bool cache) {
  return QueryRows(*db_,
                   std::string("SELECT ") + kVolumeColumns + " FROM volumes t " + tail + RowLock(),
                   binds, cache, ReadVolume);
}

Result<Volume> SqlVolumes::Create(const Volume& v, const std::vector<QuotaCharge>& charges) {
  return sessions_.Run([&](SqlSession& session) -> Result<Volume> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    if (!v.snapshot_id.empty()) {
      BS_ASSIGN_OR_RETURN(Snapshot snap, session.GetSnapshotLocked(v.snapshot_id));
      if (snap.status != SnapshotStatus::kAvailable) {
        return FailedPrecondition("snapshot " + snap.id + " is '" +
                                  std::string(ToString(snap.status)) +
                                  "'; creating a volume from it needs 'available'");
      }
    }
    if (!v.source_volid.empty()) {
      BS_ASSIGN_OR_RETURN(Volume src, session.GetVolumeLocked(v.source_volid));
      const std::vector<VolumeStatus> ok = {VolumeStatus::kAvailable, VolumeStatus::kInUse};
      if (!In(src.status, ok)) return WrongStatus(src, "cloning", ok);
    }
    BS_RETURN_IF_ERROR(session.ReserveLocked(v.project_id, VolumeOwner(v.id), charges));
    BS_ASSIGN_OR_RETURN(
        Stmt * ins,
        session.db().Prepare(
            "INSERT INTO volumes (id, project_id, user_id, name, description, size, status, "
            "previous_status, attach_status, host, availability_zone, volume_type_id, "
            "snapshot_id, source_volid, bootable, multiattach, created_at, updated_at, metadata) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    const std::string created = FormatTime(v.created_at);
    ins->Bind(1, v.id).Bind(2, v.project_id).Bind(3, v.user_id).Bind(4, v.name);
    ins->Bind(5, v.description).Bind(6, static_cast<int64_t>(v.size_gb));
    ins->Bind(7, ToString(v.status));
    if (v.previous_status)
      ins->Bind(8, ToString(*v.previous_status));
    else
      ins->BindNull(8);
    ins->Bind(9, ToString(v.attach_status)).Bind(10, v.host).Bind(11, v.availability_zone);
    ins->Bind(12, v.volume_type_id).Bind(13, v.snapshot_id).Bind(14, v.source_volid);
    ins->Bind(15, int64_t{v.bootable}).Bind(16, int64_t{v.multiattach});
    ins->Bind(17, created).Bind(18, FormatTime(v.updated_at));
    BindMetadata(*ins, 19, v.metadata);
    if (v.metadata.empty()) tx.CommitWithNext();  // the insert is the last statement
    BS_RETURN_IF_ERROR(ins->Run());
    BS_RETURN_IF_ERROR(session.UpsertPairsLocked("volume_metadata", "volume_id", v.id, v.metadata));
    BS_RETURN_IF_ERROR(tx.Commit());
    return v;
  });
}

Result<Volume> SqlVolumes::Get(std::string_view id) {
  return sessions_.Run(
      [&](SqlSession& session) -> Result<Volume> { return session.GetVolumeLocked(id); });
}

Result<std::vector<Volume>> SqlVolumes::List(const ListQuery& q, std::string_view project_scope) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<Volume>> {
    return ListPage(
        VolumeTable(), q, project_scope,
        [&](const std::string& id) { return session.GetVolumeLocked(id); },
        [&](const ListSql& sql) {
          return session.QueryVolumesLocked(sql.tail, sql.binds, /*cache=*/false);
        });
  });
}

Result<Volume> SqlVolumes::Update(std::string_view id, const VolumeUpdate& u) {
  return sessions_.Run([&](SqlSession& session) -> Result<Volume> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Volume v, session.GetVolumeLocked(id));
    if (v.status == VolumeStatus::kMaintenance) {
      return FailedPrecondition("volume " + v.id + " is in maintenance; it cannot be updated");
    }
    if (u.name) v.name = *u.name;
    if (u.description) v.description = *u.description;
    if (u.bootable) v.bootable = *u.bootable;
    v.updated_at = session.options().env->Now();
    BS_ASSIGN_OR_RETURN(
        Stmt * st,
        session.db().Prepare("UPDATE volumes SET name = ?, description = ?, bootable = ?, "
                             "updated_at = ? WHERE id = ?"));
    BS_RETURN_IF_ERROR(st->Bind(1, v.name)
                           .Bind(2, v.description)
                           .Bind(3, int64_t{v.bootable})
                           .Bind(4, FormatTime(v.updated_at))
                           .Bind(5, v.id)
                           .Run());
    // Each map twice: as pairs the list filters search, and on the row, read with it.
    for (auto [given, table, column, field] :
         {std::tuple{&u.metadata, "volume_metadata", "metadata", &v.metadata},
          std::tuple{&u.image_metadata, "volume_glance_metadata", "image_metadata",
                     &v.image_metadata}}) {
      if (!*given) continue;
      BS_RETURN_IF_ERROR(session.ReplacePairsLocked(table, "volume_id", v.id, **given));
      *field = **given;
      BS_ASSIGN_OR_RETURN(Stmt * md, session.db().Prepare(std::string("UPDATE volumes SET ") +
                                                          column + " = ?2 WHERE id = ?1"));
      md->Bind(1, v.id);
      BindMetadata(*md, 2, *field);
      BS_RETURN_IF_ERROR(md->Run());
    }
    BS_RETURN_IF_ERROR(tx.Commit());
    return v;
  });
}

Result<Volume> SqlVolumes::Transition(std::string_view id, const VolumeTransition& t) {
  return sessions_.Run([&](SqlSession& session) -> Result<Volume> {
    return TransitionIn(session, id, t, /*record=*/true);
  });
}

Status SqlVolumes::CompareAndSet(std::string_view id, const VolumeTransition& t) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    return TransitionIn(session, id, t, /*record=*/false).status();
  });
}

Result<Volume> SqlVolumes::TransitionIn(SqlSession& session, std::string_view id,
                                        const VolumeTransition& t, bool record) {
  if (!t.from.empty()) {
    // Beside other writers: one statement, or with the quota it settles (increments of the
    // project's usage, relative, under the row lock the statement took on the volume).
    // On PostgreSQL the settlement goes into the compare-and-set's own statement: one round
    // trip, no transaction to open and commit.
    const bool settle_inline = t.quota != QuotaAction::kNone && session.db().LocksRows();
    std::optional<Transaction> settling;
    if (t.quota != QuotaAction::kNone && !settle_inline) {
      settling.emplace(session.db(), TransactionMode::kBeside);
      BS_RETURN_IF_ERROR(settling->status());
    }
    BS_ASSIGN_OR_RETURN(std::optional<Volume> moved,
                        session.SetVolumeStatusLocked(id, t, record, settle_inline));
    if (moved) {
      if (settling) {
        BS_RETURN_IF_ERROR(session.SettleLocked(VolumeOwner(id), t.quota));
        BS_RETURN_IF_ERROR(settling->Commit());
      }
      return *std::move(moved);
    }
    // Nothing matched: say why, as the transaction below does.
  }
  Transaction tx(session.db());
  BS_RETURN_IF_ERROR(tx.status());
  BS_ASSIGN_OR_RETURN(Volume v, session.TransitionVolumeLocked(id, t));
  BS_RETURN_IF_ERROR(tx.Commit());
  return v;
}

// The compare-and-set as one statement that sets only what the transition changes: the checks
// are its WHERE, the new record its RETURNING. It changes one row, atomically on either
// database, and holds it locked until its transaction ends; on PostgreSQL a transaction that
// read the row first holds it locked (RowLock).
Result<std::optional<Volume>> SqlSession::SetVolumeStatusLocked(std::string_view id,
                                                                const VolumeTransition& t,
                                                                bool record, bool settle) {
  std::vector<std::string> binds;
  auto param = [&](std::string v) {
    binds.push_back(std::move(v));
    return "?" + std::to_string(binds.size());
  };
  const std::string id_param = param(std::string(id));
  const std::string to = t.restore_previous_status
                             ? "(CASE WHEN previous_status IS NOT NULL THEN previous_status ELSE " +
                                   param(std::string(ToString(t.to))) + " END)"
                             : param(std::string(ToString(t.to)));
  std::string sql = "UPDATE volumes SET status = " + to + ", updated_at = " + param(NowText());
  if (t.save_previous_status) sql += ", previous_status = status";
  if (t.host) sql += ", host = " + param(*t.host);
  if (t.size_gb) sql += ", size = " + param(std::to_string(*t.size_gb));
  if (t.readonly) sql += std::string(", readonly = ") + (*t.readonly ? "1" : "0");
  if (t.migration_status) sql += ", migration_status = " + param(*t.migration_status);
  if (t.migration_host) sql += ", migration_host = " + param(*t.migration_host);
  if (t.migration_type_id) sql += ", migration_type_id = " + param(*t.migration_type_id);
  if (t.quota == QuotaAction::kCommit) sql += ", quota_committed = 1";
  // An extend's target size lives while the volume is extending.
  if (t.restore_previous_status) {
    sql += ", pending_size = CASE WHEN " + to + " = 'extending' THEN pending_size ELSE 0 END";
  } else if (t.to != VolumeStatus::kExtending) {
    sql += ", pending_size = 0";
  }
  std::string from;
  for (VolumeStatus s : t.from)
    from += std::string(from.empty() ? "'" : ", '") + std::string(ToString(s)) + "'";
  sql += " WHERE id = " + id_param + " AND status IN (" + from + ")";
  if (!t.expect_host.empty()) sql += " AND host = " + param(t.expect_host);
  if (t.expect_unplaced) sql += " AND host = ''";
  static const std::string kReturning = " RETURNING " + VolumeColumnsOf("volumes");
  sql += record ? kReturning : std::string(" RETURNING id");
  if (settle) {
    // The volume's reservations settle only if the volume moved (they read its RETURNING);
    // the usage rows are locked in resource order, as every other writer of them locks them.
    const std::string grow =
        t.quota == QuotaAction::kCommit ? "l.delta" : std::string("0");
    sql = "WITH v AS (" + sql + "), d AS (DELETE FROM reservations WHERE owner = " +
          param(VolumeOwner(id)) +
          " AND EXISTS (SELECT 1 FROM v) RETURNING project_id, resource, delta), "
          "l AS (SELECT u.project_id, u.resource, d.delta FROM quota_usages u JOIN d ON "
          "u.project_id = d.project_id AND u.resource = d.resource ORDER BY u.project_id, "
          "u.resource FOR UPDATE OF u), "
          "s AS (UPDATE quota_usages SET in_use = max(0, in_use + " + grow +
          "), reserved = max(0, reserved - max(0, l.delta)) FROM l WHERE "
          "quota_usages.project_id = l.project_id AND quota_usages.resource = l.resource) "
          "SELECT * FROM v";
  }
  BS_ASSIGN_OR_RETURN(Stmt * st, db_->Prepare(sql));
  for (std::size_t i = 0; i < binds.size(); ++i) st->Bind(static_cast<int>(i + 1), binds[i]);
  BS_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<Volume> out;
  if (row && record) {
    out = ReadVolume(*st);
  } else if (row) {
    out.emplace().id = std::string(id);
  }
  st->Reset();
  return out;
}

Result<Volume> SqlSession::TransitionVolumeLocked(std::string_view id, const VolumeTransition& t) {
  BS_ASSIGN_OR_RETURN(Volume v, GetVolumeLocked(id));
  if (t.expect_unplaced && !v.host.empty()) {
    return FailedPrecondition("volume " + v.id + " is already placed on '" + v.host + "'");
  }
  if (!t.expect_host.empty() && v.host != t.expect_host) {
    return Aborted("volume " + v.id + " is on '" + v.host + "', not '" + t.expect_host + "'");
  }
  if (!In(v.status, t.from)) {
    return WrongStatus(v, "moving to '" + std::string(ToString(t.to)) + "'", t.from);
  }
  VolumeStatus to = t.to;
  if (t.restore_previous_status && v.previous_status) to = *v.previous_status;
  std::optional<VolumeStatus> previous = v.previous_status;
  if (t.save_previous_status) previous = v.status;
  if (t.host) v.host = *t.host;
  if (t.size_gb) v.size_gb = *t.size_gb;
  if (t.readonly) v.readonly = *t.readonly;
  if (t.migration_status) v.migration_status = *t.migration_status;
  if (t.migration_host) v.migration_host = *t.migration_host;
  if (t.migration_type_id) v.migration_type_id = *t.migration_type_id;
  v.status = to;
  v.previous_status = previous;
  v.updated_at = options_.env->Now();
  BS_RETURN_IF_ERROR(SettleLocked(VolumeOwner(v.id), t.quota));
  BS_ASSIGN_OR_RETURN(
      Stmt * st,
      db_->Prepare("UPDATE volumes SET status = ?, previous_status = ?, host = ?, size = ?, "
                   "updated_at = ?, pending_size = CASE WHEN ?1 = 'extending' THEN pending_size "
                   "ELSE 0 END, quota_committed = CASE WHEN quota_committed <> 0 OR ? <> 0 THEN 1 "
                   "ELSE 0 END, readonly = ?, "
                   "migration_status = ?, migration_host = ?, migration_type_id = ? WHERE id = ?"));
  st->Bind(1, ToString(v.status));
  if (previous)
    st->Bind(2, ToString(*previous));
  else
    st->BindNull(2);
  st->Bind(3, v.host)
      .Bind(4, static_cast<int64_t>(v.size_gb))
      .Bind(5, FormatTime(v.updated_at))
      .Bind(6, int64_t{t.quota == QuotaAction::kCommit});
  if (v.readonly)
    st->Bind(7, int64_t{*v.readonly});
  else
    st->BindNull(7);
  BS_RETURN_IF_ERROR(
      st->Bind(8, v.migration_status).Bind(9, v.migration_host).Bind(10, v.migration_type_id).Bind(11, v.id).Run());
  return v;
}

Result<Volume> SqlVolumes::BeginDelete(std::string_view id,
                                       const std::vector<VolumeStatus>& allowed, bool cascade) {
  return sessions_.Run([&](SqlSession& session) -> Result<Volume> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Volume v, session.GetVolumeLocked(id));
    if (!In(v.status, allowed)) return WrongStatus(v, "delete", allowed);
    if (v.attach_status != AttachStatus::kDetached) {
      return FailedPrecondition("volume " + v.id + " is attached ('" +
                                std::string(ToString(v.attach_status)) + "'); detach it first");
    }
    BS_ASSIGN_OR_RETURN(auto snaps, session.QuerySnapshotsLocked("WHERE t.volume_id = ?", {v.id}));
    if (!snaps.empty() && !cascade) {
      return FailedPrecondition("volume " + v.id + " has " + std::to_string(snaps.size()) +
                                " snapshot(s); delete them first or delete with cascade");
    }
    for (const auto& s : snaps) {
      if (s.status != SnapshotStatus::kAvailable && s.status != SnapshotStatus::kError) {
        return FailedPrecondition("snapshot " + s.id + " of volume " + v.id + " is '" +
                                  std::string(ToString(s.status)) +
                                  "'; a cascade delete needs every snapshot available or error");
      }
    }
    const std::string now = session.NowText();
    BS_ASSIGN_OR_RETURN(
        Stmt * snap_upd,
        session.db().Prepare("UPDATE snapshots SET status = 'deleting', updated_at = ? "
                             "WHERE volume_id = ?"));
    BS_RETURN_IF_ERROR(snap_upd->Bind(1, now).Bind(2, v.id).Run());
    BS_ASSIGN_OR_RETURN(Stmt * st,
                        session.db().Prepare("UPDATE volumes SET status = 'deleting', "
                                             "previous_status = ?, updated_at = ? WHERE id = ?"));
    BS_RETURN_IF_ERROR(st->Bind(1, ToString(v.status)).Bind(2, now).Bind(3, v.id).Run());
    BS_RETURN_IF_ERROR(tx.Commit());
    v.previous_status = v.status;
    v.status = VolumeStatus::kDeleting;
    v.updated_at = ParseTime(now).value_or(v.updated_at);
    return v;
  });
}

Status SqlVolumes::FinishDelete(std::string_view id) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(
        Stmt * sel,
        session.db().Prepare(
            std::string("SELECT project_id, size, quota_committed, "
                        "(SELECT name FROM volume_types y WHERE y.id = t.volume_type_id) FROM "
                        "volumes t WHERE id = ?") +
            session.RowLock()));
    sel->Bind(1, id);
    BS_ASSIGN_OR_RETURN(bool row, sel->Step());
    if (!row) {
      sel->Reset();
      return Status::Ok();  // already gone
    }
    const std::string project = sel->Text(0);
    const int64_t size = sel->Int(1);
    const bool committed = sel->Int(2) != 0;
    const std::string type_name = sel->IsNull(3) ? "" : sel->Text(3);
    sel->Reset();
    BS_ASSIGN_OR_RETURN(Stmt * count,
                        session.db().Prepare("SELECT count(*) FROM snapshots WHERE volume_id = ?"));
    count->Bind(1, id);
    BS_ASSIGN_OR_RETURN(bool counted, count->Step());
    const int64_t snapshots = counted ? count->Int(0) : 0;
    count->Reset();
    if (snapshots > 0) {
      return FailedPrecondition("volume " + std::string(id) + " still has " +
                                std::to_string(snapshots) + " snapshot(s)");
    }
    BS_RETURN_IF_ERROR(session.SettleLocked(VolumeOwner(id), QuotaAction::kRollback));
    if (committed) {
      BS_RETURN_IF_ERROR(
          session.ReleaseLocked(project, CountAndSizeCharges(kQuotaVolumes, size, type_name)));
    }
    // Attachments left in an error status do not keep a volume attached; they go with it.
    BS_ASSIGN_OR_RETURN(Stmt * detach,
                        session.db().Prepare("DELETE FROM volume_attachments WHERE volume_id = ?"));
    BS_RETURN_IF_ERROR(detach->Bind(1, id).Run());
    // A transfer still offering it goes too.
    BS_ASSIGN_OR_RETURN(Stmt * offers,
                        session.db().Prepare("DELETE FROM transfers WHERE volume_id = ? AND accepted = 0"));
    BS_RETURN_IF_ERROR(offers->Bind(1, id).Run());
    BS_ASSIGN_OR_RETURN(Stmt * del, session.db().Prepare("DELETE FROM volumes WHERE id = ?"));
    BS_RETURN_IF_ERROR(del->Bind(1, id).Run());
    return tx.Commit();
  });
}

Result<bool> SqlSession::VolumeQuotaCommittedLocked(std::string_view id) {
  BS_ASSIGN_OR_RETURN(Stmt * sel, db_->Prepare("SELECT quota_committed FROM volumes WHERE id = ?"));
  sel->Bind(1, id);
  BS_ASSIGN_OR_RETURN(bool row, sel->Step());
  const bool committed = row && sel->Int(0) != 0;
  sel->Reset();
  return committed;
}

Result<Volume> SqlVolumes::ChangeType(std::string_view id, const VolumeTransition& t, std::string_view type_id) {
  return sessions_.Run([&](SqlSession& session) -> Result<Volume> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Volume before, session.GetVolumeLocked(id));
    BS_ASSIGN_OR_RETURN(Volume v, session.TransitionVolumeLocked(id, t));
    BS_ASSIGN_OR_RETURN(VolumeType to, session.GetVolumeTypeLocked(type_id));
    std::string from_name;
    if (auto from = session.GetVolumeTypeLocked(before.volume_type_id); from.ok()) from_name = from->name;
    BS_ASSIGN_OR_RETURN(const bool committed, session.VolumeQuotaCommittedLocked(id));
    if (committed) {
      // Only the per-type resources move: the totals count the volume either way.
      auto per_type = [&](const std::string& type_name) {
        std::vector<QuotaCharge> out;
        if (type_name.empty()) return out;
        for (auto& c : CountAndSizeCharges(kQuotaVolumes, static_cast<int64_t>(v.size_gb), type_name)) {
          if (c.resource != kQuotaVolumes && c.resource != kQuotaGigabytes) out.push_back(std::move(c));
        }
        return out;
      };
      const std::string owner = "retype:" + std::string(id);
      BS_RETURN_IF_ERROR(session.ReserveLocked(v.project_id, owner, per_type(to.name)));
      BS_RETURN_IF_ERROR(session.SettleLocked(owner, QuotaAction::kCommit));
      BS_RETURN_IF_ERROR(session.ReleaseLocked(v.project_id, per_type(from_name)));
    }
    BS_ASSIGN_OR_RETURN(Stmt * upd, session.db().Prepare("UPDATE volumes SET volume_type_id = ? WHERE id = ?"));
    BS_RETURN_IF_ERROR(upd->Bind(1, to.id).Bind(2, id).Run());
    BS_RETURN_IF_ERROR(tx.Commit());
    v.volume_type_id = to.id;
    return v;
  });
}

Result<Volume> SqlVolumes::BeginExtend(std::string_view id,
                                       const std::vector<VolumeStatus>& allowed,
                                       uint64_t new_size_gb,
                                       const std::vector<std::string>& growth_resources) {
  return sessions_.Run([&](SqlSession& session) -> Result<Volume> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Volume v, session.GetVolumeLocked(id));
    if (!In(v.status, allowed)) return WrongStatus(v, "extend", allowed);
    if (new_size_gb <= v.size_gb) {
      return InvalidArgument("new size " + std::to_string(new_size_gb) +
                             " GB must be greater than the current size " +
                             std::to_string(v.size_gb) + " GB");
    }
    const auto growth = static_cast<int64_t>(new_size_gb - v.size_gb);
    std::vector<QuotaCharge> charges;
    for (const auto& r : growth_resources) charges.push_back({r, growth});
    BS_RETURN_IF_ERROR(session.ReserveLocked(v.project_id, VolumeOwner(v.id), charges));
    v.previous_status = v.status;
    v.status = VolumeStatus::kExtending;
    v.updated_at = session.options().env->Now();
    BS_ASSIGN_OR_RETURN(
        Stmt * st,
        session.db().Prepare("UPDATE volumes SET status = 'extending', previous_status = ?, "
                             "pending_size = ?, updated_at = ? WHERE id = ?"));
    BS_RETURN_IF_ERROR(st->Bind(1, ToString(*v.previous_status))
                           .Bind(2, static_cast<int64_t>(new_size_gb))
                           .Bind(3, FormatTime(v.updated_at))
                           .Bind(4, v.id)
                           .Run());
    BS_RETURN_IF_ERROR(tx.Commit());
    return v;
  });
}

Result<uint64_t> SqlVolumes::PendingExtendSize(std::string_view id) {
  return sessions_.Run([&](SqlSession& session) -> Result<uint64_t> {
    BS_ASSIGN_OR_RETURN(Stmt * st,
                        session.db().Prepare("SELECT pending_size FROM volumes WHERE id = ?"));
    st->Bind(1, id);
    BS_ASSIGN_OR_RETURN(bool row, st->Step());
    const uint64_t size = row ? static_cast<uint64_t>(st->Int(0)) : 0;
    st->Reset();
    if (!row) return NotFound("volume " + std::string(id) + " not found");
    return size;
  });
}

Result<std::vector<Volume>> SqlVolumes::ListOnBackend(std::string_view backend,
                                                      const std::vector<VolumeStatus>& statuses) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<Volume>> {
    std::vector<Volume> out;
    for (auto s : statuses) {
      BS_ASSIGN_OR_RETURN(auto part, session.QueryVolumesLocked(
                                         "WHERE (t.host = ?1 OR substr(t.host, 1, length(?1) + 1) "
                                         "= ?1 || '#') AND t.status = ?2 ORDER BY t.created_at",
                                         {std::string(backend), std::string(ToString(s))}));
      out.insert(out.end(), part.begin(), part.end());
    }
    return out;
  });
}

Result<std::vector<Volume>> SqlVolumes::ListUnplaced(const std::vector<VolumeStatus>& statuses) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<Volume>> {
    std::vector<Volume> out;
    for (auto s : statuses) {
      BS_ASSIGN_OR_RETURN(auto part,
                          session.QueryVolumesLocked("WHERE t.host = '' AND t.status = ?",
                                                     {std::string(ToString(s))}));
      out.insert(out.end(), part.begin(), part.end());
    }
    return out;
  });
}

Result<std::map<std::string, VolumeRepository::PoolUsage>> SqlVolumes::PoolUsages(
    std::string_view backend) {
  return sessions_.Run(
      [&](SqlSession& session) -> Result<std::map<std::string, VolumeRepository::PoolUsage>> {
        // A range on the host index: "<backend>#" up to "<backend>$" ('$' follows '#'). An extend
        // in progress counts at its target size, as the scheduler reserved the growth.
        BS_ASSIGN_OR_RETURN(
            Stmt * st,
            session.db().Prepare("SELECT host, sum(max(size, pending_size)), count(*) FROM volumes "
                                 "WHERE host = ?1 OR "
                                 "(host >= ?1 || '#' AND host < ?1 || '$') GROUP BY host"));
        st->Bind(1, backend);
        std::map<std::string, PoolUsage> out;
        while (true) {
          BS_ASSIGN_OR_RETURN(bool row, st->Step());
          if (!row) break;
          out[st->Text(0)] = {static_cast<uint64_t>(st->Int(1)), static_cast<uint64_t>(st->Int(2))};
        }
        st->Reset();
        return out;
      });
}

}  // namespace blockstore::internal
