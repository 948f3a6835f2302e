// The SQL capacity repository: capacity holds — what placements took on a pool before a
// report of the pool counts it, shared by every scheduler on the database.
//
// A hold first counts itself in its pool's row of capacity_pools (an upsert that returns the
// count, the hold's number). On PostgreSQL the same statement records the hold, and the row
// stays locked until it commits: holds on one pool take turns, holds on different pools run
// side by side, and every hold numbered below ours has committed by the time we read. On
// SQLite a transaction does the same (it is the database's only writer anyway). A caller that
// saw every hold up to the number before ours reads nothing: one scheduler alone on a pool
// never reads.
#include <algorithm>
#include <cstdlib>

#include "lib/core/macros.hpp"
#include "lib/store/row_query.hpp"
#include "lib/store/sql_repositories.hpp"

namespace blockstore::internal {
namespace {

// Expired holds are dropped by one hold on a pool in this many.
constexpr int64_t kExpiryEvery = 64;

CapacityHold ReadHold(const Stmt& st) {
  CapacityHold h;
  h.key = st.Text(0);
  h.pool = st.Text(1);
  h.gb = std::strtod(st.Text(2).c_str(), nullptr);
  h.placed_at = ParseTime(st.Text(3)).value_or(TimePoint{});
  h.seq = st.Int(4);
  return h;
}

std::string GbText(double gb) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", gb);
  return buf;
}

}  // namespace

Result<CapacityHoldOutcome> SqlCapacity::Hold(
    const CapacityHold& hold, int64_t seen_seq, TimePoint counted_since, TimePoint expired_before,
    const std::function<bool(const std::vector<CapacityHold>&)>& fits) {
  return sessions_.Run([&](SqlSession& session) -> Result<CapacityHoldOutcome> {
    if (hold.key.empty() || hold.pool.empty())
      return InvalidArgument("a capacity hold needs a key and a pool");
    if (!(hold.gb >= 0)) return InvalidArgument("a capacity hold cannot be negative");
    if (session.db().LocksRows()) return HoldBeside(session, hold, seen_seq, counted_since, expired_before, fits);
    Transaction tx(session.db(), TransactionMode::kBeside);
    BS_RETURN_IF_ERROR(tx.status());
    CapacityHoldOutcome out;
    {
      BS_ASSIGN_OR_RETURN(
          Stmt * st,
          session.db().Prepare("INSERT INTO capacity_pools (pool, holds) VALUES (?1, 1) "
                               "ON CONFLICT (pool) DO UPDATE SET holds = capacity_pools.holds + 1 "
                               "RETURNING holds"));
      st->Bind(1, hold.pool);
      BS_ASSIGN_OR_RETURN(bool row, st->Step());
      if (row) out.seq = st->Int(0);
      st->Reset();
      if (!row) return Internal("the capacity of pool " + hold.pool + " returned no row");
    }
    const std::string oldest = FormatTime(std::max(counted_since, expired_before));
    if (out.seq % kExpiryEvery == 0)
      BS_RETURN_IF_ERROR(session.DropExpiredHoldsLocked(hold.pool, expired_before));
    // Numbers up to seen_seq the caller has seen; the one before ours it may not have. When
    // ours follows seen_seq, no other hold came between and there is nothing to read.
    std::vector<CapacityHold> holds;
    if (out.seq - 1 > seen_seq) {
      BS_ASSIGN_OR_RETURN(
          holds,
          QueryRows(
              session.db(),
              "SELECT hold_key, pool, gb, placed_at, seq FROM capacity_holds WHERE pool = ?1 AND "
              "seq > ?2 AND placed_at >= ?3 ORDER BY seq",
              {hold.pool, std::to_string(seen_seq), oldest}, /*cache=*/true, ReadHold));
    }
    out.held = !fits || fits(holds);
    if (out.held) {
      BS_ASSIGN_OR_RETURN(
          Stmt * st, session.db().Prepare(
                         "INSERT INTO capacity_holds (hold_key, pool, seq, gb, placed_at) "
                         "VALUES (?1, ?2, ?3, CAST(?4 AS DOUBLE PRECISION), ?5) "
                         "ON CONFLICT (hold_key) DO UPDATE SET pool = excluded.pool, "
                         "seq = excluded.seq, gb = excluded.gb, placed_at = excluded.placed_at"));
      BS_RETURN_IF_ERROR(st->Bind(1, hold.key)
                             .Bind(2, hold.pool)
                             .Bind(3, out.seq)
                             .Bind(4, GbText(hold.gb))
                             .Bind(5, FormatTime(hold.placed_at))
                             .Run());
    }
    BS_RETURN_IF_ERROR(tx.Commit());
    return out;
  });
}

