#include "lib/store/pg_db.hpp"

#include <cstdlib>
#include <cstring>

#include "lib/core/macros.hpp"
#include "lib/store/pg_sql.hpp"

namespace blockstore::internal {

namespace pg_db {

// Advisory-lock keys: one for writers, one for migrations ("bs" and "bm" in ASCII).
constexpr const char* kWriterLock = "SELECT pg_advisory_xact_lock(25203)";
constexpr const char* kMigrationLock = "SELECT pg_advisory_lock(25197)";
constexpr const char* kMigrationUnlock = "SELECT pg_advisory_unlock(25197)";

Status ClosedStore() { return Unavailable("the store is closed"); }

std::string Trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// What a failed statement means to a caller, by SQLSTATE class.
Status StatusOf(const std::string& sqlstate, std::string message) {
  const std::string cls = sqlstate.substr(0, 2);
  if (sqlstate == "40001" || sqlstate == "40P01") return Aborted(std::move(message));
  if (cls == "23") return AlreadyExists(std::move(message));
  // Connection errors, shutdowns, too many connections, a server out of resources.
  if (cls == "08" || cls == "57" || cls == "53" || sqlstate == "55P03") return Unavailable(std::move(message));
  if (cls == "XX") return DataLoss(std::move(message));
  return Internal(std::move(message));
}

}  // namespace pg_db

Stmt& PgStmt::Bind(int i, std::string_view v) {
  if (params_.size() < static_cast<std::size_t>(i)) params_.resize(static_cast<std::size_t>(i));
  params_[static_cast<std::size_t>(i - 1)] = std::string(v);
  return *this;
}
Stmt& PgStmt::Bind(int i, int64_t v) { return Bind(i, std::string_view(std::to_string(v))); }
Stmt& PgStmt::BindNull(int i) {
  if (params_.size() < static_cast<std::size_t>(i)) params_.resize(static_cast<std::size_t>(i));
  params_[static_cast<std::size_t>(i - 1)] = std::nullopt;
  return *this;
}

Status PgStmt::Execute() {
  BS_ASSIGN_OR_RETURN(PGconn * conn, db_.Connection());
  std::vector<const char*> values;
  values.reserve(params_.size());
  for (const auto& p : params_) values.push_back(p ? p->c_str() : nullptr);
  const int n = static_cast<int>(values.size());
  std::vector<std::string> opening = db_.TakeOpening();
  const bool commit = db_.TakeClosing();
  if (!opening.empty() || commit) {
    // The first statement of a transaction goes with its BEGIN (and writer lock), the last
    // with its COMMIT: one trip each.
    bool prepared = false;
    auto r = db_.Pipelined(opening, sql_, name_, prepared_on_ != db_.generation(), values, commit, prepared);
    if (prepared) prepared_on_ = db_.generation();
    if (!r.ok()) return r.status();
    result_ = *r;
  } else if (name_.empty()) {
    result_ = PQexecParams(conn, sql_.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0);
  } else {
    if (prepared_on_ != db_.generation()) {
      PGresult* prep = PQprepare(conn, name_.c_str(), sql_.c_str(), 0, nullptr);
      if (PQresultStatus(prep) != PGRES_COMMAND_OK) return db_.FromResult(prep, "preparing a statement");
      PQclear(prep);
      prepared_on_ = db_.generation();
    }
    result_ = PQexecPrepared(conn, name_.c_str(), n, values.data(), nullptr, nullptr, 0);
  }
  const ExecStatusType st = PQresultStatus(result_);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    Status s = db_.FromResult(result_, "postgresql");
    result_ = nullptr;
    return s;
  }
  const char* changed = PQcmdTuples(result_);
  db_.SetChanges(changed && *changed ? std::strtoll(changed, nullptr, 10) : 0);
  row_ = -1;
  return Status::Ok();
}

Result<bool> PgStmt::Step() {
  if (!result_) BS_RETURN_IF_ERROR(Execute());
  ++row_;
  return row_ < PQntuples(result_);
}

std::string PgStmt::Text(int col) const {
  if (!result_ || PQgetisnull(result_, row_, col)) return {};
  return std::string(PQgetvalue(result_, row_, col), static_cast<std::size_t>(PQgetlength(result_, row_, col)));
}

int64_t PgStmt::Int(int col) const {
  if (!result_ || PQgetisnull(result_, row_, col)) return 0;
  const char* v = PQgetvalue(result_, row_, col);
  if (std::strcmp(v, "t") == 0) return 1;  // a boolean expression
  if (std::strcmp(v, "f") == 0) return 0;
  return std::strtoll(v, nullptr, 10);
}

