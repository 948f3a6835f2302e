#include "lib/store/sqlite_db.hpp"

#include "lib/core/macros.hpp"

namespace blockstore::internal {
namespace {

Status FromSqlite(sqlite3* db, int rc, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
      return Unavailable(std::move(msg));
    case SQLITE_CONSTRAINT:
      return AlreadyExists(std::move(msg));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLoss(std::move(msg));
    default:
      return Internal(std::move(msg));
  }
}

}  // namespace

Stmt& SqliteStmt::Bind(int i, std::string_view v) {
  // An empty view may point nowhere; it is the empty string, never NULL (as on PostgreSQL).
  sqlite3_bind_text(stmt_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& SqliteStmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& SqliteStmt::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> SqliteStmt::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return FromSqlite(sqlite3_db_handle(stmt_), rc, "sqlite step");
}

std::string SqliteStmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (!p) return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}
int64_t SqliteStmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
bool SqliteStmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

void SqliteStmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                     SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    Status s = FromSqlite(raw, rc, "opening database '" + path + "'");
    sqlite3_close(raw);
    return s;
  }
  sqlite3_extended_result_codes(raw, 1);
  return std::unique_ptr<SqliteDb>(new SqliteDb(raw));
}

SqliteDb::~SqliteDb() { Close(); }

void SqliteDb::Close() {
  ForgetStatements();  // finalize statements before closing
  if (db_) sqlite3_close(db_);
  db_ = nullptr;
}

namespace {
Status Closed() { return Unavailable("the store is closed"); }
}  // namespace

Status SqliteDb::Exec(const std::string& sql) {
  if (!db_) return Closed();
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return FromSqlite(nullptr, rc, "sqlite: " + msg);
  }
  return Status::Ok();
}

Result<std::unique_ptr<Stmt>> SqliteDb::NewStatement(const std::string& sql, bool reused) {
  if (!db_) return Closed();
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    reused ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  if (rc != SQLITE_OK) return FromSqlite(db_, rc, "preparing statement");
  return std::unique_ptr<Stmt>(new SqliteStmt(stmt));
}

Result<int> SqliteDb::SchemaVersion() {
  BS_ASSIGN_OR_RETURN(auto st, PrepareOnce("PRAGMA user_version"));
  BS_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Internal("PRAGMA user_version answered nothing");
  return static_cast<int>(st->Int(0));
}

Status SqliteDb::SetSchemaVersion(int version) {
  return Exec("PRAGMA user_version = " + std::to_string(version));
}

}  // namespace blockstore::internal
