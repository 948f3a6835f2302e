// The filter scheduler: pools from backend reports, filters, weighers, reservations and the
// explanation of every decision.
#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <shared_mutex>
#include <unordered_map>

#include "blockstore/scheduler.hpp"
#include "lib/core/ids.hpp"
#include "lib/scheduler/capacity_ledger.hpp"
#include "lib/scheduler/filter.hpp"
#include "lib/scheduler/json_query.hpp"

namespace blockstore {

Scheduler::~Scheduler() = default;
BackendFilter::~BackendFilter() = default;
BackendWeigher::~BackendWeigher() = default;

namespace internal {
namespace {

constexpr std::size_t kReasonsPerFilter = 5;
constexpr std::size_t kRankingShown = 100;

using FilterFactory = std::unique_ptr<Filter> (*)();
using WeigherFactory = std::unique_ptr<Weigher> (*)();

const std::map<std::string, FilterFactory>& BuiltinFilters() {
  static const std::map<std::string, FilterFactory> k = {
      {"AvailabilityZoneFilter", &NewAvailabilityZoneFilter},
      {"CapacityFilter", &NewCapacityFilter},
      {"CapabilitiesFilter", &NewCapabilitiesFilter},
      {"JsonFilter", &NewJsonFilter},
      {"DriverFilter", &NewDriverFilter},
      {"SameBackendFilter", &NewSameBackendFilter},
      {"DifferentBackendFilter", &NewDifferentBackendFilter},
      {"IgnoreAttemptedHostsFilter", &NewIgnoreAttemptedHostsFilter},
  };
  return k;
}

const std::map<std::string, WeigherFactory>& BuiltinWeighers() {
  static const std::map<std::string, WeigherFactory> k = {
      {"CapacityWeigher", &NewCapacityWeigher},
      {"AllocatedCapacityWeigher", &NewAllocatedCapacityWeigher},
      {"VolumeNumberWeigher", &NewVolumeNumberWeigher},
      {"GoodnessWeigher", &NewGoodnessWeigher},
      {"ChanceWeigher", &NewChanceWeigher},
  };
  return k;
}

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string GbText(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, v == std::floor(v) ? "%.0f GB" : "%.2f GB", v);
  return buf;
}

struct NamedFilter {
  std::string name;
  std::unique_ptr<Filter> filter;
};
struct NamedWeigher {
  std::string name;
  std::unique_ptr<Weigher> weigher;
  double multiplier = 1.0;
};

// The outcome of filtering and weighing one request.
// Per-thread scratch space: a request over 100,000 pools would otherwise allocate (and fault
// in) megabytes on every call.
struct Scratch {
  std::vector<const PoolEntry*> pools;
  std::vector<double> weights;
  std::vector<double> raw;
};
Scratch& ThreadScratch() {
  thread_local Scratch s;
  return s;
}

struct Run {
  // Views into the thread's scratch space, valid until the thread's next request.
  std::span<const PoolEntry* const> survivors;
  std::span<double> weights;  // parallel to survivors
  std::vector<std::map<std::string, double>> raw;  // per survivor, when explaining
  PlacementExplanation trace;
};

class FilterScheduler final : public Scheduler {
 public:
  FilterScheduler(SchedulerOptions o, std::unique_ptr<CapacityLedger> ledger)
      : o_(std::move(o)), ledger_(std::move(ledger)) {
    if (!o_.env) o_.env = SystemEnv();
    rng_seed_ = o_.seed ? o_.seed : std::random_device{}();
    for (const char* name : {"IgnoreAttemptedHostsFilter", "SameBackendFilter",
                             "DifferentBackendFilter", "JsonFilter"}) {
      implicit_[name] = BuiltinFilters().at(name)();
    }
  }

