// The PostgreSQL store beside SQLite and beside bare libpq, in one run.
//
//   store_bench --pg-url postgresql://user@127.0.0.1:PORT/db [--volumes N] [--only create|cas|concurrency]
//
// Figures (one JSON object per line):
//   lifecycle.create_per_s (store=postgresql)  N creates through an in-process engine on the
//       file driver until all are available; the same on SQLite in the same run, and the ratio
//   store.pg_cas_per_s         compare-and-set status changes per second (available ↔ error,
//       through VolumeRepository::CompareAndSet, which says whether the change happened, as the
//       anchor's UPDATE does) from 8 threads on distinct volumes, through one store whose pool
//       holds up to 8 connections; with_record_per_s: the same through Transition, which also
//       reads the volume back
//   store.pg_cas_ratio_to_libpq  that, over the anchor: 8 threads, a libpq connection each,
//       `UPDATE volumes SET status=$3 WHERE id=$1 AND status=ANY($2)` per transaction on the
//       same rows of the store's own volumes table (its schema, indexes and fill factor), with
//       the store's session settings (synchronous_commit off, as durability normal sets it).
//       The anchor leaves out what a store's CAS also does: the updated_at and pending_size
//       columns it sets, and leasing a connection from the pool (and, for with_record, returning
//       the whole record with its metadata). A second anchor (libpq_narrow_per_s, ratio_to_libpq_narrow)
//       runs the same loop on a table of (id, status) alone, leaving out the row's width too.
//   store.pg_concurrency_failures  20 threads × 250 creates, then as many deletes, through one
//       engine over PostgreSQL: failed calls + volumes not available/deleted (stuck) + quota
//       drift (in use + reserved against what exists); 0 is the goal, with each part a field
// The server is the caller's (scripts/bench starts one with scripts/pg-aio); each figure gets a
// database of its own.
#include <libpq-fe.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "bench/bench_util.hpp"
#include "blockstore/engine.hpp"
#include "blockstore/store.hpp"

using namespace blockstore;
using bench::Emit;
using bench::Seconds;

namespace {

std::string server_url;
int databases = 0;

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "store_bench: %s\n", why.c_str());
  std::exit(1);
}

PGconn* Connect(const std::string& url) {
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) Die(PQerrorMessage(c));
  return c;
}

void Exec(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  const auto st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) Die(PQresultErrorMessage(r));
  PQclear(r);
}

// A fresh database on the server, as a URL.
std::string FreshDatabase() {
  const std::string name = "bench_" + std::to_string(::getpid()) + "_" + std::to_string(++databases);
  PGconn* c = Connect(server_url);
  Exec(c, "CREATE DATABASE " + name);
  PQfinish(c);
  return server_url.substr(0, server_url.rfind('/') + 1) + name;
}

class Completion {
 public:
  void On(const Event& e) {
    std::lock_guard lock(mu_);
    ++counts_[e.type];
    cv_.notify_all();
  }
  bool WaitFor(const std::string& type, int n, std::chrono::seconds limit = std::chrono::seconds(600)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return counts_[type] >= n; });
  }
  int Count(const std::string& type) {
    std::lock_guard lock(mu_);
    return counts_[type];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> counts_;
};

std::unique_ptr<Engine> OpenEngine(const std::string& dir, const std::string& database) {
  EngineConfig c;
  c.state_path = dir;
  c.host = "bench";
  c.database_connection = database;
  c.quota_defaults = {{"volumes", -1}, {"gigabytes", -1}};
  c.backends = {{"file", "file", "file",
                 {{"volumes_dir", dir + "/volumes"}, {"max_over_subscription_ratio", "2000"}}}};
  auto e = Engine::Open(c);
  if (!e.ok()) Die(e.status().ToString());
  return std::move(e).value();
}

struct CreateFigures {
  double per_s = 0;           // created (available) per second
  double accepted_per_s = 0;  // accepted by the api role per second (the submitting loop)
};

CreateFigures CreateRate(const std::string& database, int n) {
  const std::string dir = bench::TempDir("store-create");
  CreateFigures out;
  {
    auto engine = OpenEngine(dir, database);
    Completion done;
    engine->Subscribe([&](const Event& e) { done.On(e); });
    const auto ctx = RequestContext::User("bench");
    VolumeCreateRequest r;
    r.size_gb = 1;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      if (auto v = engine->volumes().Create(ctx, r); !v.ok()) Die("create: " + v.status().ToString());
    }
    out.accepted_per_s = n / Seconds(start);
    if (!done.WaitFor("volume.create.end", n)) Die("creates did not finish");
    out.per_s = n / Seconds(start);
  }
  std::filesystem::remove_all(dir);
  return out;
}

