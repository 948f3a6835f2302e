// blockstore — SnapshotService, snapshots of volumes: create, show, list, update, delete, status
// resets.
//
// Part of the api role, over the services' shared core (context and policy, quota, loaders):
// see docs/architecture.md. Mutating calls return at once with the record in its transitional
// status, as Cinder does; completion is an Event, or Engine's WaitFor… calls. Bad input gets
// invalid_argument and changes nothing; ids must be UUIDs; another project's resources are
// not_found, never forbidden, so ids do not leak.
//
// Thread-safety: every method may be called from any thread concurrently.
#ifndef BLOCKSTORE_SNAPSHOT_SERVICE_HPP
#define BLOCKSTORE_SNAPSHOT_SERVICE_HPP

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "blockstore/context.hpp"
#include "blockstore/export.h"
#include "blockstore/requests.hpp"
#include "blockstore/result.hpp"
#include "blockstore/types.hpp"

namespace blockstore {

namespace internal {
class ServiceCore;
}  // namespace internal

class BS_API SnapshotService {
 public:
  explicit SnapshotService(internal::ServiceCore& core);
  SnapshotService(const SnapshotService&) = delete;
  SnapshotService& operator=(const SnapshotService&) = delete;

  Result<Snapshot> Create(const RequestContext& ctx, const SnapshotCreateRequest& request);
  Result<Snapshot> Get(const RequestContext& ctx, const std::string& id);
  Result<std::vector<Snapshot>> List(const RequestContext& ctx, const ListQuery& query);
  Result<Snapshot> Update(const RequestContext& ctx, const std::string& id,
                          const SnapshotUpdate& update);
  // `force` (admin only) also deletes snapshots in error_deleting.
  Result<Snapshot> Delete(const RequestContext& ctx, const std::string& id, bool force = false);
  Result<Snapshot> ResetStatus(const RequestContext& ctx, const std::string& id,
                               SnapshotStatus status);

 private:
  internal::ServiceCore& core_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_SNAPSHOT_SERVICE_HPP
