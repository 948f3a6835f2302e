// Internal: the sessions (connections) of one SQL store, lent to one call at a time.
//
// A call takes an idle session (connecting another while fewer than max_size exist, else
// waiting for one), runs on it and gives it back, so calls from several threads run side by
// side on the server. A call that failed on a serialization failure or deadlock (each call is
// one transaction, rolled back whole) is made again, a bounded number of times, after a short
// random pause. SQLite has one session and no `connect`: its calls take turns on it.
#ifndef BLOCKSTORE_LIB_STORE_SQL_SESSIONS_HPP
#define BLOCKSTORE_LIB_STORE_SQL_SESSIONS_HPP

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "lib/store/sql_session.hpp"

namespace blockstore::internal {

class SqlSessions {
 public:
  // `connect` opens one more session (a connection of its own) on the same database; empty
  // when there is only `first`.
  using Connect = std::function<Result<std::unique_ptr<SqlSession>>()>;
  SqlSessions(std::unique_ptr<SqlSession> first, Connect connect, int max_size);

  // How many times a conflicting call is made in all.
  static constexpr int kMaxAttempts = 10;

  // Runs `call(SqlSession&)` on an idle session, again while it fails on a conflict.
  template <typename Call>
  auto Run(Call&& call) -> decltype(call(std::declval<SqlSession&>())) {
    for (int attempt = 1;; ++attempt) {
      auto s = Acquire();
      if (!s.ok()) return s.status();
      auto out = call(**s);
      const bool conflict = (*s)->TakeConflict();
      Release(*s);
      if (out.ok() || !conflict || attempt == kMaxAttempts) return out;
      PauseAfterConflict(attempt);
    }
  }

  // Waits for the calls running, then closes every session; later calls answer unavailable.
  void Close();
  // The options every session was opened with.
  const SqlStoreOptions& options() const { return options_; }

 private:
  Result<SqlSession*> Acquire();
  void Release(SqlSession* s);
  static void PauseAfterConflict(int attempt);

  const Connect connect_;
  const int max_size_;
  const SqlStoreOptions options_;
  std::mutex mu_;
  std::condition_variable idle_cv_;
  std::vector<std::unique_ptr<SqlSession>> sessions_;  // never shrinks until Close; [0] always set
  std::vector<SqlSession*> idle_;
  int connecting_ = 0;
  bool closed_ = false;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_SQL_SESSIONS_HPP
