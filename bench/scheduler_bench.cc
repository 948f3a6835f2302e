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
// Figures: scheduler.placement_p50_ms / _p99_ms per pool count. They carry cold_p50_ms /
// cold_p99_ms too: requests whose type changes every time, so the scheduler's remembered
// capability outcomes never apply (the cost of the first request of a type after the pools
// changed). With --cinder, Cinder's HostManager on the same pools in the same run, given the
// same warm-up and the same requests, warm and cold (scheduler.cinder_p99_ms), and the ratio
// scheduler.speedup_vs_cinder: Cinder's cold p99 over ours — the case where remembering
// cannot help us — with the warm ratio beside it (warm_speedup).
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

struct CinderLatency {
  Latency warm, cold;
};

// Runs Cinder's scheduler on the same pools and requests; nullopt when python3-cinder is not
// there.
std::optional<CinderLatency> Cinder(const std::string& script, int pools, int warmup,
                                    int requests, int cold_requests) {
  const std::string cmd = "/usr/bin/python3 '" + script + "' " + std::to_string(pools) + " " +
                          std::to_string(warmup) + " " + std::to_string(requests) + " " +
                          std::to_string(cold_requests) + " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  char buf[4096] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, p);
  buf[n] = '\0';
  if (::pclose(p) != 0) return std::nullopt;
  auto field = [&](const char* name) -> std::optional<double> {
    const std::string key = std::string("\"") + name + "\": ";
    const char* at = std::strstr(buf, key.c_str());
    if (!at) return std::nullopt;
    return std::strtod(at + key.size(), nullptr);
  };
  auto p50 = field("p50_ms"), p99 = field("p99_ms");
  auto cold_p50 = field("cold_p50_ms"), cold_p99 = field("cold_p99_ms");
  if (!p50 || !p99 || !cold_p50 || !cold_p99) return std::nullopt;
  return CinderLatency{{*p50, *p99}, {*cold_p50, *cold_p99}};
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
    const int warmup = requests / 10, cold_requests = requests / 4;
    Measure(*s, warmup);
    const Latency ours = Measure(*s, requests);
    const Latency cold = Measure(*s, cold_requests, /*cold=*/true);
    bench::Emit("scheduler.placement_p50_ms", ours.p50, "ms",
                {{"pools", pools}, {"requests", requests}, {"cold_p50_ms", cold.p50}}, notes);
    bench::Emit("scheduler.placement_p99_ms", ours.p99, "ms",
                {{"pools", pools}, {"requests", requests}, {"cold_p99_ms", cold.p99}}, notes);
    if (cinder.empty()) continue;
    auto theirs = Cinder(cinder, pools, warmup, requests, cold_requests);
    if (!theirs) {
      std::fprintf(stderr, "scheduler_bench: Cinder's scheduler did not run (python3-cinder missing?)\n");
      return 1;
    }
    bench::Emit("scheduler.cinder_p99_ms", theirs->cold.p99, "ms",
                {{"pools", pools}, {"warmup", warmup}, {"requests", requests},
                 {"cold_requests", cold_requests}, {"cold_p50_ms", theirs->cold.p50},
                 {"warm_p50_ms", theirs->warm.p50}, {"warm_p99_ms", theirs->warm.p99}}, notes);
    bench::Emit("scheduler.speedup_vs_cinder", theirs->cold.p99 / cold.p99, "x",
                {{"pools", pools}, {"goal", 50}, {"ours_cold_p99_ms", cold.p99},
                 {"cinder_cold_p99_ms", theirs->cold.p99},
                 {"warm_speedup", theirs->warm.p99 / ours.p99}, {"ours_warm_p99_ms", ours.p99},
                 {"cinder_warm_p99_ms", theirs->warm.p99}},
                {{"filters", notes.at("filters")}, {"weighers", notes.at("weighers")},
                 {"case", "cold: the type changes every request"}});
  }
  return 0;
}
