// Helpers for the benchmark programs: timing, RSS, and the one-JSON-object-per-line output.
#ifndef BLOCKSTORE_BENCH_BENCH_UTIL_HPP
#define BLOCKSTORE_BENCH_BENCH_UTIL_HPP

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <utility>
#include <string>

#include <sys/resource.h>

namespace blockstore::bench {

inline double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Resident set size of this process in MiB, from /proc/self/status (VmRSS or VmHWM).
inline double ProcMiB(const char* field = "VmRSS:") {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == field) {
      double kib = 0;
      in >> kib;
      return kib / 1024.0;
    }
    in.ignore(1 << 16, '\n');
  }
  return -1;
}

// {"metric": "...", "value": v, "unit": "...", extra...}
inline void Emit(const std::string& metric, double value, const std::string& unit,
                 const std::map<std::string, double>& extra = {},
                 const std::map<std::string, std::string>& notes = {}) {
  std::printf("{\"metric\": \"%s\", \"value\": %.3f, \"unit\": \"%s\"", metric.c_str(), value,
              unit.c_str());
  for (const auto& [k, v] : extra) std::printf(", \"%s\": %.3f", k.c_str(), v);
  for (const auto& [k, v] : notes) std::printf(", \"%s\": \"%s\"", k.c_str(), v.c_str());
  std::printf("}\n");
  std::fflush(stdout);
}

// A figure that could not be measured honestly (some of the work failed): the value is null
// and `failures` says how much failed, so no throughput is read off a broken run.
inline void EmitFailed(const std::string& metric, const std::string& unit, double failures,
                       const std::map<std::string, double>& extra = {},
                       const std::map<std::string, std::string>& notes = {}) {
  std::printf("{\"metric\": \"%s\", \"value\": null, \"unit\": \"%s\", \"failures\": %.0f",
              metric.c_str(), unit.c_str(), failures);
  for (const auto& [k, v] : extra) std::printf(", \"%s\": %.3f", k.c_str(), v);
  for (const auto& [k, v] : notes) std::printf(", \"%s\": \"%s\"", k.c_str(), v.c_str());
  std::printf("}\n");
  std::fflush(stdout);
}

// CPU use over an interval: how busy the whole machine was (all processes, from /proc/stat) and
// how many CPU seconds this process spent (getrusage).
class CpuMeter {
 public:
  CpuMeter() : machine_(MachineTicks()), self_(SelfTimes()) {}
  // Fraction of all cores' time spent busy since construction, 0..1.
  double MachineBusy() const {
    const auto now = MachineTicks();
    const double total = now.first - machine_.first, idle = now.second - machine_.second;
    return total > 0 ? (total - idle) / total : 0;
  }
  double SelfCpuSeconds() const {
    const auto now = SelfTimes();
    return now.first - self_.first + now.second - self_.second;
  }
  // The part of SelfCpuSeconds spent in the kernel.
  double SelfSystemSeconds() const { return SelfTimes().second - self_.second; }

 private:
  // (all ticks, idle + iowait ticks) of the "cpu" line.
  static std::pair<double, double> MachineTicks() {
    std::ifstream in("/proc/stat");
    std::string cpu;
    double v[8] = {};
    in >> cpu;
    for (double& x : v) in >> x;
    double total = 0;
    for (double x : v) total += x;
    return {total, v[3] + v[4]};
  }
  // (user, system) CPU seconds of this process.
  static std::pair<double, double> SelfTimes() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto seconds = [](const timeval& t) {
      return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return {seconds(u.ru_utime), seconds(u.ru_stime)};
  }
  std::pair<double, double> machine_, self_;
};

inline std::string TempDir(const char* tag) {
  const char* base = std::getenv("BS_BENCH_DIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/blockstore-bench-" + tag + "-XXXXXX";
  if (!mkdtemp(tmpl.data())) std::abort();
  return tmpl;
}

}  // namespace blockstore::bench

#endif  // BLOCKSTORE_BENCH_BENCH_UTIL_HPP
