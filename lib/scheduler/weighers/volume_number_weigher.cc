// VolumeNumberWeigher: the number of volumes on the pool (default multiplier −1.0: the pool
// with the fewest wins). Cinder counts them with a database query per pool per request; here
// the volume manager reports the count with its stats and each placement adds one.
#include "lib/scheduler/filter.hpp"

namespace blockstore::internal {
namespace {

class VolumeNumberWeigher final : public Weigher {
 public:
  void Weigh(std::span<const PoolEntry* const> pools, const PreparedRequest&, double,
             std::span<double> out) const override {
    for (std::size_t i = 0; i < pools.size(); ++i) {
      out[i] = static_cast<double>(pools[i]->state.volume_count);
    }
  }
};

}  // namespace

std::unique_ptr<Weigher> NewVolumeNumberWeigher() {
  return std::make_unique<VolumeNumberWeigher>();
}

}  // namespace blockstore::internal
