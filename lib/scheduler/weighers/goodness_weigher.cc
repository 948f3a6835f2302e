// GoodnessWeigher: the pool's goodness_function, 0..100 (true is 100, false 0). A pool without
// one, or whose function fails or leaves the range, weighs 0; the best protocol spelling
// counts.
#include <algorithm>

#include "lib/scheduler/filter.hpp"
#include "lib/scheduler/function_vars.hpp"

namespace blockstore::internal {
namespace {

class GoodnessWeigher final : public Weigher {
 public:
  void Weigh(std::span<const PoolEntry* const> pools, const PreparedRequest& r, double,
             std::span<double> out) const override {
    for (std::size_t i = 0; i < pools.size(); ++i) {
      out[i] = 0;
      if (!pools[i]->goodness_function) continue;
      for (const auto& v : EvaluatePoolFunction(*pools[i]->goodness_function, *pools[i], r)) {
        if (!v.ok()) continue;
        double g = -1;
        if (v->kind == eval::Value::Kind::kBool) g = v->number != 0 ? 100 : 0;
        else if (v->kind == eval::Value::Kind::kNumber) g = v->number;
        if (g >= 0 && g <= 100) out[i] = std::max(out[i], g);
      }
    }
  }
};

}  // namespace

std::unique_ptr<Weigher> NewGoodnessWeigher() { return std::make_unique<GoodnessWeigher>(); }

}  // namespace blockstore::internal
