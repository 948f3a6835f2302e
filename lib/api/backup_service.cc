// BackupService: backups.
#include "blockstore/backup_service.hpp"

#include <algorithm>

#include "lib/api/service_core.hpp"
#include "lib/api/validation.hpp"
#include "lib/backup/backup_layout.hpp"
#include "lib/core/ids.hpp"
#include "lib/core/macros.hpp"
#include "lib/encoding/base64.hpp"
#include "lib/json/json_codec.hpp"

namespace blockstore {

using BS = BackupStatus;
using VS = VolumeStatus;

namespace {

constexpr const char* kBackupService = "blockstore.backup";

std::vector<QuotaCharge> BackupCharges(uint64_t size_gb) {
  return {{std::string(kQuotaBackups), 1},
          {std::string(kQuotaBackupGigabytes), static_cast<int64_t>(size_gb)}};
}

// A backup (or import) the backup service never received: error, quota rolled back, its source
// (none for an import) back to its own status.
void FailUnsent(Store& store, const std::string& id, const Status& why) {
  BackupTransition t;
  t.from = {BS::kCreating};
  t.to = BS::kError;
  t.fail_reason = why.ToString();
  t.quota = QuotaAction::kRollback;
  t.volume = VolumeTransition{{VS::kBackingUp}, VS::kAvailable};
  t.volume->restore_previous_status = true;
  t.snapshot = SnapshotTransition{{SnapshotStatus::kBackingUp}, SnapshotStatus::kAvailable};
  (void)store.backups().Transition(id, t);
}

}  // namespace

BackupService::BackupService(internal::ServiceCore& core, VolumeService& volumes)
    : core_(core), volumes_(volumes) {}

Result<Backup> BackupService::Create(const RequestContext& ctx, const BackupCreateRequest& r) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(internal::CheckText("name", r.name));
  BS_RETURN_IF_ERROR(internal::CheckText("description", r.description));
  BS_RETURN_IF_ERROR(internal::CheckMetadata("metadata", r.metadata));
  if (!r.container.empty()) BS_RETURN_IF_ERROR(internal::CheckContainerName(r.container));
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, r.volume_id));
  BS_RETURN_IF_ERROR(d.CheckBackupService());
  Backup b;
  b.id = internal::NewUuid();
  b.created_at = b.updated_at = b.data_timestamp = d.env().Now();
  if (!r.snapshot_id.empty()) {
    BS_ASSIGN_OR_RETURN(Snapshot s, d.LoadSnapshot(ctx, r.snapshot_id));
    if (s.volume_id != v.id) {
      return InvalidArgument("snapshot " + s.id + " is not a snapshot of volume " + v.id);
    }
    b.snapshot_id = s.id;
    b.data_timestamp = s.created_at;
  } else if (v.status == VS::kInUse && !r.force) {
    return FailedPrecondition("volume " + v.id + " is in-use; back it up with force");
  }
  b.project_id = v.project_id;
  b.user_id = ctx.user_id;
  b.volume_id = v.id;
  b.name = r.name;
  b.description = r.description;
  b.size_gb = v.size_gb;
  b.status = BS::kCreating;
  b.is_incremental = r.incremental;
  b.availability_zone = v.availability_zone;
  b.host = d.options().backup_host;
  b.container = r.container.empty() ? std::string(internal::kBackupPrefix) : r.container;
  b.metadata = r.metadata;
  std::vector<VS> allowed = {VS::kAvailable};
  if (r.force) allowed.push_back(VS::kInUse);
  BS_ASSIGN_OR_RETURN(b, d.store().backups().Create(b, allowed, BackupCharges(b.size_gb)));
  d.notifier().Backup("backup.create.start", b);
  if (Status st = d.backup().CreateBackup(b.id, ctx.request_id); !st.ok()) {
    FailUnsent(d.store(), b.id, st);
    return st;
  }
  return b;
}

Result<Backup> BackupService::Get(const RequestContext& ctx, const std::string& id) {
  return core_.LoadBackup(ctx, id);
}

Result<std::vector<Backup>> BackupService::List(const RequestContext& ctx, const ListQuery& q) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.CheckListQuery(ctx, q, "backup"));
  if (q.status && !ParseBackupStatus(*q.status)) {
    return InvalidArgument("'" + *q.status + "' is not a backup status");
  }
  return d.store().backups().List(q, q.all_projects ? std::string_view() : ctx.project_id);
}

