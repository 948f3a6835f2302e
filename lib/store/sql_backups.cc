// The SQL backup repository, and the session's backup readers.
#include <algorithm>

#include "lib/core/macros.hpp"
#include "lib/domain/backup_chain.hpp"
#include "lib/store/list_query.hpp"
#include "lib/store/row_query.hpp"
#include "lib/store/sql_repositories.hpp"
#include "lib/store/status_set.hpp"

namespace blockstore::internal {
namespace {

// A backup has dependents while an incremental based on it exists and is not in error (an
// incremental in error never wrote a manifest, so it refers to nothing).
constexpr const char* kBackupColumns =
    "t.id, t.project_id, t.user_id, t.volume_id, t.snapshot_id, t.name, t.description, t.size, "
    "t.status, t.fail_reason, t.is_incremental, t.parent_id, t.availability_zone, t.host, "
    "t.container, t.object_count, t.stored_bytes, t.progress_bytes, t.progress_total, "
    "t.restore_volume_id, t.encrypted, t.data_timestamp, t.created_at, t.updated_at, "
    "EXISTS (SELECT 1 FROM backups c WHERE c.parent_id = t.id AND c.status != 'error'), "
    "(SELECT json_group_object(m.key, m.value) FROM backup_metadata m WHERE m.backup_id = t.id)";

Backup ReadBackup(const Stmt& st) {
  Backup b;
  b.id = st.Text(0);
  b.project_id = st.Text(1);
  b.user_id = st.Text(2);
  b.volume_id = st.Text(3);
  b.snapshot_id = st.Text(4);
  b.name = st.Text(5);
  b.description = st.Text(6);
  b.size_gb = static_cast<uint64_t>(st.Int(7));
  b.status = ParseBackupStatus(st.Text(8)).value_or(BackupStatus::kError);
  b.fail_reason = st.Text(9);
  b.is_incremental = st.Int(10) != 0;
  b.parent_id = st.Text(11);
  b.availability_zone = st.Text(12);
  b.host = st.Text(13);
  b.container = st.Text(14);
  b.object_count = static_cast<uint64_t>(st.Int(15));
  b.stored_bytes = static_cast<uint64_t>(st.Int(16));
  b.progress_bytes = static_cast<uint64_t>(st.Int(17));
  b.progress_total = static_cast<uint64_t>(st.Int(18));
  b.restore_volume_id = st.Text(19);
  b.encrypted = st.Int(20) != 0;
  b.data_timestamp = ParseTime(st.Text(21)).value_or(TimePoint{});
  b.created_at = ParseTime(st.Text(22)).value_or(TimePoint{});
  b.updated_at = ParseTime(st.Text(23)).value_or(TimePoint{});
  b.has_dependent_backups = st.Int(24) != 0;
  b.metadata = MetadataFromColumn(st, 25);
  return b;
}

const ListTable& BackupTable() {
  static const ListTable kTable{
      "backups",
      "backup_metadata",
      "backup_id",
      {"created_at", "updated_at", "id", "name", "description", "size", "status", "project_id",
       "user_id", "volume_id", "availability_zone", "container", "is_incremental",
       "data_timestamp"},
      {"volume_id", "availability_zone"}};
  return kTable;
}

std::string BackupOwner(std::string_view id) { return "backup:" + std::string(id); }

Status WrongStatus(const Backup& b, std::string_view action,
                   const std::vector<BackupStatus>& from) {
  return FailedPrecondition("backup " + b.id + " is '" + std::string(ToString(b.status)) + "'; " +
                            std::string(action) + " needs one of: " + StatusList(from));
}

}  // namespace

Result<Backup> SqlSession::GetBackupLocked(std::string_view id) {
  BS_ASSIGN_OR_RETURN(auto found, QueryBackupsLocked("WHERE t.id = ?", {std::string(id)}));
  if (found.empty()) return NotFound("backup " + std::string(id) + " not found");
  return std::move(found.front());
}

Result<std::vector<Backup>> SqlSession::QueryBackupsLocked(const std::string& tail,
                                                           const std::vector<std::string>& binds,
                                                           bool cache) {
  return QueryRows(*db_, std::string("SELECT ") + kBackupColumns + " FROM backups t " + tail, binds,
                   cache, ReadBackup);
}

Result<Backup> SqlBackups::Create(const Backup& in,
                                  const std::vector<VolumeStatus>& volume_statuses,
                                  const std::vector<QuotaCharge>& charges) {
  return sessions_.Run([&](SqlSession& session) -> Result<Backup> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    Backup b = in;
    if (b.volume_id != kImportedBackupVolumeId) {
      BS_ASSIGN_OR_RETURN(Volume v, session.GetVolumeLocked(b.volume_id));
      if (v.host.empty()) {
        return FailedPrecondition("volume " + v.id + " was never placed on a backend");
      }
      if (!b.snapshot_id.empty()) {
        BS_ASSIGN_OR_RETURN(Snapshot s, session.GetSnapshotLocked(b.snapshot_id));
        if (s.volume_id != v.id) {
          return InvalidArgument("snapshot " + s.id + " is not a snapshot of volume " + v.id);
        }
        SnapshotTransition t;
        t.from = {SnapshotStatus::kAvailable};
        t.to = SnapshotStatus::kBackingUp;
        BS_RETURN_IF_ERROR(session.TransitionSnapshotLocked(s.id, t).status());
      } else {
        if (!In(v.status, volume_statuses)) {
          return FailedPrecondition("volume " + v.id + " is '" + std::string(ToString(v.status)) +
                                    "'; a backup needs one of: " + StatusList(volume_statuses));
        }
        VolumeTransition t;
        t.from = volume_statuses;
        t.to = VolumeStatus::kBackingUp;
        t.save_previous_status = true;
        BS_RETURN_IF_ERROR(session.TransitionVolumeLocked(v.id, t).status());
      }
      if (b.is_incremental) {
        std::vector<Backup> candidates;
        if (b.parent_id.empty()) {
          BS_ASSIGN_OR_RETURN(
              candidates, session.QueryBackupsLocked(
                              "WHERE t.volume_id = ? AND t.status = 'available'", {b.volume_id}));
        } else {
          BS_ASSIGN_OR_RETURN(Backup p, session.GetBackupLocked(b.parent_id));
          candidates.push_back(std::move(p));
        }
        BS_ASSIGN_OR_RETURN(Backup parent, ChooseIncrementalParent(b, candidates));
        b.parent_id = parent.id;
      }
    }
    BS_RETURN_IF_ERROR(session.ReserveLocked(b.project_id, BackupOwner(b.id), charges));
    BS_ASSIGN_OR_RETURN(
        Stmt * ins,
        session.db().Prepare(
            "INSERT INTO backups (id, project_id, user_id, volume_id, snapshot_id, name, "
            "description, size, status, fail_reason, is_incremental, parent_id, "
            "availability_zone, host, container, object_count, stored_bytes, encrypted, "
            "data_timestamp, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    BS_RETURN_IF_ERROR(ins->Bind(1, b.id)
                           .Bind(2, b.project_id)
                           .Bind(3, b.user_id)
                           .Bind(4, b.volume_id)
                           .Bind(5, b.snapshot_id)
                           .Bind(6, b.name)
                           .Bind(7, b.description)
                           .Bind(8, static_cast<int64_t>(b.size_gb))
                           .Bind(9, ToString(b.status))
                           .Bind(10, b.fail_reason)
                           .Bind(11, int64_t{b.is_incremental})
                           .Bind(12, b.parent_id)
                           .Bind(13, b.availability_zone)
                           .Bind(14, b.host)
                           .Bind(15, b.container)
                           .Bind(16, static_cast<int64_t>(b.object_count))
                           .Bind(17, static_cast<int64_t>(b.stored_bytes))
                           .Bind(18, int64_t{b.encrypted})
                           .Bind(19, FormatTime(b.data_timestamp))
                           .Bind(20, FormatTime(b.created_at))
                           .Bind(21, FormatTime(b.updated_at))
                           .Run());
    BS_RETURN_IF_ERROR(session.UpsertPairsLocked("backup_metadata", "backup_id", b.id, b.metadata));
    BS_ASSIGN_OR_RETURN(Backup stored, session.GetBackupLocked(b.id));
    BS_RETURN_IF_ERROR(tx.Commit());
    return stored;
  });
}

Result<Backup> SqlBackups::Get(std::string_view id) {
  return sessions_.Run(
      [&](SqlSession& session) -> Result<Backup> { return session.GetBackupLocked(id); });
}

Result<std::vector<Backup>> SqlBackups::List(const ListQuery& q, std::string_view project_scope) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<Backup>> {
    return ListPage(
        BackupTable(), q, project_scope,
        [&](const std::string& id) { return session.GetBackupLocked(id); },
        [&](const ListSql& sql) {
          return session.QueryBackupsLocked(sql.tail, sql.binds, /*cache=*/false);
        });
  });
}

