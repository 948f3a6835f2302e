// AvailabilityZoneFilter: the pool's zone is one the request accepts (the zone it names, or the
// type's RESKEY:availability_zones); a request naming none accepts any.
#include <algorithm>

#include "lib/scheduler/filter.hpp"

namespace blockstore::internal {
namespace {

class AvailabilityZoneFilter final : public Filter {
 public:
  bool Passes(const PoolEntry& pool, const PreparedRequest& r, std::string* why) const override {
    if (r.zones.empty()) return true;
    if (std::find(r.zones.begin(), r.zones.end(), pool.state.availability_zone) != r.zones.end()) {
      return true;
    }
    if (why) {
      *why = "zone '" + pool.state.availability_zone + "' is not " +
             (r.zones.size() == 1 ? "'" + r.zones[0] + "'" : "among the requested zones");
    }
    return false;
  }
};

}  // namespace

std::unique_ptr<Filter> NewAvailabilityZoneFilter() {
  return std::make_unique<AvailabilityZoneFilter>();
}

}  // namespace blockstore::internal
