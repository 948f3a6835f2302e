// Internal: the scheduler role. Serves the "scheduler" topic: backend stats reports and
// create_volume placement, then hands the volume to its backend's manager.
#ifndef BLOCKSTORE_LIB_SCHEDULER_SCHEDULER_SERVICE_HPP
#define BLOCKSTORE_LIB_SCHEDULER_SCHEDULER_SERVICE_HPP

#include <memory>

#include "blockstore/scheduler.hpp"
#include "blockstore/store.hpp"
#include "blockstore/transport.hpp"
#include "lib/core/notifier.hpp"

namespace blockstore::internal {

class SchedulerService {
 public:
  SchedulerService(Store& store, Transport& transport, std::unique_ptr<Scheduler> scheduler,
                   Notifier notifier);
  // Fails volumes that a crash left `creating` before placement, then listens. One worker, so
  // stats reports and placements are handled in the order they were sent.
  Status Start();
  Scheduler& scheduler() { return *scheduler_; }
  int recovered() const { return recovered_; }

 private:
  Result<std::string> Handle(const std::string& text);
  void CreateVolume(const std::string& id, const std::string& request_id);
  void Fail(const Volume& v, const Status& why);

  Store& store_;
  Transport& transport_;
  std::unique_ptr<Scheduler> scheduler_;
  Notifier notifier_;
  int recovered_ = 0;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_SCHEDULER_SCHEDULER_SERVICE_HPP
