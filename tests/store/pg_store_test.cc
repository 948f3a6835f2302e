// What is PostgreSQL's own: the URL, migrations under the lock (two openers at once migrate
// once), a database newer than this build, several stores on one database racing on the same
// rows, and a server that restarts under load. Runs when the suite has a PostgreSQL
// (BS_TEST_DATABASE=postgresql, BS_PG_ENV; BS_PG_SCRIPT to start one of its own to restart).
#include <libpq-fe.h>

#include <atomic>
#include <barrier>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "blockstore/engine.hpp"
#include "blockstore/store.hpp"
#include "lib/core/ids.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;
using blockstore::testing::PgQuery;

namespace {

std::unique_ptr<Store> OpenPg(const std::string& url) {
  PostgresStoreOptions o;
  o.url = url;
  auto s = OpenPostgresStore(o);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return std::move(s).value();
}


Volume NewPgVolume(const std::string& project, uint64_t size) {
  Volume v;
  v.id = internal::NewUuid();
  v.project_id = project;
  v.user_id = "u";
  v.size_gb = size;
  v.status = VolumeStatus::kCreating;
  v.host = "h@b#p";
  v.created_at = v.updated_at = TimePoint(std::chrono::seconds(1000));
  return v;
}

std::vector<QuotaCharge> GbCharges(int64_t size) {
  return {{std::string(kQuotaVolumes), 1}, {std::string(kQuotaGigabytes), size}};
}

}  // namespace

