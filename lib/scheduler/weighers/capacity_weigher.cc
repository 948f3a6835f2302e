// CapacityWeigher: the pool's virtual free capacity (thin or thick by the type's
// provisioning:type). Pools with infinite or unknown capacity weigh least, as in Cinder: −1
// with a positive multiplier; with a negative one, more than any finite pool.
#include <algorithm>
#include <cmath>

#include "lib/scheduler/capacity.hpp"
#include "lib/scheduler/filter.hpp"

namespace blockstore::internal {
namespace {

class CapacityWeigher final : public Weigher {
 public:
  void Weigh(std::span<const PoolEntry* const> pools, const PreparedRequest& r, double multiplier,
             std::span<double> out) const override {
    double lo = INFINITY, hi = -INFINITY;
    bool any_unbounded = false;
    for (std::size_t i = 0; i < pools.size(); ++i) {
      const CapacityView& c = pools[i]->View(r.thin);
      if (c.free_unbounded || c.total_unbounded) {
        any_unbounded = true;
        out[i] = multiplier > 0 ? -1.0 : INFINITY;
        continue;
      }
      out[i] = c.virtual_free;
      lo = std::min(lo, out[i]);
      hi = std::max(hi, out[i]);
    }
    if (!any_unbounded || multiplier > 0) return;
    const double big = std::isfinite(hi) ? hi + (hi - lo) * 100 + 1 : 10000;
    for (double& w : out) {
      if (std::isinf(w)) w = big;
    }
  }
};

}  // namespace

std::unique_ptr<Weigher> NewCapacityWeigher() { return std::make_unique<CapacityWeigher>(); }

}  // namespace blockstore::internal
