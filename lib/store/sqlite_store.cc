// Opening a SQLite store: the file's settings, exclusive locking, migrations.
#include "lib/core/macros.hpp"
#include "lib/store/schema.hpp"
#include "lib/store/sql_store.hpp"
#include "lib/store/sqlite_db.hpp"

namespace blockstore {

namespace sqlite_open {
// A lock another process holds shows up as a busy (unavailable) error: say what it means.
Status InUse(const std::string& path, const Status& s) {
  if (s.code() != Code::kUnavailable) return s;
  return Unavailable("the database '" + path + "' is in use by another engine or process (" +
                     s.message() + ")");
}
}  // namespace sqlite_open

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options) {
  if (options.path.empty()) return InvalidArgument("the store needs a database path");
  BS_ASSIGN_OR_RETURN(auto db, internal::SqliteDb::Open(options.path));
  const std::string sync = options.durability == Durability::kFull ? "FULL" : "NORMAL";
  BS_RETURN_IF_ERROR(db->Exec("PRAGMA busy_timeout = " + std::to_string(options.busy_timeout_ms)));
  // One engine owns a state database. Exclusive locking keeps the WAL index in this process's
  // memory (no shared-memory file, no file lock per transaction: a create runs ~30 % faster)
  // and makes a second engine on the same file fail at open instead of running recovery on
  // records the first one is working on. It must be set before WAL is first touched.
  BS_RETURN_IF_ERROR(db->Exec("PRAGMA locking_mode = EXCLUSIVE"));
  // journal_mode answers with a row; run it through a statement so a read-only or locked file
  // reports its error here rather than on the first write.
  {
    auto mode = db->PrepareOnce("PRAGMA journal_mode = WAL");
    if (!mode.ok()) return sqlite_open::InUse(options.path, mode.status());
    auto row = (*mode)->Step();
    if (!row.ok()) return sqlite_open::InUse(options.path, row.status());
    if (!*row || (*mode)->Text(0) != "wal") {
      return Unavailable("cannot put '" + options.path + "' in WAL mode");
    }
  }
  BS_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = " + sync));
  // Checkpoint every ~16 MiB of WAL rather than every 4 MiB: a quarter of the fsyncs, for a WAL
  // file that stays small.
  BS_RETURN_IF_ERROR(db->Exec("PRAGMA wal_autocheckpoint = 4000"));
  BS_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = ON"));
  BS_RETURN_IF_ERROR(
      db->Exec("PRAGMA cache_size = -" + std::to_string(std::max(1, options.cache_mib) * 1024)));
  // Take the write lock now (it is then held until close), so that a database another engine
  // holds is reported here, by name, rather than on the first write.
  if (Status s = db->Exec("BEGIN IMMEDIATE; COMMIT"); !s.ok()) return sqlite_open::InUse(options.path, s);
  BS_RETURN_IF_ERROR(internal::MigrateSchema(*db));
  SqliteStoreOptions opts = options;
  if (opts.quota_defaults.empty()) opts.quota_defaults = DefaultQuotaLimits();
  for (const auto& [k, v] : DefaultQuotaLimits()) opts.quota_defaults.emplace(k, v);
  if (!opts.env) opts.env = SystemEnv();
  internal::SqlStoreOptions store_options;
  store_options.quota_defaults = std::move(opts.quota_defaults);
  store_options.env = std::move(opts.env);
  auto session = std::make_unique<internal::SqlSession>(std::move(db), std::move(store_options));
  return std::unique_ptr<Store>(new internal::SqlStore(
      std::make_unique<internal::SqlSessions>(std::move(session), nullptr, 1), /*shared=*/false));
}

}  // namespace blockstore
