// blockstore — Store: where records live.
//
// A store hands out one repository per aggregate (repositories.hpp); every call on any of them
// is one atomic transaction of the store, status changes compare-and-set with their quota.
//
// OpenSqliteStore is the embedded default; OpenPostgresStore is shared by several engines.
// Hosts may implement Store over another database; the services and managers use only these
// interfaces.
//
// Thread-safety: every method may be called from any thread concurrently.
#ifndef BLOCKSTORE_STORE_HPP
#define BLOCKSTORE_STORE_HPP

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "blockstore/env.hpp"
#include "blockstore/export.h"
#include "blockstore/repositories.hpp"
#include "blockstore/requests.hpp"
#include "blockstore/result.hpp"
#include "blockstore/types.hpp"

namespace blockstore {

class BS_API Store {
 public:
  virtual ~Store();

  // Releases what the store holds (files, locks, connections); every later call answers
  // unavailable. The engine calls it as it closes, after its last worker stopped. Idempotent.
  // Default: nothing to release.
  virtual void Close() {}
  // Whether other engines may use this store at the same time (PostgreSQL does; a SQLite
  // file is opened by one engine). The scheduler then agrees its placements through
  // capacity holds. Default: not shared.
  virtual bool Shared() const { return false; }

  // One repository per aggregate; each lives as long as the store.
  virtual VolumeRepository& volumes() = 0;
  virtual SnapshotRepository& snapshots() = 0;
  virtual BackupRepository& backups() = 0;
  virtual AttachmentRepository& attachments() = 0;
  virtual VolumeTypeRepository& volume_types() = 0;
  virtual QosRepository& qos_specs() = 0;
  virtual ServiceRepository& services() = 0;
  virtual CapacityRepository& capacity() = 0;
  virtual QuotaRepository& quotas() = 0;
  virtual MessageRepository& messages() = 0;
  virtual TransferRepository& transfers() = 0;
  virtual IdempotencyRepository& idempotency() = 0;
};

enum class Durability {
  kNormal,  // WAL + synchronous=NORMAL: never corrupt; the last commits may be lost on power loss
  kFull,    // WAL + synchronous=FULL: every commit is on disk before the call returns
};

struct SqliteStoreOptions {
  std::string path;             // the database file; created if missing
  QuotaLimits quota_defaults;   // Default: DefaultQuotaLimits()
  Durability durability = Durability::kNormal;
  int busy_timeout_ms = 5000;   // Default: 5 s of waiting on another process's lock
  int cache_mib = 8;            // Default: 8 MiB of page cache
  std::shared_ptr<Env> env;  // timestamps. Default: SystemEnv()
};

// Opens (creating or migrating forward) a SQLite store. Codes: invalid_argument (path),
// failed_precondition (the file's schema is newer than this build), unavailable (I/O).
BS_API Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options);

// The schema version this build writes (SQLite and PostgreSQL alike).
BS_API int SqliteSchemaVersion();

struct PostgresStoreOptions {
  // A libpq URL: postgresql://user:password@host:port/dbname?sslmode=verify-full&…; a
  // SQLAlchemy-style "postgresql+psycopg2://…" is taken too (the driver part is ignored).
  std::string url;
  QuotaLimits quota_defaults;  // Default: DefaultQuotaLimits()
  // kNormal: the session's synchronous_commit is off — a commit is acknowledged before the
  // server has flushed it, so a crash of the server (not of the engine) can lose the last
  // fraction of a second of commits, never consistency; kFull: on, every acknowledged commit
  // is on the server's disk. The server's own setting is used when it is stricter.
  Durability durability = Durability::kNormal;
  std::shared_ptr<Env> env;    // timestamps. Default: SystemEnv()
  // Connections held at most; calls from several threads use as many at once, opened as they
  // are first needed. Default: 5, as cinder.conf's [database] max_pool_size.
  int max_pool_size = 5;
};

// Opens (creating or migrating forward, under an advisory lock, so that processes starting
// at once migrate once) a store in a PostgreSQL database that several engines, in several
// processes on several machines, may share. Every write is one transaction; a write of several
// statements takes a database-wide advisory lock, so each check, compare-and-set and quota
// change see every write committed before them and none beside them; a status change with no
// quota to settle is one statement that takes the lock shared, so those run side by side.
// A call that meets a serialization failure or deadlock is made again (up to 10 times). Codes: invalid_argument (url), unavailable (cannot connect; also any
// call while the server is unreachable — the next call reconnects), failed_precondition (the
// database's schema is newer than this build).
BS_API Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresStoreOptions& options);

// What a [database] connection URL names: "sqlite:///abs/path" (or "sqlite://" + a relative
// path) or "postgresql://…". invalid_argument for anything else.
struct DatabaseUrl {
  enum class Kind { kSqlite, kPostgres } kind = Kind::kSqlite;
  std::string sqlite_path;    // for kSqlite
  std::string postgres_url;   // for kPostgres, as libpq takes it
};
BS_API Result<DatabaseUrl> ParseDatabaseUrl(const std::string& url);

// Brings the database a URL names to this build's schema (what `blockstore-manage db sync`
// does; an engine does it too when it opens). failed_precondition for a newer database.
BS_API Status MigrateDatabase(const std::string& url);
// The schema version the database a URL names is at (0: empty), without changing it.
BS_API Result<int> DatabaseSchemaVersion(const std::string& url);

// What a copy moved and checked, table by table.
struct DatabaseCopyTable {
  std::string table;
  uint64_t rows = 0;
  std::string sha256;  // of every row, in order, the same on both sides
};
struct DatabaseCopyReport {
  std::vector<DatabaseCopyTable> tables;
  uint64_t rows = 0;
};

// Copies every record from the database at `from_url` into the one at `to_url` — an operator
// moving an embedded deployment (sqlite:///…) to a shared one (postgresql://…), or back — in
// one transaction on the destination, then reads both sides again and compares each table's
// row count and checksum. The source is only read; stop the engines on it first (a SQLite file
// an engine holds is refused as in use). failed_precondition when the destination already
// holds records or the two are at different schema versions (migrate the source first);
// data_loss when a table's count or checksum differs after the copy (the destination's
// transaction is then rolled back, leaving it empty).
BS_API Result<DatabaseCopyReport> CopyDatabase(const std::string& from_url, const std::string& to_url);

}  // namespace blockstore

#endif  // BLOCKSTORE_STORE_HPP
