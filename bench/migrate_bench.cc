// Host-assisted migration between two file backends, in-process.
//
//   migrate_bench [--rounds N]
//
// Figure (one JSON object per line):
//   ops.migrate_mib_s   a 1 GiB volume, half of it written (8 MiB written, 8 MiB hole, …),
//                       migrated with force_host_copy from one file backend to the other: the
//                       volume's MiB per second from the request to the volume available on the
//                       destination. Anchor, in the same run on the same file: `cp
//                       --sparse=always` of it to the other backend's directory followed by
//                       `sync` of the copy (the migration's copy is flushed to disk before it
//                       completes, so the anchor's is too). `ratio` = anchor time / migration
//                       time, the median of the rounds (the volume goes back and forth).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.hpp"
#include "blockstore/engine.hpp"

using namespace blockstore;
using bench::Emit;
using bench::Seconds;

namespace {

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kVolumeMiB = 1024;
constexpr uint64_t kRun = 8 * kMiB;  // written, then a hole of the same length

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "migrate_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

// Half the volume written in 8 MiB runs of random bytes, 8 MiB holes between them; on disk.
void Fill(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) Die("opening " + path, Status::Ok());
  std::mt19937_64 rng(42);
  std::vector<uint64_t> buf(kRun / sizeof(uint64_t));
  for (uint64_t at = 0; at < kVolumeMiB * kMiB; at += 2 * kRun) {
    for (auto& w : buf) w = rng();
    if (::pwrite(fd, buf.data(), kRun, static_cast<off_t>(at)) != static_cast<ssize_t>(kRun)) {
      Die("writing " + path, Status::Ok());
    }
  }
  ::fsync(fd);
  ::close(fd);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--rounds") rounds = std::max(1, std::atoi(argv[i + 1]));
  }
  const std::string dir = bench::TempDir("migrate");
  EngineConfig config;
  config.state_path = dir + "/state";
  config.host = "bench";
  config.backends = {{"a", "file", "a", {{"volumes_dir", dir + "/a"}}},
                     {"b", "file", "b", {{"volumes_dir", dir + "/b"}}}};
  auto opened = Engine::Open(config);
  if (!opened.ok()) Die("opening the engine", opened.status());
  std::unique_ptr<Engine> engine = std::move(opened).value();
  const RequestContext admin = RequestContext::Admin();
  VolumeCreateRequest r;
  r.size_gb = kVolumeMiB / 1024;
  auto made = engine->volumes().Create(admin, r);
  if (!made.ok()) Die("creating", made.status());
  auto vol = engine->WaitForVolume(admin, made->id, {VolumeStatus::kAvailable, VolumeStatus::kError},
                                   std::chrono::seconds(30));
  if (!vol.ok() || vol->status != VolumeStatus::kAvailable) Die("creating", vol.status());
  auto backend_of = [](const Volume& v) { return v.host.substr(v.host.find('@') + 1, 1); };
  std::string where = backend_of(*vol);
  Fill(dir + "/" + where + "/volume-" + vol->id);

  std::vector<double> migrate_s, anchor_s, ratios;
  for (int round = 0; round < rounds; ++round) {
    const std::string to = where == "a" ? "b" : "a";
    const std::string source = dir + "/" + where + "/volume-" + vol->id;
    // The anchor: the same file copied to the same destination directory, then synced.
    const std::string copy = dir + "/" + to + "/cp-anchor";
    const std::string cmd = "cp --sparse=always '" + source + "' '" + copy + "' && sync '" + copy + "'";
    auto began = std::chrono::steady_clock::now();
    if (std::system(cmd.c_str()) != 0) Die("running " + cmd, Status::Ok());
    const double anchor = Seconds(began);
    std::filesystem::remove(copy);

    began = std::chrono::steady_clock::now();
    auto started = engine->volumes().Migrate(admin, vol->id, "bench@" + to, /*force_host_copy=*/true);
    if (!started.ok()) Die("migrating", started.status());
    Result<Volume> done = Status::Ok();
    while (true) {
      done = engine->volumes().Get(admin, vol->id);
      if (!done.ok()) Die("reading the volume", done.status());
      if (done->status != VolumeStatus::kMaintenance) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const double took = Seconds(began);
    if (done->migration_status != "success" || backend_of(*done) != to) {
      std::fprintf(stderr, "migrate_bench: the migration ended '%s' on %s\n", done->migration_status.c_str(),
                   done->host.c_str());
      return 1;
    }
    migrate_s.push_back(took);
    anchor_s.push_back(anchor);
    ratios.push_back(anchor / took);
    where = to;
  }
  const double t = Median(migrate_s), a = Median(anchor_s);
  Emit("ops.migrate_mib_s", static_cast<double>(kVolumeMiB) / t, "MiB/s",
       {{"anchor_cp_sparse_mib_s", static_cast<double>(kVolumeMiB) / a},
        {"ratio", Median(ratios)},
        {"migrate_s", t},
        {"anchor_s", a},
        {"allocated_mib", static_cast<double>(kVolumeMiB) / 2},
        {"rounds", static_cast<double>(rounds)}},
       {{"anchor", "cp --sparse=always + sync of the copy, same file, same destination"}});
  engine.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
