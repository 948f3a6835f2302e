// Internal: a pool as the filters and weighers read it, and a request prepared for them.
//
// A PoolEntry keeps what its backend reported, the reservations placed since, and derived
// views computed once per report rather than once per request: the effective stats, the
// capabilities as a typed JSON object (what extra specs and JSON queries read) and the
// compiled filter/goodness functions.
#ifndef BLOCKSTORE_LIB_SCHEDULER_POOL_ENTRY_HPP
#define BLOCKSTORE_LIB_SCHEDULER_POOL_ENTRY_HPP

#include <boost/json.hpp>
#include <atomic>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "blockstore/scheduler.hpp"
#include "lib/scheduler/capacity.hpp"
#include "lib/scheduler/evaluator/expression.hpp"
#include "lib/scheduler/extra_spec.hpp"

namespace blockstore::internal {

struct Reservation {
  std::string key;  // ReservationKey of the placement
  double gb = 0;
  TimePoint placed_at{};
};

struct PoolEntry {
  PoolState state;       // effective: the report plus the reservations
  PoolStats reported;    // as the backend reported it
  uint64_t reported_volumes = 0;
  TimePoint taken_at{};  // when the backend took its last report: holds since are not in it
  int64_t ledger_seq = 0;  // the last of the pool's holds in the ledger this view has seen
  boost::json::object caps;
  std::shared_ptr<const eval::Expression> filter_function;
  std::shared_ptr<const eval::Expression> goodness_function;
  std::string filter_function_error;    // why the reported function does not compile
  std::string goodness_function_error;
  std::vector<Reservation> reservations;
  double default_ratio = 20.0;  // the scheduler's ratio for pools that report none
  // The capacity arithmetic of the effective stats, for thin and for thick requests: computed
  // once per change, read by every request.
  CapacityView thin_view;
  CapacityView thick_view;

  // Bumped whenever caps change: it keys the cached outcome below.
  uint64_t caps_version = 0;
  // The outcome of the last set of capability requirements checked against this pool: a key
  // mixing the requirements' signature with caps_version, its low bit the result. Requests of
  // the same type then need not look capabilities up again until the pool changes. Atomic, as
  // concurrent explanations read and write it under a shared lock.
  mutable std::atomic<uint64_t> spec_outcome{0};

  const CapacityView& View(bool thin_requested) const {
    return thin_requested ? thin_view : thick_view;
  }
  // Rebuilds state.stats, state.volume_count, state.reserved_gb, the capacity views and the
  // capacity numbers in caps from `reported` and `reservations`.
  void Recompute();
  // Builds everything from a fresh report.
  void Load(const std::string& backend, const std::string& zone, const BackendStats& backend_stats,
            const PoolStats& pool, TimePoint at);
};

// A request with everything the filters need parsed once.
struct PreparedRequest {
  const RequestSpec* spec = nullptr;
  double requested_gb = 0;  // size, or the growth of an extend
  bool thin = true;         // provisioning:type is not thick
  std::vector<SpecRequirement> requirements;  // the type's capability extra specs
  std::vector<std::string> zones;             // acceptable zones; empty: any
  std::optional<boost::json::value> query;    // the JsonFilter hint, parsed
  std::set<std::string> same_backends;        // backends of the same_host volumes
  std::set<std::string> different_backends;
  std::set<std::string> attempted_backends;
  std::string hint_error;                     // a hint volume could not be located
  uint64_t requirements_signature = 0;  // of `requirements`; never 0 when there are any
  uint64_t seed = 0;  // for ChanceWeigher: mixed with the pool name, so weights are stable per request
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_SCHEDULER_POOL_ENTRY_HPP
