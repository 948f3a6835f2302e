// Internal: calling a backup store again when it answered that it could not serve now
// (unavailable: a 5xx, 408 or 429, a connection refused, reset or timed out), with a short
// exponential backoff. Used by the backup engine and manager for every object, and by the
// object-store targets while they set up (authenticate, create their container or bucket).
#ifndef BLOCKSTORE_LIB_ENV_RETRY_HPP
#define BLOCKSTORE_LIB_ENV_RETRY_HPP

#include <chrono>
#include <type_traits>

#include "blockstore/env.hpp"
#include "blockstore/result.hpp"

namespace blockstore::internal {

// Retries of a target's set-up: 50 + 100 + 200 + 400 + 800 ms, about 1.5 s of waiting in all.
inline constexpr int kSetupRetries = 5;

// Calls f (returning a Status or a Result) until it answers anything but unavailable, at most
// 1 + retries times, waiting 50 ms, 100 ms, 200 ms… (on `env`) between calls; returns the last
// answer.
template <typename F>
auto WithRetries(int retries, F f, Env& env = *SystemEnv()) -> decltype(f()) {
  auto r = f();
  for (int attempt = 0; attempt < retries; ++attempt) {
    Status s;
    if constexpr (std::is_same_v<decltype(r), Status>) {
      s = r;
    } else {
      s = r.status();
    }
    if (s.code() != Code::kUnavailable) break;
    env.SleepFor(std::chrono::milliseconds(50 << attempt));
    r = f();
  }
  return r;
}

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_ENV_RETRY_HPP
