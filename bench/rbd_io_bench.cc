// Data through the RBD driver, against a Ceph cluster (scripts/ceph-aio): a volume's I/O through
// the host connector, and an incremental backup that reads only what changed.
//
//   rbd_io_bench --ceph-env FILE [--threads N]
//
// Figures (one JSON object per line), on one 1 GiB volume of an engine's rbd backend:
//   rbd.write_mib_s / rbd.read_mib_s   1 GiB written, then read, sequentially in 4 MiB requests
//       from `threads` threads through the device ConnectVolume opens for the volume's attachment
//       (an `rbd` connection: librbd). Anchor in the same run, on
//       the same image: `rbd bench --io-type write|read --io-size 4M --io-threads N --io-total 1G
//       --io-pattern seq`, the same requests in flight; ratio_to_rbd_bench compares.
//   backup.incremental_rbd_10m_ratio   the image full, snapshot s1, a full backup of s1; then 10
//       MiB changed (ten 1 MiB writes spread over the image), snapshot s2, an incremental backup of
//       s2 that reads only the chunks the driver's changed extents (s1..s2) touch; against the same
//       incremental by an engine with backup.changed_block_tracking off, which reads the whole
//       image and compares hashes (Cinder's way). Goal ≤ 0.1. Also against a bare full read of the
//       image through the connector (ratio_to_raw_full_read), which hashes and stores nothing.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/ceph_env.hpp"
#include "blockstore/connector.hpp"
#include "blockstore/engine.hpp"

using namespace blockstore;
using bench::Emit;
using bench::Seconds;

namespace {

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kRequest = 4 * kMiB;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "rbd_io_bench: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.status().ToString());
  return std::move(r).value();
}

// `threads` threads taking 4 MiB requests in order over [0, bytes); seconds taken.
double Sequential(BlockDevice& dev, uint64_t bytes, int threads, bool write) {
  std::atomic<uint64_t> next{0};
  std::vector<std::thread> pool;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::vector<std::byte> buf(kRequest);
      for (std::size_t i = 0; i < buf.size(); i += 4096) buf[i] = static_cast<std::byte>(t + 1 + i / 4096);
      for (uint64_t at = next.fetch_add(kRequest); at < bytes; at = next.fetch_add(kRequest)) {
        if (write) {
          if (Status s = dev.WriteAt(at, buf); !s.ok()) Die("write: " + s.ToString());
        } else {
          auto n = dev.ReadAt(at, buf);
          if (!n.ok() || *n != kRequest) Die("read failed");
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  if (write) {
    if (Status s = dev.Flush(); !s.ok()) Die("flush: " + s.ToString());
  }
  return Seconds(start);
}

// `rbd bench` on the image: MiB/s from its wall time (what a user's run takes, its connection
// included) and the rate it prints.
std::pair<double, double> RbdBench(const std::map<std::string, std::string>& env, const std::string& image,
                                   const char* type, int threads) {
  const std::string cmd = "rbd -c '" + env.at("BS_CEPH_CONF") + "' -n 'client." + env.at("BS_CEPH_USER") +
                          "' -k '" + env.at("BS_CEPH_KEYRING") + "' bench --io-type " + type +
                          " --io-size 4M --io-threads " + std::to_string(threads) +
                          " --io-total 1G --io-pattern seq '" + env.at("BS_CEPH_POOL") + "/" + image + "' 2>&1";
  const auto start = std::chrono::steady_clock::now();
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) Die("rbd bench");
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  const int rc = ::pclose(p);
  const double wall = Seconds(start);
  if (rc != 0) Die("rbd bench failed: " + out);
  // "elapsed: 5   ops: 256   ops/sec: 49.5   bytes/sec: 198 MiB/s"
  std::smatch m;
  double printed = 0;
  if (std::regex_search(out, m, std::regex(R"(bytes/sec: ([0-9.]+) (B|KiB|MiB|GiB)/s)"))) {
    const double scale = m[2] == "GiB" ? 1024 : m[2] == "MiB" ? 1 : m[2] == "KiB" ? 1.0 / 1024 : 1.0 / kMiB;
    printed = std::stod(m[1]) * scale;
  }
  return {1024.0 / wall, printed};
}

struct Attached {
  std::string attachment;
  std::unique_ptr<BlockDevice> device;
};

Attached Attach(Engine& e, const RequestContext& ctx, const std::string& volume) {
  AttachmentCreateRequest r;
  r.volume_id = volume;
  r.connector = HostConnector("127.0.0.1", "iqn.2026-12.org.blockstore.bench:rbd");
  Attachment a = Must(e.attachments().Create(ctx, r), "attach");
  if (!a.connection_info) Die("no connection info");
  Attached out{a.id, Must(ConnectVolume(*a.connection_info), "connect")};
  (void)Must(e.attachments().Complete(ctx, a.id), "complete");
  return out;
}

void Detach(Engine& e, const RequestContext& ctx, Attached& a) {
  a.device.reset();
  (void)Must(e.attachments().Delete(ctx, a.attachment), "detach");
}

std::string Snap(Engine& e, const RequestContext& ctx, const std::string& volume) {
  SnapshotCreateRequest r;
  r.volume_id = volume;
  Snapshot s = Must(e.snapshots().Create(ctx, r), "snapshot");
  s = Must(e.WaitForSnapshot(ctx, s.id, {SnapshotStatus::kAvailable, SnapshotStatus::kError}, std::chrono::minutes(2)),
           "snapshot");
  if (s.status != SnapshotStatus::kAvailable) Die("snapshot failed");
  return s.id;
}

// A backup of the snapshot, waited for: seconds taken.
double TimedBackup(Engine& e, const RequestContext& ctx, const std::string& volume, const std::string& snap,
              bool incremental, std::string* id) {
  BackupCreateRequest r;
  r.volume_id = volume;
  r.snapshot_id = snap;
  r.incremental = incremental;
  const auto start = std::chrono::steady_clock::now();
  blockstore::Backup b = Must(e.backups().Create(ctx, r), "backup");
  b = Must(e.WaitForBackup(ctx, b.id, {BackupStatus::kAvailable, BackupStatus::kError}, std::chrono::minutes(10)),
           "backup");
  const double took = Seconds(start);
  if (b.status != BackupStatus::kAvailable) Die("backup failed: " + b.fail_reason);
  *id = b.id;
  return took;
}

}  // namespace