  Status Configure() {
    if (o_.max_attempts < 1) return InvalidArgument("scheduler max_attempts must be at least 1");
    if (!(o_.max_over_subscription_ratio >= 1.0) || !std::isfinite(o_.max_over_subscription_ratio)) {
      return InvalidArgument("scheduler max_over_subscription_ratio must be a number ≥ 1");
    }
    if (o_.weight_handler != "OrderedHostWeightHandler" &&
        o_.weight_handler != "StochasticHostWeightHandler") {
      return InvalidArgument("unknown weight handler '" + o_.weight_handler +
                             "' (OrderedHostWeightHandler, StochasticHostWeightHandler)");
    }
    for (const auto& name : o_.filters) {
      if (auto it = BuiltinFilters().find(name); it != BuiltinFilters().end()) {
        filters_.push_back({name, it->second()});
        if (name == "CapacityFilter") capacity_filter_ = filters_.back().filter.get();
      } else if (o_.registry && o_.registry->filters().count(name)) {
        filters_.push_back({name, AdaptFilter(o_.registry->filters().at(name))});
      } else {
        return InvalidArgument("unknown scheduler filter '" + name + "'");
      }
    }
    for (const auto& [name, multiplier] : o_.weighers) {
      if (!std::isfinite(multiplier)) {
        return InvalidArgument("weigher " + name + ": the multiplier must be a finite number");
      }
      if (auto it = BuiltinWeighers().find(name); it != BuiltinWeighers().end()) {
        weighers_.push_back({name, it->second(), multiplier});
      } else if (o_.registry && o_.registry->weighers().count(name)) {
        weighers_.push_back({name, AdaptWeigher(o_.registry->weighers().at(name)), multiplier});
      } else {
        return InvalidArgument("unknown scheduler weigher '" + name + "'");
      }
    }
    return Status::Ok();
  }

  void UpdateBackend(const std::string& backend, const std::string& zone,
                     const BackendStats& stats, TimePoint taken_at) override {
    std::unique_lock lock(mu_);
    const TimePoint now = o_.env->Now();
    const std::string prefix = backend + "#";
    std::set<std::string> reported;
    bool added_or_removed = false;
    for (const auto& p : stats.pools) {
      const std::string name = prefix + p.pool_name;
      reported.insert(name);
      auto it = pools_.find(name);
      if (it == pools_.end()) {
        it = pools_.emplace(name, std::make_unique<PoolEntry>()).first;
        added_or_removed = true;
      }
      PoolEntry& e = *it->second;
      // Reservations survive a report that was taken before they were placed.
      auto& rs = e.reservations;
      for (auto r = rs.begin(); r != rs.end();) {
        if (r->placed_at >= taken_at && now - r->placed_at < o_.reservation_ttl) {
          ++r;
        } else {
          reservation_pool_.erase(r->key);
          r = rs.erase(r);
        }
      }
      e.default_ratio = o_.max_over_subscription_ratio;
      e.taken_at = taken_at;
      e.Load(backend, zone, stats, p, now);
    }
    for (auto it = pools_.lower_bound(prefix);
         it != pools_.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
      if (reported.count(it->first)) {
        ++it;
        continue;
      }
      for (const auto& r : it->second->reservations) reservation_pool_.erase(r.key);
      it = pools_.erase(it);
      added_or_removed = true;
    }
    if (added_or_removed) Reindex();
  }

  void RemoveBackend(const std::string& backend) override {
    std::unique_lock lock(mu_);
    const std::string prefix = backend + "#";
    for (auto it = pools_.lower_bound(prefix);
         it != pools_.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
      for (const auto& r : it->second->reservations) reservation_pool_.erase(r.key);
      it = pools_.erase(it);
    }
    Reindex();
  }

  Result<std::string> SelectPool(const RequestSpec& spec,
                                 const std::function<Status(const std::string&)>& commit) override {
    auto prepared = Prepare(spec);
    if (!prepared.ok()) return prepared.status();
    std::unique_lock lock(mu_);
    const std::string key = ReservationKey(spec);
    for (int round = 0;; ++round) {
      Run run = Execute(*prepared, /*explain=*/false);
      if (run.survivors.empty()) return ResourceExhausted(run.trace.error);
      const PoolEntry* best = Choose(run, *prepared);
      const std::string name = best->state.name;
      if (ledger_) {
        // Agreed with every other scheduler: the choice stands only if the pool still has
        // room once their holds are counted. If not, their holds are now in this view and the
        // choice is made again.
        auto held = HoldInLedger(name, key, *prepared);
        if (!held.ok()) return held.status();
        if (!*held) {
          if (round + 1 >= kLedgerRounds) {
            return ResourceExhausted("no pool kept room for the request while other schedulers placed on them (" +
                                     std::to_string(kLedgerRounds) + " tries)");
          }
          continue;
        }
      }
      if (commit) {
        if (Status s = commit(name); !s.ok()) {
          if (ledger_) ledger_->Release(key);
          return s;
        }
      }
      Reserve(name, key, prepared->requested_gb);
      return name;
    }
  }

