// blockstore — Api: the front door for every operation.
//
// The Api validates a request, applies policy (a caller sees and touches only its own project's
// resources unless it has the admin role; admin-only operations answer permission_denied),
// reserves quota, records the resource in its transitional status and hands the work to the
// scheduler or the volume manager. Mutating calls return at once with the record in that
// transitional status ("creating", "deleting", "extending", …), as Cinder does; completion is
// an Event, or Engine::WaitForVolume.
//
// Bad input gets invalid_argument and changes nothing. Ids must be UUIDs. Resources of another
// project are reported as not_found, never as forbidden, so ids do not leak.
//
// Thread-safety: every method may be called from any thread concurrently.
#ifndef BLOCKSTORE_API_HPP
#define BLOCKSTORE_API_HPP

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "blockstore/context.hpp"
#include "blockstore/export.h"
#include "blockstore/requests.hpp"
#include "blockstore/result.hpp"
#include "blockstore/scheduler.hpp"
#include "blockstore/store.hpp"
#include "blockstore/transport.hpp"
#include "blockstore/types.hpp"

namespace blockstore {

struct ApiOptions {
  std::string default_volume_type = "__DEFAULT__";
  std::set<std::string> availability_zones = {"nova"};  // zones a request may name
  std::string default_availability_zone = "nova";
  std::function<void(Event)> notify;                    // Default: events go nowhere
  std::function<TimePoint()> clock;                     // Default: the system clock
  // The host whose backup service serves this Api; empty: backups answer unavailable.
  std::string backup_host;
};

struct DeleteOptions {
  bool cascade = false;  // delete the volume's snapshots too
  bool force = false;    // admin only: delete from any detached, non-deleting status
};

class BS_API Api {
 public:
  Api(Store& store, Transport& transport, ApiOptions options);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // From now on every call answers unavailable. The engine calls this as it closes.
  void Close();

  // ---- volumes ----
  // invalid_argument, not_found (type, snapshot, source volume), failed_precondition (source
  // status), resource_exhausted (quota), unavailable (no scheduler listening).
  Result<Volume> CreateVolume(const RequestContext& ctx, const VolumeCreateRequest& request);
  Result<Volume> GetVolume(const RequestContext& ctx, const std::string& id);
  Result<std::vector<Volume>> ListVolumes(const RequestContext& ctx, const ListQuery& query);
  Result<Volume> UpdateVolume(const RequestContext& ctx, const std::string& id,
                              const VolumeUpdate& update);
  // failed_precondition: wrong status, attached, or has snapshots without cascade.
  Result<Volume> DeleteVolume(const RequestContext& ctx, const std::string& id,
                              const DeleteOptions& options = {});
  // invalid_argument unless new_size_gb > size; resource_exhausted over quota.
  Result<Volume> ExtendVolume(const RequestContext& ctx, const std::string& id,
                              int64_t new_size_gb);
  // An available volume becomes read-only (or read-write again): from then on it is only
  // connected "ro", and a legacy attach asking for rw is refused.
  Result<Volume> UpdateReadonlyFlag(const RequestContext& ctx, const std::string& id,
                                    bool readonly);
  // Admin only. Refuses the statuses a restart would act on (creating, deleting, extending).
  Result<Volume> ResetVolumeStatus(const RequestContext& ctx, const std::string& id,
                                   VolumeStatus status);
  // Admin only. How the scheduler would place a volume created with `request` now: each
  // filter's removals with reasons, the weighed ranking and the winner. Nothing is placed or
  // reserved. A request no pool can take is answered (with the trace), not refused.
  Result<PlacementExplanation> ExplainPlacement(const RequestContext& ctx,
                                                const VolumeCreateRequest& request);

  // ---- snapshots ----
  Result<Snapshot> CreateSnapshot(const RequestContext& ctx, const SnapshotCreateRequest& request);
  Result<Snapshot> GetSnapshot(const RequestContext& ctx, const std::string& id);
  Result<std::vector<Snapshot>> ListSnapshots(const RequestContext& ctx, const ListQuery& query);
  Result<Snapshot> UpdateSnapshot(const RequestContext& ctx, const std::string& id,
                                  const SnapshotUpdate& update);
  // `force` (admin only) also deletes snapshots in error_deleting.
  Result<Snapshot> DeleteSnapshot(const RequestContext& ctx, const std::string& id,
                                  bool force = false);
  Result<Snapshot> ResetSnapshotStatus(const RequestContext& ctx, const std::string& id,
                                       SnapshotStatus status);