Result<Backup> SqlBackups::Update(std::string_view id, const BackupUpdate& u) {
  return sessions_.Run([&](SqlSession& session) -> Result<Backup> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Backup b, session.GetBackupLocked(id));
    BS_RETURN_IF_ERROR(
        session.UpdateNamedLocked("backups", "backup_metadata", "backup_id", b, u));
    BS_RETURN_IF_ERROR(tx.Commit());
    return b;
  });
}

Result<Backup> SqlBackups::Transition(std::string_view id, const BackupTransition& t) {
  return sessions_.Run([&](SqlSession& session) -> Result<Backup> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Backup b, session.GetBackupLocked(id));
    if (!In(b.status, t.from)) {
      return WrongStatus(b, "moving to '" + std::string(ToString(t.to)) + "'", t.from);
    }
    // The volume the transition carries along: the one being restored onto during a restore,
    // the source otherwise. One that moved on meanwhile (deleted, reset) is left as it is.
    const std::string& volume =
        b.status == BackupStatus::kRestoring ? b.restore_volume_id : b.volume_id;
    if (t.volume && !volume.empty()) {
      auto moved = session.TransitionVolumeLocked(volume, *t.volume);
      if (!moved.ok() && moved.status().code() != Code::kNotFound &&
          moved.status().code() != Code::kFailedPrecondition) {
        return moved.status();
      }
    }
    if (t.snapshot && !b.snapshot_id.empty()) {
      auto moved = session.TransitionSnapshotLocked(b.snapshot_id, *t.snapshot);
      if (!moved.ok() && moved.status().code() != Code::kNotFound &&
          moved.status().code() != Code::kFailedPrecondition) {
        return moved.status();
      }
    }
    b.status = t.to;
    if (t.fail_reason) b.fail_reason = *t.fail_reason;
    if (t.object_count) b.object_count = *t.object_count;
    if (t.stored_bytes) b.stored_bytes = *t.stored_bytes;
    if (t.size_gb) b.size_gb = *t.size_gb;
    if (t.host) b.host = *t.host;
    if (t.container) b.container = *t.container;
    if (t.volume_id) b.volume_id = *t.volume_id;
    if (t.restore_volume_id) b.restore_volume_id = *t.restore_volume_id;
    if (t.encrypted) b.encrypted = *t.encrypted;
    b.updated_at = session.options().env->Now();
    BS_RETURN_IF_ERROR(session.SettleLocked(BackupOwner(b.id), t.quota));
    BS_ASSIGN_OR_RETURN(
        Stmt * st,
        session.db().Prepare("UPDATE backups SET status = ?, fail_reason = ?, object_count = ?, "
                             "stored_bytes = ?, size = ?, host = ?, container = ?, volume_id = ?, "
                             "restore_volume_id = ?, encrypted = ?, updated_at = ?, "
                             "quota_committed = CASE WHEN quota_committed <> 0 OR ? <> 0 THEN 1 "
                             "ELSE 0 END WHERE id = ?"));
    BS_RETURN_IF_ERROR(st->Bind(1, ToString(b.status))
                           .Bind(2, b.fail_reason)
                           .Bind(3, static_cast<int64_t>(b.object_count))
                           .Bind(4, static_cast<int64_t>(b.stored_bytes))
                           .Bind(5, static_cast<int64_t>(b.size_gb))
                           .Bind(6, b.host)
                           .Bind(7, b.container)
                           .Bind(8, b.volume_id)
                           .Bind(9, b.restore_volume_id)
                           .Bind(10, int64_t{b.encrypted})
                           .Bind(11, FormatTime(b.updated_at))
                           .Bind(12, int64_t{t.quota == QuotaAction::kCommit})
                           .Bind(13, b.id)
                           .Run());
    BS_RETURN_IF_ERROR(tx.Commit());
    return b;
  });
}

