// ChanceWeigher: a random weight in [0, 1), drawn per pool per request (from the scheduler's
// seed when one is configured, so tests are repeatable).
#include <functional>

#include "lib/scheduler/filter.hpp"

namespace blockstore::internal {
namespace {

class ChanceWeigher final : public Weigher {
 public:
  void Weigh(std::span<const PoolEntry* const> pools, const PreparedRequest& r, double,
             std::span<double> out) const override {
    for (std::size_t i = 0; i < pools.size(); ++i) {
      std::mt19937_64 rng(r.seed ^ std::hash<std::string>{}(pools[i]->state.name));
      out[i] = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    }
  }
};

}  // namespace

std::unique_ptr<Weigher> NewChanceWeigher() { return std::make_unique<ChanceWeigher>(); }

}  // namespace blockstore::internal
