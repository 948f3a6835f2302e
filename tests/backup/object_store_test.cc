// The swift and s3 targets against a real Swift store (started by the suite with
// scripts/swift-aio; its endpoints are in the file BS_OBJECT_STORE_ENV names): the target
// contract over both APIs, whole backup lifecycles through an engine, a store that drops
// connections mid-backup, and damaged objects.
#include <fcntl.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>

#include "blockstore/backup_target.hpp"
#include "blockstore/s3_target.hpp"
#include "blockstore/swift_target.hpp"
#include "lib/env/retry.hpp"
#include "tests/support/fault_proxy.hpp"
#include "tests/support/test_support.hpp"

namespace blockstore::testing {
namespace {

using BS = BackupStatus;
using VS = VolumeStatus;
constexpr uint64_t kMiB = 1ull << 20;

std::map<std::string, std::string> StoreEnv() {
  const char* path = std::getenv("BS_OBJECT_STORE_ENV");
  REQUIRE_MESSAGE(path != nullptr, "BS_OBJECT_STORE_ENV must name the file scripts/swift-aio wrote");
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  std::map<std::string, std::string> env;
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  REQUIRE(env.count("SWIFT_AUTH_URL"));
  return env;
}

// "http://127.0.0.1:8080/auth/v1.0" → 8080
int PortOf(const std::string& url) {
  const auto colon = url.find(':', url.find("://") + 3);
  return std::stoi(url.substr(colon + 1));
}

std::string Unique(const std::string& base) {
  static std::mt19937 rng(std::random_device{}());
  return base + "-" + std::to_string(rng() % 1000000000);
}

SwiftTargetOptions Swift(const std::map<std::string, std::string>& env, std::string container) {
  SwiftTargetOptions o;
  o.auth_url = env.at("SWIFT_AUTH_URL");
  o.user = env.at("SWIFT_USER");
  o.key = env.at("SWIFT_KEY");
  o.container = std::move(container);
  return o;
}

// The same store, every request (sign-in included) through `proxy`.
SwiftTargetOptions SwiftVia(const FaultProxy& proxy, const std::map<std::string, std::string>& env,
                            std::string container) {
  SwiftTargetOptions o = Swift(env, std::move(container));
  const std::string via = "http://127.0.0.1:" + std::to_string(proxy.port());
  o.auth_url = via + "/auth/v1.0";
  o.storage_url = via + "/v1/AUTH_test";
  return o;
}

S3TargetOptions S3(const std::map<std::string, std::string>& env, std::string bucket,
                   std::string addressing = "path") {
  S3TargetOptions o;
  o.endpoint = env.at("S3_ENDPOINT");
  o.access_key = env.at("S3_ACCESS_KEY");
  o.secret_key = env.at("S3_SECRET_KEY");
  o.region = env.at("S3_REGION");
  o.bucket = std::move(bucket);
  o.addressing = std::move(addressing);
  if (o.addressing == "virtual") {
    // bucket.localhost resolves to the loopback; the store's storage domain is localhost.
    o.endpoint = "http://localhost:" + std::to_string(PortOf(o.endpoint));
  }
  return o;
}

std::vector<std::byte> Bytes(std::string_view s) {
  auto p = reinterpret_cast<const std::byte*>(s.data());
  return {p, p + s.size()};
}

void TargetContract(BackupTarget& t) {
  const auto big = [] {
    std::vector<std::byte> b(3 * kMiB + 17);
    std::mt19937 rng(7);
    for (auto& x : b) x = static_cast<std::byte>(rng());
    return b;
  }();
  BS_REQUIRE_OK(t.Put("backups/x/chunk-00000000", big));
  BS_REQUIRE_OK(t.Put("backups/x/manifest.json", Bytes("{}")));
  BS_REQUIRE_OK(t.Put("backups/y/chunk-00000000", Bytes("y")));
  auto got = t.Get("backups/x/chunk-00000000");
  BS_REQUIRE_OK(got);
  CHECK(*got == big);
  BS_REQUIRE_OK(t.Put("backups/x/manifest.json", Bytes("{\"v\":2}")));  // replaced whole
  auto manifest = t.Get("backups/x/manifest.json");
  BS_REQUIRE_OK(manifest);
  CHECK(*manifest == Bytes("{\"v\":2}"));
  auto listed = t.List("backups/x/");
  BS_REQUIRE_OK(listed);
  CHECK(*listed == std::vector<std::string>{"backups/x/chunk-00000000", "backups/x/manifest.json"});
  auto all = t.List("backups/");
  BS_REQUIRE_OK(all);
  CHECK(all->size() == 3);
  BS_CHECK_CODE(t.Get("backups/x/nothing"), Code::kNotFound);
  BS_CHECK_CODE(t.Put("../escape", Bytes("z")), Code::kInvalidArgument);
  BS_CHECK_CODE(t.Put("a b", Bytes("z")), Code::kInvalidArgument);
  for (const auto& n : *all) BS_REQUIRE_OK(t.Delete(n));
  BS_REQUIRE_OK(t.Delete("backups/x/chunk-00000000"));  // idempotent
  auto empty = t.List("backups/");
  BS_REQUIRE_OK(empty);
  CHECK(empty->empty());
}

TEST_SUITE_BEGIN("object stores");

TEST_CASE("swift target: put, get, list, delete over the Swift API") {
  auto env = StoreEnv();
  auto t = NewSwiftTarget(Swift(env, Unique("contract")));
  BS_REQUIRE_OK(t);
  CHECK((*t)->Describe().find("swift:http://127.0.0.1:") == 0);
  CHECK((*t)->PreferredChunkSize() == 16 * kMiB);
  TargetContract(**t);
  auto bad = Swift(env, "contract");
  bad.key = "wrong";
  BS_CHECK_CODE(NewSwiftTarget(bad), Code::kPermissionDenied);
  BS_CHECK_CODE(NewSwiftTarget(Swift(env, "a/b")), Code::kInvalidArgument);
}

TEST_CASE("s3 target: put, get, list, delete with SigV4, path-style and virtual-host style") {
  auto env = StoreEnv();
  for (const char* addressing : {"path", "virtual"}) {
    CAPTURE(addressing);
    auto t = NewS3Target(S3(env, Unique("contract"), addressing));
    BS_REQUIRE_OK(t);
    TargetContract(**t);
    CHECK((*t)->PreferredChunkSize() == 16 * kMiB);
  }
  auto bad = S3(env, "contract-bad");
  bad.secret_key = "wrong";
  BS_CHECK_CODE(NewS3Target(bad), Code::kPermissionDenied);
  BS_CHECK_CODE(NewS3Target(S3(env, "No_Such")), Code::kInvalidArgument);
  auto http = S3(env, "contract-x");
  http.endpoint = "ftp://127.0.0.1";
  BS_CHECK_CODE(NewS3Target(http), Code::kInvalidArgument);
}

TEST_CASE("s3 target: a put told the data's hash signs it; a wrong hash is refused") {
  auto env = StoreEnv();
  auto t = NewS3Target(S3(env, Unique("hashed")));
  BS_REQUIRE_OK(t);
  const auto data = Bytes("told, not computed");
  std::array<unsigned char, 32> sha{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), sha.data());
  BS_REQUIRE_OK((*t)->PutHashed("backups/h/one", data, sha));
  CHECK((*t)->Get("backups/h/one").value() == data);
  sha[0] ^= 1;
  CHECK_FALSE((*t)->PutHashed("backups/h/two", data, sha).ok());
  BS_CHECK_CODE((*t)->Get("backups/h/two"), Code::kNotFound);
}

// Bytes damaged between the target and the store, through a proxy that flips one of them: the
// put or get is not trusted (unavailable, so the engine tries again) and the next one, undamaged,
// goes through.
void DamagedInFlight(BackupTarget& t, FaultProxy& proxy, const std::string& put_says) {
  std::vector<std::byte> big(3 * kMiB);
  std::mt19937 rng(11);
  for (auto& x : big) x = static_cast<std::byte>(rng());
  SUBCASE("on the way up") {
    proxy.flip_upload = 1;
    Status put = t.Put("backups/f/chunk-00000000", big);
    CHECK(proxy.flipped.load() == 1);
    CHECK(put.code() == Code::kUnavailable);
    CHECK_MESSAGE(put.message().find(put_says) != std::string::npos, put.ToString());
    BS_REQUIRE_OK(t.Put("backups/f/chunk-00000000", big));
    auto got = t.Get("backups/f/chunk-00000000");
    BS_REQUIRE_OK(got);
    CHECK(*got == big);
  }
  SUBCASE("on the way down") {
    BS_REQUIRE_OK(t.Put("backups/f/chunk-00000000", big));
    proxy.flip_download = 1;
    auto damaged = t.Get("backups/f/chunk-00000000");
    CHECK(proxy.flipped.load() == 1);
    CHECK(damaged.status().code() == Code::kUnavailable);
    CHECK_MESSAGE(damaged.status().message().find("does not match its ETag") != std::string::npos,
                  damaged.status().ToString());
    auto got = t.Get("backups/f/chunk-00000000");
    BS_REQUIRE_OK(got);
    CHECK(*got == big);
  }
  BS_REQUIRE_OK(t.Delete("backups/f/chunk-00000000"));
}

TEST_CASE("swift target: bytes damaged in flight are caught by the store's ETag") {
  auto env = StoreEnv();
  FaultProxy proxy(PortOf(env.at("SWIFT_AUTH_URL")));
  auto t = NewSwiftTarget(SwiftVia(proxy, env, Unique("flips")));
  BS_REQUIRE_OK(t);
  DamagedInFlight(**t, proxy, "the store holds other bytes than were sent");
}

TEST_CASE("swift target: a PUT whose kept-alive connection died unanswered goes again whole") {
  // libcurl sends a request again on a fresh connection when a reused one dies before any
  // answer: the body is rewound, and the MD5 taken as it streams starts over with it.
  auto env = StoreEnv();
  FaultProxy proxy(PortOf(env.at("SWIFT_AUTH_URL")));
  auto t = NewSwiftTarget(SwiftVia(proxy, env, Unique("rewind")));
  BS_REQUIRE_OK(t);
  BS_REQUIRE_OK((*t)->Put("backups/r/small", Bytes("keeps the connection open")));
  // Small enough to be sent whole before the proxy, having taken it, closes the connection.
  std::vector<std::byte> body(32 << 10);
  std::mt19937 rng(5);
  for (auto& x : body) x = static_cast<std::byte>(rng());
  proxy.max_cuts = 1;
  proxy.cut_after_bytes = 4096;  // past the first request, within the second
  BS_REQUIRE_OK((*t)->Put("backups/r/again", body));
  CHECK(proxy.dropped.load() == 1);
  auto got = (*t)->Get("backups/r/again");
  BS_REQUIRE_OK(got);
  CHECK(*got == body);
}

TEST_CASE("s3 target: bytes damaged in flight are caught by the signed hash and the ETag") {
  auto env = StoreEnv();
  FaultProxy proxy(PortOf(env.at("S3_ENDPOINT")));
  auto o = S3(env, Unique("flips"));
  o.endpoint = "http://127.0.0.1:" + std::to_string(proxy.port());
  auto t = NewS3Target(o);
  BS_REQUIRE_OK(t);
  DamagedInFlight(**t, proxy, "the store received damaged bytes");
}

TEST_CASE("targets set up through a store that refuses its first connections, not one down") {
  auto env = StoreEnv();
  SUBCASE("swift: authentication and the container are tried again") {
    FaultProxy proxy(PortOf(env.at("SWIFT_AUTH_URL")));
    proxy.drop_first = 2;
    auto t = NewSwiftTarget(SwiftVia(proxy, env, Unique("setup")));
    BS_REQUIRE_OK(t);
    CHECK(proxy.dropped.load() == 2);
    BS_REQUIRE_OK((*t)->Put("backups/s/one", Bytes("set up")));
    proxy.down = true;  // every attempt is refused: each is a connection of its own
    const int before = proxy.connections.load();
    auto down = NewSwiftTarget(SwiftVia(proxy, env, Unique("setup")));
    REQUIRE_FALSE(down.ok());
    CHECK_MESSAGE(down.status().code() == Code::kUnavailable, down.status().ToString());
    CHECK(proxy.connections.load() - before == 1 + internal::kSetupRetries);
  }
  SUBCASE("s3: the bucket is tried again") {
    FaultProxy proxy(PortOf(env.at("S3_ENDPOINT")));
    auto o = S3(env, Unique("setup"));
    o.endpoint = "http://127.0.0.1:" + std::to_string(proxy.port());
    proxy.drop_first = 2;
    auto t = NewS3Target(o);
    BS_REQUIRE_OK(t);
    CHECK(proxy.dropped.load() == 2);
    BS_REQUIRE_OK((*t)->Put("backups/s/one", Bytes("set up")));
    proxy.down = true;  // every attempt is refused: each is a connection of its own
    const int before = proxy.connections.load();
    auto down = NewS3Target(o);
    REQUIRE_FALSE(down.ok());
    CHECK_MESSAGE(down.status().code() == Code::kUnavailable, down.status().ToString());
    CHECK(proxy.connections.load() - before == 1 + internal::kSetupRetries);
  }
}

// Puts 1,010 small objects under backups/p/ (and one beside them), then lists them.
void ListsPastOnePage(BackupTarget& t) {
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = w; i < 1010; i += 4) {
        char name[64];
        std::snprintf(name, sizeof name, "backups/p/chunk-%08d", i);
        CHECK(t.Put(name, Bytes("p")).ok());
      }
    });
  }
  for (auto& w : writers) w.join();
  BS_REQUIRE_OK(t.Put("backups/q/other", Bytes("q")));
  auto listed = t.List("backups/p/");
  BS_REQUIRE_OK(listed);
  CHECK(listed->size() == 1010);
  CHECK(std::is_sorted(listed->begin(), listed->end()));
  CHECK(std::adjacent_find(listed->begin(), listed->end()) == listed->end());
  CHECK(listed->front() == "backups/p/chunk-00000000");
  CHECK(listed->back() == "backups/p/chunk-00001009");
}

