#include "lib/scheduler/capacity.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace blockstore::internal {

double Round2(double v) { return std::round(v * 100.0) / 100.0; }

double OverSubscriptionRatio(const PoolStats& s, double default_ratio) {
  using K = Capacity::Kind;
  if (!s.thin_provisioning_support || s.total_capacity_gb.kind != K::kNumber ||
      s.free_capacity_gb.kind != K::kNumber) {
    return 1.0;
  }
  const std::string& r = s.max_over_subscription_ratio;
  if (r == "auto") {
    if (s.provisioned_capacity_gb <= 0) return 20.0;
    const double used = s.total_capacity_gb.gb - s.free_capacity_gb.gb;
    return Round2(1.0 + s.provisioned_capacity_gb / (std::max(0.0, used) + 1.0));
  }
  if (r.empty()) return default_ratio;
  char* end = nullptr;
  const double v = std::strtod(r.c_str(), &end);
  if (end == r.c_str() || *end != '\0' || !std::isfinite(v)) return default_ratio;
  return v;
}

CapacityView ComputeCapacity(const PoolStats& s, bool thin_requested, double default_ratio) {
  using K = Capacity::Kind;
  CapacityView c;
  c.free_unbounded = s.free_capacity_gb.kind != K::kNumber;
  c.total_unbounded = s.total_capacity_gb.kind != K::kNumber;
  c.total = c.total_unbounded ? 0 : s.total_capacity_gb.gb;
  c.free = c.free_unbounded ? 0 : s.free_capacity_gb.gb;
  c.provisioned = s.provisioned_capacity_gb;
  const int pct = std::clamp(s.reserved_percentage, 0, 100);
  // Whole gigabytes are reserved, as Cinder does; all of the pool when all of it is (the floor
  // would leave a fraction of a gigabyte, multiplied by the over-subscription ratio, usable).
  c.reserved = pct == 100 ? c.total : std::floor(c.total * pct / 100.0);
  c.usable = Round2(c.total - c.reserved);
  c.thin = thin_requested && s.thin_provisioning_support;
  c.ratio = c.thin ? OverSubscriptionRatio(s, default_ratio) : 1.0;
  if (c.thin) {
    c.virtual_free = Round2(c.usable * c.ratio - c.provisioned);
  } else {
    c.virtual_free = Round2(std::min(c.free - c.reserved, c.usable - c.provisioned));
  }
  return c;
}

}  // namespace blockstore::internal
