// Internal: Cinder's capacity arithmetic (reference §2.4), shared by CapacityFilter and
// CapacityWeigher, with two fixes: the over-subscription ratio is applied once (Cinder
// compares provisioned/(total·ratio) against the ratio again), and a thick pool's free space
// is net of the reserved percentage (Cinder uses the raw free space). Reserved 100 % means no
// usable space, never a division by zero.
#ifndef BLOCKSTORE_LIB_SCHEDULER_CAPACITY_HPP
#define BLOCKSTORE_LIB_SCHEDULER_CAPACITY_HPP

#include <string>

#include "blockstore/driver.hpp"

namespace blockstore::internal {

struct CapacityView {
  bool free_unbounded = false;   // free is infinite or unknown
  bool total_unbounded = false;  // total is infinite or unknown
  bool thin = false;             // thin arithmetic applies (thin requested and supported)
  double total = 0;
  double free = 0;
  double reserved = 0;     // floor(total × reserved% / 100)
  double usable = 0;       // total − reserved
  double provisioned = 0;
  double ratio = 1;        // the max over-subscription ratio in force
  double virtual_free = 0;
};

// `thin_requested`: the type's provisioning:type is not thick.
CapacityView ComputeCapacity(const PoolStats& s, bool thin_requested, double default_ratio);

// The ratio a pool's setting means: a number, "auto" (from its own figures), or the default.
double OverSubscriptionRatio(const PoolStats& s, double default_ratio);

// Cinder rounds capacity figures to two decimals.
double Round2(double v);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_SCHEDULER_CAPACITY_HPP