TEST_CASE("s3 target: listing pages through continuation tokens") {
  auto env = StoreEnv();
  auto t = NewS3Target(S3(env, Unique("pages")));
  BS_REQUIRE_OK(t);
  ListsPastOnePage(**t);  // s3api answers at most 1,000 keys a page
}

TEST_CASE("swift target: listing pages through markers") {
  auto env = StoreEnv();
  auto t = NewSwiftTarget(Swift(env, Unique("pages")));
  BS_REQUIRE_OK(t);
  ListsPastOnePage(**t);  // the test store answers at most 1,001 names a page
}

// ---- through an engine ----

struct Store {
  TempDir dir;
  std::unique_ptr<Engine> engine;
  RequestContext admin = RequestContext::Admin();
  explicit Store(std::shared_ptr<BackupTarget> target, int retries = 3) {
    EngineConfig c = BasicConfig(dir.path());
    c.backup.target = std::move(target);
    c.backup.retries = retries;
    c.backup.chunk_size = 1 * kMiB;
    auto e = Engine::Open(c);
    REQUIRE_MESSAGE(e.ok(), e.status().ToString());
    engine = std::move(e).value();
  }
  std::string File(const std::string& id) { return dir / ("volumes/volume-" + id); }
  Volume NewVolume() {
    auto v = engine->volumes().Create(admin, {.size_gb = 1});
    REQUIRE_MESSAGE(v.ok(), v.status().ToString());
    auto ready = engine->WaitForVolume(admin, v->id, {VS::kAvailable}, kWait);
    REQUIRE_MESSAGE(ready.ok(), ready.status().ToString());
    return *ready;
  }
  Backup Backed(BackupCreateRequest r) {
    auto b = engine->backups().Create(admin, r);
    REQUIRE_MESSAGE(b.ok(), b.status().ToString());
    auto done = engine->WaitForBackup(admin, b->id, {BS::kAvailable, BS::kError}, kWait);
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
    REQUIRE_MESSAGE(done->status == BS::kAvailable, done->fail_reason);
    return *done;
  }
  std::string Restore(const std::string& backup_id) {
    auto r = engine->backups().Restore(admin, backup_id, {});
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    auto b = engine->WaitForBackup(admin, backup_id, {BS::kAvailable}, kWait);
    REQUIRE_MESSAGE(b.ok(), b.status().ToString());
    auto v = engine->WaitForVolume(admin, r->volume_id,
                                   {VS::kAvailable, VS::kErrorRestoring, VS::kError}, kWait);
    REQUIRE_MESSAGE(v.ok(), v.status().ToString());
    REQUIRE_MESSAGE(v->status == VS::kAvailable, b->fail_reason);
    return v->id;
  }
};

