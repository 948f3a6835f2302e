// blockstore — Scheduler: which pool a volume goes to, and why.
//
// The scheduler keeps the latest stats each backend reported (pools named host@backend#pool)
// and places requests as Cinder's FilterScheduler does: every filter must pass, the survivors
// are weighed, the heaviest wins. The built-in filters and weighers are Cinder's, by Cinder's
// names (docs/scheduler.md lists them with the places blockstore deliberately differs):
//
//   filters   AvailabilityZoneFilter CapacityFilter CapabilitiesFilter JsonFilter DriverFilter
//             SameBackendFilter DifferentBackendFilter IgnoreAttemptedHostsFilter
//   weighers  CapacityWeigher AllocatedCapacityWeigher VolumeNumberWeigher GoodnessWeigher
//             ChanceWeigher
//
// A placement reserves its size on the chosen pool at once; the reservation stays until a
// report taken after the placement was recorded confirms it, so concurrent requests never
// double-book the last free space on stale stats. Failures say, per filter, which pools it
// removed and why; Explain gives the same trace plus the weighed ranking without placing.
//
// Hosts add filters and weighers by name through a SchedulerRegistry.
//
// Thread-safety: every method may be called from any thread.
#ifndef BLOCKSTORE_SCHEDULER_HPP
#define BLOCKSTORE_SCHEDULER_HPP

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "blockstore/driver.hpp"
#include "blockstore/env.hpp"
#include "blockstore/export.h"
#include "blockstore/result.hpp"
#include "blockstore/types.hpp"

namespace blockstore {

// What a request asks of the scheduler (Cinder's request_spec and filter_properties).
struct RequestSpec {
  enum class Operation { kCreate, kExtend, kSnapshot };
  Operation operation = Operation::kCreate;
  std::string volume_id;
  std::string project_id;
  std::string user_id;
  uint64_t size_gb = 0;          // the volume's size; for an extend, the new size
  uint64_t current_size_gb = 0;  // extend only: the size now (the request is the difference)
  std::string availability_zone;  // empty: any zone (or the type's RESKEY:availability_zones)
  VolumeType volume_type;         // with its extra specs
  Metadata qos_specs;             // the type's QoS specs, for `qos.*` in functions
  Metadata metadata;              // the volume's metadata, for `volume.*`
  std::string status = "creating";
  bool attached = false;          // extend of an attached volume needs online_extend_support
  // Scheduler hints: volume ids whose backend the volume must share / avoid, and a JsonFilter
  // query (`["and", [">=", "$free_capacity_gb", 100], …]`).
  std::vector<std::string> same_host;
  std::vector<std::string> different_host;
  std::string query;
  // Extend and snapshot: the pool the volume lives on (only it is considered).
  std::string vol_exists_on;
  // A copy (from a snapshot or a clone) is made where its source lives: only pools of this
  // backend (host@backend), or only this pool when it names one (host@backend#pool).
  std::string resource_backend;
  std::string snapshot_id;  // snapshot requests: the snapshot being made
  // A volume created to restore this backup onto: once created it goes straight to
  // restoring-backup (never available before it holds the backup's data) and the backup
  // service is told to restore; if it cannot be created the backup is available again.
  std::string restore_backup_id;
  // Earlier attempts of this request (reschedules): the backend and why it failed.
  struct Attempt {
    std::string backend;  // host@backend
    std::string pool;
    std::string error;
  };
  std::vector<Attempt> attempts;
};

// "create", "extend", "snapshot".
BS_API const char* ToString(RequestSpec::Operation op);

// One pool as the scheduler sees it.
struct PoolState {
  std::string name;     // host@backend#pool
  std::string backend;  // host@backend
  std::string host;
  std::string availability_zone;
  std::string volume_backend_name;
  std::string vendor_name;
  std::string driver_version;
  std::string storage_protocol;
  PoolStats stats;            // as reported, plus outstanding reservations
  uint64_t volume_count = 0;  // volumes on the pool, plus outstanding placements
  double reserved_gb = 0;     // placed but not yet confirmed by a report
  TimePoint updated_at{};
};

// Host-supplied filters and weighers. They must be thread-safe (they are called concurrently
// for different requests) and quick: they run once per pool per request.
class BS_API BackendFilter {
 public:
  virtual ~BackendFilter();
  // Whether the pool may take the request. When it may not and `why` is non-null, say why in
  // a few words ("needs 100 GB, 12 GB free").
  virtual bool Passes(const PoolState& pool, const RequestSpec& request, std::string* why) const = 0;
};
class BS_API BackendWeigher {
 public:
  virtual ~BackendWeigher();
  // The raw weight; the scheduler normalises across pools and applies the multiplier.
  virtual double Weigh(const PoolState& pool, const RequestSpec& request) const = 0;
};

// Named filters and weighers beyond the built-ins. Register before the scheduler is made.
class BS_API SchedulerRegistry {
 public:
  // already_exists for a name taken (built-in names included); invalid_argument for null.
  Status AddFilter(const std::string& name, std::shared_ptr<const BackendFilter> filter);
  Status AddWeigher(const std::string& name, std::shared_ptr<const BackendWeigher> weigher);
  const std::map<std::string, std::shared_ptr<const BackendFilter>>& filters() const {
    return filters_;
  }
  const std::map<std::string, std::shared_ptr<const BackendWeigher>>& weighers() const {
    return weighers_;
  }

