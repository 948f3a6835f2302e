// Internal: a thin RAII layer over one sqlite3 connection with a prepared-statement cache.
//
// Thread-safety: none. SqliteStore serialises all use of a Db behind its own mutex.
#ifndef BLOCKSTORE_LIB_STORE_SQLITE_DB_HPP
#define BLOCKSTORE_LIB_STORE_SQLITE_DB_HPP

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "blockstore/result.hpp"

namespace blockstore::internal {

class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : stmt_(s) {}
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Binds by 1-based position.
  Stmt& Bind(int i, std::string_view v);
  Stmt& Bind(int i, int64_t v);
  Stmt& BindNull(int i);

  // true: a row is ready; false: done. Errors become unavailable/internal/already_exists.
  Result<bool> Step();
  // Runs to completion, expecting no rows.
  Status Run();

  std::string Text(int col) const;
  int64_t Int(int col) const;
  bool IsNull(int col) const;

  void Reset();
  sqlite3_stmt* raw() { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

class Db;

// BEGIN IMMEDIATE on construction; rolls back on destruction unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  [[nodiscard]] const Status& status() const { return status_; }
  Status Commit();

 private:
  Db& db_;
  Status status_;
  bool open_ = false;
};

class Db {
 public:
  static Result<std::unique_ptr<Db>> Open(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Finalizes every statement and closes the connection (releasing the file's locks). Later
  // calls answer unavailable. Idempotent.
  void Close();

  Status Exec(const std::string& sql);
  // A cached, reset statement ready for binding. The reference stays valid for the Db's life.
  Result<Stmt*> Prepare(const std::string& sql);
  // Prepares without caching: for SQL built per call.
  Result<std::unique_ptr<Stmt>> PrepareOnce(const std::string& sql);
  int64_t Changes() const { return db_ ? sqlite3_changes64(db_) : 0; }
  Status Error(std::string_view what) const;
  sqlite3* raw() { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_SQLITE_DB_HPP