void Lifecycle(const std::function<std::shared_ptr<BackupTarget>()>& make) {
  auto target = make();
  Store a(target);
  Volume v = a.NewVolume();
  WritePattern(a.File(v.id), 0, 3 * kMiB, 1);
  WritePattern(a.File(v.id), 900 * kMiB, 2 * kMiB, 2);
  Backup full = a.Backed({.volume_id = v.id});
  CHECK(full.object_count == 5);
  std::vector<Backup> chain{full};
  for (int i = 0; i < 3; ++i) {
    WritePattern(a.File(v.id), (100 + i) * kMiB, 4096, 10 + i);
    chain.push_back(a.Backed({.volume_id = v.id, .incremental = true}));
    CHECK(chain.back().parent_id == chain[chain.size() - 2].id);
    CHECK(chain.back().object_count == 1);
  }
  BS_CHECK_OK(a.engine->backups().Verify(a.admin, chain.back().id));
  const std::string restored = a.Restore(chain.back().id);
  for (auto [off, len] : {std::pair<uint64_t, uint64_t>{0, 3 * kMiB}, {100 * kMiB, 3 * kMiB},
                          {900 * kMiB, 2 * kMiB}}) {
    CHECK(ReadRange(a.File(v.id), off, len) == ReadRange(a.File(restored), off, len));
  }

  // Another engine reading the same store adopts the newest backup from its record.
  auto record = a.engine->backups().ExportRecord(a.admin, chain.back().id);
  BS_REQUIRE_OK(record);
  Store b(make());
  BS_REQUIRE_OK(b.engine->backups().ImportRecord(b.admin, *record));
  auto imported = b.engine->WaitForBackup(b.admin, chain.back().id, {BS::kAvailable, BS::kError}, kWait);
  BS_REQUIRE_OK(imported);
  REQUIRE_MESSAGE(imported->status == BS::kAvailable, imported->fail_reason);
  const std::string there = b.Restore(chain.back().id);
  CHECK(ReadRange(b.File(there), 100 * kMiB, 3 * kMiB) == ReadRange(a.File(v.id), 100 * kMiB, 3 * kMiB));
  BS_REQUIRE_OK(b.engine->backups().Delete(b.admin, chain.back().id));
  BS_REQUIRE_OK(b.engine->WaitForBackupDeleted(b.admin, chain.back().id, kWait));

  // Deleting newest first empties the store; the other engine's deletion took only its own
  // copy of the newest backup's objects, which engine a no longer needs once it deletes that
  // backup too.
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    BS_REQUIRE_OK(a.engine->backups().Delete(a.admin, it->id));
    BS_REQUIRE_OK(a.engine->WaitForBackupDeleted(a.admin, it->id, kWait));
  }
  auto left = target->List("backups/");
  BS_REQUIRE_OK(left);
  CHECK(left->empty());
}