Volume BenchVolume(int thread, int i) {
  Volume v;
  v.id = "cas-" + std::to_string(thread) + "-" + std::to_string(i);
  v.project_id = "bench";
  v.user_id = "bench";
  v.size_gb = 1;
  v.status = VolumeStatus::kAvailable;
  v.host = "bench@file#file";
  v.created_at = v.updated_at = TimePoint(std::chrono::seconds(1000));
  return v;
}

// CAS through the store: each thread flips its own volumes available ↔ error, all through
// one store with a pool of a connection per thread.
// With `record`, each change reads the volume back (Transition); otherwise it only says whether
// it happened (CompareAndSet), as the anchor's UPDATE does.
double StoreCasRate(int threads, int per_thread, int volumes_each, bool record) {
  const std::string url = FreshDatabase();
  PostgresStoreOptions o;
  o.url = url;
  o.quota_defaults = {{"volumes", -1}, {"gigabytes", -1}};
  o.max_pool_size = threads;
  auto opened = OpenPostgresStore(o);
  if (!opened.ok()) Die(opened.status().ToString());
  Store& store = **opened;
  for (int t = 0; t < threads; ++t) {
    for (int i = 0; i < volumes_each; ++i) {
      if (auto v = store.volumes().Create(BenchVolume(t, i), {}); !v.ok()) Die(v.status().ToString());
    }
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Store& s = store;
      for (int k = 0; k < per_thread; ++k) {
        const int i = k % volumes_each;
        const bool up = (k / volumes_each) % 2 == 0;
        VolumeTransition tr;
        tr.from = {up ? VolumeStatus::kAvailable : VolumeStatus::kError};
        tr.to = up ? VolumeStatus::kError : VolumeStatus::kAvailable;
        const std::string id = BenchVolume(t, i).id;
        const bool ok = record ? s.volumes().Transition(id, tr).ok() : s.volumes().CompareAndSet(id, tr).ok();
        if (!ok) ++failures;
      }
    });
  }
  for (auto& w : workers) w.join();
  const double rate = threads * per_thread / Seconds(start);
  if (failures) Die("store CAS failures: " + std::to_string(failures.load()));
  return rate;
}

enum class AnchorTable {
  kStoreSchema,  // the store's volumes table, migrated by the store, with its rows
  kNarrow,       // a table of (id, status) alone
};

// The anchor: the bare conditional UPDATE, one per transaction (autocommit), same rows.
double LibpqCasRate(int threads, int per_thread, int volumes_each, AnchorTable table) {
  const std::string url = FreshDatabase();
  if (table == AnchorTable::kStoreSchema) {
    // The store's own table, rows and indexes: the store migrates the database and creates
    // the volumes, then is gone.
    PostgresStoreOptions o;
    o.url = url;
    o.quota_defaults = {{"volumes", -1}, {"gigabytes", -1}};
    auto opened = OpenPostgresStore(o);
    if (!opened.ok()) Die(opened.status().ToString());
    for (int t = 0; t < threads; ++t) {
      for (int i = 0; i < volumes_each; ++i) {
        if (auto v = (*opened)->volumes().Create(BenchVolume(t, i), {}); !v.ok()) Die(v.status().ToString());
      }
    }
  } else {
    PGconn* c = Connect(url);
    Exec(c, "CREATE TABLE volumes (id TEXT PRIMARY KEY, status TEXT NOT NULL)");
    for (int t = 0; t < threads; ++t) {
      for (int i = 0; i < volumes_each; ++i) {
        Exec(c, "INSERT INTO volumes VALUES ('" + BenchVolume(t, i).id + "', 'available')");
      }
    }
    PQfinish(c);
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  std::vector<PGconn*> conns;
  for (int t = 0; t < threads; ++t) {
    PGconn* c = Connect(url);
    // As the store's sessions (durability normal): commits acknowledged before the flush.
    Exec(c, "SET synchronous_commit = off");
    PGresult* p = PQprepare(c, "cas", "UPDATE volumes SET status = $3 WHERE id = $1 AND status = ANY($2::text[])", 0,
                            nullptr);
    if (PQresultStatus(p) != PGRES_COMMAND_OK) Die(PQresultErrorMessage(p));
    PQclear(p);
    conns.push_back(c);
  }
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      PGconn* c = conns[static_cast<std::size_t>(t)];
      for (int k = 0; k < per_thread; ++k) {
        const int i = k % volumes_each;
        const bool up = (k / volumes_each) % 2 == 0;
        const std::string id = BenchVolume(t, i).id;
        const char* from = up ? "{available}" : "{error}";
        const char* to = up ? "error" : "available";
        const char* values[3] = {id.c_str(), from, to};
        PGresult* r = PQexecPrepared(c, "cas", 3, values, nullptr, nullptr, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK || std::strcmp(PQcmdTuples(r), "1") != 0) ++failures;
        PQclear(r);
      }
    });
  }
  for (auto& w : workers) w.join();
  const double rate = threads * per_thread / Seconds(start);
  for (auto* c : conns) PQfinish(c);
  if (failures) Die("libpq CAS failures: " + std::to_string(failures.load()));
  return rate;
}