Result<Backup> SqlBackups::SetProgress(std::string_view id, uint64_t done, uint64_t total) {
  return sessions_.Run([&](SqlSession& session) -> Result<Backup> {
    BS_ASSIGN_OR_RETURN(Stmt * st, session.db().Prepare("UPDATE backups SET progress_bytes = ?, "
                                                        "progress_total = ? WHERE id = ?"));
    BS_RETURN_IF_ERROR(st->Bind(1, static_cast<int64_t>(done))
                           .Bind(2, static_cast<int64_t>(total))
                           .Bind(3, id)
                           .Run());
    return session.GetBackupLocked(id);
  });
}

Result<Backup> SqlBackups::BeginDelete(std::string_view id,
                                       const std::vector<BackupStatus>& allowed) {
  return sessions_.Run([&](SqlSession& session) -> Result<Backup> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Backup b, session.GetBackupLocked(id));
    if (!In(b.status, allowed)) return WrongStatus(b, "delete", allowed);
    if (b.has_dependent_backups) {
      return FailedPrecondition("backup " + b.id +
                                " has incremental backups based on it; delete them first");
    }
    b.status = BackupStatus::kDeleting;
    b.updated_at = session.options().env->Now();
    BS_ASSIGN_OR_RETURN(
        Stmt * st,
        session.db().Prepare("UPDATE backups SET status = ?, updated_at = ? WHERE id = ?"));
    BS_RETURN_IF_ERROR(
        st->Bind(1, ToString(b.status)).Bind(2, FormatTime(b.updated_at)).Bind(3, b.id).Run());
    BS_RETURN_IF_ERROR(tx.Commit());
    return b;
  });
}

