#include "blockstore/env.hpp"

#include <set>
#include <thread>

namespace blockstore {

Env::~Env() = default;

namespace {

class SystemClocks final : public Env {
 public:
  TimePoint Now() override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(Clock::now());
  }
  SteadyTime SteadyNow() override { return std::chrono::steady_clock::now(); }
  void SleepFor(std::chrono::nanoseconds d) override { std::this_thread::sleep_for(d); }
  bool WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 SteadyTime deadline, const std::function<bool()>& done) override {
    return cv.wait_until(lock, deadline, done);
  }
};

}  // namespace

std::shared_ptr<Env> SystemEnv() {
  static const std::shared_ptr<Env> env = std::make_shared<SystemClocks>();
  return env;
}

struct ManualEnv::Impl {
  mutable std::mutex mu;
  TimePoint wall;
  SteadyTime steady{};
  std::chrono::nanoseconds slept{0};
  std::multiset<std::condition_variable*> waiting;  // woken on every Advance
};

ManualEnv::ManualEnv(TimePoint wall) : impl_(std::make_unique<Impl>()) { impl_->wall = wall; }
ManualEnv::~ManualEnv() = default;

TimePoint ManualEnv::Now() {
  std::lock_guard lock(impl_->mu);
  return impl_->wall;
}

SteadyTime ManualEnv::SteadyNow() {
  std::lock_guard lock(impl_->mu);
  return impl_->steady;
}

void ManualEnv::SleepFor(std::chrono::nanoseconds d) {
  if (d.count() <= 0) return;
  {
    std::lock_guard lock(impl_->mu);
    impl_->slept += d;
  }
  Advance(d);
}

void ManualEnv::Advance(std::chrono::nanoseconds d) {
  std::multiset<std::condition_variable*> wake;
  {
    std::lock_guard lock(impl_->mu);
    impl_->wall += std::chrono::duration_cast<std::chrono::microseconds>(d);
    impl_->steady += d;
    wake = impl_->waiting;
  }
  // A waiter checks the time under its own lock after it is woken; it may have just missed
  // this notification only if it had not registered yet, and it reads the time after
  // registering.
  for (auto* cv : wake) cv->notify_all();
}

std::chrono::nanoseconds ManualEnv::slept() const {
  std::lock_guard lock(impl_->mu);
  return impl_->slept;
}

bool ManualEnv::WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                          SteadyTime deadline, const std::function<bool()>& done) {
  {
    std::lock_guard g(impl_->mu);
    impl_->waiting.insert(&cv);
  }
  bool result = false;
  while (true) {
    if (done()) {
      result = true;
      break;
    }
    if (SteadyNow() >= deadline) break;
    // Real time is only a backstop against a notification lost between the checks above and
    // this wait: the manual clock decides when the deadline is reached.
    cv.wait_for(lock, std::chrono::milliseconds(50));
  }
  {
    std::lock_guard g(impl_->mu);
    impl_->waiting.erase(impl_->waiting.find(&cv));
  }
  return result;
}

}  // namespace blockstore
