// The capacity ledger of a shared store.
#include "lib/scheduler/capacity_ledger.hpp"

namespace blockstore::internal {
namespace {

class StoreLedger final : public CapacityLedger {
 public:
  explicit StoreLedger(Store& store) : store_(store) {}

  Result<CapacityHoldOutcome> Hold(const CapacityHold& hold, int64_t seen_seq, TimePoint counted_since,
                                   TimePoint expired_before,
                                   const std::function<bool(const std::vector<CapacityHold>&)>& fits) override {
    return store_.capacity().Hold(hold, seen_seq, counted_since, expired_before, fits);
  }

  void Release(const std::string& key) override { (void)store_.capacity().Release(key); }

 private:
  Store& store_;
};

}  // namespace

std::unique_ptr<CapacityLedger> NewStoreLedger(Store& store) { return std::make_unique<StoreLedger>(store); }

}  // namespace blockstore::internal
