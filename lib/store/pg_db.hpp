// Internal: Db over one libpq connection to PostgreSQL.
//
// Statements are prepared on the server once per connection (cached ones by name; per-call
// ones sent with their parameters); parameters and results travel as text. A write
// transaction takes a transaction-scoped advisory lock first, so writers on one database are
// serialised across every process as SQLite serialises them in one: a check and the change
// that depends on it (no snapshots, then delete; quota, then reserve) are never interleaved
// with another writer's. Reads do not take it, nor does a transaction begun beside the others
// (BeginBeside). BEGIN and the lock travel with the transaction's first statement, in one
// pipeline. A lost connection answers unavailable; the
// next call outside a transaction reconnects (and makes its session settings and prepares
// its statements again).
//
// Thread-safety: none. The store serialises all use of a Db behind its own mutex.
#ifndef BLOCKSTORE_LIB_STORE_PG_DB_HPP
#define BLOCKSTORE_LIB_STORE_PG_DB_HPP

#include <libpq-fe.h>

#include <optional>
#include <utility>
#include <vector>

#include "lib/store/sql_db.hpp"

namespace blockstore::internal {

class PgDb;

class PgStmt final : public Stmt {
 public:
  // `name` empty: sent with its parameters each time, never prepared.
  PgStmt(PgDb& db, std::string sql, std::string name) : db_(db), sql_(std::move(sql)), name_(std::move(name)) {}
  ~PgStmt() override { Reset(); }

  Stmt& Bind(int i, std::string_view v) override;
  Stmt& Bind(int i, int64_t v) override;
  Stmt& BindNull(int i) override;
  Result<bool> Step() override;
  std::string Text(int col) const override;
  int64_t Int(int col) const override;
  bool IsNull(int col) const override;
  int Columns() const override { return result_ ? PQnfields(result_) : 0; }
  std::string ColumnName(int col) const override { return result_ ? PQfname(result_, col) : ""; }
  void Reset() override;

 private:
  Status Execute();

  PgDb& db_;
  std::string sql_;
  std::string name_;
  uint64_t prepared_on_ = 0;  // the connection generation it was prepared on (0: never)
  std::vector<std::optional<std::string>> params_;
  PGresult* result_ = nullptr;
  int row_ = -1;
};

class PgDb final : public Db {
 public:
  // `conninfo`: a libpq connection string or URL (postgresql://user:pass@host:port/db?sslmode=…).
  static Result<std::unique_ptr<PgDb>> Open(const std::string& conninfo);
  ~PgDb() override;

  void Close() override;
  Status Exec(const std::string& sql) override;
  int64_t Changes() const override { return changes_; }
  Status BeginBeside() override;
  bool InTransaction() const override { return in_transaction_; }
  bool LocksRows() const override { return true; }
  Status Begin() override;
  Status Commit() override;
  void Rollback() override;
  void CommitWithNext() override;
  Result<int> SchemaVersion() override;
  Status SetSchemaVersion(int version) override;
  std::string Ddl(const std::string& sqlite_ddl) const override;
  Status LockMigrations() override;
  void UnlockMigrations() override;

  // For PgStmt: a live connection (reconnecting outside a transaction), its generation, and
  // the status a failed result stands for.
  Result<PGconn*> Connection();
  uint64_t generation() const { return generation_; }
  Status FromResult(PGresult* r, std::string_view what);
  void SetChanges(int64_t n) { changes_ = n; }
  // What an open transaction has yet to send before its first statement (BEGIN, the writer
  // lock), taken by the statement that sends them along (Pipelined).
  std::vector<std::string> TakeOpening();
  // Whether the next statement carries the transaction's COMMIT (CommitWithNext); clears it.
  bool TakeClosing() { return std::exchange(closing_, false); }
  // `opening`, then the statement (prepared first when `prepare`), then COMMIT when `commit`,
  // in one pipeline: the statement's result, or the first failure. `prepared`: the server now
  // holds the statement. A COMMIT that succeeded ends the transaction (Commit() reports it).
  Result<PGresult*> Pipelined(const std::vector<std::string>& opening, const std::string& sql,
                              const std::string& name, bool prepare,
                              const std::vector<const char*>& values, bool commit, bool& prepared);
  std::string NextName() { return "bs" + std::to_string(++names_); }

 protected:
  Result<std::unique_ptr<Stmt>> NewStatement(const std::string& sql, bool reused) override;

 private:
  explicit PgDb(PGconn* conn) : conn_(conn) {}

  PGconn* conn_;
  bool closed_ = false;
  bool in_transaction_ = false;
  bool closing_ = false;           // TakeClosing
  bool committed_early_ = false;   // a pipelined COMMIT ended the transaction
  uint64_t generation_ = 1;
  uint64_t names_ = 0;
  int64_t changes_ = 0;
  Status FlushOpening();

  std::vector<std::string> settings_;  // SET … statements, made again after a reconnect
  std::vector<std::string> opening_;   // TakeOpening
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_PG_DB_HPP
