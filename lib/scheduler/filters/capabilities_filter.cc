// CapabilitiesFilter: every capability extra spec of the type matches what the pool reports
// (reference §2.5), and an attached volume is extended only where online extend is supported.
#include "lib/scheduler/filter.hpp"

namespace blockstore::internal {
namespace {

class CapabilitiesFilter final : public Filter {
 public:
  bool Passes(const PoolEntry& pool, const PreparedRequest& r, std::string* why) const override {
    if (r.spec->operation == RequestSpec::Operation::kExtend && r.spec->attached &&
        !pool.state.stats.online_extend_support) {
      if (why) *why = "cannot extend an attached volume (online_extend_support is False)";
      return false;
    }
    for (const SpecRequirement& req : r.requirements) {
      const boost::json::value* cap = FindCapability(pool.caps, req.path);
      if (SpecMatches(req, cap)) continue;
      if (why) {
        *why = cap ? "capability " + req.key + " is " + CapabilityText(*cap) + ", the type wants '" +
                         req.value + "'"
                   : "does not report capability " + req.key + " (the type wants '" + req.value +
                         "')";
      }
      return false;
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<Filter> NewCapabilitiesFilter() { return std::make_unique<CapabilitiesFilter>(); }

}  // namespace blockstore::internal
