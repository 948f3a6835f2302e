// Helpers shared by the C++ test binaries.
#ifndef BLOCKSTORE_TESTS_SUPPORT_TEST_SUPPORT_HPP
#define BLOCKSTORE_TESTS_SUPPORT_TEST_SUPPORT_HPP

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "blockstore/engine.hpp"
#include "blockstore/status.hpp"

namespace doctest {
template <>
struct StringMaker<blockstore::Status> {
  static String convert(const blockstore::Status& s) { return s.ToString().c_str(); }
};
}  // namespace doctest

namespace blockstore::testing {

// A fresh directory under $TMPDIR, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline constexpr std::chrono::milliseconds kWait{10000};

// Everything a user could observe: every record (all projects), every quota of the given
// projects, and every file (name, size, allocated bytes) under `dir`. Equal before and after
// a refused request means the request changed nothing.
std::string ObservableState(Engine& engine, const std::vector<std::string>& projects,
                            const std::string& dir);

// Files directly in `dir` → apparent size.
std::map<std::string, uint64_t> ListFiles(const std::string& dir);
// Bytes the filesystem really allocated for a file.
uint64_t AllocatedBytes(const std::string& path);

// A configuration on `dir` for host "testhost". Over PostgreSQL (see TestPostgresUrl), its
// database_connection names a fresh database.
EngineConfig BasicConfig(const std::string& dir);

// When the suite runs a test over PostgreSQL (BS_TEST_DATABASE=postgresql, with BS_PG_ENV
// naming the file scripts/pg-aio wrote): a fresh, empty database on that server, as a URL.
// Empty otherwise.
bool TestsUsePostgres();
std::string TestPostgresUrl();
// The same database for the same directory, so that an engine reopened on it finds its state.
std::string TestPostgresUrlFor(const std::string& dir);
// The store an engine opened by BasicConfig(dir) uses, opened directly (while no engine is
// open on it): to set up what a crash leaves behind.
Result<std::unique_ptr<Store>> OpenStoreOf(const std::string& dir);
// The server's own URL (BS_PG_ENV), for tests that make databases or connect themselves.
std::string PostgresServerUrl();
// The value of `key` in the KEY=VALUE file the environment variable `env_var` names (what
// scripts/pg-aio and scripts/rabbitmq-aio print). Fails the test when either is missing.
std::string EnvFileValue(const char* env_var, const std::string& key);
// Runs `sql` on the database at `url` over a connection of its own; the first column of the
// first row (empty when none). A statement that fails fails the test.
std::string PgQuery(const std::string& url, const std::string& sql);

// Writes `len` pseudo-random bytes (from `seed`) at `offset` of an existing file, leaving the
// rest as it was (sparse stays sparse).
void WritePattern(const std::string& path, uint64_t offset, uint64_t len, uint32_t seed);
// `len` bytes of a file from `offset`.
std::string ReadRange(const std::string& path, uint64_t offset, uint64_t len);

}  // namespace blockstore::testing

// Checks a Result/Status is OK and prints the status when it is not.
#define BS_REQUIRE_OK(expr)                                   \
  do {                                                        \
    const auto& bs_r_ = (expr);                               \
    REQUIRE_MESSAGE(bs_r_.ok(), ::blockstore::testing::Describe(bs_r_)); \
  } while (0)
#define BS_CHECK_OK(expr)                                     \
  do {                                                        \
    const auto& bs_r_ = (expr);                               \
    CHECK_MESSAGE(bs_r_.ok(), ::blockstore::testing::Describe(bs_r_)); \
  } while (0)
#define BS_CHECK_CODE(expr, want_code)                                          \
  do {                                                                          \
    const auto& bs_r_ = (expr);                                                 \
    CHECK_MESSAGE(::blockstore::testing::CodeOf(bs_r_) == (want_code),          \
                  ::blockstore::testing::Describe(bs_r_));                      \
  } while (0)

namespace blockstore::testing {
inline std::string Describe(const Status& s) { return s.ToString(); }
template <typename T>
std::string Describe(const Result<T>& r) { return r.status().ToString(); }
inline Code CodeOf(const Status& s) { return s.code(); }
template <typename T>
Code CodeOf(const Result<T>& r) { return r.ok() ? Code::kOk : r.status().code(); }
}  // namespace blockstore::testing

#endif  // BLOCKSTORE_TESTS_SUPPORT_TEST_SUPPORT_HPP