  // ---- backups ----
  // A full or incremental backup of a volume (available; in-use with force) or of one of its
  // snapshots (available). failed_precondition for an incremental without an available full
  // one; resource_exhausted over the backups / backup_gigabytes quotas.
  Result<Backup> CreateBackup(const RequestContext& ctx, const BackupCreateRequest& request);
  Result<Backup> GetBackup(const RequestContext& ctx, const std::string& id);
  // Filters: name, status, volume_id, metadata; sorting and paging as for volumes.
  Result<std::vector<Backup>> ListBackups(const RequestContext& ctx, const ListQuery& query);
  Result<Backup> UpdateBackup(const RequestContext& ctx, const std::string& id,
                              const BackupUpdate& update);
  // available or error; failed_precondition while an incremental depends on it. `force`
  // (admin only) also deletes error_deleting backups and cancels a backup being created.
  Result<Backup> DeleteBackup(const RequestContext& ctx, const std::string& id,
                              bool force = false);
  // Onto an existing available volume at least the backup's size, or onto a new volume of the
  // backup's size (the call then waits until that volume exists, and returns with it
  // restoring-backup).
  Result<BackupRestoreResult> RestoreBackup(const RequestContext& ctx, const std::string& id,
                                            const BackupRestoreRequest& request);
  // Admin only: to available or error (a backup being created only to error). Moving a backup
  // away from creating or restoring stops that job.
  Result<Backup> ResetBackupStatus(const RequestContext& ctx, const std::string& id,
                                   BackupStatus status);
  // Admin only. The record of an available backup, for ImportBackupRecord on another engine
  // that reads the same target.
  Result<BackupRecord> ExportBackupRecord(const RequestContext& ctx, const std::string& id);
  // Admin only. The backup is created in the caller's project, `creating`, and becomes
  // available once its manifest is found on this engine's target (error otherwise).
  // already_exists when a backup with its id exists.
  Result<Backup> ImportBackupRecord(const RequestContext& ctx, const BackupRecord& record);
  // Reads every object of an available backup and checks it against its hash, writing
  // nothing: OK, or data_loss naming the first damaged or missing chunk and its offset.
  Status VerifyBackup(const RequestContext& ctx, const std::string& id,
                      std::chrono::milliseconds timeout = std::chrono::hours(1));

  // ---- attachments (Cinder's 3.27+ API) ----
  // A volume's status and attach_status follow its attachments (Store's rule: attached →
  // in-use, none left → available). Exports are made and torn down by the volume's backend
  // before the call returns, so a returned connection info is ready to use.
  //
  // Reserves the volume (available; a multiattach volume also from in-use, reserved or
  // attaching) for a new attachment; with a connector it is connected at once, and if that
  // fails nothing is left behind. failed_precondition for a volume in an error status or
  // already attached without multiattach.
  Result<Attachment> CreateAttachment(const RequestContext& ctx,
                                      const AttachmentCreateRequest& request);
  // Exports the volume to `connector` and records the connection info: attaching. The access
  // mode is the attachment's, else the connector's, else rw. failed_precondition when the
  // volume is in error, or another host is connected to a volume without multiattach. A
  // backend failure leaves the attachment error_attaching.
  Result<Attachment> UpdateAttachment(const RequestContext& ctx, const std::string& id,
                                      const Connector& connector);
  // attaching → attached: the host uses the volume (in-use).
  Result<Attachment> CompleteAttachment(const RequestContext& ctx, const std::string& id);
  // Withdraws the host's access (and the export, when no other attachment needs it), then
  // forgets the attachment; the volume's remaining attachments. If the backend cannot tear
  // down, the attachment stays, error_detaching, and the error is returned.
  Result<std::vector<Attachment>> DeleteAttachment(const RequestContext& ctx,
                                                   const std::string& id);
  Result<Attachment> GetAttachment(const RequestContext& ctx, const std::string& id);
  Result<std::vector<Attachment>> ListAttachments(const RequestContext& ctx,
                                                  const AttachmentQuery& query);

