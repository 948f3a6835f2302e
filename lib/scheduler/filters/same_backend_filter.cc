// SameBackendFilter / DifferentBackendFilter: the scheduler hints same_host / different_host
// name volumes; the pool's backend must hold some of them / none of them.
#include "lib/scheduler/filter.hpp"

namespace blockstore::internal {
namespace {

class SameBackendFilter final : public Filter {
 public:
  explicit SameBackendFilter(bool same) : same_(same) {}
  bool Passes(const PoolEntry& pool, const PreparedRequest& r, std::string* why) const override {
    const auto& hint = same_ ? r.spec->same_host : r.spec->different_host;
    if (hint.empty()) return true;
    if (!r.hint_error.empty()) {
      if (why) *why = r.hint_error;
      return false;
    }
    const auto& backends = same_ ? r.same_backends : r.different_backends;
    const bool holds = backends.count(pool.state.backend) > 0;
    if (holds == same_) return true;
    if (why) {
      *why = same_ ? "holds none of the same_host volumes" : "holds a different_host volume";
    }
    return false;
  }

 private:
  bool same_;
};

}  // namespace

std::unique_ptr<Filter> NewSameBackendFilter() { return std::make_unique<SameBackendFilter>(true); }
std::unique_ptr<Filter> NewDifferentBackendFilter() {
  return std::make_unique<SameBackendFilter>(false);
}

}  // namespace blockstore::internal
