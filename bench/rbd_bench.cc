// Creates on the RBD driver, in-process, against a Ceph cluster (scripts/ceph-aio).
//
//   rbd_bench --ceph-env FILE [--volumes N] [--cli N] [--workers N]
//
// FILE is what `scripts/ceph-aio start` printed (BS_CEPH_CONF, BS_CEPH_USER, BS_CEPH_KEYRING,
// BS_CEPH_POOL). Figure (one JSON object per line):
//   rbd.create_per_s   N creates through an engine (SQLite store, the rbd backend, `workers`
//                      volume threads) issued back to back, until every one is available.
// Anchors in the same run, on the same cluster and pool, each image with the same features:
//   cli_per_s          `rbd create` in a shell loop, one process per image (what an operator's
//                      script does; each pays its own connection to the cluster), over --cli images
//   librbd_per_s       rbd_create2 in a loop on one connection, one thread
//   librbd_parallel_per_s  the same from `workers` threads on one connection: the floor of the
//                      cluster's own work per image at the engine's parallelism, with none of the
//                      engine's (no store, no scheduler); ratio_to_librbd_parallel compares with it
// Every image made is removed at the end.
#include <rados/librados.h>
#include <rbd/librbd.h>

#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/ceph_env.hpp"
#include "blockstore/engine.hpp"

using namespace blockstore;
using bench::Emit;
using bench::Seconds;

namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "rbd_bench: %s\n", what.c_str());
  std::exit(1);
}

class Creates {
 public:
  void On(const Event& e) {
    std::lock_guard lock(mu_);
    if (e.type == "volume.create.end") ++done_;
    if (e.type == "volume.create.error") {
      std::fprintf(stderr, "rbd_bench: create %s failed: %s\n", e.resource_id.c_str(), e.message.c_str());
      ++failed_;
    }
    cv_.notify_all();
  }
  int WaitFor(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_ + failed_ >= n; });
    return failed_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int done_ = 0;
  int failed_ = 0;
};

std::string Rbd(const std::map<std::string, std::string>& env) {
  return "rbd -c '" + env.at("BS_CEPH_CONF") + "' -n 'client." + env.at("BS_CEPH_USER") + "' -k '" +
         env.at("BS_CEPH_KEYRING") + "' ";
}

// The same features the driver gives its images.
constexpr const char* kCliFeatures = "layering,exclusive-lock,object-map,fast-diff,deep-flatten";
constexpr uint64_t kFeatures = RBD_FEATURE_LAYERING | RBD_FEATURE_EXCLUSIVE_LOCK | RBD_FEATURE_OBJECT_MAP |
                               RBD_FEATURE_FAST_DIFF | RBD_FEATURE_DEEP_FLATTEN;

double CliPerSecond(const std::map<std::string, std::string>& env, int n) {
  const std::string rbd = Rbd(env);
  const std::string pool = env.at("BS_CEPH_POOL");
  const std::string script = "for i in $(seq " + std::to_string(n) + "); do " + rbd + "create --size 1G --image-feature " +
                             kCliFeatures + " '" + pool + "/bench-cli-'$i || exit 1; done";
  const auto start = std::chrono::steady_clock::now();
  if (std::system(script.c_str()) != 0) Die("rbd create in a loop failed");
  const double rate = n / Seconds(start);
  const std::string cleanup = "for i in $(seq " + std::to_string(n) + "); do " + rbd + "rm --no-progress '" + pool +
                              "/bench-cli-'$i >/dev/null 2>&1; done";
  (void)std::system(cleanup.c_str());
  return rate;
}

