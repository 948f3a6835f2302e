// Prometheus text metrics for blockstored: requests by route and code, a latency histogram,
// operations by type and outcome (from the engine's events) and bytes backed up.
#ifndef BLOCKSTORE_EXAMPLES_BLOCKSTORED_METRICS_HPP
#define BLOCKSTORE_EXAMPLES_BLOCKSTORED_METRICS_HPP

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace blockstored {

class Metrics {
 public:
  void Request(const std::string& route, int code, double seconds);
  // An engine event: "volume.create.end" counts operation volume.create, outcome end.
  void Event(const std::string& type);
  void BackupBytes(uint64_t bytes);
  std::string Render() const;

 private:
  static constexpr std::array<double, 11> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1.0,  5.0};
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::array<uint64_t, kBuckets.size()> buckets_{};
  uint64_t latency_count_ = 0;
  double latency_sum_ = 0;
  std::map<std::pair<std::string, std::string>, uint64_t> operations_;
  uint64_t backup_bytes_ = 0;
};

}  // namespace blockstored

#endif  // BLOCKSTORE_EXAMPLES_BLOCKSTORED_METRICS_HPP
