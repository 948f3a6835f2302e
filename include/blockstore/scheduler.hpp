// blockstore — Scheduler: which pool a new volume goes to.
//
// The scheduler keeps the latest stats each backend reported and picks a pool for each request.
// Placing a volume consumes its size on the chosen pool at once, so requests that arrive before
// the backend's next report do not all pick the same nearly-full pool.
//
// NewCapacityScheduler is the built-in: keep the pools that match the type's
// `volume_backend_name`, the requested availability zone and have room (thin: total × ratio −
// provisioned; thick: free, both after the reserved percentage), then take the one with the
// most room.
//
// Thread-safety: every method may be called from any thread.
#ifndef BLOCKSTORE_SCHEDULER_HPP
#define BLOCKSTORE_SCHEDULER_HPP

#include <memory>
#include <string>
#include <vector>

#include "blockstore/driver.hpp"
#include "blockstore/export.h"
#include "blockstore/result.hpp"
#include "blockstore/types.hpp"

namespace blockstore {

struct PlacementRequest {
  std::string volume_id;
  uint64_t size_gb = 0;
  VolumeType volume_type;
  std::string availability_zone;  // empty: any
};

// One pool as the scheduler sees it, for listings (get-pools).
struct PoolState {
  std::string name;  // host@backend#pool
  std::string availability_zone;
  PoolStats stats;
  TimePoint updated_at{};
};

class BS_API Scheduler {
 public:
  virtual ~Scheduler();
  // `backend` is "host@backend". Replaces what the backend reported before; pools it no longer
  // reports are dropped.
  virtual void UpdateBackend(const std::string& backend, const std::string& availability_zone,
                             const BackendStats& stats, TimePoint at) = 0;
  virtual void RemoveBackend(const std::string& backend) = 0;
  // The chosen pool ("host@backend#pool"), its capacity already consumed.
  // resource_exhausted with the reason when no pool fits.
  virtual Result<std::string> SelectPool(const PlacementRequest& request) = 0;
  // Gives back capacity consumed for a placement that did not happen.
  virtual void ReleaseCapacity(const std::string& pool, uint64_t size_gb) = 0;
  virtual std::vector<PoolState> Pools() const = 0;
};

BS_API std::unique_ptr<Scheduler> NewCapacityScheduler();

}  // namespace blockstore

#endif  // BLOCKSTORE_SCHEDULER_HPP