  Result<PlacementExplanation> Explain(const RequestSpec& spec) const override {
    auto prepared = Prepare(spec);
    if (!prepared.ok()) return prepared.status();
    std::shared_lock lock(mu_);
    Run run = Execute(*prepared, /*explain=*/true);
    if (!run.survivors.empty()) {
      std::vector<std::size_t> order(run.survivors.size());
      std::iota(order.begin(), order.end(), 0);
      const std::size_t shown = std::min(order.size(), kRankingShown);
      std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(shown), order.end(),
                        [&](std::size_t a, std::size_t b) {
                          if (run.weights[a] != run.weights[b]) return run.weights[a] > run.weights[b];
                          return run.survivors[a]->state.name < run.survivors[b]->state.name;
                        });
      for (std::size_t i = 0; i < shown; ++i) {
        run.trace.ranking.push_back({run.survivors[order[i]]->state.name, run.weights[order[i]],
                                     run.raw[order[i]]});
      }
      run.trace.chosen = Choose(run, *prepared)->state.name;
    }
    return std::move(run.trace);
  }

  void Release(const std::string& key) override {
    std::unique_lock lock(mu_);
    DropReservation(key);
    if (ledger_) ledger_->Release(key);
  }

  void Freed(const std::string& pool, const std::string& volume_id, double gb) override {
    std::unique_lock lock(mu_);
    auto it = pools_.find(pool);
    if (it == pools_.end()) return;
    if (auto r = reservation_pool_.find(volume_id); r != reservation_pool_.end() && r->second == pool) {
      DropReservation(volume_id);  // not yet counted by a report: the reservation was all of it
      if (ledger_) ledger_->Release(volume_id);
      return;
    }
    PoolStats& s = it->second->reported;
    s.allocated_capacity_gb = std::max(0.0, s.allocated_capacity_gb - gb);
    s.provisioned_capacity_gb = std::max(0.0, s.provisioned_capacity_gb - gb);
    if (s.free_capacity_gb.kind == Capacity::Kind::kNumber && !s.thin_provisioning_support) {
      s.free_capacity_gb.gb += gb;
    }
    if (it->second->reported_volumes > 0) --it->second->reported_volumes;
    it->second->Recompute();
  }

  std::vector<PoolState> Pools() const override {
    std::shared_lock lock(mu_);
    std::vector<PoolState> out;
    out.reserve(pools_.size());
    for (const auto& [name, p] : pools_) out.push_back(p->state);
    return out;
  }

 private:
  Result<PreparedRequest> Prepare(const RequestSpec& spec) const {
    PreparedRequest r;
    r.spec = &spec;
    r.seed = rng_seed_ ^ std::hash<std::string>{}(spec.volume_id + "/" +
                                                  std::to_string(spec.attempts.size()));
    if (spec.operation == RequestSpec::Operation::kExtend) {
      if (spec.size_gb < spec.current_size_gb) {
        return InvalidArgument("an extend cannot shrink the volume");
      }
      r.requested_gb = static_cast<double>(spec.size_gb - spec.current_size_gb);
    } else {
      r.requested_gb = static_cast<double>(spec.size_gb);
    }
    const Metadata& specs = spec.volume_type.extra_specs;
    if (auto it = specs.find("provisioning:type"); it != specs.end()) {
      if (it->second != "thin" && it->second != "thick") {
        return InvalidArgument("extra spec 'provisioning:type'='" + it->second +
                               "': must be thin or thick");
      }
      r.thin = it->second != "thick";
    }
    uint64_t signature = 1469598103934665603ULL;  // FNV-1a over the requirements
    for (const auto& [key, value] : specs) {
      auto req = CompileExtraSpec(key, value);
      if (!req.ok()) return req.status();
      if (!*req) continue;
      for (const std::string* part : {&key, &value}) {
        for (unsigned char c : *part) signature = (signature ^ c) * 1099511628211ULL;
        signature = (signature ^ 0xff) * 1099511628211ULL;
      }
      r.requirements.push_back(std::move(**req));
    }
    r.requirements_signature = signature | 2;  // never zero
    if (!spec.availability_zone.empty()) {
      r.zones.push_back(spec.availability_zone);
    } else if (auto it = specs.find("RESKEY:availability_zones"); it != specs.end()) {
      std::string cur;
      for (char c : it->second + ",") {
        if (c == ',') {
          if (!Trim(cur).empty()) r.zones.push_back(Trim(cur));
          cur.clear();
        } else {
          cur += c;
        }
      }
    }
    if (!spec.query.empty()) {
      auto q = PrepareQuery(spec.query);
      if (!q.ok()) return q.status();
      r.query = std::move(q).value();
    }
    auto locate = [&](const std::vector<std::string>& ids, std::set<std::string>& into,
                      const char* hint) {
      for (const auto& id : ids) {
        if (!IsUuid(id)) {
          r.hint_error = std::string(hint) + " hint '" + id.substr(0, 64) + "' is not a volume id";
          continue;
        }
        auto host = o_.locate_volume ? o_.locate_volume(id) : std::nullopt;
        if (host && !host->empty()) into.insert(host->substr(0, host->find('#')));
      }
    };
    locate(spec.same_host, r.same_backends, "same_host");
    locate(spec.different_host, r.different_backends, "different_host");
    for (const auto& a : spec.attempts) r.attempted_backends.insert(a.backend);
    return r;
  }

