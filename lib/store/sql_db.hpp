// Internal: what the SQL store needs of a database connection — statements with positional
// parameters, transactions, schema versions — implemented for SQLite (sqlite_db) and
// PostgreSQL (pg_db). The store's SQL is written once, in SQLite's spelling; a connection
// translates what its database spells differently (pg_sql).
//
// Thread-safety: none. The store serialises all use of a Db behind its own mutex.
#ifndef BLOCKSTORE_LIB_STORE_SQL_DB_HPP
#define BLOCKSTORE_LIB_STORE_SQL_DB_HPP

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "blockstore/result.hpp"

namespace blockstore::internal {

class Stmt {
 public:
  virtual ~Stmt() = default;
  // Binds by 1-based position.
  virtual Stmt& Bind(int i, std::string_view v) = 0;
  virtual Stmt& Bind(int i, int64_t v) = 0;
  virtual Stmt& BindNull(int i) = 0;

  // true: a row is ready; false: done. Errors: unavailable (the database is busy or gone),
  // already_exists (a constraint), aborted (a serialization failure or deadlock: try again),
  // data_loss (a damaged file), internal.
  virtual Result<bool> Step() = 0;
  // Runs to completion, expecting no rows.
  Status Run() {
    auto r = Step();
    Reset();
    if (!r.ok()) return r.status();
    return Status::Ok();
  }

  virtual std::string Text(int col) const = 0;
  virtual int64_t Int(int col) const = 0;
  virtual bool IsNull(int col) const = 0;
  // The current result's columns (after a Step).
  virtual int Columns() const = 0;
  virtual std::string ColumnName(int col) const = 0;

  virtual void Reset() = 0;
};

class Db {
 public:
  virtual ~Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Closes the connection. Later calls answer unavailable. Idempotent.
  virtual void Close() = 0;
  // One or more statements, no parameters, no rows.
  virtual Status Exec(const std::string& sql) = 0;
  // A cached, reset statement ready for binding. The pointer stays valid until Close.
  Result<Stmt*> Prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
      it->second->Reset();
      return it->second.get();
    }
    auto fresh = NewStatement(sql, /*reused=*/true);
    if (!fresh.ok()) return fresh.status();
    Stmt* out = fresh->get();
    cache_.emplace(sql, std::move(fresh).value());
    return out;
  }
  // Prepares without caching: for SQL built per call.
  Result<std::unique_ptr<Stmt>> PrepareOnce(const std::string& sql) {
    return NewStatement(sql, /*reused=*/false);
  }
  // Rows the last statement changed.
  virtual int64_t Changes() const = 0;

  // A write transaction: SQLite's single writer; on PostgreSQL, one writer at a time across
  // every process on the database (docs/architecture.md, "the store").
  virtual Status Begin() = 0;
  // A write transaction that runs beside others: on PostgreSQL it takes no writer lock (every
  // transaction still excludes it), for writes that are safe beside other writers — each
  // row it depends on locked by the statement that changes it, every counter changed by a
  // relative increment. SQLite has one writer: Begin.
  virtual Status BeginBeside() = 0;
  // Whether a transaction is open (Begin without its Commit or Rollback yet).
  virtual bool InTransaction() const = 0;
  // Whether writers of one statement may run beside a transaction, so that a transaction
  // must lock the rows it reads and then depends on (SELECT … FOR UPDATE): PostgreSQL, whose
  // single-statement writes take no writer lock. SQLite has one writer: no.
  virtual bool LocksRows() const = 0;
  // Whether a call failed on a serialization failure or deadlock since the last asking: the
  // whole call may be made again. Clears the mark.
  bool TakeConflict() { return std::exchange(conflict_, false); }
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;
  // The next statement is the open transaction's last: on PostgreSQL its COMMIT travels with
  // it (one round trip for both), and the statement's failure is the commit's; Commit() then
  // reports what became of it. SQLite commits in Commit() as always.
  virtual void CommitWithNext() {}

  // The schema version the database is at (0: empty), and setting it inside a migration's
  // transaction.
  virtual Result<int> SchemaVersion() = 0;
  virtual Status SetSchemaVersion(int version) = 0;
  // A migration's DDL, written for SQLite, as this database spells it.
  virtual std::string Ddl(const std::string& sqlite_ddl) const = 0;
  // Held while migrating, so that two processes starting at once migrate once. Released by
  // UnlockMigrations (or by closing).
  virtual Status LockMigrations() = 0;
  virtual void UnlockMigrations() = 0;

 protected:
  Db() = default;
  // `reused`: the statement is cached and run many times (worth preparing on the server).
  virtual Result<std::unique_ptr<Stmt>> NewStatement(const std::string& sql, bool reused) = 0;
  void ForgetStatements() { cache_.clear(); }
  void NoteConflict() { conflict_ = true; }

 private:
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
  bool conflict_ = false;
};

enum class TransactionMode {
  kAlone,   // Db::Begin
  kBeside,  // Db::BeginBeside
};

// Begins on construction; rolls back on destruction unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Db& db, TransactionMode mode = TransactionMode::kAlone) : db_(db) {
    status_ = mode == TransactionMode::kAlone ? db_.Begin() : db_.BeginBeside();
    open_ = status_.ok();
  }
  ~Transaction() {
    if (open_) db_.Rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  [[nodiscard]] const Status& status() const { return status_; }
  Status Commit() {
    if (!open_) return status_.ok() ? Internal("transaction already finished") : status_;
    Status s = db_.Commit();
    if (s.ok()) open_ = false;
    return s;
  }
  // See Db::CommitWithNext: Commit() must still be called once the statement has run.
  void CommitWithNext() {
    if (open_) db_.CommitWithNext();
  }

 private:
  Db& db_;
  Status status_;
  bool open_ = false;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_SQL_DB_HPP
