// Opening a PostgreSQL store, and reading a [database] connection URL.
#include "lib/core/macros.hpp"
#include "lib/store/pg_db.hpp"
#include "lib/store/schema.hpp"
#include "lib/store/sql_store.hpp"

namespace blockstore {

Result<DatabaseUrl> ParseDatabaseUrl(const std::string& url) {
  DatabaseUrl out;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return InvalidArgument("database connection '" + url +
                           "' is not a URL: want sqlite:///path or postgresql://user@host:port/db");
  }
  std::string scheme = url.substr(0, scheme_end);
  const std::string rest = url.substr(scheme_end + 3);
  if (const auto plus = scheme.find('+'); plus != std::string::npos) scheme = scheme.substr(0, plus);
  if (scheme == "sqlite") {
    // sqlite:////abs/path and sqlite:///abs/path both name /abs/path, as SQLAlchemy's do not
    // quite: we never resolve a path against the working directory silently.
    if (rest.empty() || rest[0] != '/') {
      return InvalidArgument("database connection '" + url + "': sqlite needs an absolute path (sqlite:///path)");
    }
    out.kind = DatabaseUrl::Kind::kSqlite;
    out.sqlite_path = rest.size() > 1 && rest[1] == '/' ? rest.substr(1) : rest;
    return out;
  }
  if (scheme == "postgresql" || scheme == "postgres") {
    if (rest.empty()) return InvalidArgument("database connection '" + url + "' names no server");
    out.kind = DatabaseUrl::Kind::kPostgres;
    out.postgres_url = "postgresql://" + rest;
    return out;
  }
  return InvalidArgument("database connection '" + url + "': unsupported database '" + scheme +
                         "' (sqlite or postgresql)");
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresStoreOptions& options) {
  BS_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(options.url));
  if (url.kind != DatabaseUrl::Kind::kPostgres) {
    return InvalidArgument("'" + options.url + "' is not a postgresql:// URL");
  }
  if (options.max_pool_size < 1) {
    return InvalidArgument("max_pool_size must be at least 1, not " + std::to_string(options.max_pool_size));
  }
  internal::SqlStoreOptions store_options;
  store_options.quota_defaults = options.quota_defaults;
  for (const auto& [k, v] : DefaultQuotaLimits()) store_options.quota_defaults.emplace(k, v);
  store_options.env = options.env ? options.env : SystemEnv();
  const bool relaxed = options.durability == Durability::kNormal;
  auto connect = [conninfo = url.postgres_url, store_options,
                  relaxed]() -> Result<std::unique_ptr<internal::SqlSession>> {
    BS_ASSIGN_OR_RETURN(auto db, internal::PgDb::Open(conninfo));
    if (relaxed) BS_RETURN_IF_ERROR(db->Exec("SET synchronous_commit = off"));
    return std::make_unique<internal::SqlSession>(std::move(db), store_options);
  };
  {
    // Migrating on a connection of its own, which then goes: the pool's are all alike.
    BS_ASSIGN_OR_RETURN(auto db, internal::PgDb::Open(url.postgres_url));
    BS_RETURN_IF_ERROR(internal::MigrateSchema(*db));
  }
  BS_ASSIGN_OR_RETURN(auto first, connect());
  return std::unique_ptr<Store>(new internal::SqlStore(
      std::make_unique<internal::SqlSessions>(std::move(first), std::move(connect), options.max_pool_size),
      /*shared=*/true));
}

}  // namespace blockstore