  // Filters and weighs with mu_ held (shared or exclusive).
  Run Execute(const PreparedRequest& r, bool explain) const {
    Run run;
    run.trace.pools = pools_.size();
    const TimePoint now = o_.env->Now();
    const bool only_home = !r.spec->vol_exists_on.empty() &&
                           r.spec->operation != RequestSpec::Operation::kCreate;
    const std::string& only = r.spec->resource_backend;
    Scratch& scratch = ThreadScratch();
    std::vector<const PoolEntry*>& pools = scratch.pools;
    pools.clear();
    if (only_home) {
      if (auto it = pools_.find(r.spec->vol_exists_on); it != pools_.end()) {
        pools.push_back(it->second.get());
      }
    } else if (!only.empty()) {
      for (const auto& [name, p] : pools_) {
        if (only.find('#') != std::string::npos ? name == only : p->state.backend == only) {
          pools.push_back(p.get());
        }
      }
    } else {
      pools.reserve(all_.size());
      for (const PoolEntry* p : all_) {
        if (o_.stale_after.count() > 0 && now - p->state.updated_at > o_.stale_after) {
          ++run.trace.stale;
          continue;
        }
        if (o_.backend_in_service && !o_.backend_in_service(p->state.backend)) {
          ++run.trace.out_of_service;
          continue;
        }
        pools.push_back(p);
      }
    }
    // The filters that apply, in order. A request that asks for something gets it even where
    // the filter serving it is not in the configured list: reschedules avoid the backends that
    // failed them, and hints are honoured (Cinder silently ignores a hint whose filter is not
    // enabled).
    std::vector<std::pair<const std::string*, const Filter*>> chain;
    auto listed = [&](const std::string& name) {
      return std::any_of(filters_.begin(), filters_.end(),
                         [&](const NamedFilter& f) { return f.name == name; });
    };
    auto implicit = [&](bool wanted, const std::string& name) {
      if (wanted && !listed(name)) {
        auto it = implicit_.find(name);
        chain.emplace_back(&it->first, it->second.get());
      }
    };
    implicit(!r.attempted_backends.empty(), "IgnoreAttemptedHostsFilter");
    implicit(!r.spec->same_host.empty(), "SameBackendFilter");
    implicit(!r.spec->different_host.empty(), "DifferentBackendFilter");
    implicit(r.query.has_value(), "JsonFilter");
    for (const auto& f : filters_) chain.emplace_back(&f.name, f.filter.get());

    // One pass over the pools, each pool through the chain until a filter removes it: the same
    // outcome as Cinder's filter-by-filter passes, with each pool's data read once.
    std::vector<FilterStep> steps(chain.size());
    for (std::size_t k = 0; k < chain.size(); ++k) steps[k].filter = *chain[k].first;
    std::size_t kept = 0;
    std::string why;
    for (const PoolEntry* p : pools) {
      bool pass = true;
      for (std::size_t k = 0; k < chain.size(); ++k) {
        const bool want_reason = steps[k].reasons.size() < kReasonsPerFilter;
        why.clear();
        if (chain[k].second->Passes(*p, r, want_reason ? &why : nullptr)) continue;
        ++steps[k].removed;
        if (want_reason) steps[k].reasons.push_back("pool " + p->state.name + ": " + why);
        pass = false;
        break;
      }
      if (pass) pools[kept++] = p;
    }
    std::size_t before = pools.size();
    for (auto& step : steps) {
      step.before = before;
      before -= step.removed;
    }
    pools.resize(kept);
    run.trace.steps = std::move(steps);

    if (pools.empty()) {
      run.trace.error = NoValidBackendMessage(r, run.trace);
      return run;
    }
    run.survivors = pools;
    scratch.weights.assign(pools.size(), 0.0);
    run.weights = scratch.weights;
    if (explain) run.raw.resize(run.survivors.size());
    std::vector<double>& raw = scratch.raw;
    raw.assign(pools.size(), 0.0);
    const bool ordered = o_.weight_handler == "OrderedHostWeightHandler";
    for (const auto& w : weighers_) {
      w.weigher->Weigh(run.survivors, r, w.multiplier, raw);
      double lo = INFINITY, hi = -INFINITY;
      for (double v : raw) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (explain) run.raw[i][w.name] = raw[i];
        if (ordered) {
          const double norm = hi > lo ? (raw[i] - lo) / (hi - lo) : 0.0;
          run.weights[i] += w.multiplier * norm;
        } else {
          run.weights[i] += w.multiplier * raw[i];
        }
      }
    }
    return run;
  }

