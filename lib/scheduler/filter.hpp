// Internal: what a filter and a weigher are to the scheduler.
//
// Both are immutable after construction and called concurrently for different requests.
#ifndef BLOCKSTORE_LIB_SCHEDULER_FILTER_HPP
#define BLOCKSTORE_LIB_SCHEDULER_FILTER_HPP

#include <memory>
#include <span>
#include <string>

#include "lib/scheduler/pool_entry.hpp"

namespace blockstore::internal {

class Filter {
 public:
  virtual ~Filter() = default;
  // When the pool fails and `why` is non-null, a few words on why.
  virtual bool Passes(const PoolEntry& pool, const PreparedRequest& request,
                      std::string* why) const = 0;
};

class Weigher {
 public:
  virtual ~Weigher() = default;
  // Raw weights, one per pool, into `out`. `multiplier` is the configured one (some weighers'
  // raw weights depend on its sign, as in Cinder).
  virtual void Weigh(std::span<const PoolEntry* const> pools, const PreparedRequest& request,
                     double multiplier, std::span<double> out) const = 0;
};

// The built-ins, one per file under filters/ and weighers/.
std::unique_ptr<Filter> NewAvailabilityZoneFilter();
std::unique_ptr<Filter> NewCapacityFilter();
std::unique_ptr<Filter> NewCapabilitiesFilter();
std::unique_ptr<Filter> NewJsonFilter();
std::unique_ptr<Filter> NewDriverFilter();
std::unique_ptr<Filter> NewSameBackendFilter();
std::unique_ptr<Filter> NewDifferentBackendFilter();
std::unique_ptr<Filter> NewIgnoreAttemptedHostsFilter();
std::unique_ptr<Weigher> NewCapacityWeigher();
std::unique_ptr<Weigher> NewAllocatedCapacityWeigher();
std::unique_ptr<Weigher> NewVolumeNumberWeigher();
std::unique_ptr<Weigher> NewGoodnessWeigher();
std::unique_ptr<Weigher> NewChanceWeigher();

// Host filters and weighers behind the internal interfaces.
std::unique_ptr<Filter> AdaptFilter(std::shared_ptr<const BackendFilter> f);
std::unique_ptr<Weigher> AdaptWeigher(std::shared_ptr<const BackendWeigher> w);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_SCHEDULER_FILTER_HPP
