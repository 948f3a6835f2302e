// DriverFilter: the pool's filter_function, when it reports one, holds for the request. A
// function that does not compile or fails to evaluate fails the pool, with the reason.
#include "lib/scheduler/filter.hpp"
#include "lib/scheduler/function_vars.hpp"

namespace blockstore::internal {
namespace {

class DriverFilter final : public Filter {
 public:
  bool Passes(const PoolEntry& pool, const PreparedRequest& r, std::string* why) const override {
    if (!pool.filter_function_error.empty()) {
      if (why) *why = "filter_function does not parse: " + pool.filter_function_error;
      return false;
    }
    if (!pool.filter_function) return true;
    std::string last_error;
    for (const auto& result : EvaluatePoolFunction(*pool.filter_function, pool, r)) {
      if (!result.ok()) {
        last_error = result.status().message();
        continue;
      }
      if (result->Truthy()) return true;
    }
    if (why) {
      *why = last_error.empty()
                 ? "filter_function '" + pool.filter_function->text() + "' is false"
                 : "filter_function '" + pool.filter_function->text() + "' failed: " + last_error;
    }
    return false;
  }
};

}  // namespace

std::unique_ptr<Filter> NewDriverFilter() { return std::make_unique<DriverFilter>(); }

}  // namespace blockstore::internal
