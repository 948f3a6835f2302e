// Placement latency of the filter scheduler over synthetic pools, beside Cinder's own.
//
//   scheduler_bench [--cinder PATH_TO_cinder_scheduler_bench.py]
//
// Pools: 100 per backend, 1,000 / 10,000 / 100,000 of them, thin, half "gold" and half
// "silver", with spread-out usage. The request: 10 GB of a type with the extra spec
// capabilities:tier=gold, through Cinder's default filters (AvailabilityZone, Capacity,
// Capabilities) and CapacityWeigher. Each placement is a full SelectPool (filter, weigh,
// reserve), its reservation released before the next so every request sees the same pools.
//
// Figures: scheduler.placement_p50_ms / _p99_ms per pool count; with --cinder, Cinder's
// HostManager on the same pools and request in the same run (scheduler.cinder_p99_ms) and the
// ratio (scheduler.speedup_vs_cinder, Cinder's p99 over ours). The placement figures carry
// cold_p50_ms / cold_p99_ms too: requests whose type changes every time, so the scheduler's
// remembered capability outcomes never apply (the cost of the first request of a type after
// the pools changed).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench/bench_util.hpp"
#include "blockstore/scheduler.hpp"

using namespace blockstore;

namespace {

constexpr int kPoolsPerBackend = 100;

std::unique_ptr<Scheduler> Build(int pools) {
  SchedulerOptions o;
  o.seed = 1;
  auto s = NewFilterScheduler(o).value();
  const TimePoint now = std::chrono::time_point_cast<std::chrono::microseconds>(Clock::now());
  for (int b = 0; b * kPoolsPerBackend < pools; ++b) {
    BackendStats stats;
    stats.volume_backend_name = "backend" + std::to_string(b);
    stats.storage_protocol = "iSCSI";
    for (int p = 0; p < kPoolsPerBackend && b * kPoolsPerBackend + p < pools; ++p) {
      const int i = b * kPoolsPerBackend + p;
      PoolStats ps;
      ps.pool_name = "pool" + std::to_string(p);
      const double used = (i * 37) % 500000;
      ps.total_capacity_gb = Capacity::Number(1000000);
      ps.free_capacity_gb = Capacity::Number(1000000 - used);
      ps.allocated_capacity_gb = used;
      ps.provisioned_capacity_gb = used;
      ps.reserved_percentage = 5;
      ps.thin_provisioning_support = true;
      ps.thick_provisioning_support = false;
      ps.capabilities["tier"] = i % 2 == 0 ? "gold" : "silver";
      stats.pools.push_back(std::move(ps));
    }
    s->UpdateBackend("host" + std::to_string(b) + "@backend" + std::to_string(b), "nova", stats, now);
  }
  return s;
}

struct Latency {
  double p50 = 0, p99 = 0;
};

// `cold`: every request's type differs (an alternative no pool has), so no pool's remembered
// capability outcome applies and every capability is looked up again.
Latency Measure(Scheduler& s, int requests, bool cold = false) {
  RequestSpec r;
  r.size_gb = 10;
  r.availability_zone = "nova";
  r.volume_type.name = "gold";
  r.volume_type.extra_specs = {{"capabilities:tier", "gold"}};
  std::vector<double> ms;
  ms.reserve(static_cast<std::size_t>(requests));
  for (int i = 0; i < requests; ++i) {
    r.volume_id = "bench-" + std::to_string(i);
    if (cold) r.volume_type.extra_specs["capabilities:tier"] = "<or> gold <or> x" + std::to_string(i);
    const auto start = std::chrono::steady_clock::now();
    auto pool = s.SelectPool(r);
    ms.push_back(bench::Seconds(start) * 1000.0);
    if (!pool.ok()) {
      std::fprintf(stderr, "scheduler_bench: %s\n", pool.status().ToString().c_str());
      std::exit(1);
    }
    s.Release(ReservationKey(r));
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

// Runs Cinder's scheduler on the same pools; nullopt when python3-cinder is not there.
std::optional<Latency> Cinder(const std::string& script, int pools, int requests) {
  const std::string cmd = "/usr/bin/python3 '" + script + "' " + std::to_string(pools) + " " +
                          std::to_string(requests) + " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  char buf[4096] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, p);
  buf[n] = '\0';
  if (::pclose(p) != 0) return std::nullopt;
  Latency l;
  const char* a = std::strstr(buf, "\"p50_ms\": ");
  const char* b = std::strstr(buf, "\"p99_ms\": ");
  if (!a || !b) return std::nullopt;
  l.p50 = std::strtod(a + 10, nullptr);
  l.p99 = std::strtod(b + 10, nullptr);
  return l;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cinder;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--cinder")) cinder = argv[i + 1];
  }
  const std::map<std::string, std::string> notes = {{"filters", "AvailabilityZone,Capacity,Capabilities"},
                                                    {"weighers", "CapacityWeigher"}};
  for (int pools : {1000, 10000, 100000}) {
    auto s = Build(pools);
    const int requests = pools >= 100000 ? 200 : 1000;
    Measure(*s, requests / 10);  // warm up
    const Latency ours = Measure(*s, requests);
    const Latency cold = Measure(*s, requests / 4, /*cold=*/true);
    bench::Emit("scheduler.placement_p50_ms", ours.p50, "ms",
                {{"pools", pools}, {"requests", requests}, {"cold_p50_ms", cold.p50}}, notes);
    bench::Emit("scheduler.placement_p99_ms", ours.p99, "ms",
                {{"pools", pools}, {"requests", requests}, {"cold_p99_ms", cold.p99}}, notes);
    if (cinder.empty()) continue;
    const int cinder_requests = pools >= 100000 ? 10 : (pools >= 10000 ? 30 : 100);
    auto theirs = Cinder(cinder, pools, cinder_requests);
    if (!theirs) {
      std::fprintf(stderr, "scheduler_bench: Cinder's scheduler did not run (python3-cinder missing?)\n");
      continue;
    }
    bench::Emit("scheduler.cinder_p99_ms", theirs->p99, "ms",
                {{"pools", pools}, {"requests", cinder_requests}, {"cinder_p50_ms", theirs->p50}}, notes);
    bench::Emit("scheduler.speedup_vs_cinder", theirs->p99 / ours.p99, "x",
                {{"pools", pools}, {"ours_p99_ms", ours.p99}, {"cinder_p99_ms", theirs->p99}}, notes);
  }
  return 0;
}
