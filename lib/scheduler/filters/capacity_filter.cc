// CapacityFilter: the pool has room for the request (reference §2.4, with the fixes described
// in capacity.hpp).
#include <cstdio>

#include "lib/scheduler/capacity.hpp"
#include "lib/scheduler/filter.hpp"

namespace blockstore::internal {
namespace {

std::string Gb(double v) {
  char buf[48];
  if (v == static_cast<double>(static_cast<long long>(v))) {
    std::snprintf(buf, sizeof buf, "%lld GB", static_cast<long long>(v));
  } else {
    std::snprintf(buf, sizeof buf, "%.2f GB", v);
  }
  return buf;
}

class CapacityFilter final : public Filter {
 public:
  bool Passes(const PoolEntry& pool, const PreparedRequest& r, std::string* why) const override {
    const double want = r.requested_gb;
    if (want <= 0) return true;
    if (!r.spec->vol_exists_on.empty() && r.spec->vol_exists_on == pool.state.name &&
        r.spec->operation == RequestSpec::Operation::kCreate) {
      return true;  // Cinder's shortcut for a volume already on the pool (manage/retype)
    }
    const PoolStats& s = pool.state.stats;
    const CapacityView& c = pool.View(r.thin);
    if (c.free_unbounded) return true;
    if (c.total_unbounded) {
      if (s.reserved_percentage == 0) return true;
      if (why) *why = "total capacity is unknown, so a reserved percentage cannot be kept";
      return false;
    }
    if (c.total <= 0) {
      if (why) *why = "reports no total capacity";
      return false;
    }
    if (c.thin && c.ratio < 1) {
      if (why) *why = "over-subscription ratio below 1";
      return false;
    }
    if (c.virtual_free >= want) return true;
    if (why) {
      *why = "needs " + Gb(want) + ", " + Gb(std::max(0.0, c.virtual_free)) + " free";
      if (c.thin) {
        char ratio[32];
        std::snprintf(ratio, sizeof ratio, "%g", c.ratio);
        *why += " (thin: " + Gb(c.usable) + " usable × ratio " + ratio + " − " +
                Gb(c.provisioned) + " provisioned)";
      }
    }
    return false;
  }
};

}  // namespace

std::unique_ptr<Filter> NewCapacityFilter() { return std::make_unique<CapacityFilter>(); }

}  // namespace blockstore::internal
