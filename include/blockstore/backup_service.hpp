// blockstore — BackupService, backups of volumes and snapshots: create (full or incremental), show,
// list, update, delete, restore, verify, status resets, export and import of records.
//
// Part of the api role, over the services' shared core (context and policy, quota, loaders):
// see docs/architecture.md. Mutating calls return at once with the record in its transitional
// status, as Cinder does; completion is an Event, or Engine's WaitFor… calls. Bad input gets
// invalid_argument and changes nothing; ids must be UUIDs; another project's resources are
// not_found, never forbidden, so ids do not leak.
//
// Thread-safety: every method may be called from any thread concurrently.
#ifndef BLOCKSTORE_BACKUP_SERVICE_HPP
#define BLOCKSTORE_BACKUP_SERVICE_HPP

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "blockstore/context.hpp"
#include "blockstore/export.h"
#include "blockstore/requests.hpp"
#include "blockstore/result.hpp"
#include "blockstore/types.hpp"
#include "blockstore/volume_service.hpp"

namespace blockstore {

namespace internal {
class ServiceCore;
}  // namespace internal

class BS_API BackupService {
 public:
  explicit BackupService(internal::ServiceCore& core, VolumeService& volumes);
  BackupService(const BackupService&) = delete;
  BackupService& operator=(const BackupService&) = delete;

  // A full or incremental backup of a volume (available; in-use with force) or of one of its
  // snapshots (available). failed_precondition for an incremental without an available full
  // one; resource_exhausted over the backups / backup_gigabytes quotas.
  Result<Backup> Create(const RequestContext& ctx, const BackupCreateRequest& request);
  Result<Backup> Get(const RequestContext& ctx, const std::string& id);
  // Filters: name, status, volume_id, metadata; sorting and paging as for volumes.
  Result<std::vector<Backup>> List(const RequestContext& ctx, const ListQuery& query);
  Result<Backup> Update(const RequestContext& ctx, const std::string& id,
                        const BackupUpdate& update);
  // available or error; failed_precondition while an incremental depends on it. `force`
  // (admin only) also deletes error_deleting backups and cancels a backup being created.
  Result<Backup> Delete(const RequestContext& ctx, const std::string& id, bool force = false);
  // Onto an existing available volume at least the backup's size, or onto a new volume of the
  // backup's size (the call then waits until that volume exists, and returns with it
  // restoring-backup).
  Result<BackupRestoreResult> Restore(const RequestContext& ctx, const std::string& id,
                                      const BackupRestoreRequest& request);
  // Admin only: to available or error (a backup being created only to error). Moving a backup
  // away from creating or restoring stops that job.
  Result<Backup> ResetStatus(const RequestContext& ctx, const std::string& id, BackupStatus status);
  // Admin only. The record of an available backup, for ImportBackupRecord on another engine
  // that reads the same target.
  Result<BackupRecord> ExportRecord(const RequestContext& ctx, const std::string& id);
  // Admin only. The backup is created in the caller's project, `creating`, and becomes
  // available once its manifest is found on this engine's target (error otherwise).
  // already_exists when a backup with its id exists.
  Result<Backup> ImportRecord(const RequestContext& ctx, const BackupRecord& record);
  // Reads every object of an available backup and checks it against its hash, writing
  // nothing: OK, or data_loss naming the first damaged or missing chunk and its offset.
  Status Verify(const RequestContext& ctx, const std::string& id,
                std::chrono::milliseconds timeout = std::chrono::hours(1));

 private:
  internal::ServiceCore& core_;
  VolumeService& volumes_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_BACKUP_SERVICE_HPP