void Concurrency(int threads, int each) {
  const std::string dir = bench::TempDir("store-concurrency");
  const std::string url = FreshDatabase();
  int failed_calls = 0, stuck = 0;
  int64_t drift = 0;
  double seconds = 0;
  {
    auto engine = OpenEngine(dir, url);
    Completion done;
    engine->Subscribe([&](const Event& e) { done.On(e); });
    std::atomic<int> failures{0};
    std::vector<std::vector<std::string>> ids(static_cast<std::size_t>(threads));
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        const auto ctx = RequestContext::User("p" + std::to_string(t % 4));
        VolumeCreateRequest r;
        r.size_gb = 1;
        for (int i = 0; i < each; ++i) {
          auto v = engine->volumes().Create(ctx, r);
          if (v.ok()) ids[static_cast<std::size_t>(t)].push_back(v->id);
          else ++failures;
        }
      });
    }
    for (auto& w : workers) w.join();
    const int created = threads * each - failures;
    if (!done.WaitFor("volume.create.end", created, std::chrono::seconds(300))) {
      stuck += created - done.Count("volume.create.end");
    }
    workers.clear();
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        const auto ctx = RequestContext::User("p" + std::to_string(t % 4));
        for (const auto& id : ids[static_cast<std::size_t>(t)]) {
          if (!engine->volumes().Delete(ctx, id, {}).ok()) ++failures;
        }
      });
    }
    for (auto& w : workers) w.join();
    if (!done.WaitFor("volume.delete.end", created, std::chrono::seconds(300))) {
      stuck += created - done.Count("volume.delete.end");
    }
    seconds = Seconds(start);
    failed_calls = failures;
    for (int p = 0; p < 4; ++p) {
      auto q = engine->quotas().Get(RequestContext::Admin(), "p" + std::to_string(p));
      if (!q.ok()) Die(q.status().ToString());
      for (const auto& [res, u] : q->resources) drift += std::llabs(u.in_use) + std::llabs(u.reserved);
    }
  }
  std::filesystem::remove_all(dir);
  Emit("store.pg_concurrency_failures", failed_calls + stuck + static_cast<double>(drift), "count",
       {{"threads", threads}, {"creates_per_thread", each}, {"failed_calls", failed_calls},
        {"stuck", stuck}, {"quota_drift", static_cast<double>(drift)}, {"seconds", seconds}},
       {{"store", "postgresql"}});
}

}  // namespace

int main(int argc, char** argv) {
  int volumes = 10000;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--pg-url")) server_url = argv[i + 1];
    else if (!std::strcmp(argv[i], "--volumes")) volumes = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--only")) only = argv[i + 1];
  }
  if (server_url.empty()) Die("usage: store_bench --pg-url URL [--volumes N] [--only create|cas|concurrency]");
  const auto run = [&](const char* figure) { return only.empty() || only == figure; };

  if (run("create")) {
    const CreateFigures sqlite = CreateRate("", volumes);
    const CreateFigures pg = CreateRate(FreshDatabase(), volumes);
    Emit("lifecycle.create_per_s", pg.per_s, "volumes/s",
         {{"volumes", volumes},
          {"accepted_per_s", pg.accepted_per_s},
          {"sqlite_per_s", sqlite.per_s},
          {"sqlite_accepted_per_s", sqlite.accepted_per_s},
          {"ratio_to_sqlite", pg.per_s / sqlite.per_s}},
         {{"driver", "file"}, {"store", "postgresql"}});
  }

  if (run("cas")) {
    constexpr int kThreads = 8, kPerThread = 2000, kVolumesEach = 50;
    const double store_cas = StoreCasRate(kThreads, kPerThread, kVolumesEach, /*record=*/false);
    const double with_record = StoreCasRate(kThreads, kPerThread, kVolumesEach, /*record=*/true);
    const double bare = LibpqCasRate(kThreads, kPerThread, kVolumesEach, AnchorTable::kStoreSchema);
    const double narrow = LibpqCasRate(kThreads, kPerThread, kVolumesEach, AnchorTable::kNarrow);
    const std::map<std::string, double> fields = {
        {"threads", kThreads},
        {"libpq_per_s", bare},
        {"libpq_narrow_per_s", narrow},
        {"ratio_to_libpq_narrow", store_cas / narrow},
        {"with_record_per_s", with_record},
        {"with_record_ratio_to_libpq", with_record / bare}};
    auto with = [&](const std::string& key, double value) {
      auto out = fields;
      out.emplace(key, value);
      return out;
    };
    Emit("store.pg_cas_per_s", store_cas, "cas/s", with("ratio_to_libpq", store_cas / bare));
    Emit("store.pg_cas_ratio_to_libpq", store_cas / bare, "ratio", with("store_per_s", store_cas));
  }

  if (run("concurrency")) Concurrency(20, 250);
  return 0;
}
