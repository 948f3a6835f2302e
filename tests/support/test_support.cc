#include "tests/support/test_support.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace blockstore::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/blockstore-test-XXXXXX";
  if (!mkdtemp(tmpl.data())) std::abort();
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::map<std::string, uint64_t> ListFiles(const std::string& dir) {
  std::map<std::string, uint64_t> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file()) out[e.path().filename().string()] = e.file_size();
  }
  return out;
}

uint64_t AllocatedBytes(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

std::string ObservableState(Engine& engine, const std::vector<std::string>& projects,
                            const std::string& dir) {
  std::ostringstream out;
  auto admin = RequestContext::Admin();
  ListQuery all;
  all.all_projects = true;
  all.sort = {{"id", false}};
  auto vols = engine.volumes().List(admin, all);
  REQUIRE(vols.ok());
  for (const auto& v : *vols) {
    out << "volume " << v.id << ' ' << v.project_id << ' ' << v.name << ' ' << v.size_gb << ' '
        << ToString(v.status) << ' ' << v.host << ' ' << v.volume_type_id << ' '
        << FormatTime(v.updated_at);
    for (const auto& [k, val] : v.metadata) out << ' ' << k << '=' << val;
    out << '\n';
  }
  auto snaps = engine.snapshots().List(admin, all);
  REQUIRE(snaps.ok());
  for (const auto& s : *snaps) {
    out << "snapshot " << s.id << ' ' << s.volume_id << ' ' << ToString(s.status) << ' '
        << s.name << ' ' << FormatTime(s.updated_at) << '\n';
  }
  AttachmentQuery every;
  every.all_projects = true;
  auto attachments = engine.attachments().List(admin, every);
  REQUIRE(attachments.ok());
  for (const auto& a : *attachments) {
    out << "attachment " << a.id << ' ' << a.volume_id << ' ' << ToString(a.attach_status) << ' '
        << a.attach_mode << ' ' << a.attached_host << ' ' << FormatTime(a.updated_at) << '\n';
  }
  auto types = engine.types().List(admin);
  REQUIRE(types.ok());
  for (const auto& t : *types) {
    out << "type " << t.id << ' ' << t.name << ' ' << t.description << ' ' << t.is_public;
    for (const auto& [k, val] : t.extra_specs) out << ' ' << k << '=' << val;
    out << '\n';
  }
  for (const auto& p : projects) {
    auto q = engine.quotas().Get(admin, p);
    REQUIRE(q.ok());
    for (const auto& [res, u] : q->resources) {
      out << "quota " << p << ' ' << res << ' ' << u.limit << ' ' << u.in_use << ' '
          << u.reserved << '\n';
    }
  }
  for (const auto& [name, size] : ListFiles(dir)) {
    out << "file " << name << ' ' << size << ' ' << AllocatedBytes(dir + "/" + name) << '\n';
  }
  return out.str();
}

void WritePattern(const std::string& path, uint64_t offset, uint64_t len, uint32_t seed) {
  std::vector<char> buf(len);
  std::mt19937 rng(seed);
  for (auto& c : buf) c = static_cast<char>(rng());
  const int fd = ::open(path.c_str(), O_WRONLY);
  REQUIRE_MESSAGE(fd >= 0, "open " << path);
  REQUIRE(::pwrite(fd, buf.data(), buf.size(), static_cast<off_t>(offset)) ==
          static_cast<ssize_t>(buf.size()));
  ::close(fd);
}

std::string ReadRange(const std::string& path, uint64_t offset, uint64_t len) {
  std::string buf(len, '\0');
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE_MESSAGE(fd >= 0, "open " << path);
  REQUIRE(::pread(fd, buf.data(), buf.size(), static_cast<off_t>(offset)) ==
          static_cast<ssize_t>(buf.size()));
  ::close(fd);
  return buf;
}

EngineConfig BasicConfig(const std::string& dir) {
  EngineConfig c;
  c.state_path = dir;
  c.host = "testhost";
  c.database_connection = TestPostgresUrlFor(dir);
  return c;
}

std::string TestPostgresUrlFor(const std::string& dir) {
  if (!TestsUsePostgres()) return {};
  static std::mutex mu;
  static std::map<std::string, std::string> by_dir;
  std::lock_guard lock(mu);
  auto& url = by_dir[dir];
  if (url.empty()) url = TestPostgresUrl();
  return url;
}

Result<std::unique_ptr<Store>> OpenStoreOf(const std::string& dir) {
  if (TestsUsePostgres()) {
    PostgresStoreOptions po;
    po.url = TestPostgresUrlFor(dir);
    return OpenPostgresStore(po);
  }
  SqliteStoreOptions so;
  so.path = dir + "/blockstore.db";
  return OpenSqliteStore(so);
}

std::string PgQuery(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  REQUIRE_MESSAGE(PQstatus(conn) == CONNECTION_OK, PQerrorMessage(conn));
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  std::string out = st == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  const std::string error = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(conn);
  REQUIRE_MESSAGE((st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK), error);
  return out;
}

bool TestsUsePostgres() {
  const char* which = std::getenv("BS_TEST_DATABASE");
  return which && std::string(which) == "postgresql";
}

std::string EnvFileValue(const char* env_var, const std::string& key) {
  const char* path = std::getenv(env_var);
  REQUIRE_MESSAGE(path != nullptr, env_var << " must name a KEY=VALUE file");
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(key + "=")) return line.substr(key.size() + 1);
  }
  FAIL("no " << key << " in " << path);
  return {};
}

std::string PostgresServerUrl() { return EnvFileValue("BS_PG_ENV", "BS_PG_URL"); }

std::string TestPostgresUrl() {
  if (!TestsUsePostgres()) return {};
  static std::atomic<int> counter{0};
  const std::string server = PostgresServerUrl();
  const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  PGconn* conn = PQconnectdb(server.c_str());
  REQUIRE_MESSAGE(PQstatus(conn) == CONNECTION_OK, PQerrorMessage(conn));
  PGresult* r = PQexec(conn, ("CREATE DATABASE " + name).c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  const std::string error = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(conn);
  REQUIRE_MESSAGE(ok, error);
  return server.substr(0, server.rfind('/') + 1) + name;
}

}  // namespace blockstore::testing
