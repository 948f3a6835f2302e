// Internal: a token bucket that paces a transfer to a bandwidth, shared by the workers of one
// job. Take(n) blocks the caller until n bytes may pass; a burst of up to one second's worth
// passes at once.
//
// It reads the time and sleeps on an Env, so tests run on a ManualEnv without waiting.
//
// Thread-safety: Take may be called from several threads at once.
#ifndef BLOCKSTORE_LIB_BACKUP_TOKEN_BUCKET_HPP
#define BLOCKSTORE_LIB_BACKUP_TOKEN_BUCKET_HPP

#include <chrono>
#include <cstdint>
#include <mutex>

#include "blockstore/env.hpp"

namespace blockstore::internal {

class TokenBucket {
 public:
  // `bytes_per_second` 0: no limit (Take never waits). `env` outlives the bucket.
  explicit TokenBucket(uint64_t bytes_per_second, Env& env = *SystemEnv());

  void Take(uint64_t bytes);

 private:
  uint64_t rate_;
  Env& env_;
  std::mutex mu_;
  double tokens_;  // may go negative: the debt later takers wait out
  SteadyTime last_;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_BACKUP_TOKEN_BUCKET_HPP
