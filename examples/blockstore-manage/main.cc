// blockstore-manage: the operator's tool for a deployment's database, as cinder-manage's db
// commands.
//
//   blockstore-manage db sync URL            migrate the database to this build's schema
//   blockstore-manage db version URL         the schema version it is at, and this build's
//   blockstore-manage db copy FROM_URL TO_URL
//       copy every record (e.g. sqlite:///var/lib/blockstore/blockstore.db to
//       postgresql://blockstore@db/blockstore), then compare each table's rows and checksum;
//       the destination must be empty, the engines on the source stopped
//
// URLs as [database] connection takes them. Exit status: 0 done, 1 failed (the reason on
// stderr), 2 usage.
#include <blockstore/store.hpp>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: blockstore-manage db sync URL\n"
               "       blockstore-manage db version URL\n"
               "       blockstore-manage db copy FROM_URL TO_URL\n");
  return 2;
}

int Fail(const blockstore::Status& s) {
  std::fprintf(stderr, "blockstore-manage: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || std::strcmp(argv[1], "db") != 0) return Usage();
  const std::string cmd = argv[2];
  if (cmd == "sync" && argc == 4) {
    if (auto s = blockstore::MigrateDatabase(argv[3]); !s.ok()) return Fail(s);
    std::printf("%s: at schema version %d\n", argv[3], blockstore::SqliteSchemaVersion());
    return 0;
  }
  if (cmd == "version" && argc == 4) {
    auto v = blockstore::DatabaseSchemaVersion(argv[3]);
    if (!v.ok()) return Fail(v.status());
    std::printf("%d (this build: %d)\n", *v, blockstore::SqliteSchemaVersion());
    return 0;
  }
  if (cmd == "copy" && argc == 5) {
    auto report = blockstore::CopyDatabase(argv[3], argv[4]);
    if (!report.ok()) return Fail(report.status());
    for (const auto& t : report->tables) {
      std::printf("%-24s %8llu rows  sha256 %s  (same on both sides)\n", t.table.c_str(),
                  static_cast<unsigned long long>(t.rows), t.sha256.c_str());
    }
    std::printf("copied %llu rows; every table's count and checksum match\n",
                static_cast<unsigned long long>(report->rows));
    return 0;
  }
  return Usage();
}
