// The store on a real database — a SQLite file, or (BS_TEST_DATABASE=postgresql) a fresh
// database on a real PostgreSQL: compare-and-set, quota bookkeeping in the same transaction,
// list queries; and, per kind, what is its own (suites "sqlite file" and "postgresql").
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "blockstore/store.hpp"
#include "lib/core/ids.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;
using blockstore::testing::TempDir;

namespace {

// The store under test: SQLite in `dir`, or (over PostgreSQL) a database of its own for
// `dir`, so that opening the same `dir` again reopens it on either kind.
std::unique_ptr<Store> Open(const TempDir& dir, QuotaLimits limits = {}) {
  if (blockstore::testing::TestsUsePostgres()) {
    PostgresStoreOptions o;
    o.url = blockstore::testing::TestPostgresUrlFor(dir.path());
    o.quota_defaults = std::move(limits);
    auto s = OpenPostgresStore(o);
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    return std::move(s).value();
  }
  SqliteStoreOptions o;
  o.path = dir / "store.db";
  o.quota_defaults = std::move(limits);
  auto s = OpenSqliteStore(o);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return std::move(s).value();
}

Volume NewVolume(const std::string& project, uint64_t size, int n = 0) {
  Volume v;
  v.id = internal::NewUuid();
  v.project_id = project;
  v.user_id = "u";
  v.name = "vol-" + std::to_string(n);
  v.size_gb = size;
  v.status = VolumeStatus::kCreating;
  v.host = "h@b#p";
  v.created_at = v.updated_at = TimePoint(std::chrono::microseconds(1'000'000LL * (1000 + n)));
  return v;
}

std::vector<QuotaCharge> Charges(int64_t size) {
  return {{"volumes", 1}, {"gigabytes", size}};
}

// Sets the schema of the (closed) store in `dir` back to `version`, after `undo` (a
// statement both kinds run) took out what the later migrations made.
void DowngradeSchema(const TempDir& dir, const std::vector<std::string>& undo, int version);

// The schema version of the (closed) store in `dir`.
int64_t SchemaVersionOf(const TempDir& dir);

int64_t Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  int64_t out = -1;
  if (sqlite3_step(st) == SQLITE_ROW) out = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

void DowngradeSchema(const TempDir& dir, const std::vector<std::string>& undo, int version) {
  if (blockstore::testing::TestsUsePostgres()) {
    const std::string url = blockstore::testing::TestPostgresUrlFor(dir.path());
    for (const auto& sql : undo) blockstore::testing::PgQuery(url, sql);
    blockstore::testing::PgQuery(url, "UPDATE blockstore_schema SET version = " + std::to_string(version));
    return;
  }
  for (const auto& sql : undo) Sql(dir / "store.db", sql);
  Sql(dir / "store.db", "PRAGMA user_version = " + std::to_string(version));
}

int64_t SchemaVersionOf(const TempDir& dir) {
  if (blockstore::testing::TestsUsePostgres()) {
    return std::stoll(blockstore::testing::PgQuery(blockstore::testing::TestPostgresUrlFor(dir.path()),
                                                   "SELECT max(version) FROM blockstore_schema"));
  }
  return Sql(dir / "store.db", "PRAGMA user_version");
}

}  // namespace

