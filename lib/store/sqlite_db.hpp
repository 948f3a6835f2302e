// Internal: Db over one sqlite3 connection, with a prepared-statement cache.
//
// Thread-safety: none. The store serialises all use of a Db behind its own mutex.
#ifndef BLOCKSTORE_LIB_STORE_SQLITE_DB_HPP
#define BLOCKSTORE_LIB_STORE_SQLITE_DB_HPP

#include <sqlite3.h>

#include "lib/store/sql_db.hpp"

namespace blockstore::internal {

class SqliteStmt final : public Stmt {
 public:
  explicit SqliteStmt(sqlite3_stmt* s) : stmt_(s) {}
  ~SqliteStmt() override { sqlite3_finalize(stmt_); }

  Stmt& Bind(int i, std::string_view v) override;
  Stmt& Bind(int i, int64_t v) override;
  Stmt& BindNull(int i) override;
  Result<bool> Step() override;
  std::string Text(int col) const override;
  int64_t Int(int col) const override;
  bool IsNull(int col) const override;
  int Columns() const override { return sqlite3_column_count(stmt_); }
  std::string ColumnName(int col) const override { return sqlite3_column_name(stmt_, col); }
  void Reset() override;

 private:
  sqlite3_stmt* stmt_;
};

class SqliteDb final : public Db {
 public:
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path);
  ~SqliteDb() override;

  void Close() override;
  Status Exec(const std::string& sql) override;
  int64_t Changes() const override { return db_ ? sqlite3_changes64(db_) : 0; }
  Status Begin() override {
    Status s = Exec("BEGIN IMMEDIATE");
    in_transaction_ = s.ok();
    return s;
  }
  Status Commit() override {
    Status s = Exec("COMMIT");
    if (s.ok()) in_transaction_ = false;
    return s;
  }
  void Rollback() override {
    (void)Exec("ROLLBACK");
    in_transaction_ = false;
  }
  Status BeginBeside() override { return Begin(); }
  bool InTransaction() const override { return in_transaction_; }
  bool LocksRows() const override { return false; }
  Result<int> SchemaVersion() override;
  Status SetSchemaVersion(int version) override;
  std::string Ddl(const std::string& sqlite_ddl) const override { return sqlite_ddl; }
  // One engine owns a SQLite file (exclusive locking): there is no one to race.
  Status LockMigrations() override { return Status::Ok(); }
  void UnlockMigrations() override {}

 protected:
  Result<std::unique_ptr<Stmt>> NewStatement(const std::string& sql, bool reused) override;

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  bool in_transaction_ = false;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_SQLITE_DB_HPP