Result<Backup> BackupService::Update(const RequestContext& ctx, const std::string& id,
                                 const BackupUpdate& u) {
  auto& d = core_;
  if (u.name) BS_RETURN_IF_ERROR(internal::CheckText("name", *u.name));
  if (u.description) BS_RETURN_IF_ERROR(internal::CheckText("description", *u.description));
  if (u.metadata) BS_RETURN_IF_ERROR(internal::CheckMetadata("metadata", *u.metadata));
  BS_RETURN_IF_ERROR(d.LoadBackup(ctx, id).status());
  BS_ASSIGN_OR_RETURN(Backup b, d.store().backups().Update(id, u));
  d.notifier().Backup("backup.update", b);
  return b;
}

Result<Backup> BackupService::Delete(const RequestContext& ctx, const std::string& id, bool force) {
  auto& d = core_;
  if (force) BS_RETURN_IF_ERROR(d.RequireAdmin(ctx, "force-deleting a backup"));
  BS_ASSIGN_OR_RETURN(Backup current, d.LoadBackup(ctx, id));
  BS_RETURN_IF_ERROR(d.CheckBackupService());
  std::vector<BS> allowed = {BS::kAvailable, BS::kError};
  if (force) allowed.insert(allowed.end(), {BS::kErrorDeleting, BS::kCreating});
  if (std::find(allowed.begin(), allowed.end(), current.status) == allowed.end()) {
    // Cinder's words, which clients show as they are; the status it is in, beside them.
    return FailedPrecondition(std::string("Invalid backup: Backup status must be ") +
                              (force ? "available, error, error_deleting or creating" : "available or error") +
                              " (backup " + id + " is '" + std::string(ToString(current.status)) + "')");
  }
  BS_ASSIGN_OR_RETURN(Backup b, d.store().backups().BeginDelete(id, allowed));
  d.notifier().Backup("backup.delete.start", b);
  // A backup being created is stopped by its own job, which then deletes what it wrote.
  if (current.status == BS::kCreating) return b;
  if (Status st = d.backup().DeleteBackup(b.id, ctx.request_id); !st.ok()) {
    BackupTransition t;
    t.from = {BS::kDeleting};
    t.to = BS::kErrorDeleting;
    t.fail_reason = st.ToString();
    (void)d.store().backups().Transition(b.id, t);
    return st;
  }
  return b;
}

Result<BackupRestoreResult> BackupService::Restore(const RequestContext& ctx, const std::string& id,
                                               const BackupRestoreRequest& r) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(internal::CheckText("name", r.name));
  BS_ASSIGN_OR_RETURN(Backup b, d.LoadBackup(ctx, id));
  BS_RETURN_IF_ERROR(d.CheckBackupService());
  if (b.status != BS::kAvailable) {
    return FailedPrecondition("backup " + b.id + " is '" + std::string(ToString(b.status)) +
                              "'; a restore needs an available backup");
  }
  BackupRestoreResult out;
  out.backup_id = b.id;
  if (!r.volume_id.empty()) {
    if (!r.name.empty()) {
      return InvalidArgument("a name is for a new volume; a restore onto volume " + r.volume_id +
                             " keeps that volume's name");
    }
    BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, r.volume_id));
    out.volume_id = v.id;
    out.volume_name = v.name;
  } else {
    VolumeCreateRequest create;
    create.size_gb = static_cast<int64_t>(b.size_gb);
    create.name = r.name.empty() ? "restore_backup_" + b.id : r.name;
    create.description = "auto-created volume for the restore of backup " + b.id;
    // As Cinder does, nobody sees the new volume available before it holds the backup's data:
    // the backup is taken for the restore now, and the volume service that creates the volume
    // hands it straight to the restore (no waiting here).
    BS_ASSIGN_OR_RETURN(Volume v, volumes_.CreateForRestore(ctx, create, b.id));
    out.volume_id = v.id;
    out.volume_name = v.name;
    return out;
  }
  BS_ASSIGN_OR_RETURN(b, d.store().backups().BeginRestore(b.id, out.volume_id, /*volume_is_new=*/false));
  d.notifier().Backup("backup.restore.start", b);
  if (Status st = d.backup().RestoreBackup(b.id, /*volume_is_new=*/false, ctx.request_id);
      !st.ok()) {
    BackupTransition t;
    t.from = {BS::kRestoring};
    t.to = BS::kAvailable;
    t.fail_reason = st.ToString();
    t.volume = VolumeTransition{{VS::kRestoringBackup}, VS::kAvailable};
    (void)d.store().backups().Transition(b.id, t);
    return st;
  }
  return out;
}

