// AllocatedCapacityWeigher: the GB allocated on the pool (default multiplier −1.0: the least
// allocated pool wins).
#include "lib/scheduler/filter.hpp"

namespace blockstore::internal {
namespace {

class AllocatedCapacityWeigher final : public Weigher {
 public:
  void Weigh(std::span<const PoolEntry* const> pools, const PreparedRequest&, double,
             std::span<double> out) const override {
    for (std::size_t i = 0; i < pools.size(); ++i) {
      out[i] = pools[i]->state.stats.allocated_capacity_gb;
    }
  }
};

}  // namespace

std::unique_ptr<Weigher> NewAllocatedCapacityWeigher() {
  return std::make_unique<AllocatedCapacityWeigher>();
}

}  // namespace blockstore::internal
