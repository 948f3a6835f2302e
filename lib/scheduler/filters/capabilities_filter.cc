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
    if (r.requirements.empty()) return true;
    // Without a reason wanted, a cached outcome for these requirements on this version of the
    // pool answers at once.
    const uint64_t key = (r.requirements_signature * 0x9E3779B97F4A7C15ULL ^ pool.caps_version) & ~1ULL;
    if (!why) {
      const uint64_t cached = pool.spec_outcome.load(std::memory_order_relaxed);
      if ((cached & ~1ULL) == key && key != 0) return (cached & 1) != 0;
    }
    for (const SpecRequirement& req : r.requirements) {
      const boost::json::value* cap = FindCapability(pool.caps, req.path);
      if (SpecMatches(req, cap)) continue;
      pool.spec_outcome.store(key, std::memory_order_relaxed);
      if (why) {
        *why = cap ? "capability " + req.key + " is " + CapabilityText(*cap) + ", the type wants '" +
                         req.value + "'"
                   : "does not report capability " + req.key + " (the type wants '" + req.value +
                         "')";
      }
      return false;
    }
    pool.spec_outcome.store(key | 1, std::memory_order_relaxed);
    return true;
  }
};

}  // namespace

std::unique_ptr<Filter> NewCapabilitiesFilter() { return std::make_unique<CapabilitiesFilter>(); }

}  // namespace blockstore::internal
