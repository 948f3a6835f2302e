#include "lib/backup/token_bucket.hpp"

#include <algorithm>

namespace blockstore::internal {

TokenBucket::TokenBucket(uint64_t bytes_per_second, Env& env)
    : rate_(bytes_per_second),
      env_(env),
      tokens_(static_cast<double>(bytes_per_second)),
      last_(env.SteadyNow()) {}

void TokenBucket::Take(uint64_t bytes) {
  if (rate_ == 0) return;
  std::chrono::nanoseconds wait{0};
  {
    std::lock_guard lock(mu_);
    const auto now = env_.SteadyNow();
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    // Refill, capped at one second's worth (the burst), then spend.
    tokens_ = std::min(static_cast<double>(rate_), tokens_ + elapsed * static_cast<double>(rate_));
    tokens_ -= static_cast<double>(bytes);
    if (tokens_ < 0) {
      wait = std::chrono::nanoseconds(static_cast<int64_t>(-tokens_ / static_cast<double>(rate_) * 1e9));
    }
  }
  if (wait.count() > 0) env_.SleepFor(wait);
}

}  // namespace blockstore::internal
