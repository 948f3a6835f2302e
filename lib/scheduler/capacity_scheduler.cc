// The built-in placement: filter by backend name, zone and room; take the roomiest pool.
#include <cmath>
#include <map>
#include <mutex>

#include "blockstore/scheduler.hpp"

namespace blockstore {

Scheduler::~Scheduler() = default;

namespace {

// Room for new volumes in GB; +inf for infinite/unknown capacity.
double VirtualFree(const PoolStats& p) {
  using K = Capacity::Kind;
  if (p.free_capacity_gb.kind != K::kNumber || p.total_capacity_gb.kind != K::kNumber) {
    return INFINITY;
  }
  const double total = p.total_capacity_gb.gb;
  const double reserved = std::floor(total * p.reserved_percentage / 100.0);
  const double usable = total - reserved;
  if (p.thin_provisioning_support) {
    double ratio = 1.0;
    if (p.max_over_subscription_ratio == "auto") {
      ratio = p.provisioned_capacity_gb <= 0
                  ? 20.0
                  : 1.0 + p.provisioned_capacity_gb / (total - p.free_capacity_gb.gb + 1.0);
    } else {
      ratio = std::strtod(p.max_over_subscription_ratio.c_str(), nullptr);
      if (!(ratio >= 1.0)) ratio = 1.0;
    }
    return usable * ratio - p.provisioned_capacity_gb;
  }
  return std::min(p.free_capacity_gb.gb - reserved, usable - p.provisioned_capacity_gb);
}

class CapacityScheduler final : public Scheduler {
 public:
  void UpdateBackend(const std::string& backend, const std::string& az, const BackendStats& stats,
                     TimePoint at) override {
    std::lock_guard lock(mu_);
    RemoveLocked(backend);
    for (const auto& p : stats.pools) {
      PoolState s;
      s.name = backend + "#" + p.pool_name;
      s.availability_zone = az;
      s.stats = p;
      if (s.stats.provisioned_capacity_gb < s.stats.allocated_capacity_gb) {
        s.stats.provisioned_capacity_gb = s.stats.allocated_capacity_gb;
      }
      s.stats.capabilities["volume_backend_name"] = stats.volume_backend_name;
      s.updated_at = at;
      pools_[s.name] = std::move(s);
    }
  }

  void RemoveBackend(const std::string& backend) override {
    std::lock_guard lock(mu_);
    RemoveLocked(backend);
  }

  Result<std::string> SelectPool(const PlacementRequest& r) override {
    std::lock_guard lock(mu_);
    if (pools_.empty()) return ResourceExhausted("no valid backend: no backend has reported");
    auto want_backend = r.volume_type.extra_specs.find("volume_backend_name");
    PoolState* best = nullptr;
    double best_free = -INFINITY;
    int wrong_name = 0, wrong_zone = 0, too_small = 0;
    for (auto& [name, p] : pools_) {
      if (want_backend != r.volume_type.extra_specs.end() &&
          p.stats.capabilities["volume_backend_name"] != want_backend->second) {
        ++wrong_name;
        continue;
      }
      if (!r.availability_zone.empty() && p.availability_zone != r.availability_zone) {
        ++wrong_zone;
        continue;
      }
      const double free = VirtualFree(p.stats);
      if (free < static_cast<double>(r.size_gb)) {
        ++too_small;
        continue;
      }
      if (free > best_free) {
        best_free = free;
        best = &p;
      }
    }
    if (!best) {
      return ResourceExhausted(
          "no valid backend for a " + std::to_string(r.size_gb) + " GB volume: " +
          std::to_string(pools_.size()) + " pool(s); " + std::to_string(wrong_name) +
          " with another volume_backend_name, " + std::to_string(wrong_zone) +
          " in another availability zone, " + std::to_string(too_small) + " without room");
    }
    Consume(best->stats, static_cast<double>(r.size_gb));
    return best->name;
  }

  void ReleaseCapacity(const std::string& pool, uint64_t size_gb) override {
    std::lock_guard lock(mu_);
    auto it = pools_.find(pool);
    if (it != pools_.end()) Consume(it->second.stats, -static_cast<double>(size_gb));
  }

  std::vector<PoolState> Pools() const override {
    std::lock_guard lock(mu_);
    std::vector<PoolState> out;
    for (const auto& [n, p] : pools_) out.push_back(p);
    return out;
  }

 private:
  static void Consume(PoolStats& s, double gb) {
    s.allocated_capacity_gb += gb;
    s.provisioned_capacity_gb += gb;
    if (s.free_capacity_gb.kind == Capacity::Kind::kNumber && !s.thin_provisioning_support) {
      s.free_capacity_gb.gb -= gb;
    }
  }
  void RemoveLocked(const std::string& backend) {
    const std::string prefix = backend + "#";
    for (auto it = pools_.begin(); it != pools_.end();) {
      if (it->first.compare(0, prefix.size(), prefix) == 0) it = pools_.erase(it);
      else ++it;
    }
  }

  mutable std::mutex mu_;
  std::map<std::string, PoolState> pools_;
};

}  // namespace

std::unique_ptr<Scheduler> NewCapacityScheduler() { return std::make_unique<CapacityScheduler>(); }

}  // namespace blockstore
