// Internal: the scheduler role. Serves the "scheduler" topic: backend stats reports, placement
// of new volumes (and their reschedules), the capacity check of extends and snapshots, and
// explanations; then hands the work to the backend's volume manager.
#ifndef BLOCKSTORE_LIB_SCHEDULER_SCHEDULER_SERVICE_HPP
#define BLOCKSTORE_LIB_SCHEDULER_SCHEDULER_SERVICE_HPP

#include <memory>

#include "blockstore/scheduler.hpp"
#include "blockstore/store.hpp"
#include "blockstore/transport.hpp"
#include "lib/core/messages.hpp"
#include "lib/core/notifier.hpp"

namespace blockstore::internal {

class SchedulerService {
 public:
  SchedulerService(Store& store, Transport& transport, std::unique_ptr<Scheduler> scheduler,
                   Notifier notifier, int max_attempts);
  // Fails volumes that a crash left `creating` before placement, then listens. One worker, so
  // stats reports and placements are handled in the order they were sent.
  Status Start();
  Scheduler& scheduler() { return *scheduler_; }
  int recovered() const { return recovered_; }

 private:
  Result<std::string> Handle(const std::string& text);
  void CreateVolume(const Message& m);
  void ExtendVolume(const Message& m);
  void CreateSnapshot(const Message& m);
  void Fail(const Volume& v, const Status& why);

  Store& store_;
  Transport& transport_;
  std::unique_ptr<Scheduler> scheduler_;
  Notifier notifier_;
  int max_attempts_;
  int recovered_ = 0;
};

// "attempt 1 on h@a: …; attempt 2 on h@b: …"
std::string DescribeAttempts(const RequestSpec& spec);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_SCHEDULER_SCHEDULER_SERVICE_HPP
