// blockstore — the store's repositories: one per aggregate, and what their calls take.
//
// A Store (store.hpp) hands out one repository per aggregate — volumes, snapshots, backups,
// attachments, volume types, QoS specs, services, capacity holds, quotas. Every call is one
// atomic transaction of the store, whichever repository it is on: a status change is a
// compare-and-set ("set deleting where status in {...}"), and quota reservations, commits and
// rollbacks happen in the same transaction as the status change they belong to (a volume's
// transition on the volumes repository settles its quota; a backup's carries its source
// volume's), so a crash can never leave quota and status disagreeing.
//
// Quota: a reservation is owned by a resource ("volume:<id>"). Commit moves the owner's reserved
// amounts to in_use; rollback drops them. Deleting a resource releases what it committed.
//
// The rules a store keeps that are not storage — a volume's attach status from its
// attachments, the parent an incremental backup takes — are stated on the calls that apply
// them; the library's own store computes them with pure functions (lib/domain) that any other
// implementation inside the library can share.
//
// Thread-safety: every method may be called from any thread concurrently.
#ifndef BLOCKSTORE_REPOSITORIES_HPP
#define BLOCKSTORE_REPOSITORIES_HPP

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blockstore/export.h"
#include "blockstore/requests.hpp"
#include "blockstore/result.hpp"
#include "blockstore/types.hpp"

