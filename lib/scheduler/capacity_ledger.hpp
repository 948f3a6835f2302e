// Internal: where schedulers that share backends agree their placements.
//
// One scheduler alone keeps its reservations in memory; several (in several processes, on
// one shared store) must not each place the last free space of a pool on their own stale
// view. Before a placement is final the scheduler holds the capacity in the ledger, which
// hands it every scheduler's holds on the pool to check the request against — atomically,
// so of two schedulers racing for the same space exactly one gets it.
#ifndef BLOCKSTORE_LIB_SCHEDULER_CAPACITY_LEDGER_HPP
#define BLOCKSTORE_LIB_SCHEDULER_CAPACITY_LEDGER_HPP

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "blockstore/scheduler.hpp"
#include "blockstore/store.hpp"

namespace blockstore::internal {

class CapacityLedger {
 public:
  virtual ~CapacityLedger() = default;
  // Records `hold` if `fits(the pool's holds after seen_seq, placed at or after
  // counted_since)`; holds placed before `expired_before` no longer count. See
  // Store::HoldCapacity.
  virtual Result<CapacityHoldOutcome> Hold(const CapacityHold& hold, int64_t seen_seq, TimePoint counted_since,
                                           TimePoint expired_before,
                                           const std::function<bool(const std::vector<CapacityHold>&)>& fits) = 0;
  // Best effort: a hold that could not be dropped expires.
  virtual void Release(const std::string& key) = 0;
};

// The ledger of a shared store: its capacity holds.
std::unique_ptr<CapacityLedger> NewStoreLedger(Store& store);

// The filter scheduler agreeing its placements through `ledger` (none: in memory only).
Result<std::unique_ptr<Scheduler>> NewFilterScheduler(SchedulerOptions options,
                                                      std::unique_ptr<CapacityLedger> ledger);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_SCHEDULER_CAPACITY_LEDGER_HPP