bool PgStmt::IsNull(int col) const { return !result_ || PQgetisnull(result_, row_, col); }

void PgStmt::Reset() {
  if (result_) PQclear(result_);
  result_ = nullptr;
  row_ = -1;
  params_.clear();
}

Result<std::unique_ptr<PgDb>> PgDb::Open(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (!conn) return ResourceExhausted("postgresql: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    Status s = Unavailable("postgresql: cannot connect: " + pg_db::Trimmed(PQerrorMessage(conn)));
    PQfinish(conn);
    return s;
  }
  auto db = std::unique_ptr<PgDb>(new PgDb(conn));
  // Quiet notices (CREATE TABLE IF NOT EXISTS says "already exists, skipping").
  BS_RETURN_IF_ERROR(db->Exec("SET client_min_messages = warning"));
  return db;
}

PgDb::~PgDb() { Close(); }

void PgDb::Close() {
  ForgetStatements();
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
  closed_ = true;
}

Result<PGconn*> PgDb::Connection() {
  if (closed_ || !conn_) return pg_db::ClosedStore();
  if (PQstatus(conn_) == CONNECTION_OK) return conn_;
  // A transaction the connection took with it is gone: say so, and reconnect on the next call.
  if (in_transaction_) return Unavailable("postgresql: the connection was lost mid-transaction");
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Unavailable("postgresql: cannot reconnect: " + pg_db::Trimmed(PQerrorMessage(conn_)));
  }
  ++generation_;  // the server forgot our prepared statements and settings
  for (const auto& setting : settings_) {
    PGresult* r = PQexec(conn_, setting.c_str());
    PQclear(r);
  }
  return conn_;
}

Status PgDb::FromResult(PGresult* r, std::string_view what) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = std::string(what) + ": " +
                        pg_db::Trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
  if (r) PQclear(r);
  if (conn_ && PQstatus(conn_) != CONNECTION_OK) {
    in_transaction_ = false;  // it went with the connection
    return Unavailable(std::move(message));
  }
  const std::string sqlstate = state ? state : "";
  if (sqlstate == "40001" || sqlstate == "40P01") NoteConflict();
  return pg_db::StatusOf(sqlstate, std::move(message));
}