Status SqlBackups::FinishDelete(std::string_view id) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Stmt * sel,
                        session.db().Prepare("SELECT project_id, size, quota_committed FROM "
                                             "backups WHERE id = ?"));
    sel->Bind(1, id);
    BS_ASSIGN_OR_RETURN(bool row, sel->Step());
    if (!row) {
      sel->Reset();
      return Status::Ok();
    }
    const std::string project = sel->Text(0);
    const int64_t size = sel->Int(1);
    const bool committed = sel->Int(2) != 0;
    sel->Reset();
    BS_RETURN_IF_ERROR(session.SettleLocked(BackupOwner(id), QuotaAction::kRollback));
    if (committed) {
      BS_RETURN_IF_ERROR(session.ReleaseLocked(
          project, {{std::string(kQuotaBackups), 1}, {std::string(kQuotaBackupGigabytes), size}}));
    }
    BS_ASSIGN_OR_RETURN(Stmt * del, session.db().Prepare("DELETE FROM backups WHERE id = ?"));
    BS_RETURN_IF_ERROR(del->Bind(1, id).Run());
    return tx.Commit();
  });
}

Result<Backup> SqlBackups::BeginRestore(std::string_view id, std::string_view volume_id,
                                        bool volume_is_new) {
  return sessions_.Run([&](SqlSession& session) -> Result<Backup> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Backup b, session.GetBackupLocked(id));
    if (b.status != BackupStatus::kAvailable) {
      return WrongStatus(b, "restore", {BackupStatus::kAvailable});
    }
    BS_ASSIGN_OR_RETURN(Volume v, session.GetVolumeLocked(volume_id));
    if (volume_is_new) {
      // Still being created (the restore waits for it), or created already: then it is taken
      // for the restore at once, before anyone else can use it.
      if (v.status == VolumeStatus::kAvailable) {
        VolumeTransition t;
        t.from = {VolumeStatus::kAvailable};
        t.to = VolumeStatus::kRestoringBackup;
        BS_RETURN_IF_ERROR(session.TransitionVolumeLocked(v.id, t).status());
      } else if (v.status != VolumeStatus::kCreating) {
        return FailedPrecondition("volume " + v.id + " is not a volume being created");
      }
    } else {
      if (v.size_gb < b.size_gb) {
        return InvalidArgument("volume " + v.id + " (" + std::to_string(v.size_gb) +
                               " GB) is smaller than backup " + b.id + " (" +
                               std::to_string(b.size_gb) + " GB)");
      }
      VolumeTransition t;
      t.from = {VolumeStatus::kAvailable};
      t.to = VolumeStatus::kRestoringBackup;
      BS_RETURN_IF_ERROR(session.TransitionVolumeLocked(v.id, t).status());
    }
    b.status = BackupStatus::kRestoring;
    b.restore_volume_id = v.id;
    b.progress_bytes = 0;
    b.progress_total = 0;
    b.updated_at = session.options().env->Now();
    BS_ASSIGN_OR_RETURN(
        Stmt * st, session.db().Prepare("UPDATE backups SET status = ?, restore_volume_id = ?, "
                                        "progress_bytes = 0, progress_total = 0, updated_at = ? "
                                        "WHERE id = ?"));
    BS_RETURN_IF_ERROR(st->Bind(1, ToString(b.status))
                           .Bind(2, b.restore_volume_id)
                           .Bind(3, FormatTime(b.updated_at))
                           .Bind(4, b.id)
                           .Run());
    BS_RETURN_IF_ERROR(tx.Commit());
    return b;
  });
}

Result<std::vector<Backup>> SqlBackups::ListOnHost(std::string_view host,
                                                   const std::vector<BackupStatus>& statuses) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<Backup>> {
    std::vector<Backup> out;
    for (auto s : statuses) {
      BS_ASSIGN_OR_RETURN(auto part, session.QueryBackupsLocked(
                                         "WHERE t.host = ? AND t.status = ? ORDER BY t.created_at",
                                         {std::string(host), std::string(ToString(s))}));
      out.insert(out.end(), part.begin(), part.end());
    }
    return out;
  });
}

}  // namespace blockstore::internal
