// blockstore — Env: time, and waiting for it, behind one seam.
//
// Every timestamp the library writes, every deadline and rate it measures, every pause between
// retries and every wait with a timeout goes through the Env in EngineConfig. The default is
// the machine's clocks. A ManualEnv stands still until a test moves it: sleeping advances it at
// once instead of waiting, and a wait with a deadline ends when the test advances past it, so
// retry and timeout paths run deterministically and fast.
//
// Thread-safety: every method may be called from any thread.
#ifndef BLOCKSTORE_ENV_HPP
#define BLOCKSTORE_ENV_HPP

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

#include "blockstore/export.h"
#include "blockstore/types.hpp"

namespace blockstore {

using SteadyTime = std::chrono::steady_clock::time_point;

class BS_API Env {
 public:
  virtual ~Env();
  // Wall time, for records and events (microseconds, as the store keeps them).
  virtual TimePoint Now() = 0;
  // Monotonic time, for deadlines, intervals and rates.
  virtual SteadyTime SteadyNow() = 0;
  virtual void SleepFor(std::chrono::nanoseconds d) = 0;
  // Waits on `cv` (with `lock` held, as std::condition_variable::wait_until does) until `done`
  // holds or SteadyNow() reaches `deadline`; returns done(). Whoever changes what `done` reads
  // notifies `cv`.
  virtual bool WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                         SteadyTime deadline, const std::function<bool()>& done) = 0;
};

// The machine's clocks; one shared instance.
BS_API std::shared_ptr<Env> SystemEnv();

// An Env whose time moves only when told. Starts at `wall` (steady time at an arbitrary
// origin). SleepFor(d) advances both clocks by d and returns at once.
//
// Example:
//   auto env = std::make_shared<blockstore::ManualEnv>(blockstore::TimePoint{});
//   const blockstore::SteadyTime start = env->SteadyNow();
//   env->SleepFor(std::chrono::seconds(3));  // returns at once; both clocks move 3 s
//   env->Advance(std::chrono::minutes(5));   // waits whose deadline this passes end
//   bool passed = env->SteadyNow() - start == std::chrono::seconds(303);
//   if (!passed || env->slept() != std::chrono::seconds(3)) return;
//   // EngineConfig::env = env: the engine's retries, waits and timestamps go by it.
class BS_API ManualEnv final : public Env {
 public:
  explicit ManualEnv(TimePoint wall);
  ~ManualEnv() override;
  TimePoint Now() override;
  SteadyTime SteadyNow() override;
  void SleepFor(std::chrono::nanoseconds d) override;
  bool WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 SteadyTime deadline, const std::function<bool()>& done) override;
  // Moves both clocks forward, waking every wait whose deadline that passes.
  void Advance(std::chrono::nanoseconds d);
  // How far SleepFor has moved the clocks in all (retries' backoff, pacing).
  std::chrono::nanoseconds slept() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_ENV_HPP
