// Internal: a token bucket that paces a transfer to a bandwidth, shared by the workers of one
// job. Take(n) blocks the caller until n bytes may pass; a burst of up to one second's worth
// passes at once.
//
// The clock and the sleep are injected so tests run without waiting.
//
// Thread-safety: Take may be called from several threads at once.
#ifndef BLOCKSTORE_LIB_BACKUP_TOKEN_BUCKET_HPP
#define BLOCKSTORE_LIB_BACKUP_TOKEN_BUCKET_HPP

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

namespace blockstore::internal {

class TokenBucket {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Sleep = std::function<void(std::chrono::nanoseconds)>;

  // `bytes_per_second` 0: no limit (Take never waits).
  explicit TokenBucket(uint64_t bytes_per_second, Clock clock = {}, Sleep sleep = {});

  void Take(uint64_t bytes);

 private:
  uint64_t rate_;
  Clock clock_;
  Sleep sleep_;
  std::mutex mu_;
  double tokens_;  // may go negative: the debt later takers wait out
  std::chrono::steady_clock::time_point last_;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_BACKUP_TOKEN_BUCKET_HPP