  const PoolEntry* Choose(const Run& run, const PreparedRequest& r) const {
    if (o_.weight_handler == "StochasticHostWeightHandler") {
      // A pick in proportion to weight; negative weights count as zero, and all-zero is a
      // uniform pick (Cinder fails on negative weights).
      double total = 0;
      for (double w : run.weights) total += std::max(0.0, w);
      std::mt19937_64 rng(r.seed);
      if (total <= 0) {
        return run.survivors[std::uniform_int_distribution<std::size_t>(0, run.survivors.size() - 1)(rng)];
      }
      double x = std::uniform_real_distribution<double>(0.0, total)(rng);
      for (std::size_t i = 0; i < run.survivors.size(); ++i) {
        x -= std::max(0.0, run.weights[i]);
        if (x < 0) return run.survivors[i];
      }
      return run.survivors.back();
    }
    std::size_t best = 0;
    for (std::size_t i = 1; i < run.survivors.size(); ++i) {
      if (run.weights[i] > run.weights[best] ||
          (run.weights[i] == run.weights[best] &&
           run.survivors[i]->state.name < run.survivors[best]->state.name)) {
        best = i;
      }
    }
    return run.survivors[best];
  }

  static std::string NoValidBackendMessage(const PreparedRequest& r, const PlacementExplanation& t) {
    std::string msg = "No valid backend was found for ";
    switch (r.spec->operation) {
      case RequestSpec::Operation::kCreate: msg += "a " + GbText(r.requested_gb) + " volume"; break;
      case RequestSpec::Operation::kExtend: msg += "extending by " + GbText(r.requested_gb); break;
      case RequestSpec::Operation::kSnapshot: msg += "a " + GbText(r.requested_gb) + " snapshot"; break;
    }
    if (t.pools == 0) return msg + ": no backend has reported its pools";
    msg += ": " + std::to_string(t.pools) + " pool(s) known";
    if (t.stale) msg += ", " + std::to_string(t.stale) + " skipped for a stale report";
    if (t.out_of_service) {
      msg += ", " + std::to_string(t.out_of_service) + " skipped: their volume service is down or disabled";
    }
    if (!r.spec->vol_exists_on.empty() && r.spec->operation != RequestSpec::Operation::kCreate &&
        (t.steps.empty() || t.steps.front().before == 0)) {
      return msg + "; the volume's pool " + r.spec->vol_exists_on + " has not reported";
    }
    if (!r.spec->resource_backend.empty() && (t.steps.empty() || t.steps.front().before == 0)) {
      return msg + "; the source's pool " + r.spec->resource_backend + " has not reported";
    }
    for (const auto& s : t.steps) {
      if (s.removed == 0) continue;
      msg += "; " + s.filter + " removed " + std::to_string(s.removed) + " of " +
             std::to_string(s.before);
      if (!s.reasons.empty()) {
        msg += " (";
        for (std::size_t i = 0; i < s.reasons.size(); ++i) msg += (i ? "; " : "") + s.reasons[i];
        if (s.removed > s.reasons.size()) msg += "; …";
        msg += ")";
      }
    }
    return msg;
  }