Result<Backup> BackupService::ResetStatus(const RequestContext& ctx, const std::string& id,
                                      BackupStatus status) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.RequireAdmin(ctx, "resetting a backup's status"));
  BS_ASSIGN_OR_RETURN(Backup current, d.LoadBackup(ctx, id));
  if (status != BS::kAvailable && status != BS::kError) {
    return InvalidArgument("a backup's status may be reset only to available or error, not '" +
                           std::string(ToString(status)) + "'");
  }
  if (current.status == BS::kCreating && status != BS::kError) {
    return InvalidArgument("a backup being created may be reset only to error: its data is "
                           "incomplete");
  }
  BackupTransition t;
  t.from = {current.status};
  t.to = status;
  if (current.status == BS::kCreating) t.quota = QuotaAction::kRollback;
  BS_ASSIGN_OR_RETURN(Backup b, d.store().backups().Transition(id, t));
  d.notifier().Backup("backup.reset_status", b);
  return b;
}

Result<BackupRecord> BackupService::ExportRecord(const RequestContext& ctx, const std::string& id) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.RequireAdmin(ctx, "exporting a backup record"));
  BS_ASSIGN_OR_RETURN(Backup b, d.LoadBackup(ctx, id));
  if (b.status != BS::kAvailable) {
    return FailedPrecondition("backup " + b.id + " is '" + std::string(ToString(b.status)) +
                              "'; only an available backup's record can be exported");
  }
  BackupRecord r;
  r.backup_service = kBackupService;
  r.backup_url = internal::Base64Encode(internal::json::serialize(internal::ToJson(b)));
  return r;
}

Result<Backup> BackupService::ImportRecord(const RequestContext& ctx, const BackupRecord& record) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.RequireAdmin(ctx, "importing a backup record"));
  BS_RETURN_IF_ERROR(d.CheckContext(ctx));
  BS_RETURN_IF_ERROR(d.CheckBackupService());
  if (record.backup_service != kBackupService) {
    return InvalidArgument("backup service '" + record.backup_service.substr(0, 128) +
                           "' is not this engine's ('" + kBackupService + "')");
  }
  if (record.backup_url.size() > (1u << 20)) return InvalidArgument("the backup record is too large");
  BS_ASSIGN_OR_RETURN(std::string text, internal::Base64Decode(record.backup_url));
  BS_ASSIGN_OR_RETURN(internal::json::value json, internal::ParseJson(text, "backup record"));
  BS_ASSIGN_OR_RETURN(Backup b, internal::BackupFromRecordJson(json));
  BS_RETURN_IF_ERROR(internal::CheckId("backup", b.id));
  if (!b.parent_id.empty()) BS_RETURN_IF_ERROR(internal::CheckId("parent backup", b.parent_id));
  BS_RETURN_IF_ERROR(internal::CheckText("name", b.name));
  BS_RETURN_IF_ERROR(internal::CheckText("description", b.description));
  BS_RETURN_IF_ERROR(internal::CheckText("availability zone", b.availability_zone));
  BS_RETURN_IF_ERROR(internal::CheckMetadata("metadata", b.metadata));
  if (auto existing = d.store().backups().Get(b.id); existing.ok()) {
    // As Cinder (400): the record is already here, whatever status it has.
    return FailedPrecondition("Invalid backup: Backup already exists in database (backup " + b.id + ")");
  }
  const TimePoint now = d.env().Now();
  b.project_id = ctx.project_id;
  b.user_id = ctx.user_id;
  b.volume_id = std::string(kImportedBackupVolumeId);
  b.status = BS::kCreating;
  b.host = d.options().backup_host;
  if (b.created_at == TimePoint{}) b.created_at = now;
  if (b.data_timestamp == TimePoint{}) b.data_timestamp = b.created_at;
  b.updated_at = now;
  if (b.availability_zone.empty()) b.availability_zone = d.options().default_availability_zone;
  // The parent's record may or may not be here; the link is kept either way, so that deleting
  // an imported parent is refused while this backup refers to its objects.
  BS_ASSIGN_OR_RETURN(b, d.store().backups().Create(b, {}, BackupCharges(b.size_gb)));
  d.notifier().Backup("backup.import.start", b);
  if (Status st = d.backup().ImportBackup(b.id, ctx.request_id); !st.ok()) {
    FailUnsent(d.store(), b.id, st);
    return st;
  }
  return b;
}

Status BackupService::Verify(const RequestContext& ctx, const std::string& id,
                         std::chrono::milliseconds timeout) {
  auto& d = core_;
  BS_ASSIGN_OR_RETURN(Backup b, d.LoadBackup(ctx, id));
  BS_RETURN_IF_ERROR(d.CheckBackupService());
  if (b.status != BS::kAvailable) {
    return FailedPrecondition("backup " + b.id + " is '" + std::string(ToString(b.status)) +
                              "'; only an available backup can be verified");
  }
  return d.backup().VerifyBackup(b.id, timeout, ctx.request_id);
}

}  // namespace blockstore