// `threads` threads sharing one connection (as the engine's volume workers share the driver's).
double LibrbdPerSecond(const std::map<std::string, std::string>& env, int n, int threads) {
  rados_t cluster = nullptr;
  const std::string name = "client." + env.at("BS_CEPH_USER");
  if (rados_create2(&cluster, "ceph", name.c_str(), 0) < 0 ||
      rados_conf_read_file(cluster, env.at("BS_CEPH_CONF").c_str()) < 0 ||
      rados_conf_set(cluster, "keyring", env.at("BS_CEPH_KEYRING").c_str()) < 0 || rados_connect(cluster) < 0) {
    Die("connecting to the cluster");
  }
  rados_ioctx_t io = nullptr;
  if (rados_ioctx_create(cluster, env.at("BS_CEPH_POOL").c_str(), &io) < 0) Die("opening the pool");
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = t; i < n; i += threads) {
        int order = 0;
        const std::string image = "bench-librbd-" + std::to_string(i);
        if (int rc = rbd_create2(io, image.c_str(), kGiB, kFeatures, &order); rc < 0) {
          Die("rbd_create2: " + std::to_string(rc));
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  const double rate = n / Seconds(start);
  for (int i = 0; i < n; ++i) (void)rbd_remove(io, ("bench-librbd-" + std::to_string(i)).c_str());
  rados_ioctx_destroy(io);
  rados_shutdown(cluster);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  std::string env_file;
  int volumes = 1000;
  int cli = 100;
  int workers = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--ceph-env")) env_file = argv[i + 1];
    else if (!std::strcmp(argv[i], "--volumes")) volumes = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--cli")) cli = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--workers")) workers = std::atoi(argv[i + 1]);
  }
  if (env_file.empty()) Die("usage: rbd_bench --ceph-env FILE [--volumes N] [--cli N] [--workers N]");
  const auto env = bench::ReadCephEnv(env_file);

  const std::string dir = bench::TempDir("rbd");
  EngineConfig c;
  c.state_path = dir;
  c.host = "bench";
  c.volume_workers = workers;
  c.quota_defaults = {{"volumes", -1}, {"gigabytes", -1}};
  c.backends = {bench::RbdBackend(env, {{"max_over_subscription_ratio", "1000"}})};
  auto opened = Engine::Open(c);
  if (!opened.ok()) Die(opened.status().ToString());
  auto& engine = **opened;
  Creates creates;
  engine.Subscribe([&](const Event& e) { creates.On(e); });
  const auto ctx = RequestContext::User("bench");
  VolumeCreateRequest r;
  r.size_gb = 1;
  std::vector<std::string> ids;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < volumes; ++i) {
    auto v = engine.volumes().Create(ctx, r);
    if (!v.ok()) Die("create: " + v.status().ToString());
    ids.push_back(v->id);
  }
  const int failed = creates.WaitFor(volumes);
  const double rate = volumes / Seconds(start);

  const double cli_rate = CliPerSecond(env, cli);
  const double librbd_rate = LibrbdPerSecond(env, std::min(volumes, 1000), 1);
  const double librbd_parallel_rate = LibrbdPerSecond(env, std::min(volumes, 1000), workers);
  const std::map<std::string, std::string> notes = {
      {"driver", "rbd"}, {"store", "sqlite"},
      {"anchor", "rbd create in a shell loop (a process per image); rbd_create2 in a loop on one connection, from "
                 "one thread and from as many threads as the engine has volume workers (the cluster's floor: none of "
                 "the engine's work, no store, no scheduler)"}};
  if (failed > 0) {
    bench::EmitFailed("rbd.create_per_s", "volumes/s", failed);
  } else {
    Emit("rbd.create_per_s", rate, "volumes/s",
         {{"volumes", volumes}, {"workers", workers}, {"cli_per_s", cli_rate}, {"cli_images", cli},
          {"ratio_to_cli", rate / cli_rate}, {"librbd_per_s", librbd_rate},
          {"librbd_parallel_per_s", librbd_parallel_rate}, {"ratio_to_librbd_parallel", rate / librbd_parallel_rate}},
         notes);
  }
  for (const auto& id : ids) (void)engine.volumes().Delete(ctx, id);
  for (const auto& id : ids) (void)engine.WaitForVolumeDeleted(ctx, id, std::chrono::seconds(120));
  opened->reset();
  std::filesystem::remove_all(dir);
  return failed > 0 ? 1 : 0;
}