int main(int argc, char** argv) {
  std::string env_file;
  int threads = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--ceph-env")) env_file = argv[i + 1];
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
  }
  if (env_file.empty()) Die("usage: rbd_io_bench --ceph-env FILE [--threads N]");
  const auto env = bench::ReadCephEnv(env_file);
  const std::string dir = bench::TempDir("rbd-io");
  EngineConfig c;
  c.state_path = dir;
  c.host = "bench";
  c.backends = {bench::RbdBackend(env)};
  c.backup.chunk_size = 4 * kMiB;
  c.backup.read_streams = c.backup.workers;  // incrementals with and without tracking read alike
  auto engine = Must(Engine::Open(c), "engine");
  const auto ctx = RequestContext::User("bench");
  VolumeCreateRequest vr;
  vr.size_gb = 1;
  Volume v = Must(engine->volumes().Create(ctx, vr), "create");
  v = Must(engine->WaitForVolume(ctx, v.id, {VolumeStatus::kAvailable}, std::chrono::minutes(2)), "create");
  const std::string image = "volume-" + v.id;
  const std::map<std::string, std::string> io_notes = {
      {"driver", "rbd"}, {"path", "attachment connection info -> ConnectVolume (librbd, asynchronous I/O)"},
      {"anchor", "rbd bench, 4 MiB sequential requests, the same number in flight, on the same image"}};

  // The image filled first (not timed), so that every write below overwrites as rbd bench's do;
  // then writes and reads, each beside rbd bench.
  Attached a = Attach(*engine, ctx, v.id);
  (void)Sequential(*a.device, kGiB, threads, true);
  const double write_mib_s = 1024.0 / Sequential(*a.device, kGiB, threads, true);
  const double read_mib_s = 1024.0 / Sequential(*a.device, kGiB, threads, false);
  Detach(*engine, ctx, a);
  const auto [bench_write, bench_write_printed] = RbdBench(env, image, "write", threads);
  const auto [bench_read, bench_read_printed] = RbdBench(env, image, "read", threads);
  Emit("rbd.write_mib_s", write_mib_s, "MiB/s",
       {{"threads", threads}, {"rbd_bench_mib_s", bench_write}, {"rbd_bench_printed_mib_s", bench_write_printed},
        {"ratio_to_rbd_bench", write_mib_s / bench_write}},
       io_notes);
  Emit("rbd.read_mib_s", read_mib_s, "MiB/s",
       {{"threads", threads}, {"rbd_bench_mib_s", bench_read}, {"rbd_bench_printed_mib_s", bench_read_printed},
        {"ratio_to_rbd_bench", read_mib_s / bench_read}},
       io_notes);

  // The incremental of 10 changed MiB, with the driver's changed extents and without them.
  const std::string s1 = Snap(*engine, ctx, v.id);
  std::string full_id, inc_id, hash_id;
  const double full_s = TimedBackup(*engine, ctx, v.id, s1, false, &full_id);
  a = Attach(*engine, ctx, v.id);
  std::vector<std::byte> mib(kMiB, std::byte{0x5a});
  for (int i = 0; i < 10; ++i) {
    if (Status s = a.device->WriteAt(static_cast<uint64_t>(i) * 100 * kMiB + 12345 * 4096 % kMiB, mib); !s.ok()) {
      Die("change: " + s.ToString());
    }
  }
  (void)a.device->Flush();
  const int streams = c.backup.workers;
  const double read_all_s = Sequential(*a.device, kGiB, streams, false);
  Detach(*engine, ctx, a);
  const std::string s2 = Snap(*engine, ctx, v.id);
  const double inc_s = TimedBackup(*engine, ctx, v.id, s2, true, &inc_id);
  const uint64_t inc_objects = Must(engine->backups().Get(ctx, inc_id), "backup").object_count;
  // The anchor: the same incremental (of s2, onto the full) by an engine that does not ask the
  // driver: it reads every chunk and compares hashes, as Cinder's chunked backups do.
  (void)Must(engine->backups().Delete(ctx, inc_id), "delete");
  (void)engine->WaitForBackupDeleted(ctx, inc_id, std::chrono::minutes(2));
  engine.reset();
  EngineConfig hashing = c;
  hashing.backup.changed_block_tracking = false;
  engine = Must(Engine::Open(hashing), "engine");
  const double hash_s = TimedBackup(*engine, ctx, v.id, s2, true, &hash_id);
  const uint64_t hash_objects = Must(engine->backups().Get(ctx, hash_id), "backup").object_count;
  if (hash_objects != inc_objects) Die("the two incrementals stored different chunks");
  Emit("backup.incremental_rbd_10m_ratio", inc_s / hash_s, "ratio",
       {{"incremental_s", inc_s}, {"full_read_incremental_s", hash_s}, {"raw_full_read_s", read_all_s},
        {"ratio_to_raw_full_read", inc_s / read_all_s}, {"full_backup_s", full_s}, {"changed_mib", 10},
        {"objects_stored", static_cast<double>(inc_objects)}, {"workers", c.backup.workers}},
       {{"driver", "rbd"},
        {"anchor", "the same incremental (same snapshot, same parent, same chunks stored, same workers and read "
                   "streams) without changed extents: it reads the whole 1 GiB image and compares hashes; "
                   "ratio_to_raw_full_read compares with a bare read of the image through the connector, "
                   "which stores and hashes nothing"}});
  inc_id = hash_id;

  for (const std::string& b : {inc_id, full_id}) {
    (void)engine->backups().Delete(ctx, b);
    (void)engine->WaitForBackupDeleted(ctx, b, std::chrono::minutes(2));
  }
  for (const std::string& s : {s2, s1}) {
    (void)engine->snapshots().Delete(ctx, s);
    (void)engine->WaitForSnapshotDeleted(ctx, s, std::chrono::minutes(2));
  }
  (void)engine->volumes().Delete(ctx, v.id);
  (void)engine->WaitForVolumeDeleted(ctx, v.id, std::chrono::minutes(2));
  engine.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
