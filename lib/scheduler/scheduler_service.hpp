// Internal: the scheduler role. Serves the "scheduler" topic: backend stats reports, placement
// of new volumes (and their reschedules), the capacity check of extends and snapshots, and
// explanations; then hands the work to the backend's volume manager.
#ifndef BLOCKSTORE_LIB_SCHEDULER_SCHEDULER_SERVICE_HPP
#define BLOCKSTORE_LIB_SCHEDULER_SCHEDULER_SERVICE_HPP

#include <memory>

#include "blockstore/scheduler.hpp"
#include "blockstore/store.hpp"
#include "blockstore/transport.hpp"
#include "lib/events/notifier.hpp"
#include "lib/scheduler/scheduler_rpc.hpp"

namespace blockstore::internal {

class SchedulerService final : SchedulerHandler {
 public:
  SchedulerService(Store& store, Transport& transport, std::unique_ptr<Scheduler> scheduler,
                   Notifier notifier, int max_attempts);
  // Fails the volumes a crash left `creating` before placement that `stranded` says nobody
  // else will place (on a shared store another scheduler may be placing them), then listens.
  // One worker, so stats reports and placements are handled in the order they were sent.
  Status Start(const std::function<bool(const Volume&)>& stranded);
  Scheduler& scheduler() { return *scheduler_; }
  int recovered() const { return recovered_; }

 private:
  // ---- the scheduler API (scheduler_rpc.hpp) ----
  void CreateVolume(const std::string& id, RequestSpec spec, const std::string& request_id) override;
  void ExtendVolume(const std::string& id, RequestSpec spec, const std::string& request_id) override;
  void CreateSnapshot(const std::string& id, RequestSpec spec, const std::string& request_id) override;
  void UpdateStats(const StatsReport& report) override;
  void Freed(const std::string& pool, const std::string& volume_id, double size_gb) override;
  void Release(const std::string& reservation) override;
  Result<PlacementExplanation> Explain(const RequestSpec& spec) override;
  std::vector<PoolState> Pools() override;

  Store& store_;
  Transport& transport_;
  rpc::Dispatcher dispatcher_;
  std::unique_ptr<Scheduler> scheduler_;
  Notifier notifier_;
  int max_attempts_;
  int recovered_ = 0;
};

// "attempt 1 on h@a: …; attempt 2 on h@b: …"
std::string DescribeAttempts(const RequestSpec& spec);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_SCHEDULER_SCHEDULER_SERVICE_HPP
