// Env: the machine's clocks, and a manual one whose time moves only when a test moves it.
#include <atomic>
#include <thread>

#include "blockstore/env.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;
using namespace std::chrono_literals;

TEST_SUITE("env") {
  TEST_CASE("a manual env stands still until advanced; sleeping advances it at once") {
    const TimePoint start = TimePoint{} + std::chrono::hours(24 * 365 * 50);
    ManualEnv env(start);
    const SteadyTime t0 = env.SteadyNow();
    std::this_thread::sleep_for(5ms);
    CHECK(env.Now() == start);
    CHECK(env.SteadyNow() == t0);

    env.Advance(90s);
    CHECK(env.Now() == start + 90s);
    CHECK(env.SteadyNow() == t0 + 90s);
    CHECK(env.slept() == 0s);

    const auto before = std::chrono::steady_clock::now();
    env.SleepFor(std::chrono::hours(3));
    env.SleepFor(-5s);  // a negative pause is no pause
    CHECK(std::chrono::steady_clock::now() - before < 1s);
    CHECK(env.Now() == start + 90s + std::chrono::hours(3));
    CHECK(env.slept() == std::chrono::hours(3));
  }

  TEST_CASE("a manual wait ends when its condition holds or the clock passes its deadline") {
    ManualEnv env(TimePoint{});
    std::mutex mu;
    std::condition_variable cv;
    bool flag = false;

    // The deadline is reached only by advancing: real time passing does not end the wait.
    std::atomic<bool> returned{false};
    bool result = true;
    std::thread waiter([&] {
      std::unique_lock lock(mu);
      result = env.WaitUntil(lock, cv, env.SteadyNow() + 10s, [&] { return flag; });
      returned = true;
    });
    std::this_thread::sleep_for(150ms);
    CHECK_FALSE(returned.load());
    env.Advance(9s);
    std::this_thread::sleep_for(150ms);
    CHECK_FALSE(returned.load());
    env.Advance(1s);
    waiter.join();
    CHECK(returned.load());
    CHECK_FALSE(result);

    std::thread signalled([&] {
      std::unique_lock lock(mu);
      result = env.WaitUntil(lock, cv, env.SteadyNow() + 10s, [&] { return flag; });
    });
    {
      std::lock_guard lock(mu);
      flag = true;
    }
    cv.notify_all();
    signalled.join();
    CHECK(result);
  }

  TEST_CASE("the system env waits in real time, and is one shared instance") {
    auto env = SystemEnv();
    CHECK(env == SystemEnv());
    std::mutex mu;
    std::condition_variable cv;
    std::unique_lock lock(mu);
    const auto before = env->SteadyNow();
    CHECK_FALSE(env->WaitUntil(lock, cv, before + 30ms, [] { return false; }));
    CHECK(env->SteadyNow() - before >= 30ms);
    CHECK(env->WaitUntil(lock, cv, before + 10s, [] { return true; }));
    const auto wall = env->Now();
    CHECK(wall.time_since_epoch().count() > 0);
  }
}