  // ---- the legacy attach actions (POST /volumes/{id}/action) ----
  // available (in-use with multiattach) → attaching.
  Result<Volume> ReserveVolume(const RequestContext& ctx, const std::string& volume_id);
  // attaching → in-use when attachments exist, else available.
  Result<Volume> UnreserveVolume(const RequestContext& ctx, const std::string& volume_id);
  // Exports the volume to `connector`; no attachment is recorded.
  Result<ConnectionInfo> InitializeConnection(const RequestContext& ctx,
                                              const std::string& volume_id,
                                              const Connector& connector);
  // Records the attachment as attached (reusing the server's or host's existing one).
  Result<Attachment> AttachVolume(const RequestContext& ctx, const std::string& volume_id,
                                  const LegacyAttachRequest& request);
  // in-use → detaching, and back.
  Result<Volume> BeginDetaching(const RequestContext& ctx, const std::string& volume_id);
  Result<Volume> RollDetaching(const RequestContext& ctx, const std::string& volume_id);
  // Withdraws `connector`'s access (and the export when no attachment needs it); a volume
  // left attaching is unreserved.
  Status TerminateConnection(const RequestContext& ctx, const std::string& volume_id,
                             const Connector& connector);
  // Forgets one attachment (attachment_id may be empty when the volume has exactly one),
  // tearing down its connection first.
  Result<Volume> DetachVolume(const RequestContext& ctx, const std::string& volume_id,
                              const std::string& attachment_id = {});
  // Admin only: detaches one attachment, or all of them when attachment_id is empty, whatever
  // their status; each connection (and finally the export) is torn down before its attachment
  // is forgotten.
  Result<Volume> ForceDetach(const RequestContext& ctx, const std::string& volume_id,
                             const std::string& attachment_id = {});

  // ---- volume types (create, update, delete and extra specs are admin only) ----
  Result<VolumeType> CreateVolumeType(const RequestContext& ctx,
                                      const VolumeTypeCreateRequest& request);
  // By id or by name. Non-admins see the public types and the private ones their project was
  // given access to, with only the user-visible extra specs.
  Result<VolumeType> GetVolumeType(const RequestContext& ctx, const std::string& id_or_name);
  Result<VolumeType> GetDefaultVolumeType(const RequestContext& ctx);
  Result<std::vector<VolumeType>> ListVolumeTypes(const RequestContext& ctx);
  Result<VolumeType> UpdateVolumeType(const RequestContext& ctx, const std::string& id,
                                      const VolumeTypeUpdate& update);
  Status DeleteVolumeType(const RequestContext& ctx, const std::string& id);
  Result<VolumeType> SetVolumeTypeExtraSpecs(const RequestContext& ctx, const std::string& id,
                                             const Metadata& specs);
  Result<VolumeType> UnsetVolumeTypeExtraSpec(const RequestContext& ctx, const std::string& id,
                                              const std::string& key);
  // Admin only: the projects that may see and use a private type. A public type has no such
  // list (invalid_argument); adding a project twice is already_exists, removing one that was
  // never added not_found.
  Status AddVolumeTypeAccess(const RequestContext& ctx, const std::string& type_id,
                             const std::string& project_id);
  Status RemoveVolumeTypeAccess(const RequestContext& ctx, const std::string& type_id,
                                const std::string& project_id);
  Result<std::vector<std::string>> ListVolumeTypeAccess(const RequestContext& ctx,
                                                        const std::string& type_id);

  // ---- QoS specs (admin only) ----
  Result<QosSpec> CreateQosSpec(const RequestContext& ctx, const QosSpecCreateRequest& request);
  Result<QosSpec> GetQosSpec(const RequestContext& ctx, const std::string& id);
  Result<std::vector<QosSpec>> ListQosSpecs(const RequestContext& ctx);
  Status DeleteQosSpec(const RequestContext& ctx, const std::string& id, bool force = false);
  Result<QosSpec> SetQosSpecKeys(const RequestContext& ctx, const std::string& id,
                                 const Metadata& specs);
  Result<QosSpec> UnsetQosSpecKey(const RequestContext& ctx, const std::string& id,
                                  const std::string& key);
  Status AssociateQosSpec(const RequestContext& ctx, const std::string& qos_id,
                          const std::string& type_id);
  Status DisassociateQosSpec(const RequestContext& ctx, const std::string& qos_id,
                             const std::string& type_id);

  // ---- quotas ----
  // A project's limits and usage: its own, or any project's for an admin.
  Result<QuotaSet> GetQuotas(const RequestContext& ctx, const std::string& project_id);
  QuotaSet GetDefaultQuotas() const;
  // Admin only. Limits are ≥ -1 (unlimited) and may not drop below what is in use + reserved.
  Result<QuotaSet> UpdateQuotas(const RequestContext& ctx, const std::string& project_id,
                                const std::map<std::string, int64_t>& limits);
  // Admin only: back to the defaults.
  Status ResetQuotas(const RequestContext& ctx, const std::string& project_id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_API_HPP
