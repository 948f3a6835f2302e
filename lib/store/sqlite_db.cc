#include "lib/store/sqlite_db.hpp"

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

Stmt& Stmt::Bind(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> Stmt::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return FromSqlite(sqlite3_db_handle(stmt_), rc, "sqlite step");
}

Status Stmt::Run() {
  auto r = Step();
  Reset();
  if (!r.ok()) return r.status();
  return Status::Ok();
}

std::string Stmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (!p) return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}
int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Transaction::Transaction(Db& db) : db_(db) {
  status_ = db_.Exec("BEGIN IMMEDIATE");
  open_ = status_.ok();
}

Transaction::~Transaction() {
  if (open_) (void)db_.Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (!open_) return status_.ok() ? Internal("transaction already finished") : status_;
  Status s = db_.Exec("COMMIT");
  if (s.ok()) open_ = false;
  return s;
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path) {
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
  return std::unique_ptr<Db>(new Db(raw));
}

Db::~Db() { Close(); }

void Db::Close() {
  cache_.clear();  // finalize statements before closing
  if (db_) sqlite3_close(db_);
  db_ = nullptr;
}

namespace {
Status Closed() { return Unavailable("the store is closed"); }
}  // namespace

Status Db::Exec(const std::string& sql) {
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

Result<Stmt*> Db::Prepare(const std::string& sql) {
  if (!db_) return Closed();
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  auto fresh = PrepareOnce(sql);
  if (!fresh.ok()) return fresh.status();
  Stmt* out = fresh->get();
  cache_.emplace(sql, std::move(fresh).value());
  return out;
}

Result<std::unique_ptr<Stmt>> Db::PrepareOnce(const std::string& sql) {
  if (!db_) return Closed();
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return FromSqlite(db_, rc, "preparing statement");
  return std::make_unique<Stmt>(stmt);
}

Status Db::Error(std::string_view what) const {
  if (!db_) return Closed();
  return FromSqlite(db_, sqlite3_errcode(db_), what);
}

}  // namespace blockstore::internal