// PostgreSQL, beside the other schedulers: the hold takes its number and is recorded in one
// statement (the pool's row stays locked until it commits, so every hold numbered below ours
// has committed by the time we read); then the holds numbered between what the caller saw and
// ours are read, and if the request does not fit beside them the hold is withdrawn. A hold
// that is withdrawn may have been counted by a later one meanwhile: that one was refused
// room it had, never given room it had not (and its scheduler counts the withdrawn hold until
// the pool's next report; withdrawals only happen on a pool that is full anyway). One round
// trip when no other hold came between, two otherwise.
Result<CapacityHoldOutcome> SqlCapacity::HoldBeside(
    SqlSession& session, const CapacityHold& hold, int64_t seen_seq, TimePoint counted_since,
    TimePoint expired_before, const std::function<bool(const std::vector<CapacityHold>&)>& fits) {
  CapacityHoldOutcome out;
  {
    BS_ASSIGN_OR_RETURN(
        Stmt * st,
        session.db().Prepare(
            "WITH p AS (INSERT INTO capacity_pools (pool, holds) VALUES (?1, 1) ON CONFLICT (pool) "
            "DO UPDATE SET holds = capacity_pools.holds + 1 RETURNING holds), "
            "h AS (INSERT INTO capacity_holds (hold_key, pool, seq, gb, placed_at) "
            "SELECT ?2, ?1, p.holds, CAST(?3 AS DOUBLE PRECISION), ?4 FROM p "
            "ON CONFLICT (hold_key) DO UPDATE SET pool = excluded.pool, seq = excluded.seq, "
            "gb = excluded.gb, placed_at = excluded.placed_at RETURNING seq) "
            "SELECT seq FROM h"));
    st->Bind(1, hold.pool).Bind(2, hold.key).Bind(3, GbText(hold.gb)).Bind(4, FormatTime(hold.placed_at));
    BS_ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) out.seq = st->Int(0);
    st->Reset();
    if (!row) return Internal("the capacity of pool " + hold.pool + " returned no row");
  }
  if (out.seq % kExpiryEvery == 0)
    BS_RETURN_IF_ERROR(session.DropExpiredHoldsLocked(hold.pool, expired_before));
  std::vector<CapacityHold> holds;
  if (out.seq - 1 > seen_seq) {
    BS_ASSIGN_OR_RETURN(
        holds, QueryRows(session.db(),
                         "SELECT hold_key, pool, gb, placed_at, seq FROM capacity_holds WHERE pool = ?1 AND "
                         "seq > ?2 AND seq < ?3 AND placed_at >= ?4 ORDER BY seq",
                         {hold.pool, std::to_string(seen_seq), std::to_string(out.seq),
                          FormatTime(std::max(counted_since, expired_before))},
                         /*cache=*/true, ReadHold));
  }
  out.held = !fits || fits(holds);
  if (!out.held) {
    BS_ASSIGN_OR_RETURN(Stmt * st, session.db().Prepare(
                                       "DELETE FROM capacity_holds WHERE hold_key = ?1 AND seq = ?2"));
    BS_RETURN_IF_ERROR(st->Bind(1, hold.key).Bind(2, out.seq).Run());
  }
  return out;
}

Status SqlSession::DropExpiredHoldsLocked(const std::string& pool, TimePoint expired_before) {
  BS_ASSIGN_OR_RETURN(
      Stmt * st, db_->Prepare("DELETE FROM capacity_holds WHERE pool = ?1 AND placed_at < ?2"));
  return st->Bind(1, pool).Bind(2, FormatTime(expired_before)).Run();
}

Status SqlCapacity::Release(std::string_view key) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    BS_ASSIGN_OR_RETURN(Stmt * st,
                        session.db().Prepare("DELETE FROM capacity_holds WHERE hold_key = ?1"));
    return st->Bind(1, key).Run();
  });
}

}  // namespace blockstore::internal