  // The pools in name order, contiguous, for the per-request scan.
  void Reindex() {
    all_.clear();
    all_.reserve(pools_.size());
    for (const auto& [name, p] : pools_) all_.push_back(p.get());
  }

  // Holds the request's capacity on `pool` in the ledger: the holds other schedulers made on
  // the pool since this view last looked join its reservations there, and the request must
  // still pass the capacity filter (when configured) with them counted. Another scheduler's
  // hold stays counted here until a report counts it or it expires (released early, it
  // errs on the side of room). mu_ held exclusively.
  Result<bool> HoldInLedger(const std::string& pool, const std::string& key, const PreparedRequest& r) {
    PoolEntry& e = *pools_.at(pool);
    const Filter* capacity = capacity_filter_;
    const TimePoint now = o_.env->Now();
    // A hold is of no use once no scheduler can still be on a report older than it: one whose
    // report is older than stale_after skips the pool. Twice that leaves room for the reports
    // reaching schedulers at different times.
    TimePoint expired_before = now - o_.reservation_ttl;
    if (o_.stale_after.count() > 0) expired_before = std::max(expired_before, e.taken_at - 2 * o_.stale_after);
    auto outcome = ledger_->Hold({key, pool, r.requested_gb, now, 0}, e.ledger_seq, e.taken_at, expired_before,
                                 [&](const std::vector<CapacityHold>& others) {
                                   bool changed = false;
                                   for (const auto& h : others) {
                                     if (h.key == key) continue;
                                     DropReservation(h.key);
                                     e.reservations.push_back({h.key, h.gb, h.placed_at});
                                     reservation_pool_[h.key] = pool;
                                     changed = true;
                                   }
                                   if (changed) e.Recompute();
                                   return !capacity || capacity->Passes(e, r, nullptr);
                                 });
    if (!outcome.ok()) return outcome.status();
    e.ledger_seq = outcome->seq;
    return outcome->held;
  }

  // Removes the reservation known by `key`, wherever it is. mu_ held exclusively.
  void DropReservation(const std::string& key) {
    auto where = reservation_pool_.find(key);
    if (where == reservation_pool_.end()) return;
    if (auto it = pools_.find(where->second); it != pools_.end()) {
      auto& rs = it->second->reservations;
      rs.erase(std::remove_if(rs.begin(), rs.end(),
                              [&](const Reservation& r) { return r.key == key; }),
               rs.end());
      it->second->Recompute();
    }
    reservation_pool_.erase(where);
  }

  void Reserve(const std::string& pool, const std::string& key, double gb) {
    auto it = pools_.find(pool);
    if (it == pools_.end()) return;
    DropReservation(key);
    it->second->reservations.push_back({key, gb, o_.env->Now()});
    it->second->Recompute();
    reservation_pool_[key] = pool;
  }

  // How many pools a placement tries, each found full by the ledger, before it gives up.
  static constexpr int kLedgerRounds = 8;

  SchedulerOptions o_;
  std::unique_ptr<CapacityLedger> ledger_;
  uint64_t rng_seed_ = 0;
  std::vector<NamedFilter> filters_;
  const Filter* capacity_filter_ = nullptr;  // in filters_, when configured: what a hold re-checks
  std::vector<NamedWeigher> weighers_;
  std::map<std::string, std::unique_ptr<Filter>> implicit_;  // applied when a request asks
  mutable std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<PoolEntry>> pools_;
  std::vector<const PoolEntry*> all_;
  std::unordered_map<std::string, std::string> reservation_pool_;  // reservation key → pool
};

class AdaptedFilter final : public Filter {
 public:
  explicit AdaptedFilter(std::shared_ptr<const BackendFilter> f) : f_(std::move(f)) {}
  bool Passes(const PoolEntry& pool, const PreparedRequest& r, std::string* why) const override {
    return f_->Passes(pool.state, *r.spec, why);
  }

 private:
  std::shared_ptr<const BackendFilter> f_;
};

