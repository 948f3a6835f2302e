// IgnoreAttemptedHostsFilter: a rescheduled request never returns to a backend that already
// failed it. (Cinder ships it off by default, so a reschedule may land on the same pool; the
// scheduler here applies it to every reschedule.)
#include "lib/scheduler/filter.hpp"

namespace blockstore::internal {
namespace {

class IgnoreAttemptedHostsFilter final : public Filter {
 public:
  bool Passes(const PoolEntry& pool, const PreparedRequest& r, std::string* why) const override {
    if (!r.attempted_backends.count(pool.state.backend)) return true;
    if (why) *why = "backend " + pool.state.backend + " already failed this request";
    return false;
  }
};

}  // namespace

std::unique_ptr<Filter> NewIgnoreAttemptedHostsFilter() {
  return std::make_unique<IgnoreAttemptedHostsFilter>();
}

}  // namespace blockstore::internal