namespace blockstore {

struct QuotaCharge {
  std::string resource;  // kQuotaVolumes, kQuotaGigabytes, …
  int64_t delta = 0;
};

enum class QuotaAction { kNone, kCommit, kRollback };

// A compare-and-set of a volume's status, with what changes alongside it.
struct VolumeTransition {
  std::vector<VolumeStatus> from;  // the current status must be one of these
  VolumeStatus to = VolumeStatus::kAvailable;
  std::string expect_host;         // when set, the volume's host must equal it
  bool expect_unplaced = false;    // the volume must have no host yet (failed_precondition)
  std::optional<std::string> host;
  std::optional<uint64_t> size_gb;
  std::optional<bool> readonly;
  std::optional<std::string> migration_status;  // "" for none
  std::optional<std::string> migration_host;    // "" for none
  std::optional<std::string> migration_type_id; // "" for none
  bool save_previous_status = false;      // previous_status := the current status
  bool restore_previous_status = false;   // to := previous_status when one is saved
  QuotaAction quota = QuotaAction::kNone;  // applied to the reservations this volume owns
};

struct SnapshotTransition {
  std::vector<SnapshotStatus> from;
  SnapshotStatus to = SnapshotStatus::kAvailable;
  std::optional<std::string> progress;
  QuotaAction quota = QuotaAction::kNone;
};

// A compare-and-set of a backup's status, with what changes alongside it in the same
// transaction: its source volume or snapshot (a backup) or its target volume (a restore).
struct BackupTransition {
  std::vector<BackupStatus> from;
  BackupStatus to = BackupStatus::kAvailable;
  std::optional<std::string> fail_reason;
  std::optional<uint64_t> object_count;
  std::optional<uint64_t> stored_bytes;
  std::optional<uint64_t> size_gb;
  std::optional<std::string> host;
  std::optional<std::string> container;
  std::optional<std::string> volume_id;  // an imported record gets its source's id
  std::optional<std::string> restore_volume_id;
  std::optional<bool> encrypted;
  QuotaAction quota = QuotaAction::kNone;
  // Applied to the volume being restored onto while the backup is restoring, otherwise to its
  // source volume; and to its source snapshot.
  // A volume or snapshot that no longer exists, or is not in the expected status, is skipped:
  // the backup's own transition still happens.
  std::optional<VolumeTransition> volume;
  std::optional<SnapshotTransition> snapshot;
};

// A compare-and-set of an attachment's status, with what changes alongside it.
struct AttachmentChange {
  std::vector<AttachStatus> from;  // the attachment's status must be one of these
  std::optional<AttachStatus> to;
  std::optional<Connector> connector;
  std::optional<ConnectionInfo> connection_info;
  std::optional<std::string> attach_mode;
  std::optional<std::string> attached_host;
  std::optional<std::string> instance_uuid;
  std::optional<std::string> mountpoint;
  std::optional<TimePoint> attach_time;
  std::optional<TimePoint> detach_time;
};

// A service — one role of one engine — as the services table records it: what runs where, and
// when it last said so. Keyed by (host, binary). Several engines on one shared store see each
// other's services here.
struct ServiceRecord {
  std::string host;     // "host@backend" for cinder-volume; the engine's host for the others
  std::string binary;   // cinder-volume, cinder-scheduler, cinder-backup
  std::string availability_zone;
  std::string version;  // the RPC version it speaks
  bool disabled = false;
  std::string disabled_reason;
  int64_t report_count = 0;  // heartbeats so far
  TimePoint created_at{};
  TimePoint updated_at{};    // the last heartbeat
};

// Capacity a placement took on a pool that no stats report of the pool counts yet. Every
// scheduler on a shared store sees every other's: two of them, in two processes, cannot both
// take the last free space on a pool. Keyed by the placement (ReservationKey).
struct CapacityHold {
  std::string key;
  std::string pool;  // host@backend#pool
  double gb = 0;
  TimePoint placed_at{};
  int64_t seq = 0;  // its number among the pool's holds (given by HoldCapacity)
};

struct CapacityHoldOutcome {
  bool held = false;
  int64_t seq = 0;  // the number this call took: every hold up to it has been seen
};


// Volumes. project_scope empty = every project. Codes: not_found, failed_precondition (wrong
// status), resource_exhausted (quota), invalid_argument.
class BS_API VolumeRepository {
 public:
  virtual ~VolumeRepository();
  // Inserts `v` and reserves `charges` for it. When v.snapshot_id is set the snapshot must be
  // available; when v.source_volid is set that volume must be available or in-use — checked in
  // the same transaction.
  virtual Result<Volume> Create(const Volume& v, const std::vector<QuotaCharge>& charges) = 0;
  virtual Result<Volume> Get(std::string_view id) = 0;
  virtual Result<std::vector<Volume>> List(const ListQuery& q, std::string_view project_scope) = 0;
  virtual Result<Volume> Update(std::string_view id, const VolumeUpdate& u) = 0;
  virtual Result<Volume> Transition(std::string_view id, const VolumeTransition& t) = 0;
  // Transition for a caller that needs only to know whether it happened: the same checks,
  // codes and effects, without the record read back. Default: Transition.
  virtual Status CompareAndSet(std::string_view id, const VolumeTransition& t) {
    return Transition(id, t).status();
  }
  // Moves the volume to deleting if its status is in `allowed`, it is detached and it has no
  // snapshots — or, with cascade, all its snapshots are available or error (they go to
  // deleting too).
  virtual Result<Volume> BeginDelete(std::string_view id, const std::vector<VolumeStatus>& allowed,
                                     bool cascade) = 0;
  // Removes the row and its metadata and releases the quota it holds. Idempotent.
  virtual Status FinishDelete(std::string_view id) = 0;
  // available|… → extending, remembering the previous status and reserving, for each of
  // `growth_resources`, the growth from the size the volume has in the same transaction
  // (new_size_gb - size_gb): an extend never charges more than it applies. invalid_argument
  // when the volume is already new_size_gb or larger.
  virtual Result<Volume> BeginExtend(std::string_view id, const std::vector<VolumeStatus>& allowed,
                                     uint64_t new_size_gb,
                                     const std::vector<std::string>& growth_resources) = 0;
  // `t` and a change of the volume's type to `type_id`, in one transaction: the per-type quota
  // (volumes_<type>, gigabytes_<type>) moves from the old type to the new within the project's
  // limits (resource_exhausted otherwise, changing nothing); the project's totals stay.
  virtual Result<Volume> ChangeType(std::string_view id, const VolumeTransition& t,
                                    std::string_view type_id) = 0;
  // The target size of an extend in progress, or 0.
  virtual Result<uint64_t> PendingExtendSize(std::string_view id) = 0;
  // Volumes whose host is `backend` or starts with "<backend>#", in one of `statuses`.
  virtual Result<std::vector<Volume>> ListOnBackend(std::string_view backend,
                                                    const std::vector<VolumeStatus>& statuses) = 0;
  // Volumes never placed (no host) in one of `statuses`.
  virtual Result<std::vector<Volume>> ListUnplaced(const std::vector<VolumeStatus>& statuses) = 0;
  // What the volumes on a backend hold, per pool name ("host@backend#pool").
  struct PoolUsage {
    uint64_t gigabytes = 0;
    uint64_t volumes = 0;
  };
  virtual Result<std::map<std::string, PoolUsage>> PoolUsages(std::string_view backend) = 0;
};

class BS_API SnapshotRepository {
 public:
  virtual ~SnapshotRepository();
  // Needs the volume's status in `volume_statuses`.
  virtual Result<Snapshot> Create(const Snapshot& s, const std::vector<VolumeStatus>& volume_statuses,
                                  const std::vector<QuotaCharge>& charges) = 0;
  virtual Result<Snapshot> Get(std::string_view id) = 0;
  virtual Result<std::vector<Snapshot>> List(const ListQuery& q, std::string_view project_scope) = 0;
  virtual Result<Snapshot> Update(std::string_view id, const SnapshotUpdate& u) = 0;
  virtual Result<Snapshot> Transition(std::string_view id, const SnapshotTransition& t) = 0;
  virtual Result<Snapshot> BeginDelete(std::string_view id,
                                       const std::vector<SnapshotStatus>& allowed) = 0;
  virtual Status FinishDelete(std::string_view id) = 0;
  virtual Result<std::vector<Snapshot>> ListOfVolume(std::string_view volume_id) = 0;
  // Snapshots of volumes on `backend`, in one of `statuses`.
  virtual Result<std::vector<Snapshot>> ListOnBackend(
      std::string_view backend, const std::vector<SnapshotStatus>& statuses) = 0;
};

// Backups. Quota owner "backup:<id>".
class BS_API BackupRepository {
 public:
  virtual ~BackupRepository();
  // Inserts `b` and reserves `charges`. The source moves to backing-up in the same
  // transaction: the snapshot (when b.snapshot_id is set) must be available; otherwise the
  // volume must be in `volume_statuses` (its status is saved as previous_status). When
  // b.is_incremental and b.parent_id is empty, the parent is the source volume's newest
  // available backup (by data_timestamp, older than b's); failed_precondition when it has none.
  // An imported record (volume_id kImportedBackupVolumeId) touches no volume.
  virtual Result<Backup> Create(const Backup& b, const std::vector<VolumeStatus>& volume_statuses,
                                const std::vector<QuotaCharge>& charges) = 0;
  virtual Result<Backup> Get(std::string_view id) = 0;
  // Filters: name, status, volume_id, metadata.
  virtual Result<std::vector<Backup>> List(const ListQuery& q, std::string_view project_scope) = 0;
  virtual Result<Backup> Update(std::string_view id, const BackupUpdate& u) = 0;
  virtual Result<Backup> Transition(std::string_view id, const BackupTransition& t) = 0;
  // The progress of a running backup or restore; the backup as it now is (its status tells a
  // running job whether it was cancelled).
  virtual Result<Backup> SetProgress(std::string_view id, uint64_t done, uint64_t total) = 0;
  // available|error → deleting, unless another backup depends on it (failed_precondition).
  virtual Result<Backup> BeginDelete(std::string_view id,
                                     const std::vector<BackupStatus>& allowed) = 0;
  // Removes the row and its metadata and releases the quota it holds. Idempotent.
  virtual Status FinishDelete(std::string_view id) = 0;
  // available → restoring, in the same transaction as the volume: an existing volume must be
  // available, at least the backup's size, and moves to restoring-backup; a new one
  // (`volume_is_new`) is left alone while creating and moves to restoring-backup if it is
  // already available.
  virtual Result<Backup> BeginRestore(std::string_view id, std::string_view volume_id,
                                      bool volume_is_new) = 0;
  // Backups of `host` in one of `statuses`, oldest first.
  virtual Result<std::vector<Backup>> ListOnHost(std::string_view host,
                                                 const std::vector<BackupStatus>& statuses) = 0;
};

// Attachments, and what a volume's connections leave behind (its export, legacy connectors).
// A volume's attach_status is derived from its attachments that are not in an error status:
// the alphabetically first of theirs (attached, attaching, reserved), or detached when none is
// left; its status follows (attached → in-use, detached → available, otherwise the same word)
// while it is in an attach-related status (available, reserved, attaching, in-use, detaching);
// other statuses (backing-up, extending, maintenance, …) are left alone.
class BS_API AttachmentRepository {
 public:
  virtual ~AttachmentRepository();
  // Inserts `a` when the volume's status is in `volume_statuses`, or when a.instance_uuid
  // already has an attachment of the volume and the volume is in-use or reserved (the same
  // server asking again); failed_precondition otherwise.
  virtual Result<Attachment> Create(const Attachment& a,
                                    const std::vector<VolumeStatus>& volume_statuses) = 0;
  virtual Result<Attachment> Get(std::string_view id) = 0;
  // Oldest first. project_scope empty = every project.
  virtual Result<std::vector<Attachment>> List(const AttachmentQuery& q,
                                               std::string_view project_scope) = 0;
  virtual Result<std::vector<Attachment>> ListOfVolume(std::string_view volume_id) = 0;
  // A compare-and-set of the attachment; its volume's status and attach_status are derived
  // again in the same transaction.
  virtual Result<Attachment> Update(std::string_view id, const AttachmentChange& c) = 0;
  // Removes the attachment; its volume as it now is. not_found when it is gone.
  virtual Result<Volume> Delete(std::string_view id) = 0;
  // A volume whose status is in `from` gets the status its attachments give it.
  virtual Result<Volume> SettleVolume(std::string_view volume_id,
                                      const std::vector<VolumeStatus>& from) = 0;
  // A volume's export as its driver recorded it; nullopt when it has none. Removed with the
  // volume.
  virtual Result<std::optional<VolumeExport>> GetExport(std::string_view volume_id) = 0;
  virtual Status SetExport(std::string_view volume_id, const VolumeExport& e) = 0;
  // Hosts connected through the legacy initialize_connection (which records no attachment),
  // so that a restart admits them again: one per host (its initiator, else its host name),
  // replaced when it connects again. Forgetting with no connector forgets them all.
  virtual Status SaveLegacyConnector(std::string_view volume_id, const Connector& c) = 0;
  virtual Status ForgetLegacyConnector(std::string_view volume_id,
                                       const std::optional<Connector>& c) = 0;
  virtual Result<std::vector<Connector>> ListLegacyConnectors(std::string_view volume_id) = 0;
  // Volumes on `backend` with at least one attachment that has connection info, or a legacy
  // connector: the exports a restart must bring back.
  virtual Result<std::vector<Volume>> ListConnectedVolumes(std::string_view backend) = 0;
};

// Volume types, their extra specs and who may use a private one. Names are unique
// (already_exists).
class BS_API VolumeTypeRepository {
 public:
  virtual ~VolumeTypeRepository();
  virtual Result<VolumeType> Create(const VolumeType& t) = 0;
  virtual Result<VolumeType> Get(std::string_view id) = 0;
  virtual Result<VolumeType> GetByName(std::string_view name) = 0;
  // Every type when `include_private`; otherwise the public ones and the private ones
  // `access_project` was given access to.
  virtual Result<std::vector<VolumeType>> List(bool include_private,
                                               std::string_view access_project) = 0;
  virtual Result<VolumeType> Update(std::string_view id, const VolumeTypeUpdate& u) = 0;
  // failed_precondition while a volume uses the type.
  virtual Status Delete(std::string_view id) = 0;
  virtual Result<VolumeType> SetExtraSpecs(std::string_view type_id, const Metadata& specs) = 0;
  virtual Result<VolumeType> UnsetExtraSpec(std::string_view type_id, std::string_view key) = 0;
  // The projects that may use a private type. Adding one twice is already_exists; removing
  // one never added is not_found. A deleted type takes its list along.
  virtual Status AddAccess(std::string_view type_id, std::string_view project_id) = 0;
  virtual Status RemoveAccess(std::string_view type_id, std::string_view project_id) = 0;
  virtual Result<std::vector<std::string>> ListAccess(std::string_view type_id) = 0;
};

class BS_API QosRepository {
 public:
  virtual ~QosRepository();
  virtual Result<QosSpec> Create(const QosSpec& q) = 0;
  virtual Result<QosSpec> Get(std::string_view id) = 0;
  virtual Result<std::vector<QosSpec>> List() = 0;
  // failed_precondition while associated with a type, unless force.
  virtual Status Delete(std::string_view id, bool force) = 0;
  virtual Result<QosSpec> SetKeys(std::string_view id, const Metadata& specs) = 0;
  virtual Result<QosSpec> UnsetKey(std::string_view id, std::string_view key) = 0;
  virtual Status Associate(std::string_view qos_id, std::string_view type_id) = 0;
  virtual Status Disassociate(std::string_view qos_id, std::string_view type_id) = 0;
};

// User messages, newest first.
class BS_API MessageRepository {
 public:
  virtual ~MessageRepository();
  virtual Status Create(const UserMessage& m) = 0;
  virtual Result<UserMessage> Get(std::string_view id) = 0;
  // Of `project_id` (every project's when empty), newest first; `limit` of them at most after
  // the message `marker` (not_found when there is no such message).
  virtual Result<std::vector<UserMessage>> List(std::string_view project_id, int64_t limit,
                                                std::string_view marker) = 0;
  virtual Status Delete(std::string_view id) = 0;
  // Removes every message that expired before `now`; how many.
  virtual Result<int64_t> DeleteExpired(TimePoint now) = 0;
};

// Volume transfers. A transfer lives while it is pending; accepting it keeps the row (accepted,
// with its destination) and deleting it removes the row.
class BS_API TransferRepository {
 public:
  virtual ~TransferRepository();
  // Inserts `t` and moves its volume to awaiting-transfer, in one transaction: the volume must
  // be available (failed_precondition otherwise) and, unless t.no_snapshots, every snapshot of
  // it available. The volume's project becomes t.source_project_id.
  virtual Result<VolumeTransfer> Create(const VolumeTransfer& t) = 0;
  virtual Result<VolumeTransfer> Get(std::string_view id) = 0;
  // Pending transfers of volumes of `project_id` (every project's when empty), oldest first.
  virtual Result<std::vector<VolumeTransfer>> List(std::string_view project_id) = 0;
  // Removes a pending transfer; its volume goes back to available.
  virtual Status Delete(std::string_view id) = 0;
  // Gives the volume (and, unless the transfer says no_snapshots, its snapshots) to
  // `project_id` / `user_id`, in one transaction: the new project is charged for what the
  // volume and the snapshots moving with it count (volumes, snapshots, gigabytes, per type),
  // within its limits (resource_exhausted otherwise, changing nothing); the old project is
  // released from it; the volume becomes available; the transfer is marked accepted.
  // failed_precondition when the transfer was accepted already or its volume is not
  // awaiting-transfer.
  virtual Result<VolumeTransfer> Accept(std::string_view id, std::string_view project_id,
                                        std::string_view user_id) = 0;
};

// Idempotency keys, per project.
class BS_API IdempotencyRepository {
 public:
  virtual ~IdempotencyRepository();
  // Records `r` (unanswered) unless its key is held by an unexpired request: then that one
  // comes back (whatever its fingerprint) and nothing is written. An expired one is replaced.
  virtual Result<std::optional<IdempotentRequest>> Claim(const IdempotentRequest& r, TimePoint now) = 0;
  // The answer of a claimed request.
  virtual Status Answer(std::string_view project_id, std::string_view key, int status_code,
                        std::string_view answer) = 0;
  // Forgets a claimed request (it failed in a way a retry should redo).
  virtual Status Release(std::string_view project_id, std::string_view key) = 0;
  // Removes every key that expired before `now`; how many.
  virtual Result<int64_t> DeleteExpired(TimePoint now) = 0;
};

class BS_API ServiceRepository {
 public:
  virtual ~ServiceRepository();
  // Records a heartbeat: inserts the service, or sets its zone and version, stamps updated_at
  // (now) and counts the report, keeping whether it is disabled. invalid_argument for an
  // empty host or binary.
  virtual Result<ServiceRecord> Report(const ServiceRecord& s) = 0;
  // By binary, then host.
  virtual Result<std::vector<ServiceRecord>> List() = 0;
  // Enables or disables a service that has reported (not_found otherwise); enabling clears
  // the reason.
  virtual Result<ServiceRecord> SetDisabled(std::string_view host, std::string_view binary,
                                            bool disabled, std::string_view reason) = 0;
};

// Capacity holds. Every hold on a pool gets a number, the pool's next (numbers may be skipped,
// never repeated), under a lock on the pool that makes holds on it take turns, whichever
// process makes them.
class BS_API CapacityRepository {
 public:
  virtual ~CapacityRepository();
  // Takes that number (`seq` of the outcome), reads the pool's holds numbered after `seen_seq`
  // (what the caller has not seen yet; 0: every one) and placed at or after `counted_since`
  // (what its last report of the pool does not count), and records `hold` (replacing one of
  // the same key) only if `fits(those holds)` says it still fits (`fits` may be asked more
  // than once, first with no holds: it answers for the caller's view). Holds placed before
  // `expired_before` are dropped now and then.
  virtual Result<CapacityHoldOutcome> Hold(
      const CapacityHold& hold, int64_t seen_seq, TimePoint counted_since, TimePoint expired_before,
      const std::function<bool(const std::vector<CapacityHold>&)>& fits) = 0;
  // Drops the hold of a key (nothing to drop is not an error).
  virtual Status Release(std::string_view key) = 0;
};

// Quota limits that apply where a project has no override. Keys are the kQuota* names.
using QuotaLimits = std::map<std::string, int64_t>;
BS_API QuotaLimits DefaultQuotaLimits();  // Cinder's: 10 volumes, 1000 GB, 10 snapshots, …

// Quotas: limits (overrides over defaults) with usage.
class BS_API QuotaRepository {
 public:
  virtual ~QuotaRepository();
  virtual Result<QuotaSet> GetSet(std::string_view project_id) = 0;
  virtual Status SetLimit(std::string_view project_id, std::string_view resource,
                          int64_t limit) = 0;
  virtual Status DeleteOverrides(std::string_view project_id) = 0;
  virtual const QuotaLimits& defaults() const = 0;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_REPOSITORIES_HPP
