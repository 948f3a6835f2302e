// blockstore — VolumeService, volumes: create (blank, from a snapshot, as a clone), show, list,
// update, delete, extend, the read-only flag, status resets and placement explanations.
//
// Part of the api role, over the services' shared core (context and policy, quota, loaders):
// see docs/architecture.md. Mutating calls return at once with the record in its transitional
// status, as Cinder does; completion is an Event, or Engine's WaitFor… calls. Bad input gets
// invalid_argument and changes nothing; ids must be UUIDs; another project's resources are
// not_found, never forbidden, so ids do not leak.
//
// Thread-safety: every method may be called from any thread concurrently.
#ifndef BLOCKSTORE_VOLUME_SERVICE_HPP
#define BLOCKSTORE_VOLUME_SERVICE_HPP

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "blockstore/context.hpp"
#include "blockstore/export.h"
#include "blockstore/requests.hpp"
#include "blockstore/result.hpp"
#include "blockstore/scheduler.hpp"
#include "blockstore/types.hpp"

namespace blockstore {

namespace internal {
class ServiceCore;
}  // namespace internal

// An admin's reset of what a stuck operation left behind; unset fields stay as they are.
struct VolumeStatusReset {
  std::optional<VolumeStatus> status;
  // Cinder's migration statuses (migrating, error, success, completing, starting), or "none"
  // (also "") to clear it.
  std::optional<std::string> migration_status;
};

struct DeleteOptions {
  bool cascade = false;  // delete the volume's snapshots too
  bool force = false;    // admin only: delete from any detached, non-deleting status
};

class BS_API VolumeService {
 public:
  explicit VolumeService(internal::ServiceCore& core);
  VolumeService(const VolumeService&) = delete;
  VolumeService& operator=(const VolumeService&) = delete;

  // invalid_argument, not_found (type, snapshot, source volume), failed_precondition (source
  // status), resource_exhausted (quota), unavailable (no scheduler listening).
  Result<Volume> Create(const RequestContext& ctx, const VolumeCreateRequest& request);
  Result<Volume> Get(const RequestContext& ctx, const std::string& id);
  Result<std::vector<Volume>> List(const RequestContext& ctx, const ListQuery& query);
  Result<Volume> Update(const RequestContext& ctx, const std::string& id,
                        const VolumeUpdate& update);
  // failed_precondition: wrong status, attached, or has snapshots without cascade.
  Result<Volume> Delete(const RequestContext& ctx, const std::string& id,
                        const DeleteOptions& options = {});
  // invalid_argument unless new_size_gb > size; resource_exhausted over quota.
  Result<Volume> Extend(const RequestContext& ctx, const std::string& id, int64_t new_size_gb);
  // Rolls an available volume back to its latest snapshot (available, of the volume's present
  // size), in place, as Cinder's revert (3.40): the volume goes `reverting` and the snapshot
  // `restoring` until the driver is done; then both `available`, or the volume `error` when
  // the driver failed after changing it. failed_precondition for another status or an older
  // snapshot; invalid_argument for a snapshot of another volume or of another size. A driver
  // without a revert of its own gets the snapshot's data copied onto the volume through its
  // block devices; one that cannot open snapshots either leaves the volume available, as it was
  // (the event volume.revert.error says why).
  Result<Volume> RevertToSnapshot(const RequestContext& ctx, const std::string& id,
                                  const std::string& snapshot_id);
  // Admin only. Moves an available volume to another backend (Cinder's os-migrate_volume):
  // `host` is host@backend#pool, or host@backend for its first pool. The volume is
  // `maintenance` while it moves (always: a copy of a volume being written would not be one),
  // its migration_status starting → migrating → success, or error with the volume back where
  // it was. The source driver moves it by its own means when it can (MigrateVolume), unless
  // `force_host_copy`; otherwise the destination makes a blank volume of the same id, the
  // source copies what it holds (allocated ranges only) through the destination's connection,
  // and the record moves to the destination in one compare-and-set before the source's copy
  // is deleted. A migration a restart interrupted runs again. Codes: permission_denied (not
  // admin), failed_precondition (not available; has snapshots; migrating already),
  // invalid_argument (the volume's own backend; no such pool).
  Result<Volume> Migrate(const RequestContext& ctx, const std::string& id, const std::string& host,
                         bool force_host_copy = false);
  // Changes the volume's type (Cinder's os-retype). In place when the volume's pool passes the
  // scheduler's filters for the new type (status `retyping` while its driver changes what it
  // must); otherwise, with migration_policy "on-demand", a migration to the best pool for the
  // type, the type changing with the record's move (Migrate's statuses); with "never", 400
  // naming each filter's reason. The per-type quota (volumes_<type>, gigabytes_<type>) moves in
  // the same transaction as the type; the project's totals stay. Codes: invalid_argument (the
  // same type; a bad policy; no backend takes it), not_found (no such type the caller may use),
  // failed_precondition (not available or in-use; in-use or with snapshots when it must
  // migrate), resource_exhausted (the new type's quota).
  Result<Volume> Retype(const RequestContext& ctx, const std::string& id, const std::string& new_type,
                        const std::string& migration_policy = "never");
  // An available volume becomes read-only (or read-write again): from then on it is only
  // connected "ro", and a legacy attach asking for rw is refused.
  Result<Volume> SetReadonly(const RequestContext& ctx, const std::string& id, bool readonly);
  // Admin only. Refuses the statuses a restart would act on (creating, deleting, extending).
  Result<Volume> ResetStatus(const RequestContext& ctx, const std::string& id, VolumeStatus status);
  // The same for either or both fields; invalid_argument when neither is given. (Cinder's
  // attach_status reset is a force-detach: AttachmentService::ForceDetach.)
  Result<Volume> ResetStatus(const RequestContext& ctx, const std::string& id,
                             const VolumeStatusReset& reset);
  // Admin only. How the scheduler would place a volume created with `request` now: each
  // filter's removals with reasons, the weighed ranking and the winner. Nothing is placed or
  // reserved. A request no pool can take is answered (with the trace), not refused.
  Result<PlacementExplanation> ExplainPlacement(const RequestContext& ctx,
                                                const VolumeCreateRequest& request);

 private:
  // available → maintenance, migrating to `dest` (taking type `type_id` there, for a retype),
  // and the source backend told; rolled back if it cannot be.
  Result<Volume> StartMigration(const RequestContext& ctx, const Volume& v, const std::string& dest,
                                const std::string& type_id, bool force_host_copy);

  friend class BackupService;
  // A volume for a restore of `backup_id`: the backup is taken for it (restoring) before the
  // volume is placed, and the volume service that creates it starts the restore.
  Result<Volume> CreateForRestore(const RequestContext& ctx, const VolumeCreateRequest& request,
                                  const std::string& backup_id);
  Result<Volume> Submit(const RequestContext& ctx, const VolumeCreateRequest& request,
                        const std::string& restore_backup_id);

  internal::ServiceCore& core_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_VOLUME_SERVICE_HPP
