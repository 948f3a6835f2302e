// Migrating a database by URL, and copying every record from one database to another with a
// count and checksum per table.
#include <openssl/evp.h>

#include <filesystem>

#include "blockstore/store.hpp"

#include "lib/core/macros.hpp"
#include "lib/encoding/hex.hpp"
#include "lib/store/pg_db.hpp"
#include "lib/store/schema.hpp"
#include "lib/store/sqlite_db.hpp"

namespace blockstore {

namespace database_copy {

Result<std::unique_ptr<internal::Db>> OpenDb(const std::string& url) {
  BS_ASSIGN_OR_RETURN(DatabaseUrl u, ParseDatabaseUrl(url));
  if (u.kind == DatabaseUrl::Kind::kPostgres) {
    BS_ASSIGN_OR_RETURN(auto db, internal::PgDb::Open(u.postgres_url));
    return std::unique_ptr<internal::Db>(std::move(db));
  }
  BS_ASSIGN_OR_RETURN(auto db, internal::SqliteDb::Open(u.sqlite_path));
  BS_RETURN_IF_ERROR(db->Exec("PRAGMA busy_timeout = 2000"));
  return std::unique_ptr<internal::Db>(std::move(db));
}

// The table's columns, in their order.
Result<std::vector<std::string>> ColumnsOf(internal::Db& db, const std::string& table) {
  BS_ASSIGN_OR_RETURN(auto st, db.PrepareOnce("SELECT * FROM " + table + " LIMIT 0"));
  BS_RETURN_IF_ERROR(st->Step().status());
  std::vector<std::string> out;
  for (int i = 0; i < st->Columns(); ++i) out.push_back(st->ColumnName(i));
  return out;
}

std::string ColumnList(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + c;
  return out;
}

// Rows and the SHA-256 of every value of every row, ordered by every column.
Result<DatabaseCopyTable> Digest(internal::Db& db, const std::string& table,
                                 const std::vector<std::string>& columns) {
  BS_ASSIGN_OR_RETURN(auto st, db.PrepareOnce("SELECT " + ColumnList(columns) + " FROM " + table +
                                              " ORDER BY " + ColumnList(columns)));
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
  DatabaseCopyTable t;
  t.table = table;
  while (true) {
    BS_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    ++t.rows;
    for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
      const std::string v = st->IsNull(i) ? std::string("\x01N") : "\x01V" + std::to_string(st->Text(i).size()) + ":" + st->Text(i);
      EVP_DigestUpdate(md.get(), v.data(), v.size());
    }
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(md.get(), out, &n);
  t.sha256 = internal::HexEncode(out, n);
  return t;
}

}  // namespace database_copy

Status MigrateDatabase(const std::string& url) {
  BS_ASSIGN_OR_RETURN(auto db, database_copy::OpenDb(url));
  return internal::MigrateSchema(*db);
}

Result<int> DatabaseSchemaVersion(const std::string& url) {
  // Asking must not create: a SQLite file that is not there is not found.
  BS_ASSIGN_OR_RETURN(DatabaseUrl u, ParseDatabaseUrl(url));
  if (u.kind == DatabaseUrl::Kind::kSqlite && !std::filesystem::exists(u.sqlite_path)) {
    return NotFound("no database at " + u.sqlite_path);
  }
  BS_ASSIGN_OR_RETURN(auto db, database_copy::OpenDb(url));
  return db->SchemaVersion();
}

Result<DatabaseCopyReport> CopyDatabase(const std::string& from_url, const std::string& to_url) {
  if (from_url == to_url) return InvalidArgument("the source and the destination are the same database");
  BS_ASSIGN_OR_RETURN(auto from, database_copy::OpenDb(from_url));
  BS_ASSIGN_OR_RETURN(auto to, database_copy::OpenDb(to_url));
  BS_ASSIGN_OR_RETURN(const int from_version, from->SchemaVersion());
  if (from_version != internal::LatestSchemaVersion()) {
    return FailedPrecondition("the source is at schema version " + std::to_string(from_version) + ", this build at " +
                              std::to_string(internal::LatestSchemaVersion()) + ": migrate it first (db sync)");
  }
  BS_RETURN_IF_ERROR(internal::MigrateSchema(*to));
  // Read the source inside one transaction, so the copy is of one moment.
  internal::Transaction read(*from);
  BS_RETURN_IF_ERROR(read.status());
  internal::Transaction write(*to);
  BS_RETURN_IF_ERROR(write.status());
  DatabaseCopyReport report;
  for (const auto& table : internal::StoreTables()) {
    BS_ASSIGN_OR_RETURN(auto columns, database_copy::ColumnsOf(*from, table));
    BS_ASSIGN_OR_RETURN(auto dest_columns, database_copy::ColumnsOf(*to, table));
    if (columns != dest_columns) {
      return FailedPrecondition("table " + table + " has other columns in the destination");
    }
    {
      BS_ASSIGN_OR_RETURN(auto count, to->PrepareOnce("SELECT count(*) FROM " + table));
      BS_ASSIGN_OR_RETURN(bool row, count->Step());
      if (row && count->Int(0) != 0) {
        return FailedPrecondition("the destination already holds records (" + table +
                                  "): copy into an empty database");
      }
    }
    std::string marks;
    for (std::size_t i = 0; i < columns.size(); ++i) marks += i ? ", ?" : "?";
    BS_ASSIGN_OR_RETURN(auto rows, from->PrepareOnce("SELECT " + database_copy::ColumnList(columns) + " FROM " + table));
    BS_ASSIGN_OR_RETURN(internal::Stmt * ins, to->Prepare("INSERT INTO " + table + " (" +
                                                           database_copy::ColumnList(columns) + ") VALUES (" + marks + ")"));
    while (true) {
      BS_ASSIGN_OR_RETURN(bool row, rows->Step());
      if (!row) break;
      ins->Reset();
      for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
        if (rows->IsNull(i)) ins->BindNull(i + 1);
        else ins->Bind(i + 1, rows->Text(i));
      }
      BS_RETURN_IF_ERROR(ins->Run());
    }
    BS_ASSIGN_OR_RETURN(auto source, database_copy::Digest(*from, table, columns));
    BS_ASSIGN_OR_RETURN(auto copied, database_copy::Digest(*to, table, columns));
    if (source.rows != copied.rows || source.sha256 != copied.sha256) {
      return DataLoss("table " + table + ": " + std::to_string(source.rows) + " rows (" + source.sha256 +
                      ") in the source, " + std::to_string(copied.rows) + " (" + copied.sha256 +
                      ") after the copy; nothing was kept");
    }
    report.rows += source.rows;
    report.tables.push_back(std::move(source));
  }
  BS_RETURN_IF_ERROR(write.Commit());
  return report;
}

}  // namespace blockstore