Result<PGresult*> PgDb::Pipelined(const std::vector<std::string>& opening, const std::string& sql,
                                  const std::string& name, bool prepare,
                                  const std::vector<const char*>& values, bool commit, bool& prepared) {
  prepared = false;
  BS_ASSIGN_OR_RETURN(PGconn * conn, Connection());
  if (PQenterPipelineMode(conn) != 1) return Internal("postgresql: cannot enter pipeline mode");
  const int n = static_cast<int>(values.size());
  bool sent = true;
  for (const auto& open : opening) {
    sent = sent && PQsendQueryParams(conn, open.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
  }
  if (!name.empty() && prepare) sent = sent && PQsendPrepare(conn, name.c_str(), sql.c_str(), 0, nullptr) == 1;
  if (name.empty()) {
    sent = sent && PQsendQueryParams(conn, sql.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0) == 1;
  } else {
    sent = sent && PQsendQueryPrepared(conn, name.c_str(), n, values.data(), nullptr, nullptr, 0) == 1;
  }
  if (commit) sent = sent && PQsendQueryParams(conn, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
  sent = sent && PQpipelineSync(conn) == 1;
  // Every command's result, then its NULL; then the sync. The first failure is the answer
  // (the commands after it come back aborted, a COMMIT among them: the transaction stays open
  // for the caller's rollback).
  const int preparing = !name.empty() && prepare ? 1 : 0;
  const int statement = static_cast<int>(opening.size()) + preparing;
  const int commands = statement + 1 + (commit ? 1 : 0);
  Status failed = sent ? Status::Ok() : Unavailable("postgresql: " + pg_db::Trimmed(PQerrorMessage(conn)));
  PGresult* last = nullptr;
  for (int c = 0; c < commands && sent; ++c) {
    PGresult* r = PQgetResult(conn);
    if (!r) {
      if (failed.ok()) failed = Unavailable("postgresql: " + pg_db::Trimmed(PQerrorMessage(conn)));
      break;
    }
    while (PGresult* more = PQgetResult(conn)) PQclear(more);  // up to the command's NULL
    const ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
      // A statement prepared stays prepared, whatever becomes of the transaction.
      if (preparing && c == statement - 1) prepared = true;
      if (commit && c == commands - 1 && failed.ok()) {
        in_transaction_ = false;
        committed_early_ = true;
      }
      if (c == statement) last = r; else PQclear(r);
    } else if (st == PGRES_PIPELINE_ABORTED) {
      PQclear(r);
    } else if (failed.ok()) {
      failed = FromResult(r, "postgresql");  // clears r
    } else {
      PQclear(r);
    }
  }
  // The sync, and back to one statement at a time.
  while (PGresult* r = PQgetResult(conn)) {
    const bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
    if (sync) break;
  }
  if (PQexitPipelineMode(conn) != 1 && failed.ok()) {
    failed = Unavailable("postgresql: " + pg_db::Trimmed(PQerrorMessage(conn)));
  }
  if (!failed.ok()) {
    if (last) PQclear(last);
    return failed;
  }
  return last;
}

std::vector<std::string> PgDb::TakeOpening() { return std::exchange(opening_, {}); }

Status PgDb::FlushOpening() {
  for (const auto& open : TakeOpening()) BS_RETURN_IF_ERROR(Exec(open));
  return Status::Ok();
}

Status PgDb::Exec(const std::string& sql) {
  if (!opening_.empty()) BS_RETURN_IF_ERROR(FlushOpening());
  BS_ASSIGN_OR_RETURN(PGconn * conn, Connection());
  // Session settings are made again on a new connection.
  if (sql.starts_with("SET ") && !in_transaction_) settings_.push_back(sql);
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return FromResult(r, "postgresql");
  PQclear(r);
  return Status::Ok();
}

Result<std::unique_ptr<Stmt>> PgDb::NewStatement(const std::string& sql, bool reused) {
  if (closed_) return pg_db::ClosedStore();
  return std::unique_ptr<Stmt>(new PgStmt(*this, PgStatement(sql), reused ? NextName() : std::string()));
}

// BEGIN (and the lock) is sent with the transaction's first statement (PgStmt::Execute); the
// connection is made live first, since a transaction never reconnects.
Status PgDb::Begin() {
  BS_RETURN_IF_ERROR(Connection().status());
  opening_ = {"BEGIN", pg_db::kWriterLock};
  in_transaction_ = true;
  return Status::Ok();
}

Status PgDb::BeginBeside() {
  BS_RETURN_IF_ERROR(Connection().status());
  opening_ = {"BEGIN"};
  in_transaction_ = true;
  return Status::Ok();
}

Status PgDb::Commit() {
  closing_ = false;
  if (std::exchange(committed_early_, false)) return Status::Ok();  // went with the last statement
  if (!opening_.empty()) {  // nothing was sent: nothing to commit
    opening_.clear();
    in_transaction_ = false;
    return Status::Ok();
  }
  Status s = Exec("COMMIT");
  in_transaction_ = false;
  return s;
}

void PgDb::CommitWithNext() {
  if (in_transaction_) closing_ = true;
}

void PgDb::Rollback() {
  closing_ = false;
  if (std::exchange(committed_early_, false)) {  // committed already: nothing to roll back
    in_transaction_ = false;
    return;
  }
  if (!opening_.empty()) {
    opening_.clear();
  } else if (conn_ && PQstatus(conn_) == CONNECTION_OK) {
    PGresult* r = PQexec(conn_, "ROLLBACK");
    PQclear(r);
  }
  in_transaction_ = false;
}

Result<int> PgDb::SchemaVersion() {
  // Read only: a database without the table is at version 0 (SetSchemaVersion creates it).
  BS_ASSIGN_OR_RETURN(auto exists, PrepareOnce("SELECT to_regclass('blockstore_schema') IS NOT NULL"));
  BS_ASSIGN_OR_RETURN(bool any, exists->Step());
  if (!any || exists->Int(0) == 0) return 0;
  BS_ASSIGN_OR_RETURN(auto st, PrepareOnce("SELECT max(version) FROM blockstore_schema"));
  BS_ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? static_cast<int>(st->Int(0)) : 0;
}

Status PgDb::SetSchemaVersion(int version) {
  return Exec("CREATE TABLE IF NOT EXISTS blockstore_schema (version BIGINT NOT NULL); "
              "DELETE FROM blockstore_schema; INSERT INTO blockstore_schema (version) VALUES (" +
              std::to_string(version) + ")");
}

std::string PgDb::Ddl(const std::string& sqlite_ddl) const { return PgDdl(sqlite_ddl); }

Status PgDb::LockMigrations() { return Exec(pg_db::kMigrationLock); }

void PgDb::UnlockMigrations() { (void)Exec(pg_db::kMigrationUnlock); }

}  // namespace blockstore::internal
