// The read gate: turns taken in index order, never more than `streams` reads at once, and a
// turn given up (a worker that fails before reading) does not stall the ones after it.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "lib/backup/read_turnstile.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore::internal;

namespace {

// `workers` threads take indexes 0..n-1 in turn, as the backup's workers do, and read each
// (every `skip`-th gives its turn up without reading). Records the order reads began in and
// the most that ran at once.
struct Run {
  std::vector<std::size_t> order;
  int most = 0;
};
Run Drive(int streams, int workers, std::size_t n, std::size_t skip) {
  ReadTurnstile gate(streams);
  std::atomic<std::size_t> next{0};
  std::atomic<int> running{0};
  std::mutex mu;
  Run run;
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      for (std::size_t i; (i = next.fetch_add(1)) < n;) {
        ReadTurnstile::Ticket ticket(gate, i);
        if (skip && i % skip == 0) continue;  // the ticket gives the turn up
        const auto reading = ticket.Read();
        const int now = running.fetch_add(1) + 1;
        {
          std::lock_guard lock(mu);
          run.order.push_back(i);
          run.most = std::max(run.most, now);
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200 + (i * 37) % 300));
        running.fetch_sub(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  return run;
}

}  // namespace

TEST_SUITE("read turnstile") {
  TEST_CASE("reads begin in index order, at most `streams` at once") {
    // One stream: each read ends before the next begins, so the order they were recorded in
    // is the order they were let in.
    const Run one = Drive(1, 8, 200, 0);
    REQUIRE(one.order.size() == 200);
    CHECK(std::is_sorted(one.order.begin(), one.order.end()));
    CHECK(one.most == 1);
    for (int streams : {2, 3}) {
      CAPTURE(streams);
      const Run r = Drive(streams, 8, 200, 0);
      REQUIRE(r.order.size() == 200);
      CHECK(r.most <= streams);
    }
    // Enough readers and slow reads: the gate does let `streams` run together.
    CHECK(Drive(3, 8, 200, 0).most == 3);
  }

  TEST_CASE("a turn given up without a read passes, and the rest go on") {
    const Run r = Drive(1, 6, 120, 5);
    CHECK(r.order.size() == 120 - 24);  // every fifth (0, 5, …, 115) gave its turn up
    CHECK(std::is_sorted(r.order.begin(), r.order.end()));
    CHECK(std::none_of(r.order.begin(), r.order.end(), [](std::size_t i) { return i % 5 == 0; }));
    CHECK(Drive(2, 6, 120, 5).order.size() == 120 - 24);
  }

  TEST_CASE("streams below one count as one") {
    CHECK(Drive(0, 4, 50, 0).most == 1);
  }
}
