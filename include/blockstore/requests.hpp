// blockstore — what callers ask for: create requests, updates and list queries.
//
// Fields left unset take Cinder's defaults. Sizes are signed so that a negative size can be
// refused with a clear error rather than wrapping around.
//
// Thread-safety: plain values.
#ifndef BLOCKSTORE_REQUESTS_HPP
#define BLOCKSTORE_REQUESTS_HPP

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "blockstore/types.hpp"

namespace blockstore {

struct VolumeCreateRequest {
  std::optional<int64_t> size_gb;  // default: the source's size; required for a blank volume
  std::string name;
  std::string description;
  std::string volume_type;  // name or id; default: the engine's default type
  std::string availability_zone;
  std::string snapshot_id;   // create from this snapshot
  std::string source_volid;  // clone this volume
  // Restore this backup into the new volume (Cinder's 3.47 create from backup): the volume
  // is "available" once it holds the backup's data, with its source's metadata.
  std::string backup_id;
  Metadata metadata;
  bool bootable = false;
  // Scheduler hints (Cinder's OS-SCH-HNT:scheduler_hints): volumes whose backend to share or
  // to avoid, and a JsonFilter query.
  std::vector<std::string> same_host;
  std::vector<std::string> different_host;
  std::string query;
};

struct VolumeUpdate {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<Metadata> metadata;  // replaces all metadata
  std::optional<bool> bootable;
  std::optional<Metadata> image_metadata;  // replaces all image metadata
};

struct SnapshotCreateRequest {
  std::string volume_id;
  std::string name;
  std::string description;
  bool force = false;  // allow an in-use volume
  Metadata metadata;
};

struct SnapshotUpdate {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<Metadata> metadata;
};

struct BackupCreateRequest {
  std::string volume_id;
  std::string snapshot_id;  // back up this snapshot of the volume instead of the volume
  std::string name;
  std::string description;
  // Store only what changed since the volume's newest available backup (failed_precondition
  // when it has none).
  bool incremental = false;
  bool force = false;  // allow an in-use volume (its data is read as it is at that moment)
  Metadata metadata;
  // Where on the target its objects go (Cinder's container): a prefix of the target, 1..64
  // letters, digits, '.', '_' or '-'. Default: "backups".
  std::string container;
};

struct BackupRestoreRequest {
  std::string volume_id;  // an existing available volume at least the backup's size; empty:
                          // a new volume "restore_backup_<id>" of the backup's size, which
                          // takes its source's name once restored
  std::string name;       // the new volume's name instead
};

struct BackupUpdate {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<Metadata> metadata;
};

struct SortKey {
  // Every kind: created_at, updated_at, id, name, description, size, status, project_id,
  // user_id; volumes also availability_zone, bootable, host, volume_type_id, attach_status,
  // snapshot_id, source_volid, multiattach; snapshots and backups also volume_id; backups also
  // availability_zone, container, is_incremental, data_timestamp. Cinder's column names
  // display_name and display_description are accepted for name and description.
  std::string key;
  bool descending = true;
};

// Filters are ANDed. `metadata` matches volumes having every listed pair. Sorting defaults to
// created_at descending; id is always the final tie-breaker, so pages are stable.
// Attachments (Cinder's 3.27+ API). With a connector the attachment is connected at once
// (as UpdateAttachment would); without one it only reserves the volume.
struct AttachmentCreateRequest {
  std::string volume_id;
  std::string instance_uuid;  // optional: the server that will use the volume
  std::optional<Connector> connector;
  std::string mode;           // "rw" | "ro" | "" (the connector's mode, else rw)
};

struct AttachmentQuery {
  std::optional<std::string> volume_id;
  std::optional<std::string> instance_uuid;
  std::optional<AttachStatus> attach_status;
  std::optional<int64_t> limit;  // 1..1000; default 1000
  std::string marker;            // id of the last attachment of the previous page
  bool all_projects = false;     // admin only
};

// The legacy os-attach action: records that a server or host now uses the volume.
struct LegacyAttachRequest {
  std::string instance_uuid;  // one of instance_uuid and host_name
  std::string host_name;
  std::string mountpoint;
  std::string mode = "rw";    // rw | ro
};

struct ListQuery {
  std::optional<std::string> name;
  std::optional<std::string> status;
  std::optional<std::string> volume_id;          // snapshots and backups only
  std::optional<std::string> availability_zone;  // volumes and backups
  std::optional<bool> bootable;                  // volumes only
  std::optional<int64_t> size;                   // GB
  Metadata metadata;
  Metadata image_metadata;  // volumes only: image properties they must all have (glance_metadata)
  // Substring filters, case-insensitive (Cinder's `name~` from 3.34): keys name, description,
  // status, availability_zone (volumes and backups).
  std::map<std::string, std::string> like;
  // With all_projects: only this project's records (an admin looking at one tenant).
  std::optional<std::string> project_id;
  std::vector<SortKey> sort;
  std::optional<int64_t> limit;  // 1..1000; default 1000
  std::string marker;            // id of the last record of the previous page (not_found
                                 // when there is no such record in the listed scope)
  bool all_projects = false;     // admin only: list every project's records
};

struct VolumeTypeCreateRequest {
  std::string name;
  std::string description;
  bool is_public = true;
  Metadata extra_specs;
};

struct VolumeTypeUpdate {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<bool> is_public;
};

struct QosSpecCreateRequest {
  std::string name;
  std::string consumer = "back-end";
  Metadata specs;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_REQUESTS_HPP