TEST_CASE("backup lifecycle on Swift: chain, verify, restore, export/import, delete") {
  auto env = StoreEnv();
  const std::string container = Unique("engine");
  Lifecycle([&] {
    auto t = NewSwiftTarget(Swift(env, container));
    REQUIRE_MESSAGE(t.ok(), t.status().ToString());
    return std::shared_ptr<BackupTarget>(std::move(t).value());
  });
}

TEST_CASE("backup lifecycle on S3: chain, verify, restore, export/import, delete") {
  auto env = StoreEnv();
  const std::string bucket = Unique("engine");
  Lifecycle([&] {
    auto t = NewS3Target(S3(env, bucket));
    REQUIRE_MESSAGE(t.ok(), t.status().ToString());
    return std::shared_ptr<BackupTarget>(std::move(t).value());
  });
}

TEST_CASE("a store that drops connections: retries carry a backup through, an outage fails it") {
  auto env = StoreEnv();
  FaultProxy proxy(PortOf(env.at("SWIFT_AUTH_URL")));
  auto made = NewSwiftTarget(SwiftVia(proxy, env, Unique("faults")));
  BS_REQUIRE_OK(made);
  std::shared_ptr<BackupTarget> target = std::move(made).value();
  Store s(target, /*retries=*/6);
  Volume v = s.NewVolume();
  WritePattern(s.File(v.id), 0, 24 * kMiB, 3);

  SUBCASE("connections drop at their start and mid-upload: the backup completes and verifies") {
    proxy.drop_every = 4;
    proxy.cut_after_bytes = 7 * kMiB / 2;
    Backup b = s.Backed({.volume_id = v.id});
    CHECK(proxy.dropped.load() > 0);
    BS_CHECK_OK(s.engine->backups().Verify(s.admin, b.id));
  }
  SUBCASE("connections drop while a backup is deleted: the deletes go again; nothing is left") {
    Backup b = s.Backed({.volume_id = v.id});
    // Each connection is cut a few requests in, and every other fresh one is refused.
    proxy.drop_every = 2;
    proxy.cut_after_bytes = 1500;
    BS_REQUIRE_OK(s.engine->backups().Delete(s.admin, b.id));
    BS_REQUIRE_OK(s.engine->WaitForBackupDeleted(s.admin, b.id, kWait));
    CHECK(proxy.dropped.load() > 0);
    proxy.drop_every = 0;
    proxy.cut_after_bytes = 0;
    auto left = target->List("backups/" + b.id + "/");
    BS_REQUIRE_OK(left);
    CHECK(left->empty());
  }
  SUBCASE("bytes damaged on their way to the store: those puts go again; the backup verifies") {
    proxy.flip_upload = 2;
    Backup b = s.Backed({.volume_id = v.id});
    CHECK(proxy.flipped.load() == 2);
    BS_CHECK_OK(s.engine->backups().Verify(s.admin, b.id));
    auto r = s.engine->backups().Restore(s.admin, b.id, {});
    BS_REQUIRE_OK(r);
    BS_REQUIRE_OK(s.engine->WaitForVolume(s.admin, r->volume_id, {VS::kAvailable}, kWait));
    CHECK(ReadRange(s.File(r->volume_id), 0, 24 * kMiB) == ReadRange(s.File(v.id), 0, 24 * kMiB));
  }
  SUBCASE("the store goes away mid-backup: error, the volume is available, nothing left") {
    std::atomic<bool> cut{false};
    const uint64_t token = s.engine->Subscribe([&](const Event& e) {
      if (e.type == "backup.create.start") cut = true;
    });
    std::thread outage([&] {
      while (!cut) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      proxy.down = true;
    });
    auto b = s.engine->backups().Create(s.admin, {.volume_id = v.id});
    BS_REQUIRE_OK(b);
    outage.join();
    auto done = s.engine->WaitForBackup(s.admin, b->id, {BS::kAvailable, BS::kError},
                                        std::chrono::seconds(60));
    s.engine->Unsubscribe(token);
    BS_REQUIRE_OK(done);
    CHECK(done->status == BS::kError);
    CHECK_MESSAGE(done->fail_reason.find("unavailable") != std::string::npos, done->fail_reason);
    auto vol = s.engine->volumes().Get(s.admin, v.id);
    BS_REQUIRE_OK(vol);
    CHECK(vol->status == VS::kAvailable);
    // No backup is available that would fail verification.
    auto listed = s.engine->backups().List(s.admin, {.status = "available"});
    BS_REQUIRE_OK(listed);
    CHECK(listed->empty());
    // What the failed backup wrote while the store went away goes with the backup.
    proxy.down = false;
    BS_REQUIRE_OK(s.engine->backups().Delete(s.admin, b->id));
    BS_REQUIRE_OK(s.engine->WaitForBackupDeleted(s.admin, b->id, kWait));
    auto left = target->List("backups/" + b->id + "/");
    BS_REQUIRE_OK(left);
    CHECK(left->empty());
  }
}

