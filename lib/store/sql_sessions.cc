// SqlSessions: leasing sessions, and pausing between the attempts of a conflicting call.
#include "lib/store/sql_sessions.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

namespace blockstore::internal {

SqlSessions::SqlSessions(std::unique_ptr<SqlSession> first, Connect connect, int max_size)
    : connect_(std::move(connect)),
      max_size_(connect_ ? std::max(1, max_size) : 1),
      options_(first->options()) {
  idle_.push_back(first.get());
  sessions_.push_back(std::move(first));
}

Result<SqlSession*> SqlSessions::Acquire() {
  std::unique_lock lock(mu_);
  while (true) {
    if (closed_) return Unavailable("the store is closed");
    if (!idle_.empty()) {
      SqlSession* s = idle_.back();
      idle_.pop_back();
      return s;
    }
    if (static_cast<int>(sessions_.size()) + connecting_ < max_size_) break;
    idle_cv_.wait(lock);
  }
  ++connecting_;
  lock.unlock();
  auto fresh = connect_();
  lock.lock();
  --connecting_;
  if (!fresh.ok()) {
    // The server takes no more connections (or is gone): wait for one we have.
    idle_cv_.notify_all();
    while (idle_.empty() && !closed_) idle_cv_.wait(lock);
    if (closed_) return Unavailable("the store is closed");
    SqlSession* s = idle_.back();
    idle_.pop_back();
    return s;
  }
  SqlSession* s = fresh->get();
  sessions_.push_back(std::move(fresh).value());
  return s;
}

void SqlSessions::Release(SqlSession* s) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(s);
  }
  idle_cv_.notify_one();
}

void SqlSessions::PauseAfterConflict(int attempt) {
  thread_local std::minstd_rand jitter(std::random_device{}());
  // Up to 1, 2, 4, … 32 ms, at random, so that the two sides of a conflict part.
  const int ceiling_us = 1000 << std::min(attempt - 1, 5);
  std::this_thread::sleep_for(std::chrono::microseconds(
      std::uniform_int_distribution<int>(ceiling_us / 4, ceiling_us)(jitter)));
}

void SqlSessions::Close() {
  std::unique_lock lock(mu_);
  if (closed_) return;
  closed_ = true;
  idle_cv_.notify_all();
  // The engine closes after its last worker stopped; a call still running finishes first.
  idle_cv_.wait(lock, [&] { return idle_.size() == sessions_.size() && connecting_ == 0; });
  for (auto& s : sessions_) s->Close();
}

}  // namespace blockstore::internal