TEST_SUITE("store") {
  TEST_CASE("a new file gets the latest schema, in WAL mode; data survives reopening" * doctest::test_suite("sqlite file")) {
    TempDir dir;
    std::string id;
    {
      auto store = Open(dir);
      auto v = store->volumes().Create(NewVolume("p", 1), Charges(1));
      BS_REQUIRE_OK(v);
      id = v->id;
    }
    CHECK(Sql(dir / "store.db", "PRAGMA user_version") == SqliteSchemaVersion());
    {
      auto again = Open(dir);
      auto v = again->volumes().Get(id);
      BS_REQUIRE_OK(v);
      CHECK(v->size_gb == 1);
      CHECK(v->status == VolumeStatus::kCreating);
    }
    CHECK(Sql(dir / "store.db", "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'") == 1);
  }

  TEST_CASE("migrating a store from before metadata was on the row carries every volume's metadata over") {
    TempDir dir;
    std::string with, without;
    {
      auto store = Open(dir);
      Volume a = NewVolume("p", 1);
      a.metadata = {{"owner", "ops"}, {"tier", "gold"}};
      with = a.id;
      BS_REQUIRE_OK(store->volumes().Create(a, Charges(1)));
      Volume b = NewVolume("p", 1, 1);
      without = b.id;
      BS_REQUIRE_OK(store->volumes().Create(b, Charges(1)));
    }
    // As a build before migration 9 left it.
    DowngradeSchema(dir,
                    {"DROP TABLE idempotency_keys", "ALTER TABLE volumes DROP COLUMN migration_host", "ALTER TABLE volumes DROP COLUMN migration_type_id",
                     "DROP TABLE transfers", "DROP TABLE messages",
                     "DROP TABLE volume_glance_metadata",
                     "ALTER TABLE volumes DROP COLUMN image_metadata",
                     "ALTER TABLE volumes DROP COLUMN migration_status",
                     "ALTER TABLE volumes DROP COLUMN metadata"},
                    8);
    {
      auto store = Open(dir);
      auto a = store->volumes().Get(with);
      BS_REQUIRE_OK(a);
      CHECK(a->metadata == Metadata{{"owner", "ops"}, {"tier", "gold"}});
      auto b = store->volumes().Get(without);
      BS_REQUIRE_OK(b);
      CHECK(b->metadata.empty());
      // Migration 10: no migration status, no image properties, and both can be set.
      CHECK(a->migration_status.empty());
      CHECK(a->image_metadata.empty());
      VolumeUpdate u;
      u.image_metadata = Metadata{{"os_distro", "debian"}};
      BS_REQUIRE_OK(store->volumes().Update(with, u));
      ListQuery by_image;
      by_image.image_metadata = {{"os_distro", "debian"}};
      auto found = store->volumes().List(by_image, "p");
      BS_REQUIRE_OK(found);
      REQUIRE(found->size() == 1);
      CHECK(found->front().id == with);
      CHECK(found->front().image_metadata == Metadata{{"os_distro", "debian"}});
      // Migration 11: user messages.
      UserMessage m;
      m.id = "0d2f8a34-5b6c-4d7e-8f90-a1b2c3d4e5f6";
      m.project_id = "p";
      m.resource_type = "VOLUME";
      m.resource_uuid = with;
      m.event_id = "VOLUME_VOLUME_001_001";
      m.user_message = "create volume: an unknown error occurred";
      m.created_at = std::chrono::time_point_cast<std::chrono::microseconds>(Clock::now());
      m.expires_at = m.created_at + std::chrono::hours(1);
      BS_REQUIRE_OK(store->messages().Create(m));
      auto got = store->messages().Get(m.id);
      BS_REQUIRE_OK(got);
      CHECK(got->user_message == m.user_message);
      // Migration 12: transfers (none pending for a volume that was never offered).
      auto pending = store->transfers().List("p");
      BS_REQUIRE_OK(pending);
      CHECK(pending->empty());
    }
    CHECK(SchemaVersionOf(dir) == SqliteSchemaVersion());
  }

  TEST_CASE("a file from a newer build is refused, untouched" * doctest::test_suite("sqlite file")) {
    TempDir dir;
    { Open(dir); }
    Sql(dir / "store.db", "PRAGMA user_version = 999");
    SqliteStoreOptions o;
    o.path = dir / "store.db";
    auto s = OpenSqliteStore(o);
    BS_CHECK_CODE(s, Code::kFailedPrecondition);
    CHECK(s.status().message().find("999") != std::string::npos);
    CHECK(Sql(dir / "store.db", "PRAGMA user_version") == 999);
  }

  TEST_CASE("one engine owns a database: a second opener is refused, by name, until it closes" * doctest::test_suite("sqlite file")) {
    TempDir dir;
    auto first = Open(dir);
    BS_REQUIRE_OK(first->volumes().Create(NewVolume("p", 1), Charges(1)));
    SqliteStoreOptions o;
    o.path = dir / "store.db";
    o.busy_timeout_ms = 50;
    auto second = OpenSqliteStore(o);
    BS_CHECK_CODE(second, Code::kUnavailable);
    INFO(second.status().ToString());
    CHECK(second.status().message().find("in use by another engine") != std::string::npos);
    CHECK(second.status().message().find(o.path) != std::string::npos);
    first.reset();
    auto later = OpenSqliteStore(o);
    BS_REQUIRE_OK(later);
    ListQuery q;
    auto all = (*later)->volumes().List(q, "");
    BS_REQUIRE_OK(all);
    CHECK(all->size() == 1);
  }

  TEST_CASE("pool usage: GB and volumes per pool of one backend, extends counted at their target") {
    TempDir dir;
    auto store = Open(dir);
    auto on = [&](const std::string& host, uint64_t size, int n) {
      Volume v = NewVolume("p", size, n);
      v.host = host;
      auto made = store->volumes().Create(v, {});
      REQUIRE(made.ok());
      return *made;
    };
    on("h@b#p1", 2, 1);
    Volume grow = on("h@b#p1", 3, 2);
    on("h@b#p2", 5, 3);
    on("h@bb#p1", 7, 4);  // another backend whose name starts the same way
    on("h@b", 11, 5);     // a volume on the backend without a pool
    VolumeTransition ok;
    ok.from = {VolumeStatus::kCreating};
    ok.to = VolumeStatus::kAvailable;
    BS_REQUIRE_OK(store->volumes().Transition(grow.id, ok));
    BS_REQUIRE_OK(store->volumes().BeginExtend(grow.id, {VolumeStatus::kAvailable}, 10, {}));
    auto usage = store->volumes().PoolUsages("h@b");
    BS_REQUIRE_OK(usage);
    CHECK(usage->size() == 3);
    CHECK((*usage)["h@b#p1"].gigabytes == 12);  // 2 + the extend's target 10
    CHECK((*usage)["h@b#p1"].volumes == 2);
    CHECK((*usage)["h@b#p2"].gigabytes == 5);
    CHECK((*usage)["h@b"].gigabytes == 11);
    CHECK(usage->count("h@bb#p1") == 0);
  }

  TEST_CASE("services: a heartbeat inserts then counts, keeps a disable; unknown services and empty names refused") {
    TempDir dir;
    auto store = Open(dir);
    ServiceRecord vol{"node-1@lvm", "cinder-volume", "az1", "3.0"};
    auto first = store->services().Report(vol);
    BS_REQUIRE_OK(first);
    CHECK(first->report_count == 1);
    CHECK(first->created_at == first->updated_at);
    CHECK_FALSE(first->disabled);
    BS_REQUIRE_OK(store->services().Report({"node-1", "cinder-scheduler", "az1", "3.0"}));

    auto off = store->services().SetDisabled("node-1@lvm", "cinder-volume", true, "maintenance window");
    BS_REQUIRE_OK(off);
    CHECK(off->disabled);
    CHECK(off->disabled_reason == "maintenance window");
    vol.availability_zone = "az2";
    vol.version = "3.1";
    auto again = store->services().Report(vol);  // a beat changes zone and version, not the disable
    BS_REQUIRE_OK(again);
    CHECK(again->report_count == 2);
    CHECK(again->disabled);
    CHECK(again->disabled_reason == "maintenance window");
    CHECK(again->availability_zone == "az2");
    CHECK(again->version == "3.1");
    CHECK(again->updated_at >= first->updated_at);
    CHECK(again->created_at == first->created_at);

    auto on = store->services().SetDisabled("node-1@lvm", "cinder-volume", false, "ignored when enabling");
    BS_REQUIRE_OK(on);
    CHECK_FALSE(on->disabled);
    CHECK(on->disabled_reason.empty());

    BS_CHECK_CODE(store->services().SetDisabled("node-9@lvm", "cinder-volume", true, ""), Code::kNotFound);
    BS_CHECK_CODE(store->services().Report({"", "cinder-volume", "az1", "3.0"}), Code::kInvalidArgument);
    BS_CHECK_CODE(store->services().Report({"node-1", "", "az1", "3.0"}), Code::kInvalidArgument);

    auto all = store->services().List();
    BS_REQUIRE_OK(all);
    REQUIRE(all->size() == 2);
    CHECK((*all)[0].binary == "cinder-scheduler");  // by binary, then host
    CHECK((*all)[1].binary == "cinder-volume");
    CHECK((*all)[1].report_count == 2);
  }

  TEST_CASE("capacity holds: numbered per pool, fits sees the unseen ones since the report, a refusal records nothing") {
    TempDir dir;
    auto store = Open(dir);
    auto at = [](int s) { return TimePoint(std::chrono::seconds(1000 + s)); };
    std::vector<CapacityHold> seen;
    bool asked = false;
    auto fits_under = [&](double limit, double want) {
      asked = false;
      return [&seen, &asked, limit, want](const std::vector<CapacityHold>& holds) {
        asked = true;
        seen = holds;
        double held = 0;
        for (const auto& h : holds) held += h.gb;
        return held + want <= limit;
      };
    };
    // Looks without holding anything.
    auto look = [&](const std::vector<CapacityHold>& holds) {
      seen = holds;
      return false;
    };
    auto hold = [&](CapacityHold h, int64_t seen_seq, TimePoint since, TimePoint expired, auto fits) {
      auto out = store->capacity().Hold(h, seen_seq, since, expired, fits);
      REQUIRE_MESSAGE(out.ok(), out.status().ToString());
      return *out;
    };
    // Holds are numbered per pool (numbers may be skipped); q counts its own.
    auto a = hold({"vol-a", "h@b#p", 6, at(10)}, 0, at(0), at(-100), fits_under(10, 6));
    CHECK(a.held);
    CHECK(a.seq >= 1);
    CHECK(seen.empty());
    auto q = hold({"vol-q", "h@b#q", 9, at(11)}, 0, at(0), at(-100), fits_under(10, 9));
    CHECK(q.held);
    CHECK(q.seq >= 1);
    // A caller that has not seen vol-a is shown it: 6 held, 5 more does not fit, nothing recorded.
    auto b = hold({"vol-b", "h@b#p", 5, at(12)}, 0, at(0), at(-100), fits_under(10, 5));
    CHECK_FALSE(b.held);
    CHECK(b.seq > a.seq);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].key == "vol-a");
    CHECK(seen[0].pool == "h@b#p");
    CHECK(seen[0].gb == 6);
    CHECK(seen[0].placed_at == at(10));
    CHECK(seen[0].seq == 1);
    // One that has seen everything up to its last number reads nothing (fits sees no holds).
    auto c = hold({"vol-c", "h@b#p", 3, at(13)}, b.seq, at(0), at(-100), fits_under(4, 3));
    CHECK(c.held);
    CHECK(c.seq > b.seq);
    CHECK(asked);
    CHECK(seen.empty());
    // A report taken after vol-a's hold counts it: only vol-c is shown.
    auto d = hold({"vol-d", "h@b#p", 4.5, at(20)}, 0, at(11), at(-100), fits_under(10, 4.5));
    CHECK(d.held);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].key == "vol-c");
    // The same key again replaces its hold.
    CHECK(hold({"vol-d", "h@b#p", 2, at(21)}, 0, at(11), at(-100), fits_under(10, 2)).held);
    hold({"probe", "h@b#p", 0, at(22)}, 0, at(11), at(-100), look);
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].key == "vol-c");
    CHECK(seen[1].key == "vol-d");
    CHECK(seen[1].gb == 2);
    // Released, it no longer counts; releasing what is not held is fine.
    BS_REQUIRE_OK(store->capacity().Release("vol-d"));
    BS_REQUIRE_OK(store->capacity().Release("vol-d"));
    hold({"probe", "h@b#p", 0, at(23)}, 0, at(11), at(-100), look);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].key == "vol-c");
    // Expired holds are not shown, however recent the report.
    hold({"probe", "h@b#p", 0, at(24)}, 0, at(0), at(14), look);
    CHECK(seen.empty());
    // The other pool was never in the way.
    hold({"probe", "h@b#q", 0, at(25)}, 0, at(0), at(-100), look);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].key == "vol-q");
    BS_CHECK_CODE(store->capacity().Hold({"", "h@b#p", 1, at(40)}, 0, at(0), at(0), nullptr), Code::kInvalidArgument);
    BS_CHECK_CODE(store->capacity().Hold({"k", "", 1, at(40)}, 0, at(0), at(0), nullptr), Code::kInvalidArgument);
    BS_CHECK_CODE(store->capacity().Hold({"k", "h@b#p", -1, at(40)}, 0, at(0), at(0), nullptr), Code::kInvalidArgument);
  }

  TEST_CASE("capacity holds racing on one pool: never more than fits, each racer counting what it saw") {
    TempDir dir;
    auto store = Open(dir);
    constexpr int kThreads = 8;
    constexpr int kEach = 20;
    constexpr std::size_t kLimit = 50;  // of 160 one-GB requests, exactly 50 are held
    std::atomic<int> held{0};
    std::atomic<int> errors{0};
    std::vector<std::thread> racers;
    for (int t = 0; t < kThreads; ++t) {
      racers.emplace_back([&, t] {
        // What this racer knows of the pool, as a scheduler's view would: every hold seen.
        std::set<std::string> known;
        int64_t seen_seq = 0;
        for (int i = 0; i < kEach; ++i) {
          const std::string key = "r-" + std::to_string(t) + "-" + std::to_string(i);
          auto ok = store->capacity().Hold({key, "h@b#p", 1, TimePoint(std::chrono::seconds(2000))}, seen_seq,
                                        TimePoint(std::chrono::seconds(1000)), TimePoint{},
                                        [&](const std::vector<CapacityHold>& holds) {
                                          for (const auto& h : holds) known.insert(h.key);
                                          return known.size() + 1 <= kLimit;
                                        });
          if (!ok.ok()) {
            ++errors;
            continue;
          }
          seen_seq = ok->seq;
          if (ok->held) {
            known.insert(key);
            ++held;
          }
        }
      });
    }
    for (auto& r : racers) r.join();
    CHECK(errors == 0);
    CHECK(held == static_cast<int>(kLimit));
    std::vector<CapacityHold> all;
    BS_REQUIRE_OK(store->capacity().Hold({"probe", "h@b#p", 0, TimePoint(std::chrono::seconds(3000))}, 0,
                                      TimePoint(std::chrono::seconds(1000)), TimePoint{},
                                      [&](const std::vector<CapacityHold>& holds) {
                                        all = holds;
                                        return false;
                                      }));
    CHECK(all.size() == kLimit);
  }

  TEST_CASE("a file that is not a database is refused" * doctest::test_suite("sqlite file")) {
    TempDir dir;
    FILE* f = fopen((dir / "store.db").c_str(), "w");
    fputs("this is not sqlite, just text long enough to be a header.....................", f);
    fclose(f);
    SqliteStoreOptions o;
    o.path = dir / "store.db";
    auto s = OpenSqliteStore(o);
    CHECK_FALSE(s.ok());
  }

  TEST_CASE("a status change is a compare-and-set") {
    TempDir dir;
    auto store = Open(dir);
    auto v = store->volumes().Create(NewVolume("p", 2), Charges(2));
    BS_REQUIRE_OK(v);
    VolumeTransition wrong;
    wrong.from = {VolumeStatus::kAvailable};
    wrong.to = VolumeStatus::kDeleting;
    BS_CHECK_CODE(store->volumes().Transition(v->id, wrong), Code::kFailedPrecondition);
    CHECK(store->volumes().Get(v->id)->status == VolumeStatus::kCreating);

    VolumeTransition other_host;
    other_host.from = {VolumeStatus::kCreating};
    other_host.to = VolumeStatus::kAvailable;
    other_host.expect_host = "h@other#p";
    BS_CHECK_CODE(store->volumes().Transition(v->id, other_host), Code::kAborted);

    BS_CHECK_CODE(store->volumes().Transition(internal::NewUuid(), wrong), Code::kNotFound);

    // The same without the record read back: the same codes, the same effect.
    BS_CHECK_CODE(store->volumes().CompareAndSet(v->id, wrong), Code::kFailedPrecondition);
    BS_CHECK_CODE(store->volumes().CompareAndSet(v->id, other_host), Code::kAborted);
    BS_CHECK_CODE(store->volumes().CompareAndSet(internal::NewUuid(), wrong), Code::kNotFound);
    VolumeTransition done;
    done.from = {VolumeStatus::kCreating};
    done.to = VolumeStatus::kAvailable;
    done.quota = QuotaAction::kCommit;
    BS_REQUIRE_OK(store->volumes().CompareAndSet(v->id, done));
    CHECK(store->volumes().Get(v->id)->status == VolumeStatus::kAvailable);
    CHECK(store->quotas().GetSet("p")->resources.at("gigabytes").in_use == 2);
    BS_CHECK_CODE(store->volumes().CompareAndSet(v->id, done), Code::kFailedPrecondition);
  }

  TEST_CASE("a placement happens once: only an unplaced volume is placed") {
    TempDir dir;
    auto store = Open(dir);
    Volume unplaced = NewVolume("p", 2);
    unplaced.host.clear();
    auto v = store->volumes().Create(unplaced, Charges(2));
    BS_REQUIRE_OK(v);
    VolumeTransition place;
    place.from = {VolumeStatus::kCreating};
    place.to = VolumeStatus::kCreating;
    place.expect_unplaced = true;
    place.host = "h@a#p";
    auto placed = store->volumes().Transition(v->id, place);
    BS_REQUIRE_OK(placed);
    CHECK(placed->host == "h@a#p");
    // The same placement told twice, elsewhere: refused, the first stands.
    place.host = "h@b#p";
    BS_CHECK_CODE(store->volumes().Transition(v->id, place), Code::kFailedPrecondition);
    CHECK(store->volumes().Get(v->id)->host == "h@a#p");
    // So is failing it as unplaced, with its quota: it stays creating, its reservation held.
    VolumeTransition fail;
    fail.from = {VolumeStatus::kCreating};
    fail.to = VolumeStatus::kError;
    fail.expect_unplaced = true;
    fail.quota = QuotaAction::kRollback;
    BS_CHECK_CODE(store->volumes().Transition(v->id, fail), Code::kFailedPrecondition);
    CHECK(store->volumes().Get(v->id)->status == VolumeStatus::kCreating);
    CHECK(store->quotas().GetSet("p")->resources.at("gigabytes").reserved == 2);
  }

  TEST_CASE("of many racing deletes exactly one wins") {
    TempDir dir;
    auto store = Open(dir);
    auto v = store->volumes().Create(NewVolume("p", 1), Charges(1));
    BS_REQUIRE_OK(v);
    VolumeTransition done;
    done.from = {VolumeStatus::kCreating};
    done.to = VolumeStatus::kAvailable;
    done.quota = QuotaAction::kCommit;
    BS_REQUIRE_OK(store->volumes().Transition(v->id, done));
    std::atomic<int> wins{0}, losses{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] {
        auto r = store->volumes().BeginDelete(v->id, {VolumeStatus::kAvailable}, false);
        (r.ok() ? wins : losses)++;
      });
    }
    for (auto& t : threads) t.join();
    CHECK(wins == 1);
    CHECK(losses == 7);
  }

  TEST_CASE("quota: reserve on create, commit or roll back with the status, release on delete") {
    TempDir dir;
    auto store = Open(dir, {{"volumes", 3}, {"gigabytes", 10}});
    auto usage = [&](const char* res) { return store->quotas().GetSet("p")->resources[res]; };

    auto a = store->volumes().Create(NewVolume("p", 4), Charges(4));
    BS_REQUIRE_OK(a);
    CHECK(usage("gigabytes").reserved == 4);
    CHECK(usage("gigabytes").in_use == 0);

    VolumeTransition ok;
    ok.from = {VolumeStatus::kCreating};
    ok.to = VolumeStatus::kAvailable;
    ok.quota = QuotaAction::kCommit;
    BS_REQUIRE_OK(store->volumes().Transition(a->id, ok));
    CHECK(usage("gigabytes").reserved == 0);
    CHECK(usage("gigabytes").in_use == 4);
    CHECK(usage("volumes").in_use == 1);

    auto b = store->volumes().Create(NewVolume("p", 5), Charges(5));
    BS_REQUIRE_OK(b);
    // 4 in use + 5 reserved + 2 requested > 10
    auto c = store->volumes().Create(NewVolume("p", 2), Charges(2));
    BS_CHECK_CODE(c, Code::kResourceExhausted);
    CHECK(c.status().message().find("gigabytes") != std::string::npos);

    VolumeTransition fail;
    fail.from = {VolumeStatus::kCreating};
    fail.to = VolumeStatus::kError;
    fail.quota = QuotaAction::kRollback;
    BS_REQUIRE_OK(store->volumes().Transition(b->id, fail));
    CHECK(usage("gigabytes").reserved == 0);
    CHECK(usage("gigabytes").in_use == 4);

    // The failed volume holds nothing; deleting it releases nothing.
    BS_REQUIRE_OK(store->volumes().BeginDelete(b->id, {VolumeStatus::kError}, false));
    BS_REQUIRE_OK(store->volumes().FinishDelete(b->id));
    CHECK(usage("gigabytes").in_use == 4);
    BS_REQUIRE_OK(store->volumes().BeginDelete(a->id, {VolumeStatus::kAvailable}, false));
    BS_REQUIRE_OK(store->volumes().FinishDelete(a->id));
    CHECK(usage("gigabytes").in_use == 0);
    CHECK(usage("volumes").in_use == 0);
    BS_CHECK_CODE(store->volumes().Get(a->id), Code::kNotFound);
    BS_REQUIRE_OK(store->volumes().FinishDelete(a->id));  // idempotent
  }

  TEST_CASE("an over-quota create inserts nothing") {
    TempDir dir;
    auto store = Open(dir, {{"volumes", 0}});
    auto v = NewVolume("p", 1);
    BS_CHECK_CODE(store->volumes().Create(v, Charges(1)), Code::kResourceExhausted);
    BS_CHECK_CODE(store->volumes().Get(v.id), Code::kNotFound);
    CHECK(store->quotas().GetSet("p")->resources["volumes"].reserved == 0);
  }

  TEST_CASE("a create whose insert fails reserves nothing; a settlement whose compare-and-set fails settles nothing") {
    TempDir dir;
    auto store = Open(dir, {{"volumes", 5}, {"gigabytes", 10}});
    auto usage = [&](const char* res) { return store->quotas().GetSet("p")->resources[res]; };
    auto a = store->volumes().Create(NewVolume("p", 3), Charges(3));
    BS_REQUIRE_OK(a);
    // The same id again: the insert (the transaction's last statement) fails after the
    // reservation was made in the same transaction, which is rolled back whole.
    Volume again = NewVolume("p", 4);
    again.id = a->id;
    BS_CHECK_CODE(store->volumes().Create(again, Charges(4)), Code::kAlreadyExists);
    CHECK(usage("gigabytes").reserved == 3);
    CHECK(usage("volumes").reserved == 1);
    CHECK(store->volumes().Get(a->id)->size_gb == 3);
    // A commit from a status the volume is not in changes neither the volume nor the quota.
    VolumeTransition wrong;
    wrong.from = {VolumeStatus::kExtending};
    wrong.to = VolumeStatus::kAvailable;
    wrong.quota = QuotaAction::kCommit;
    BS_CHECK_CODE(store->volumes().Transition(a->id, wrong), Code::kFailedPrecondition);
    CHECK(usage("gigabytes").reserved == 3);
    CHECK(usage("gigabytes").in_use == 0);
    // The right one settles once; a second, redelivered, finds nothing to move or settle.
    VolumeTransition ok;
    ok.from = {VolumeStatus::kCreating};
    ok.to = VolumeStatus::kAvailable;
    ok.quota = QuotaAction::kCommit;
    BS_REQUIRE_OK(store->volumes().CompareAndSet(a->id, ok));
    CHECK(usage("gigabytes").reserved == 0);
    CHECK(usage("gigabytes").in_use == 3);
    CHECK(usage("volumes").in_use == 1);
    BS_CHECK_CODE(store->volumes().CompareAndSet(a->id, ok), Code::kFailedPrecondition);
    CHECK(usage("gigabytes").in_use == 3);
    CHECK(usage("volumes").in_use == 1);
    // And the store is usable for the next transaction after the failed one.
    BS_REQUIRE_OK(store->volumes().Create(NewVolume("p", 1), Charges(1)));
    CHECK(usage("gigabytes").reserved == 1);
  }

  TEST_CASE("delete refuses a volume with snapshots unless cascading") {
    TempDir dir;
    auto store = Open(dir);
    auto v = store->volumes().Create(NewVolume("p", 1), Charges(1));
    VolumeTransition ok;
    ok.from = {VolumeStatus::kCreating};
    ok.to = VolumeStatus::kAvailable;
    ok.quota = QuotaAction::kCommit;
    BS_REQUIRE_OK(store->volumes().Transition(v->id, ok));
    Snapshot s;
    s.id = internal::NewUuid();
    s.project_id = "p";
    s.volume_id = v->id;
    s.size_gb = 1;
    s.status = SnapshotStatus::kAvailable;
    BS_REQUIRE_OK(store->snapshots().Create(s, {VolumeStatus::kAvailable}, {}));
    BS_CHECK_CODE(store->volumes().BeginDelete(v->id, {VolumeStatus::kAvailable}, false),
                  Code::kFailedPrecondition);
    CHECK(store->volumes().Get(v->id)->status == VolumeStatus::kAvailable);
    auto del = store->volumes().BeginDelete(v->id, {VolumeStatus::kAvailable}, true);
    BS_REQUIRE_OK(del);
    CHECK(store->snapshots().Get(s.id)->status == SnapshotStatus::kDeleting);
    BS_CHECK_CODE(store->volumes().FinishDelete(v->id), Code::kFailedPrecondition);
    BS_REQUIRE_OK(store->snapshots().FinishDelete(s.id));
    BS_REQUIRE_OK(store->volumes().FinishDelete(v->id));
  }

  TEST_CASE("lists page by marker in any sort order without gaps or repeats") {
    TempDir dir;
    auto store = Open(dir, {{"volumes", -1}, {"gigabytes", -1}});
    for (int i = 0; i < 25; ++i) {
      auto v = NewVolume(i % 5 == 0 ? "other" : "p", static_cast<uint64_t>(1 + i % 3), i);
      v.metadata = {{"tier", i % 2 ? "gold" : "silver"}};
      v.description = i % 4 ? "Scratch space" : "database files";
      v.availability_zone = i % 3 ? "az1" : "az2";
      v.bootable = i % 2 == 0;
      BS_REQUIRE_OK(store->volumes().Create(v, Charges(1)));
    }
    for (auto sort : std::vector<std::vector<SortKey>>{
             {}, {{"size", false}}, {{"size", true}, {"name", false}}, {{"name", false}},
             {{"display_name", true}}, {{"display_description", false}, {"bootable", true}},
             {{"availability_zone", false}, {"size", true}, {"created_at", false}}}) {
      CAPTURE(sort.front().key);
      ListQuery q;
      q.sort = sort;
      auto whole = store->volumes().List(q, "p");  // one page: the order the pages must follow
      BS_REQUIRE_OK(whole);
      q.limit = 7;
      std::vector<std::string> paged;
      int pages = 0;
      while (true) {
        auto page = store->volumes().List(q, "p");
        BS_REQUIRE_OK(page);
        for (const auto& v : *page) {
          CHECK(v.project_id == "p");
          paged.push_back(v.id);
        }
        ++pages;
        if (page->size() < 7) break;
        q.marker = page->back().id;
      }
      std::vector<std::string> expected;
      for (const auto& v : *whole) expected.push_back(v.id);
      CHECK(paged == expected);
      CHECK(std::set<std::string>(paged.begin(), paged.end()).size() == 20);
      CHECK(pages == 3);
    }
    ListQuery by_name;
    by_name.sort = {{"name", false}};
    auto names = store->volumes().List(by_name, "p");
    BS_REQUIRE_OK(names);
    CHECK(std::is_sorted(names->begin(), names->end(),
                         [](const Volume& a, const Volume& b) { return a.name < b.name; }));

    // Substring filters ignore case and take % and _ literally; a project, a size.
    ListQuery like;
    like.like = {{"description", "SCRATCH"}};
    CHECK(store->volumes().List(like, "p")->size() == 15);
    like.like = {{"display_name", "vol-1"}};  // vol-1, vol-11…vol-19 of p (not vol-10, vol-15)
    CHECK(store->volumes().List(like, "p")->size() == 9);
    like.like = {{"name", "%"}};
    CHECK(store->volumes().List(like, "p")->empty());
    like.like = {{"availability_zone", "z2"}};
    CHECK(store->volumes().List(like, "")->size() == 9);
    like.like = {{"host", "h@"}};
    BS_CHECK_CODE(store->volumes().List(like, "p"), Code::kInvalidArgument);
    ListQuery one_project;
    one_project.project_id = "other";
    CHECK(store->volumes().List(one_project, "")->size() == 5);
    CHECK(store->volumes().List(one_project, "p")->empty());  // a scope and another project: none
    ListQuery sized;
    sized.size = 2;
    CHECK(store->volumes().List(sized, "p")->size() == 7);
    ListQuery gold;
    gold.metadata = {{"tier", "gold"}};
    CHECK(store->volumes().List(gold, "")->size() == 12);
    ListQuery named;
    named.name = "vol-3";
    CHECK(store->volumes().List(named, "p")->size() == 1);
    CHECK(store->volumes().List(named, "other")->size() == 0);

    ListQuery bad_sort;
    bad_sort.sort = {{"password", false}};
    BS_CHECK_CODE(store->volumes().List(bad_sort, "p"), Code::kInvalidArgument);
    ListQuery bad_limit;
    bad_limit.limit = 0;
    BS_CHECK_CODE(store->volumes().List(bad_limit, "p"), Code::kInvalidArgument);
    ListQuery bad_marker;
    bad_marker.marker = internal::NewUuid();
    BS_CHECK_CODE(store->volumes().List(bad_marker, "p"), Code::kNotFound);
    ListQuery injection;
    injection.name = "x' OR '1'='1";
    CHECK(store->volumes().List(injection, "p")->empty());
  }

  TEST_CASE("types: unique names, in-use types cannot go") {
    TempDir dir;
    auto store = Open(dir);
    VolumeType t;
    t.id = internal::NewUuid();
    t.name = "gold";
    t.extra_specs = {{"volume_backend_name", "b"}};
    BS_REQUIRE_OK(store->volume_types().Create(t));
    VolumeType dup = t;
    dup.id = internal::NewUuid();
    BS_CHECK_CODE(store->volume_types().Create(dup), Code::kAlreadyExists);
    auto v = NewVolume("p", 1);
    v.volume_type_id = t.id;
    BS_REQUIRE_OK(store->volumes().Create(v, {}));
    BS_CHECK_CODE(store->volume_types().Delete(t.id), Code::kFailedPrecondition);
    auto byname = store->volume_types().GetByName("gold");
    BS_REQUIRE_OK(byname);
    CHECK(byname->extra_specs.at("volume_backend_name") == "b");
  }
}