TEST_CASE("a damaged object on Swift fails verify and restore, naming the chunk") {
  auto env = StoreEnv();
  auto made = NewSwiftTarget(Swift(env, Unique("damage")));
  BS_REQUIRE_OK(made);
  std::shared_ptr<BackupTarget> target = std::move(made).value();
  Store s(target);
  Volume v = s.NewVolume();
  WritePattern(s.File(v.id), 0, 4 * kMiB, 4);
  Backup b = s.Backed({.volume_id = v.id});
  // Valid for the store (its ETag matches), wrong for the backup.
  BS_REQUIRE_OK(target->Put("backups/" + b.id + "/chunk-00000002", Bytes("not the data")));
  Status verify = s.engine->backups().Verify(s.admin, b.id);
  CHECK(verify.code() == Code::kDataLoss);
  CHECK_MESSAGE(verify.message().find("chunk 2 at offset 2097152") != std::string::npos,
                verify.message());
  auto r = s.engine->backups().Restore(s.admin, b.id, {});
  BS_REQUIRE_OK(r);
  auto failed = s.engine->WaitForVolume(s.admin, r->volume_id, {VS::kErrorRestoring}, kWait);
  BS_REQUIRE_OK(failed);
  auto after = s.engine->WaitForBackup(s.admin, b.id, {BS::kAvailable}, kWait);
  BS_REQUIRE_OK(after);
  CHECK_MESSAGE(after->fail_reason.find("chunk 2 at offset 2097152") != std::string::npos,
                after->fail_reason);
}

}  // namespace
}  // namespace blockstore::testing

TEST_SUITE_END();