 private:
  std::map<std::string, std::shared_ptr<const BackendFilter>> filters_;
  std::map<std::string, std::shared_ptr<const BackendWeigher>> weighers_;
};

struct SchedulerOptions {
  // Filters run in this order. Default: Cinder's default list. A request that needs a filter
  // gets it, listed or not: IgnoreAttemptedHostsFilter for reschedules, Same/Different-
  // BackendFilter for those hints, JsonFilter for a query hint.
  std::vector<std::string> filters = {"AvailabilityZoneFilter", "CapacityFilter",
                                      "CapabilitiesFilter"};
  // Weigher name → multiplier. Default: CapacityWeigher × 1.0.
  std::map<std::string, double> weighers = {{"CapacityWeigher", 1.0}};
  // "OrderedHostWeightHandler" (normalise, sum, heaviest wins) or
  // "StochasticHostWeightHandler" (sum raw weights, pick at random in proportion).
  std::string weight_handler = "OrderedHostWeightHandler";
  // Attempts per create, the first included; 1 disables rescheduling. Default: 3.
  int max_attempts = 3;
  // The ratio for thin pools that report none. Default: Cinder's 20.0.
  double max_over_subscription_ratio = 20.0;
  // A backend whose last report is older than this is not placed on (zero: never stale).
  std::chrono::milliseconds stale_after{0};
  // A reservation no report confirmed is dropped after this long. Default: 10 minutes.
  std::chrono::milliseconds reservation_ttl{600000};
  uint64_t seed = 0;  // for ChanceWeigher and the stochastic handler; 0: random
  // Whether a backend's volume service takes new work (up and enabled, as the services table
  // says); the pools of one that does not are skipped, as stale ones are. Default: all do.
  std::function<bool(const std::string& backend)> backend_in_service;
  // Where a volume lives (host@backend#pool), for the same_host/different_host hints.
  std::function<std::optional<std::string>(const std::string& volume_id)> locate_volume;
  std::shared_ptr<Env> env;  // report ages. Default: SystemEnv()
  std::shared_ptr<const SchedulerRegistry> registry;  // host filters and weighers
};

// What the filters did to one request.
struct FilterStep {
  std::string filter;
  std::size_t before = 0;   // pools it was given
  std::size_t removed = 0;
  std::vector<std::string> reasons;  // "pool h@b#p: needs 100 GB, 12 GB free" (first few)
};
struct RankedPool {
  std::string pool;
  double weight = 0;
  std::map<std::string, double> raw;  // weigher → raw weight
};
struct PlacementExplanation {
  std::size_t pools = 0;          // pools known
  std::size_t stale = 0;          // skipped: their backend's report is too old
  std::size_t out_of_service = 0; // skipped: their volume service is down or disabled
  std::vector<FilterStep> steps;
  std::vector<RankedPool> ranking;  // heaviest first (at most 100)
  std::string chosen;               // empty when nothing passed
  std::string error;                // why nothing was chosen
};

class BS_API Scheduler {
 public:
  virtual ~Scheduler();
  // `backend` is "host@backend". Replaces what the backend reported before; pools it no longer
  // reports are dropped. `taken_at`: when the backend read the allocations it reports; it
  // confirms the reservations placed before then.
  virtual void UpdateBackend(const std::string& backend, const std::string& availability_zone,
                             const BackendStats& stats, TimePoint taken_at) = 0;
  virtual void RemoveBackend(const std::string& backend) = 0;
  // Filters, weighs and reserves the request's size on the winner. `commit` (optional) runs
  // with the choice before the reservation is final — the engine records the volume's host in
  // it — and a failure undoes the reservation. resource_exhausted ("No valid backend …", with
  // the per-filter trace) when nothing passes; invalid_argument for a malformed spec, hint or
  // query, naming it.
  virtual Result<std::string> SelectPool(
      const RequestSpec& request,
      const std::function<Status(const std::string& pool)>& commit = {}) = 0;
  // The same run without placing anything.
  virtual Result<PlacementExplanation> Explain(const RequestSpec& request) const = 0;
  // Gives back what a placement reserved (a failed or rescheduled create, a failed extend or
  // snapshot). `key` is ReservationKey of the request.
  virtual void Release(const std::string& key) = 0;
  // Volume `volume_id` of `gb` left `pool` (deleted): its capacity is free before the next
  // report (its reservation, if no report confirmed it yet, is dropped).
  virtual void Freed(const std::string& pool, const std::string& volume_id, double gb) = 0;
  virtual std::vector<PoolState> Pools() const = 0;
};

BS_API Result<std::unique_ptr<Scheduler>> NewFilterScheduler(SchedulerOptions options);

// What a placement's reservation is known by: the volume id for a create, "<volume id>/extend"
// for an extend, "snapshot/<snapshot id>" for a snapshot.
BS_API std::string ReservationKey(const RequestSpec& request);

// Names of the built-in filters and weighers.
BS_API std::vector<std::string> BuiltinFilterNames();
BS_API std::vector<std::string> BuiltinWeigherNames();

// Checks a volume type's extra spec the way the scheduler will read it: invalid_argument
// naming the spec for an unknown operator, a missing or non-numeric operand, a bad
// provisioning:type, … Keys of scopes the scheduler ignores pass.
BS_API Status ValidateExtraSpec(const std::string& key, const std::string& value);
// Checks a filter_function / goodness_function parses.
BS_API Status ValidateSchedulerFunction(const std::string& text);

}  // namespace blockstore

#endif  // BLOCKSTORE_SCHEDULER_HPP
