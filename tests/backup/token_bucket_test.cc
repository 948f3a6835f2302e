// The bandwidth limit, on a manual clock: after the first second's burst, a transfer takes the
// time its size and rate say.
#include <chrono>

#include "blockstore/env.hpp"
#include "lib/backup/token_bucket.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;
using namespace blockstore::internal;
using namespace std::chrono;

TEST_SUITE("token bucket") {
  TEST_CASE("paces to the rate after a one-second burst; the clock advances by the sleeps") {
    ManualEnv env(TimePoint{});  // its clock moves as if the caller had slept
    TokenBucket bucket(100 << 20, env);
    for (int i = 0; i < 100; ++i) bucket.Take(1 << 20);  // the first 100 MiB: the burst
    CHECK(env.slept().count() == 0);
    for (int i = 0; i < 200; ++i) bucket.Take(1 << 20);  // 200 MiB more at 100 MiB/s
    CHECK(duration<double>(env.slept()).count() == doctest::Approx(2.0).epsilon(0.01));
  }

  TEST_CASE("time that passes refills the bucket, never above the burst; zero means no limit") {
    ManualEnv env(TimePoint{});
    TokenBucket bucket(10, env);
    bucket.Take(10);
    env.Advance(seconds(100));  // idle for long: still only one second's worth banked
    bucket.Take(10);
    CHECK(env.slept().count() == 0);
    bucket.Take(5);
    CHECK(duration<double>(env.slept()).count() == doctest::Approx(0.5));
    TokenBucket unlimited(0, env);
    unlimited.Take(uint64_t{1} << 40);
    CHECK(duration<double>(env.slept()).count() == doctest::Approx(0.5));
  }
}