class AdaptedWeigher final : public Weigher {
 public:
  explicit AdaptedWeigher(std::shared_ptr<const BackendWeigher> w) : w_(std::move(w)) {}
  void Weigh(std::span<const PoolEntry* const> pools, const PreparedRequest& r, double,
             std::span<double> out) const override {
    for (std::size_t i = 0; i < pools.size(); ++i) {
      const double v = w_->Weigh(pools[i]->state, *r.spec);
      out[i] = std::isfinite(v) ? v : 0.0;
    }
  }

 private:
  std::shared_ptr<const BackendWeigher> w_;
};

}  // namespace

std::unique_ptr<Filter> AdaptFilter(std::shared_ptr<const BackendFilter> f) {
  return std::make_unique<AdaptedFilter>(std::move(f));
}
std::unique_ptr<Weigher> AdaptWeigher(std::shared_ptr<const BackendWeigher> w) {
  return std::make_unique<AdaptedWeigher>(std::move(w));
}

Result<std::unique_ptr<Scheduler>> NewFilterScheduler(SchedulerOptions options,
                                                      std::unique_ptr<CapacityLedger> ledger) {
  auto s = std::make_unique<FilterScheduler>(std::move(options), std::move(ledger));
  if (Status st = s->Configure(); !st.ok()) return st;
  return std::unique_ptr<Scheduler>(std::move(s));
}

}  // namespace internal

Result<std::unique_ptr<Scheduler>> NewFilterScheduler(SchedulerOptions options) {
  return internal::NewFilterScheduler(std::move(options), nullptr);
}

const char* ToString(RequestSpec::Operation op) {
  switch (op) {
    case RequestSpec::Operation::kExtend: return "extend";
    case RequestSpec::Operation::kSnapshot: return "snapshot";
    case RequestSpec::Operation::kCreate: break;
  }
  return "create";
}

std::string ReservationKey(const RequestSpec& r) {
  switch (r.operation) {
    case RequestSpec::Operation::kExtend: return r.volume_id + "/extend";
    case RequestSpec::Operation::kSnapshot: return "snapshot/" + r.snapshot_id;
    case RequestSpec::Operation::kCreate: break;
  }
  return r.volume_id;
}

std::vector<std::string> BuiltinFilterNames() {
  std::vector<std::string> out;
  for (const auto& [n, f] : internal::BuiltinFilters()) out.push_back(n);
  return out;
}
std::vector<std::string> BuiltinWeigherNames() {
  std::vector<std::string> out;
  for (const auto& [n, f] : internal::BuiltinWeighers()) out.push_back(n);
  return out;
}

Status SchedulerRegistry::AddFilter(const std::string& name,
                                    std::shared_ptr<const BackendFilter> filter) {
  if (!filter) return InvalidArgument("filter '" + name + "' is null");
  if (name.empty()) return InvalidArgument("a filter needs a name");
  if (internal::BuiltinFilters().count(name) || filters_.count(name)) {
    return AlreadyExists("a filter named '" + name + "' exists");
  }
  filters_[name] = std::move(filter);
  return Status::Ok();
}

Status SchedulerRegistry::AddWeigher(const std::string& name,
                                     std::shared_ptr<const BackendWeigher> weigher) {
  if (!weigher) return InvalidArgument("weigher '" + name + "' is null");
  if (name.empty()) return InvalidArgument("a weigher needs a name");
  if (internal::BuiltinWeighers().count(name) || weighers_.count(name)) {
    return AlreadyExists("a weigher named '" + name + "' exists");
  }
  weighers_[name] = std::move(weigher);
  return Status::Ok();
}

Status ValidateExtraSpec(const std::string& key, const std::string& value) {
  if (key == "provisioning:type" && value != "thin" && value != "thick") {
    return InvalidArgument("extra spec 'provisioning:type'='" + value + "': must be thin or thick");
  }
  if (key == "provisioning:min_vol_size" || key == "provisioning:max_vol_size") {
    char* end = nullptr;
    const long long v = std::strtoll(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || v < 0) {
      return InvalidArgument("extra spec '" + key + "'='" + value + "': must be a whole number of GB");
    }
  }
  return internal::CompileExtraSpec(key, value).status();
}

Status ValidateSchedulerFunction(const std::string& text) {
  return internal::eval::Expression::Compile(text).status();
}

}  // namespace blockstore