TEST_SUITE("postgresql") {
  TEST_CASE("database URLs: sqlite, postgresql (and SQLAlchemy's driver suffix); others refused") {
    auto pg = ParseDatabaseUrl("postgresql+psycopg2://u:p@db.example:6432/cinder?sslmode=verify-full");
    BS_REQUIRE_OK(pg);
    CHECK(pg->kind == DatabaseUrl::Kind::kPostgres);
    CHECK(pg->postgres_url == "postgresql://u:p@db.example:6432/cinder?sslmode=verify-full");
    auto lite = ParseDatabaseUrl("sqlite:////var/lib/blockstore/state.db");
    BS_REQUIRE_OK(lite);
    CHECK(lite->sqlite_path == "/var/lib/blockstore/state.db");
    CHECK(ParseDatabaseUrl("sqlite:///var/x.db")->sqlite_path == "/var/x.db");
    BS_CHECK_CODE(ParseDatabaseUrl("sqlite://relative.db"), Code::kInvalidArgument);
    BS_CHECK_CODE(ParseDatabaseUrl("mysql+pymysql://u@h/db"), Code::kInvalidArgument);
    BS_CHECK_CODE(ParseDatabaseUrl("/var/lib/x.db"), Code::kInvalidArgument);
    PostgresStoreOptions bad;
    bad.url = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2";
    BS_CHECK_CODE(OpenPostgresStore(bad), Code::kUnavailable);
  }

  TEST_CASE("stores opening a new database at once migrate it once") {
    const std::string url = testing::TestPostgresUrl();
    std::vector<std::thread> openers;
    std::atomic<int> opened{0};
    for (int i = 0; i < 6; ++i) {
      openers.emplace_back([&] {
        PostgresStoreOptions o;
        o.url = url;
        if (OpenPostgresStore(o).ok()) ++opened;
      });
    }
    for (auto& t : openers) t.join();
    CHECK(opened == 6);
    CHECK(PgQuery(url, "SELECT count(*) FROM blockstore_schema") == "1");
    CHECK(PgQuery(url, "SELECT max(version) FROM blockstore_schema") == std::to_string(SqliteSchemaVersion()));
  }

  TEST_CASE("a database from a newer build is refused, untouched") {
    const std::string url = testing::TestPostgresUrl();
    { OpenPg(url); }
    PgQuery(url, "UPDATE blockstore_schema SET version = 999");
    PostgresStoreOptions o;
    o.url = url;
    auto s = OpenPostgresStore(o);
    BS_CHECK_CODE(s, Code::kFailedPrecondition);
    CHECK(s.status().message().find("999") != std::string::npos);
    CHECK(PgQuery(url, "SELECT max(version) FROM blockstore_schema") == "999");
  }

  TEST_CASE("stores in several connections share the rows: each compare-and-set won once, quota exact") {
    const std::string url = testing::TestPostgresUrl();
    std::vector<std::unique_ptr<Store>> stores;
    for (int i = 0; i < 4; ++i) stores.push_back(OpenPg(url));
    BS_REQUIRE_OK(stores[0]->quotas().SetLimit("p", kQuotaVolumes, -1));
    BS_REQUIRE_OK(stores[0]->quotas().SetLimit("p", kQuotaGigabytes, -1));
    BS_REQUIRE_OK(stores[0]->quotas().SetLimit("q", kQuotaGigabytes, -1));
    std::vector<std::string> ids;
    for (int i = 0; i < 40; ++i) {
      auto v = stores[static_cast<std::size_t>(i % 4)]->volumes().Create(NewPgVolume("p", 2), GbCharges(2));
      BS_REQUIRE_OK(v);
      ids.push_back(v->id);
    }
    // Every store tries to move every volume creating → available; one wins each.
    std::atomic<int> wins{0}, losses{0}, errors{0};
    std::vector<std::thread> racers;
    for (auto& store : stores) {
      racers.emplace_back([&, s = store.get()] {
        for (const auto& id : ids) {
          VolumeTransition t;
          t.from = {VolumeStatus::kCreating};
          t.to = VolumeStatus::kAvailable;
          t.quota = QuotaAction::kCommit;
          auto r = s->volumes().Transition(id, t);
          if (r.ok()) ++wins;
          else if (r.status().code() == Code::kFailedPrecondition) ++losses;
          else ++errors;
        }
      });
    }
    for (auto& t : racers) t.join();
    CHECK(wins == 40);
    CHECK(losses == 3 * 40);
    CHECK(errors == 0);
    auto quota = stores[0]->quotas().GetSet("p");
    BS_REQUIRE_OK(quota);
    CHECK(quota->resources.at(std::string(kQuotaVolumes)).in_use == 40);
    CHECK(quota->resources.at(std::string(kQuotaVolumes)).reserved == 0);
    CHECK(quota->resources.at(std::string(kQuotaGigabytes)).in_use == 80);
    CHECK(quota->resources.at(std::string(kQuotaGigabytes)).reserved == 0);

    // Racing creates against a limit from every store: never more than the limit.
    BS_REQUIRE_OK(stores[0]->quotas().SetLimit("q", kQuotaVolumes, 25));
    std::atomic<int> created{0}, refused{0};
    racers.clear();
    for (auto& store : stores) {
      racers.emplace_back([&, s = store.get()] {
        for (int i = 0; i < 20; ++i) {
          auto r = s->volumes().Create(NewPgVolume("q", 1), GbCharges(1));
          if (r.ok()) ++created;
          else if (r.status().code() == Code::kResourceExhausted) ++refused;
        }
      });
    }
    for (auto& t : racers) t.join();
    CHECK(created == 25);
    CHECK(refused == 80 - 25);
    auto q = stores[1]->quotas().GetSet("q");
    BS_REQUIRE_OK(q);
    CHECK(q->resources.at(std::string(kQuotaVolumes)).in_use + q->resources.at(std::string(kQuotaVolumes)).reserved == 25);
  }

  TEST_CASE("reservations and settlements of one project's usage side by side never deadlock") {
    // A create reserves (under the writer lock) while another volume's commit settles beside
    // it, both on the same usage rows. The usage rows are made in reverse order first, so that
    // their order on disk is not the order of their names: whoever locks them in the order it
    // meets them, rather than by name, waits in a circle with the other.
    const std::string url = testing::TestPostgresUrl();
    const std::string db = PgQuery(url, "SELECT current_database()");
    const std::vector<std::string> resources = {"volumes_z", "volumes_a", "gigabytes_z",
                                                "gigabytes_a"};
    {
      auto store = OpenPg(url);
      for (const auto& r : resources) BS_REQUIRE_OK(store->quotas().SetLimit("dl", r, -1));
      BS_REQUIRE_OK(store->quotas().SetLimit("dl", kQuotaVolumes, -1));
      BS_REQUIRE_OK(store->quotas().SetLimit("dl", kQuotaGigabytes, -1));
      for (auto it = resources.rbegin(); it != resources.rend(); ++it) {
        BS_REQUIRE_OK(store->volumes().Create(NewPgVolume("dl", 1), {{*it, 1}}));
      }
    }
    const auto deadlocks = [&] {
      return std::stoll(PgQuery(url, "SELECT deadlocks FROM pg_stat_database WHERE datname = '" + db + "'"));
    };
    const int64_t before = deadlocks();
    std::vector<QuotaCharge> charges = {{std::string(kQuotaVolumes), 1}, {std::string(kQuotaGigabytes), 1}};
    for (const auto& r : resources) charges.push_back({r, 1});
    std::atomic<int> errors{0};
    {
      PostgresStoreOptions o;
      o.url = url;
      o.max_pool_size = 8;
      auto opened = OpenPostgresStore(o);
      BS_REQUIRE_OK(opened);
      Store& store = **opened;
      std::vector<std::thread> workers;
      for (int w = 0; w < 6; ++w) {
        workers.emplace_back([&] {
          for (int i = 0; i < 60; ++i) {
            auto v = store.volumes().Create(NewPgVolume("dl", 1), charges);
            if (!v.ok()) {
              ++errors;
              continue;
            }
            VolumeTransition t;
            t.from = {VolumeStatus::kCreating};
            t.to = VolumeStatus::kAvailable;
            t.quota = QuotaAction::kCommit;
            if (!store.volumes().CompareAndSet(v->id, t).ok()) ++errors;
          }
        });
      }
      for (auto& t : workers) t.join();
    }  // closed: the server's backends report their counts as they end
    CHECK(errors == 0);
    int64_t after = deadlocks();
    for (int i = 0; i < 50 && after == before; ++i) {  // the counts arrive a moment later
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      after = deadlocks();
    }
    CHECK(after == before);
  }

  TEST_CASE("a one-statement status change beside a transaction on the same volume: exactly one wins") {
    // TransitionVolume with no quota is one UPDATE that runs beside other writers;
    // BeginVolumeExtend is a transaction that reads the volume, checks it, then writes. Without
    // the row lock the transaction takes, both could win on the same volume.
    const std::string url = testing::TestPostgresUrl();
    auto a = OpenPg(url);
    auto b = OpenPg(url);
    BS_REQUIRE_OK(a->quotas().SetLimit("r", kQuotaVolumes, -1));
    BS_REQUIRE_OK(a->quotas().SetLimit("r", kQuotaGigabytes, -1));
    std::vector<std::string> ids;
    for (int i = 0; i < 200; ++i) {
      Volume v = NewPgVolume("r", 1);
      v.status = VolumeStatus::kAvailable;
      BS_REQUIRE_OK(a->volumes().Create(v, {}));
      ids.push_back(v.id);
    }
    std::atomic<int> flips{0}, extends{0}, errors{0};
    std::barrier start(2);  // both sides start on each volume together
    std::thread flipper([&] {
      for (const auto& id : ids) {
        start.arrive_and_wait();
        // Let the transaction read the volume first; the change lands inside it.
        std::this_thread::sleep_for(std::chrono::microseconds(300));
        VolumeTransition t;
        t.from = {VolumeStatus::kAvailable};
        t.to = VolumeStatus::kError;
        auto r = a->volumes().Transition(id, t);
        if (r.ok()) ++flips;
        else if (r.status().code() != Code::kFailedPrecondition) ++errors;
      }
    });
    std::thread extender([&] {
      for (const auto& id : ids) {
        start.arrive_and_wait();
        auto r = b->volumes().BeginExtend(id, {VolumeStatus::kAvailable}, 2, {std::string(kQuotaGigabytes)});
        if (r.ok()) ++extends;
        else if (r.status().code() != Code::kFailedPrecondition) ++errors;
      }
    });
    flipper.join();
    extender.join();
    CHECK(errors == 0);
    CHECK(flips + extends == 200);
    int in_error = 0, extending = 0;
    for (const auto& id : ids) {
      auto v = a->volumes().Get(id);
      BS_REQUIRE_OK(v);
      if (v->status == VolumeStatus::kError) ++in_error;
      if (v->status == VolumeStatus::kExtending) {
        ++extending;
        CHECK(*a->volumes().PendingExtendSize(id) == 2);
      }
    }
    CHECK(in_error == flips);
    CHECK(extending == extends);
  }

  TEST_CASE("a call the server aborts as a deadlock is made again, and succeeds") {
    const std::string url = testing::TestPostgresUrl();
    auto store = OpenPg(url);
    BS_REQUIRE_OK(store->quotas().SetLimit("d", kQuotaVolumes, -1));
    BS_REQUIRE_OK(store->quotas().SetLimit("d", kQuotaGigabytes, -1));
    Volume v = NewPgVolume("d", 1);
    v.status = VolumeStatus::kAvailable;
    BS_REQUIRE_OK(store->volumes().Create(v, {}));
    const std::string deadlocks_before =
        PgQuery(url, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    // Another session holds the volume's row, then asks for the writer lock the store's
    // transaction holds while it waits for the row: a deadlock. The store's session finds it
    // first (the other waits 30 s before looking) and is aborted; it runs the call again once
    // the other session is done.
    PGconn* other = PQconnectdb(url.c_str());
    REQUIRE(PQstatus(other) == CONNECTION_OK);
    auto exec = [&](const std::string& sql) {
      PGresult* r = PQexec(other, sql.c_str());
      const ExecStatusType st = PQresultStatus(r);
      PQclear(r);
      return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    };
    REQUIRE(exec("SET deadlock_timeout = '30s'"));
    REQUIRE(exec("BEGIN"));
    REQUIRE(exec("SELECT id FROM volumes WHERE id = '" + v.id + "' FOR UPDATE"));
    std::atomic<bool> done{false};
    Result<Volume> extended = Unavailable("not yet");
    std::thread call([&] {
      extended = store->volumes().BeginExtend(v.id, {VolumeStatus::kAvailable}, 3, {std::string(kQuotaGigabytes)});
      done = true;
    });
    // Once the store's transaction waits for the row, take the writer lock from the other side.
    for (int i = 0; i < 500; ++i) {
      if (PgQuery(url, "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'") != "0") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(exec("SELECT pg_advisory_xact_lock(25203)"));
    CHECK_FALSE(done.load());  // the retry waits for this session
    CHECK(exec("COMMIT"));
    PQfinish(other);
    call.join();
    BS_REQUIRE_OK(extended);
    CHECK(extended->status == VolumeStatus::kExtending);
    CHECK(*store->volumes().PendingExtendSize(v.id) == 3);
    const std::string deadlocks_after =
        PgQuery(url, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    CHECK(std::stoll(deadlocks_after) == std::stoll(deadlocks_before) + 1);
  }

  TEST_CASE("the server restarts under load: calls fail unavailable, then work; nothing half-written") {
    // A server of its own: restarting the suite's would cut off the tests running beside this one.
    const char* script = std::getenv("BS_PG_SCRIPT");
    REQUIRE_MESSAGE(script, "BS_PG_SCRIPT names scripts/pg-aio");
    testing::TempDir dir;
    const std::string aio = dir / "aio";
    struct Stop {
      std::string cmd;
      ~Stop() { (void)std::system(cmd.c_str()); }
    } stop_server{std::string(script) + " stop " + aio};
    REQUIRE(std::system((std::string(script) + " start " + aio + " > " + (dir / "env")).c_str()) == 0);
    std::string url;
    {
      std::ifstream in(dir / "env");
      for (std::string line; std::getline(in, line);) {
        if (line.starts_with("BS_PG_URL=")) url = line.substr(10);
      }
    }
    REQUIRE(!url.empty());
    auto store = OpenPg(url);
    BS_REQUIRE_OK(store->quotas().SetLimit("r", kQuotaVolumes, -1));
    BS_REQUIRE_OK(store->quotas().SetLimit("r", kQuotaGigabytes, -1));
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, unavailable{0}, other{0};
    std::thread writer([&] {
      while (!stop) {
        auto v = store->volumes().Create(NewPgVolume("r", 1), GbCharges(1));
        if (v.ok()) ++ok;
        else if (v.status().code() == Code::kUnavailable) ++unavailable;
        else ++other;
      }
    });
    for (int i = 0; i < 2000 && ok < 50; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE(ok >= 50);
    const std::string restart = std::string(script) + " restart " + aio + " > /dev/null";
    REQUIRE(std::system(restart.c_str()) == 0);
    const int before = ok;
    for (int i = 0; i < 400 && ok < before + 50; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    stop = true;
    writer.join();
    CHECK(unavailable > 0);   // the restart was seen …
    CHECK(ok >= before + 50);  // … and the store came back by itself
    CHECK(other == 0);
    // Every volume that exists was acknowledged, and its quota is exactly there.
    // (A create whose commit went out as the server went down may have landed unacknowledged.)
    const int64_t volumes = std::stoll(PgQuery(url, "SELECT count(*) FROM volumes"));
    auto quota = store->quotas().GetSet("r");
    BS_REQUIRE_OK(quota);
    const auto& v = quota->resources.at(std::string(kQuotaVolumes));
    CHECK(v.in_use + v.reserved == volumes);
    CHECK(volumes >= ok.load());
    CHECK(volumes <= ok.load() + unavailable.load());
  }
}

TEST_SUITE("postgresql") {
  TEST_CASE("db copy: an embedded deployment moves to PostgreSQL, nothing lost, checked table by table") {
    testing::TempDir dir;
    const std::string lite = "sqlite://" + dir.path() + "/state.db";
    std::string volume_id;
    {
      EngineConfig c;
      c.state_path = dir.path();
      c.host = "copyhost";
      c.database_connection = lite;
      auto e = Engine::Open(c);
      BS_REQUIRE_OK(e);
      auto alice = RequestContext::User("alice");
      auto admin = RequestContext::Admin();
      BS_REQUIRE_OK((*e)->types().Create(admin, {"gold", "fast ones", true, {{"volume_backend_name", "file"}}}));
      auto v = (*e)->volumes().Create(alice, {.size_gb = 2, .name = "moved", .metadata = {{"k", "v"}}});
      BS_REQUIRE_OK(v);
      BS_REQUIRE_OK((*e)->WaitForVolume(alice, v->id, {VolumeStatus::kAvailable}, testing::kWait));
      volume_id = v->id;
      BS_REQUIRE_OK((*e)->quotas().Update(admin, "alice", {{"volumes", 7}}));
    }
    const std::string pg = testing::TestPostgresUrl();
    auto report = CopyDatabase(lite, pg);
    BS_REQUIRE_OK(report);
    CHECK(report->rows > 5);
    for (const auto& t : report->tables) CHECK(t.sha256.size() == 64);
    // An engine on the copy finds everything, quotas and all.
    {
      EngineConfig c;
      c.state_path = dir.path();
      c.host = "copyhost";
      c.database_connection = pg;
      auto e = Engine::Open(c);
      BS_REQUIRE_OK(e);
      auto alice = RequestContext::User("alice");
      auto v = (*e)->volumes().Get(alice, volume_id);
      BS_REQUIRE_OK(v);
      CHECK(v->name == "moved");
      CHECK(v->metadata.at("k") == "v");
      CHECK(v->status == VolumeStatus::kAvailable);
      auto q = (*e)->quotas().Get(RequestContext::Admin(), "alice");
      BS_REQUIRE_OK(q);
      CHECK(q->resources.at("volumes").limit == 7);
      CHECK(q->resources.at("volumes").in_use == 1);
      BS_REQUIRE_OK((*e)->types().Get(alice, "gold"));
    }
    // A second copy into the same (now full) database is refused; so is a database onto itself.
    BS_CHECK_CODE(CopyDatabase(lite, pg), Code::kFailedPrecondition);
    BS_CHECK_CODE(CopyDatabase(pg, pg), Code::kInvalidArgument);
    // The tool does the same, and says so.
    const char* manage = std::getenv("BS_MANAGE");
    if (manage) {
      const std::string fresh = testing::TestPostgresUrl();
      const std::string cmd = std::string(manage) + " db copy " + lite + " " + fresh + " > " + dir.path() + "/out";
      CHECK(std::system(cmd.c_str()) == 0);
      const std::string again = std::string(manage) + " db copy " + lite + " " + fresh + " 2> " + dir.path() + "/err";
      CHECK(std::system(again.c_str()) != 0);
      CHECK(std::system((std::string(manage) + " db version " + fresh + " > /dev/null").c_str()) == 0);
      // Asking a version changes nothing: an empty database stays at 0, a missing file absent.
      const std::string empty = testing::TestPostgresUrl();
      auto v0 = DatabaseSchemaVersion(empty);
      BS_REQUIRE_OK(v0);
      CHECK(*v0 == 0);
      CHECK(*DatabaseSchemaVersion(empty) == 0);
      BS_CHECK_CODE(DatabaseSchemaVersion("sqlite://" + dir.path() + "/absent.db"), Code::kNotFound);
      CHECK_FALSE(std::filesystem::exists(dir.path() + "/absent.db"));
    }
  }
}
