// blockstore — the model: volumes, snapshots, types, QoS specs, quotas and events.
//
// Every status is an enum that round-trips to Cinder's exact string (ToString / Parse*), so a
// record shown through REST, C or Python reads as Cinder's would. Records are plain values.
//
// Thread-safety: plain values; the free functions are thread-safe.
#ifndef BLOCKSTORE_TYPES_HPP
#define BLOCKSTORE_TYPES_HPP

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blockstore/export.h"

namespace blockstore {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::microseconds>;
using Metadata = std::map<std::string, std::string>;

enum class VolumeStatus {
  kCreating, kAvailable, kReserved, kAttaching, kInUse, kDetaching, kMaintenance, kDeleting,
  kAwaitingTransfer, kError, kErrorDeleting, kManaging, kErrorManaging, kBackingUp,
  kRestoringBackup, kErrorRestoring, kErrorBackingUp, kErrorExtending, kDownloading, kUploading,
  kRetyping, kExtending, kReverting, kUnmanaging, kErrorUnmanaging, kErrorManagingDeleting,
};
enum class AttachStatus {
  kReserved, kAttaching, kAttached, kDetached, kErrorAttaching, kErrorDetaching, kDeleted,
};
enum class SnapshotStatus {
  kCreating, kAvailable, kDeleting, kDeleted, kUpdating, kError, kErrorDeleting, kUnmanaging,
  kBackingUp, kRestoring,
};
enum class BackupStatus {
  kCreating, kAvailable, kDeleting, kDeleted, kRestoring, kError, kErrorDeleting,
};

// Cinder's strings: "in-use", "error_deleting", "backing-up", …
BS_API std::string_view ToString(VolumeStatus s);
BS_API std::string_view ToString(AttachStatus s);
BS_API std::string_view ToString(SnapshotStatus s);
BS_API std::string_view ToString(BackupStatus s);
// nullopt for a string that is not one of the enum's values (exact, case-sensitive).
BS_API std::optional<VolumeStatus> ParseVolumeStatus(std::string_view s);
BS_API std::optional<AttachStatus> ParseAttachStatus(std::string_view s);
BS_API std::optional<SnapshotStatus> ParseSnapshotStatus(std::string_view s);
BS_API std::optional<BackupStatus> ParseBackupStatus(std::string_view s);
// Every value of each enum, in declaration order.
BS_API const std::vector<VolumeStatus>& AllVolumeStatuses();
BS_API const std::vector<AttachStatus>& AllAttachStatuses();
BS_API const std::vector<SnapshotStatus>& AllSnapshotStatuses();
BS_API const std::vector<BackupStatus>& AllBackupStatuses();

// "2026-11-25T06:04:22.123456" (UTC, microseconds), the form Cinder's API shows.
BS_API std::string FormatTime(TimePoint t);
// Accepts the form above, with or without fraction and a trailing "Z"; nullopt otherwise.
BS_API std::optional<TimePoint> ParseTime(std::string_view s);

struct Volume {
  std::string id;
  std::string project_id;
  std::string user_id;
  std::string name;
  std::string description;
  uint64_t size_gb = 0;
  VolumeStatus status = VolumeStatus::kCreating;
  std::optional<VolumeStatus> previous_status;
  AttachStatus attach_status = AttachStatus::kDetached;
  std::string host;  // host@backend#pool; empty until the scheduler placed it
  std::string availability_zone;
  std::string volume_type_id;
  std::string snapshot_id;   // source snapshot, if created from one
  std::string source_volid;  // source volume, if a clone
  bool bootable = false;
  bool multiattach = false;
  // Read-only volumes are only ever connected "ro". Unset until the flag is first set.
  std::optional<bool> readonly;
  Metadata metadata;
  // The properties of the image the volume holds (Cinder's volume_image_metadata, searched by
  // the glance_metadata filter).
  Metadata image_metadata;
  // Cinder's migration_status: empty for none; otherwise migrating, completing, success,
  // error, starting — an admin may reset it.
  std::string migration_status;
  // While a migration runs: the pool it moves to (host@backend#pool); empty otherwise.
  std::string migration_host;
  // While a retype's migration runs: the type the volume takes when it arrives.
  std::string migration_type_id;
  TimePoint created_at{};
  TimePoint updated_at{};
};

struct Snapshot {
  std::string id;
  std::string project_id;
  std::string user_id;
  std::string volume_id;
  std::string name;
  std::string description;
  uint64_t size_gb = 0;
  SnapshotStatus status = SnapshotStatus::kCreating;
  std::string progress;  // "0%" … "100%"
  Metadata metadata;
  TimePoint created_at{};
  TimePoint updated_at{};
};

// A backup of a volume (or of one of its snapshots) on the engine's backup target.
struct Backup {
  std::string id;
  std::string project_id;
  std::string user_id;
  std::string volume_id;    // the source volume; all zeros for an imported record
  std::string snapshot_id;  // the source snapshot, when backed up from one
  std::string name;
  std::string description;
  uint64_t size_gb = 0;     // the source's size
  BackupStatus status = BackupStatus::kCreating;
  std::string fail_reason;  // why the last operation failed
  bool is_incremental = false;
  std::string parent_id;    // the backup this one is incremental to
  bool has_dependent_backups = false;  // some incremental is based on this one
  std::string availability_zone;
  std::string host;         // the engine host whose backup service holds it
  std::string container;    // the target, as BackupTarget::Describe names it
  uint64_t object_count = 0;   // objects this backup wrote (shared ones not counted)
  uint64_t stored_bytes = 0;   // bytes those objects take on the target
  uint64_t progress_bytes = 0; // of the running backup or restore
  uint64_t progress_total = 0;
  std::string restore_volume_id;  // the volume a running restore writes
  bool encrypted = false;
  Metadata metadata;
  TimePoint data_timestamp{};  // when the data was read: the snapshot's time for a snapshot
  TimePoint created_at{};
  TimePoint updated_at{};
};

// The volume_id of an imported backup record, whose source volume this engine never knew
// (Cinder's convention).
inline constexpr std::string_view kImportedBackupVolumeId = "00000000-0000-0000-0000-000000000000";

// A backup record to carry to another engine that reads the same target (Cinder's
// export_record): the service that wrote it and the record itself, base64-encoded JSON.
struct BackupRecord {
  std::string backup_service;
  std::string backup_url;
};

// Where a restore is going.
struct BackupRestoreResult {
  std::string backup_id;
  std::string volume_id;
  std::string volume_name;
};

// A running backup, restore or verify, as reported to BackupConfig::progress.
struct BackupProgress {
  std::string backup_id;
  std::string operation;     // "backup" | "restore" | "verify"
  uint64_t bytes_done = 0;   // of the volume, holes and unchanged chunks included
  uint64_t bytes_total = 0;
  uint64_t bytes_stored = 0; // written to the target so far (after compression)
  double rate_bytes_per_s = 0;
  double eta_seconds = 0;
};

// How a host reaches its volumes: os-brick's connector dict. `initiator` is the host's iSCSI
// name (iqn.YYYY-MM.reverse.domain[:name] or eui.<16 hex>), needed for an iSCSI attach.
struct Connector {
  std::string host;
  std::string ip;
  std::string initiator;
  bool multipath = false;
  std::string platform;   // "x86_64", …
  std::string os_type;    // "linux", …
  std::string mode;       // "rw" | "ro" | "" (the attachment decides)
  bool do_local_attach = false;  // ask for `local` connection info on the same host
  std::string mountpoint;
};

// How a host reaches one volume, Cinder's shape: `driver_volume_type` ("iscsi", "local") and
// `data`, a JSON object (target_iqn, target_portal, auth_username, … or device_path). It
// carries secrets (CHAP credentials): never log it.
struct ConnectionInfo {
  std::string driver_volume_type;
  std::string data = "{}";
};

// What a driver records about a volume's export so that it survives a restart (Cinder's
// provider_location / provider_auth). `auth` is secret ("CHAP <user> <password>").
struct VolumeExport {
  std::string location;
  std::string auth;
};

// One host's use of a volume. `attach_mode` is "rw", "ro" or "null" (not decided yet).
struct Attachment {
  std::string id;
  std::string volume_id;
  std::string project_id;     // the volume's
  std::string instance_uuid;  // the server using it, if any
  std::string attached_host;
  std::string mountpoint;
  AttachStatus attach_status = AttachStatus::kReserved;
  std::string attach_mode = "null";
  std::optional<Connector> connector;
  std::optional<ConnectionInfo> connection_info;
  std::optional<TimePoint> attach_time;
  std::optional<TimePoint> detach_time;
  TimePoint created_at{};
  TimePoint updated_at{};
};

struct VolumeType {
  std::string id;
  std::string name;
  std::string description;
  bool is_public = true;
  std::string qos_specs_id;  // empty when no QoS spec is associated
  Metadata extra_specs;
  TimePoint created_at{};
};

struct QosSpec {
  std::string id;
  std::string name;
  std::string consumer = "back-end";  // back-end | front-end | both
  Metadata specs;
  TimePoint created_at{};
};

// The quota resources blockstore counts. Limits of -1 mean unlimited.
inline constexpr std::string_view kQuotaVolumes = "volumes";
inline constexpr std::string_view kQuotaGigabytes = "gigabytes";
inline constexpr std::string_view kQuotaSnapshots = "snapshots";
inline constexpr std::string_view kQuotaBackups = "backups";
inline constexpr std::string_view kQuotaBackupGigabytes = "backup_gigabytes";
inline constexpr std::string_view kQuotaPerVolumeGigabytes = "per_volume_gigabytes";

struct QuotaUsage {
  int64_t limit = -1;
  int64_t in_use = 0;
  int64_t reserved = 0;
};

struct QuotaSet {
  std::string project_id;
  std::map<std::string, QuotaUsage> resources;  // keyed by the kQuota* names
};

// What a user is told about an asynchronous operation that failed (Cinder's user messages,
// 3.3): kept until `expires_at` (the engine's message_ttl after it was made).
struct UserMessage {
  std::string id;
  std::string project_id;
  std::string request_id;     // the request that began the operation, when known
  std::string resource_type;  // "VOLUME" | "SNAPSHOT" | "BACKUP"
  std::string resource_uuid;
  std::string event_id;       // Cinder's form: VOLUME_<resource>_<action>_<detail>
  std::string message_level = "ERROR";
  std::string user_message;   // "<action>: <what went wrong and why>"
  TimePoint created_at{};
  TimePoint expires_at{};
};

// A volume offered by its project to another (Cinder's volume transfers): whoever holds the
// transfer's id and its auth key may take the volume into their project. Only a hash of the
// key is kept (HMAC-SHA1 keyed by the transfer's salt); the key itself is shown once, when the
// transfer is made.
struct VolumeTransfer {
  std::string id;
  std::string volume_id;
  std::string name;
  std::string source_project_id;       // the project offering the volume
  std::string destination_project_id;  // the project that took it (once accepted)
  bool accepted = false;
  bool no_snapshots = false;           // the volume's snapshots stay behind (3.55)
  std::string salt;                    // 8 characters
  std::string crypt_hash;              // hex HMAC-SHA1(salt, auth key)
  TimePoint created_at{};
  TimePoint updated_at{};
};

// A request made once however often it is sent: the key a client gave it (per project), what
// the request was (a fingerprint of its method, path and body), and — once it was answered — the
// answer, which a retry gets again. Kept until `expires_at`.
struct IdempotentRequest {
  std::string project_id;
  std::string key;
  std::string fingerprint;
  bool answered = false;   // false: the first request is still running
  int status_code = 0;
  std::string answer;
  TimePoint created_at{};
  TimePoint expires_at{};
};

// A completed or started operation, as Cinder's notifications name them:
// "volume.create.start", "volume.create.end", "volume.delete.end", "snapshot.create.end",
// "volume.resize.end", "volume.update", and ".error" for failures.
struct Event {
  uint64_t sequence = 0;       // strictly increasing within one engine
  std::string type;
  std::string resource_type;   // "volume" | "snapshot" | "backup" | "volume_type" | "qos_specs" | "quota"
  std::string resource_id;
  std::string project_id;
  std::string status;          // the resource's status after the event, Cinder's string
  std::string message;         // why, for failures
  TimePoint at{};
};

}  // namespace blockstore

#endif  // BLOCKSTORE_TYPES_HPP
