// Backup and restore throughput through the whole engine (Api → BackupManager → target),
// measured against this machine's limits taken in the same run: sequential read and write of
// the same amount of data, and SHA-256 + zstd on every core. With --store ENVFILE (the
// endpoints scripts/swift-aio printed) also backups to Swift and S3 and restores from them,
// against curl's 4 parallel 32 MiB PUTs and GETs to the same store through the same API.
//
//   backup_bench [--store ENVFILE]      the figures, one JSON object per line
//   backup_bench --posix-only           only the machine limit and the posix backup/restore
//   backup_bench --store-only ENVFILE   only the Swift and S3 figures
//   backup_bench --rss-child DIR        (internal) one 1 GiB backup in a fresh process, then its
//                                       restore; prints the peak RSS of each in MiB
//
// BS_BENCH_BACKUP_WORKERS, BS_BENCH_READ_STREAMS, BS_BENCH_CHUNK_MIB and BS_BENCH_MEMORY_MIB
// override the engine's backup defaults (workers, read streams, chunk size, memory budget) for
// experiments.
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <blake3.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <filesystem>
#include <iterator>
#include <random>
#include <thread>
#include <vector>

#include "bench/bench_util.hpp"
#include "blockstore/backup_target.hpp"
#include "blockstore/engine.hpp"
#include "blockstore/posix_target.hpp"
#include "blockstore/s3_target.hpp"
#include "blockstore/swift_target.hpp"

using namespace blockstore;
using namespace blockstore::bench;
using Clk = std::chrono::steady_clock;

namespace {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kData = 1024 * kMiB;  // the 1 GiB every figure is about
const RequestContext kAdmin = RequestContext::Admin();

// The run's scratch directory (volumes, backups, curl's files: gigabytes), removed on failure too.
std::string g_scratch;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "backup_bench: %s\n", what.c_str());
  std::error_code ec;
  if (!g_scratch.empty()) std::filesystem::remove_all(g_scratch, ec);
  std::exit(1);
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}
void Must(const Status& s, const char* what) {
  if (!s.ok()) Die(std::string(what) + ": " + s.ToString());
}

// Random data; with `half` every 4 KiB block is half random, half zeros (zstd halves it).
void Fill(std::vector<char>& buf, uint64_t seed, bool half) {
  std::mt19937_64 rng(seed);
  auto* words = reinterpret_cast<uint64_t*>(buf.data());
  const std::size_t n = buf.size() / 8;
  for (std::size_t i = 0; i < n; ++i) words[i] = (half && (i % 512) >= 256) ? 0 : rng();
}

// Writes `len` bytes of pattern data at `offset` of a file, 4 MiB at a time.
void WriteData(const std::string& path, uint64_t offset, uint64_t len, uint64_t seed, bool half,
               bool sync = false) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0600);
  if (fd < 0) Die("open " + path);
  std::vector<char> buf(4 * kMiB);
  for (uint64_t done = 0; done < len; done += buf.size()) {
    Fill(buf, seed + done, half);
    const std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(buf.size(), len - done));
    if (::pwrite(fd, buf.data(), n, static_cast<off_t>(offset + done)) != static_cast<ssize_t>(n)) {
      Die("write " + path);
    }
  }
  if (sync) ::fdatasync(fd);
  ::close(fd);
}

// Page cache dropped where the machine allows it, so reads come from the disk in the anchor and
// in the backup alike.
bool DropCaches() {
  ::sync();
  const int fd = ::open("/proc/sys/vm/drop_caches", O_WRONLY);
  if (fd < 0) return false;
  const bool ok = ::write(fd, "3", 1) == 1;
  ::close(fd);
  return ok;
}

double ReadRate(const std::string& path) {
  DropCaches();
  const int fd = ::open(path.c_str(), O_RDONLY);
  std::vector<char> buf(4 * kMiB);
  const auto t = Clk::now();
  uint64_t total = 0;
  ssize_t n;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0) total += static_cast<uint64_t>(n);
  const double s = Seconds(t);
  ::close(fd);
  return static_cast<double>(total) / kMiB / s;
}

double WriteRate(const std::string& path, bool half) {
  const auto t = Clk::now();
  WriteData(path, 0, kData, 99, half, /*sync=*/true);
  const double s = Seconds(t);
  std::filesystem::remove(path);
  return static_cast<double>(kData) / kMiB / s;
}

// The same 1 GiB written with O_DIRECT from an aligned 4 MiB buffer, then fdatasync: the disk
// without the page cache, as restores and the posix target write their bulk. MiB/s; 0 where
// the filesystem refuses direct I/O.
double DirectWriteRate(const std::string& path, bool half) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
  if (fd < 0) return 0;
  std::unique_ptr<char, decltype(&std::free)> buf(
      static_cast<char*>(std::aligned_alloc(4096, 4 * kMiB)), &std::free);
  std::vector<char> pattern(4 * kMiB);
  const auto t = Clk::now();
  bool ok = buf != nullptr;
  for (uint64_t done = 0; ok && done < kData; done += 4 * kMiB) {
    Fill(pattern, 99 + done, half);
    std::memcpy(buf.get(), pattern.data(), pattern.size());
    ok = ::pwrite(fd, buf.get(), 4 * kMiB, static_cast<off_t>(done)) == static_cast<ssize_t>(4 * kMiB);
  }
  ok = ok && ::fdatasync(fd) == 0;
  const double s = Seconds(t);
  ::close(fd);
  std::filesystem::remove(path);
  return ok ? static_cast<double>(kData) / kMiB / s : 0;
}

// The disk as the backup uses it: `streams` threads at once, each taking the next 4 MiB chunk.
// Writing, each chunk is a file of its own written with O_DIRECT from an aligned buffer and
// renamed into place, then every file and the directory fsynced, as the posix target puts and
// flushes a backup's objects (its default eight workers, 4 MiB chunks). Reading, the volume
// file is read with pread, the page cache dropped first, as a full backup's workers read it.
// MiB/s; 0 where the filesystem refuses direct I/O.
double ParallelDirectWriteRate(const std::string& dir, bool half, int streams) {
  std::filesystem::create_directories(dir);
  constexpr uint64_t kChunk = 4 * kMiB;
  const uint64_t chunks = kData / kChunk;
  std::atomic<uint64_t> next{0};
  std::atomic<bool> ok{true};
  const auto t = Clk::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < streams; ++w) {
    threads.emplace_back([&, w] {
      std::unique_ptr<char, decltype(&std::free)> buf(
          static_cast<char*>(std::aligned_alloc(4096, kChunk)), &std::free);
      std::vector<char> pattern(kChunk);
      Fill(pattern, 500 + static_cast<uint64_t>(w), half);  // once: the bench times the disk
      if (!buf) return void(ok = false);
      std::memcpy(buf.get(), pattern.data(), kChunk);
      for (uint64_t i; (i = next++) < chunks && ok;) {
        std::memcpy(buf.get(), &i, sizeof i);  // every chunk differs
        const std::string name = dir + "/chunk-" + std::to_string(i);
        const int fd = ::open((name + ".tmp").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
        if (fd < 0 || ::pwrite(fd, buf.get(), kChunk, 0) != static_cast<ssize_t>(kChunk)) ok = false;
        if (fd >= 0) ::close(fd);
        if (ok && ::rename((name + ".tmp").c_str(), name.c_str()) != 0) ok = false;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (uint64_t i = 0; ok && i < chunks; ++i) {
    const int fd = ::open((dir + "/chunk-" + std::to_string(i)).c_str(), O_RDONLY);
    ok = fd >= 0 && ::fsync(fd) == 0;
    if (fd >= 0) ::close(fd);
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  const double s = Seconds(t);
  std::filesystem::remove_all(dir);
  return ok ? static_cast<double>(kData) / kMiB / s : 0;
}

double ParallelReadRate(const std::string& path, int streams) {
  DropCaches();
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) Die("open " + path);
  constexpr uint64_t kChunk = 4 * kMiB;
  std::atomic<uint64_t> next{0};
  const auto t = Clk::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < streams; ++w) {
    threads.emplace_back([&] {
      std::vector<char> buf(kChunk);
      for (uint64_t i; (i = next++) < kData / kChunk;) {
        if (::pread(fd, buf.data(), kChunk, static_cast<off_t>(i * kChunk)) <= 0) return;
      }
    });
  }
  for (auto& th : threads) th.join();
  const double s = Seconds(t);
  ::close(fd);
  return static_cast<double>(kData) / kMiB / s;
}

// SHA-256 and zstd -1 of 4 MiB chunks on one thread, in MiB/s.
double CpuRate(bool half) {
  std::vector<char> chunk(4 * kMiB);
  Fill(chunk, 5, half);
  std::vector<char> out(ZSTD_compressBound(chunk.size()));
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  unsigned char md[32];
  const int rounds = 48;
  const auto t = Clk::now();
  for (int i = 0; i < rounds; ++i) {
    chunk[0] = static_cast<char>(i);
    EVP_Digest(chunk.data(), chunk.size(), md, nullptr, EVP_sha256(), nullptr);
    ZSTD_compressCCtx(cctx, out.data(), out.size(), chunk.data(), chunk.size(), 1);
  }
  const double s = Seconds(t);
  ZSTD_freeCCtx(cctx);
  return rounds * 4.0 / s;
}

// One core's rate, in MiB/s, of the two digests a backup takes of each 4 MiB chunk: SHA-256
// (what names and checks a stored chunk) and BLAKE3 (the fingerprint incrementals compare).
struct DigestRates {
  double sha256 = 0, blake3 = 0;
};
DigestRates DigestRate() {
  std::vector<char> chunk(4 * kMiB);
  Fill(chunk, 6, false);
  const int rounds = 64;
  unsigned char md[32];
  DigestRates r;
  auto t = Clk::now();
  for (int i = 0; i < rounds; ++i) {
    chunk[0] = static_cast<char>(i);
    EVP_Digest(chunk.data(), chunk.size(), md, nullptr, EVP_sha256(), nullptr);
  }
  r.sha256 = rounds * 4.0 / Seconds(t);
  t = Clk::now();
  for (int i = 0; i < rounds; ++i) {
    chunk[0] = static_cast<char>(i);
    blake3_hasher h;
    blake3_hasher_init(&h);
    blake3_hasher_update(&h, chunk.data(), chunk.size());
    blake3_hasher_finalize(&h, md, sizeof md);
  }
  r.blake3 = rounds * 4.0 / Seconds(t);
  return r;
}

struct Rig {
  std::string dir;
  std::unique_ptr<Engine> engine;
  uint64_t chunk_size = 0;  // as configured; 0: the target's choice

  Rig(const std::string& d, std::shared_ptr<BackupTarget> target) : dir(d) {
    EngineConfig c;
    c.state_path = dir;
    c.host = "bench";
    c.quota_defaults = {{"volumes", -1}, {"gigabytes", -1}, {"backups", -1},
                        {"backup_gigabytes", -1}, {"snapshots", -1}};
    c.backup.target = std::move(target);
    if (const char* w = std::getenv("BS_BENCH_BACKUP_WORKERS")) c.backup.workers = std::atoi(w);
    if (const char* w = std::getenv("BS_BENCH_READ_STREAMS")) c.backup.read_streams = std::atoi(w);
    if (const char* w = std::getenv("BS_BENCH_CHUNK_MIB")) c.backup.chunk_size = std::atoi(w) * kMiB;
    if (const char* w = std::getenv("BS_BENCH_MEMORY_MIB")) c.backup.memory_budget = std::atoi(w) * kMiB;
    chunk_size = c.backup.chunk_size;
    engine = Must(Engine::Open(c), "open engine");
  }
  std::string File(const std::string& id) const { return dir + "/volumes/volume-" + id; }
  Volume NewVolume(int64_t gb) {
    auto v = Must(engine->volumes().Create(kAdmin, {.size_gb = gb}), "create volume");
    return Must(engine->WaitForVolume(kAdmin, v.id, {VolumeStatus::kAvailable},
                                      std::chrono::minutes(5)),
                "volume available");
  }
  // Seconds from the request to the backup being available.
  double Backup(const std::string& volume_id, bool incremental, std::string* id = nullptr) {
    const auto t = Clk::now();
    auto b = Must(engine->backups().Create(kAdmin, {.volume_id = volume_id, .incremental = incremental}),
                  "create backup");
    auto done = Must(engine->WaitForBackup(kAdmin, b.id, {BackupStatus::kAvailable, BackupStatus::kError},
                                           std::chrono::minutes(30)),
                     "backup");
    const double s = Seconds(t);
    if (done.status != BackupStatus::kAvailable) Die("backup failed: " + done.fail_reason);
    if (id) *id = b.id;
    return s;
  }
  // Seconds from the request to the restored volume being available.
  double Restore(const std::string& backup_id, std::string* volume_id = nullptr) {
    const auto t = Clk::now();
    auto r = Must(engine->backups().Restore(kAdmin, backup_id, {}), "restore");
    Must(engine->WaitForBackup(kAdmin, backup_id, {BackupStatus::kAvailable}, std::chrono::minutes(30)),
         "restore");
    auto v = Must(engine->WaitForVolume(kAdmin, r.volume_id,
                                        {VolumeStatus::kAvailable, VolumeStatus::kErrorRestoring},
                                        std::chrono::minutes(30)),
                  "restore");
    const double s = Seconds(t);
    if (v.status != VolumeStatus::kAvailable) Die("restore failed");
    if (volume_id) *volume_id = v.id;
    return s;
  }
  void DeleteBackup(const std::string& id) {
    Must(engine->backups().Delete(kAdmin, id).status(), "delete backup");
    Must(engine->WaitForBackupDeleted(kAdmin, id, std::chrono::minutes(10)), "backup deleted");
  }
};

int RssChild(const std::string& dir) {
  PosixTargetOptions po;
  po.root = dir + "/target";
  Rig rig(dir + "/state", Must(NewPosixTarget(po), "posix target"));
  Volume v = rig.NewVolume(1);
  WriteData(rig.File(v.id), 0, kData, 11, false);
  std::string id;
  rig.Backup(v.id, false, &id);
  const double backup_peak = ProcMiB("VmHWM:");
  // The peak again, for a restore of that backup alone ("5" to clear_refs resets VmHWM).
  std::ofstream("/proc/self/clear_refs") << "5";
  rig.Restore(id);
  std::printf("%.3f %.3f\n", backup_peak, ProcMiB("VmHWM:"));
  return 0;
}

std::map<std::string, std::string> ReadEnv(const std::string& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path);
  std::map<std::string, std::string> env;
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

// The anchor: curl, 4 processes at a time, PUTting 32 objects of 32 MiB (1 GiB) into the store
// over `api` ("swift" or "s3"), reading them from 32 files on the disk with the page cache
// dropped, as the backups read their volume. Over S3 each PUT signs its body's SHA-256, which
// the store checks, as the S3 target's PUTs do (curl is handed the hashes, computed beforehand
// and outside the timing). Then the store's caches dropped, the same 4 at a time GET the objects
// back into files on the disk, synced, as a restore writes its volume. Returns MiB/s of each.
//
// Two variants time the upload only. kPageCache reads the files from the page cache. kDigests
// takes, beside each PUT and inside the timing, the digests a backup cannot do without,
// computed in this process (OpenSSL, as the targets do) by the 4 threads that start the PUTs:
// each reads its file, takes the SHA-256 that names every chunk (before the PUT, which over
// S3 signs it) and, over Swift, the MD5 its ETag is checked against while the PUT runs. That
// is the store's pace when the client must spend what the backup spends on hashing.
enum class CurlMode { kDisk, kPageCache, kDigests };

// The kDigests upload: `script` signs in and writes fns.sh into `files`; then 4 threads take
// the 32 files in turn, hash each in this process and PUT it with curl (one shell and one curl
// per object, as the plain anchor's xargs runs them). MiB/s.
double DigestingUpload(const std::string& script, const std::string& files, const std::string& api) {
  // Only the sign-in part of the script: it stops before its own timed upload.
  std::ifstream in(script);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text = text.substr(0, text.find("echo ready\n") + std::string("echo ready\n").size());
  std::ofstream(script + ".setup") << text;
  if (std::system(("bash '" + script + ".setup' >/dev/null").c_str()) != 0) {
    Die("the curl anchor (" + api + ") could not sign in");
  }
  DropCaches();
  std::atomic<int> next{1};
  std::atomic<bool> ok{true};
  auto hex = [](const unsigned char* md, unsigned n) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < n; ++i) out += {digits[md[i] >> 4], digits[md[i] & 15]};
    return out;
  };
  const auto t = Clk::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      std::vector<char> data(32 * kMiB);
      for (int i; (i = next++) <= 32 && ok;) {
        const std::string name = std::to_string(i);
        std::ifstream f(files + "/" + name, std::ios::binary);
        if (!f.read(data.data(), static_cast<std::streamsize>(data.size()))) return void(ok = false);
        unsigned char sha[32];
        EVP_Digest(data.data(), data.size(), sha, nullptr, EVP_sha256(), nullptr);
        const std::string put = "cd '" + files + "' && . ./fns.sh && put " + name +
                                (api == "s3" ? " " + hex(sha, 32) : "");
        if (api == "s3") {
          if (std::system(("bash -c \"" + put + "\"").c_str()) != 0) ok = false;
          continue;
        }
        std::thread upload([&, put] {
          if (std::system(("bash -c \"" + put + "\"").c_str()) != 0) ok = false;
        });
        unsigned char md5[16];
        EVP_Digest(data.data(), data.size(), md5, nullptr, EVP_md5(), nullptr);
        upload.join();
      }
    });
  }
  for (auto& w : workers) w.join();
  const double s = Seconds(t);
  if (!ok) Die("the curl anchor with digests (" + api + ") failed");
  std::system(("cd '" + files + "' && seq 32 | xargs -P4 -I{} bash -c '. ./fns.sh; del {}'").c_str());
  return 1024.0 / s;
}
struct CurlRates {
  double put = 0, get = 0;
};
CurlRates CurlRate(const std::map<std::string, std::string>& env, const std::string& dir,
                   const std::string& api, CurlMode mode) {
  const bool cached = mode == CurlMode::kPageCache;
  const bool upload_only = mode != CurlMode::kDisk;
  const bool digests = mode == CurlMode::kDigests;
  const std::string files = dir + "/curl-files";
  if (!std::filesystem::exists(files)) {
    std::filesystem::create_directories(files);
    for (int i = 1; i <= 32; ++i) {
      WriteData(files + "/" + std::to_string(i), 0, 32 * kMiB, 300 + i, false);
    }
  }
  const std::string script = dir + "/curl-put.sh";
  {
    std::ofstream s(script);
    s << "set -e\ncd '" << files << "'\n";
    if (api == "swift") {
      s << "h=$(curl -sf -D - -o /dev/null -H 'X-Auth-User: " << env.at("SWIFT_USER")
        << "' -H 'X-Auth-Key: " << env.at("SWIFT_KEY") << "' '" << env.at("SWIFT_AUTH_URL")
        << "' | tr -d '\\r')\n"
        << "tok=$(printf '%s' \"$h\" | sed -n 's/^[Xx]-[Aa]uth-[Tt]oken: //p')\n"
        << "url=$(printf '%s' \"$h\" | sed -n 's/^[Xx]-[Ss]torage-[Uu]rl: //p')/curl-anchor\n"
        << "curl -sf -o /dev/null -X PUT -H \"X-Auth-Token: $tok\" \"$url\"\n"
        << "put() { curl -sf -o /dev/null -X PUT -H \"X-Auth-Token: $tok\" -T \"$1\" \"$url/obj$1\"; }\n"
        << "get() { curl -sf -o \"got/$1\" -H \"X-Auth-Token: $tok\" \"$url/obj$1\"; }\n"
        << "del() { curl -sf -o /dev/null -X DELETE -H \"X-Auth-Token: $tok\" \"$url/obj$1\"; }\n"
        << "export -f put get del\nexport tok url\n";
    } else {
      // A netrc file: the access key holds a ':', which --user would split at.
      const std::string host = env.at("S3_ENDPOINT").substr(env.at("S3_ENDPOINT").find("//") + 2);
      s << "printf 'machine %s login %s password %s\\n' '" << host.substr(0, host.find(':'))
        << "' '" << env.at("S3_ACCESS_KEY") << "' '" << env.at("S3_SECRET_KEY") << "' >netrc\n"
        << "url='" << env.at("S3_ENDPOINT") << "/curl-anchor'\n"
        << "s3() { curl -sf -o /dev/null --netrc-file netrc --aws-sigv4 'aws:amz:"
        << env.at("S3_REGION") << ":s3' \"$@\"; }\n"
        << "s3 -X PUT -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \"$url\" || true\n"
        << "for f in $(seq 32); do sha256sum $f | cut -c1-64 >$f.sha; done\n"
        << "put() { s3 -H \"x-amz-content-sha256: ${2:-$(cat $1.sha)}\" -T \"$1\" \"$url/obj$1\"; }\n"
        << "get() { curl -sf -o \"got/$1\" --netrc-file netrc --aws-sigv4 'aws:amz:"
        << env.at("S3_REGION") << ":s3' -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \"$url/obj$1\"; }\n"
        << "del() { s3 -X DELETE -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \"$url/obj$1\"; }\n"
        << "export -f s3 put get del\nexport url\n";
    }
    if (digests) {
      // This process times and drives the uploads; the shell only signs in and leaves the
      // functions (and the token) for each PUT's shell to source.
      s << "{ declare -f; declare -p tok url 2>/dev/null || declare -p url; } >fns.sh\n"
        << "echo ready\n";
    }
    s << (cached ? "cat $(seq 32) >/dev/null\n" : "sync; echo 3 >/proc/sys/vm/drop_caches || true\n")
      << "start=$(date +%s.%N)\n"
      << "seq 32 | xargs -P4 -I{} bash -c 'put {}'\n"
      << "end=$(date +%s.%N)\n";
    if (upload_only) {
      s << "echo \"$start $end 0 0\"\n";
    } else {
      s << "rm -rf got; mkdir got; sync; echo 3 >/proc/sys/vm/drop_caches || true\n"
        << "get_start=$(date +%s.%N)\n"
        << "seq 32 | xargs -P4 -I{} bash -c 'get {}'\n"
        << "sync\n"
        << "get_end=$(date +%s.%N)\n"
        << "echo \"$start $end $get_start $get_end\"\n";
    }
    s << "rm -rf got\n"
      << "seq 32 | xargs -P4 -I{} bash -c 'del {}'\n";
  }
  if (digests) return {DigestingUpload(script, files, api), 0};
  FILE* p = ::popen(("bash " + script).c_str(), "r");
  double t[4] = {};
  if (!p || std::fscanf(p, "%lf %lf %lf %lf", &t[0], &t[1], &t[2], &t[3]) != 4) {
    Die("the curl anchor (" + api + ") failed");
  }
  ::pclose(p);
  return {1024.0 / (t[1] - t[0]), upload_only ? 0 : 1024.0 / (t[3] - t[2])};
}

// Swift and S3 against curl's 4 parallel 32 MiB PUTs to the same store.
void StoreFigures(const std::string& store_env, const std::string& dir) {
  const auto env = ReadEnv(store_env);
  // Per API, the better of two runs: a limit, on a machine whose disk and cores are shared.
  std::map<std::string, double> curl, curl_get, curl_digests;
  for (const std::string api : {"swift", "s3"}) {
    const CurlRates a = CurlRate(env, dir, api, CurlMode::kDisk);
    const CurlRates b = CurlRate(env, dir, api, CurlMode::kDisk);
    curl[api] = std::max(a.put, b.put);
    curl_get[api] = std::max(a.get, b.get);
    const double cached = CurlRate(env, dir, api, CurlMode::kPageCache).put;
    curl_digests[api] = std::max(CurlRate(env, dir, api, CurlMode::kDigests).put,
                                 CurlRate(env, dir, api, CurlMode::kDigests).put);
    Emit("backup.curl_put_p4_mib_s", curl[api], "MiB/s",
         {{"objects", 32},
          {"object_mib", 32},
          {"from_page_cache_mib_s", cached},
          {"with_digests_mib_s", curl_digests[api]}},
         {{"api", api}, {"source", "disk"}});
    Emit("backup.curl_get_p4_mib_s", curl_get[api], "MiB/s", {{"objects", 32}, {"object_mib", 32}},
         {{"api", api}, {"into", "files on the disk, synced"}});
  }
  struct Store {
    const char* api;
    const char* metric;
    std::function<Result<std::unique_ptr<BackupTarget>>()> make;
  };
  SwiftTargetOptions so;
  so.auth_url = env.at("SWIFT_AUTH_URL");
  so.user = env.at("SWIFT_USER");
  so.key = env.at("SWIFT_KEY");
  so.container = "bench";
  S3TargetOptions s3;
  s3.endpoint = env.at("S3_ENDPOINT");
  s3.access_key = env.at("S3_ACCESS_KEY");
  s3.secret_key = env.at("S3_SECRET_KEY");
  s3.region = env.at("S3_REGION");
  s3.bucket = "bench-s3";
  const Store stores[] = {{"swift", "backup.full_swift_mib_s", [&] { return NewSwiftTarget(so); }},
                          {"s3", "backup.full_s3_mib_s", [&] { return NewS3Target(s3); }}};
  for (const auto& s : stores) {
    std::shared_ptr<BackupTarget> target = Must(s.make(), s.metric);
    Rig r(dir + "/" + s.metric, target);
    const double chunk_mib =
        static_cast<double>(r.chunk_size ? r.chunk_size : target->PreferredChunkSize()) / kMiB;
    Volume v = r.NewVolume(1);
    WriteData(r.File(v.id), 0, kData, 7, false);
    DropCaches();  // the volume's data on the disk, as in the posix figures
    std::string id;
    const CpuMeter cpu;
    const double secs = r.Backup(v.id, false, &id);
    const double rate = 1024.0 / secs;
    Emit(s.metric, rate, "MiB/s",
         {{"ratio_to_curl_p4", rate / curl[s.api]},
          {"ratio_to_curl_p4_swift_api", rate / curl["swift"]},
          {"ratio_to_curl_p4_with_digests", rate / curl_digests[s.api]},
          {"chunk_mib", chunk_mib},
          {"machine_busy", cpu.MachineBusy()},
          {"client_cpu_s", cpu.SelfCpuSeconds()},
          {"client_system_cpu_s", cpu.SelfSystemSeconds()}},
         {{"data", "random"}, {"api", s.api}});
    // Restored into a new volume, the store's caches and ours dropped first.
    DropCaches();
    const double restore_rate = 1024.0 / r.Restore(id);
    Emit(std::string("backup.restore_") + s.api + "_mib_s", restore_rate, "MiB/s",
         {{"ratio_to_curl_get_p4", restore_rate / curl_get[s.api]}, {"chunk_mib", chunk_mib}},
         {{"data", "random"}, {"api", s.api}});
    r.DeleteBackup(id);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--rss-child") return RssChild(argv[2]);
  std::string store_env;
  if (argc == 3 && std::string(argv[1]) == "--store") store_env = argv[2];
  if (argc == 3 && std::string(argv[1]) == "--store-only") {
    const std::string dir = g_scratch = TempDir("backup");
    StoreFigures(argv[2], dir);
    std::filesystem::remove_all(dir);
    return 0;
  }
  const bool posix_only = argc == 2 && std::string(argv[1]) == "--posix-only";
  const std::string dir = g_scratch = TempDir("backup");
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const bool cold = DropCaches();

  // ---- this machine's limits, for random and for half-compressible data ----
  PosixTargetOptions po;
  po.root = dir + "/target";
  std::shared_ptr<BackupTarget> posix = Must(NewPosixTarget(po), "posix target");
  Rig rig(dir + "/posix", posix);
  std::map<bool, double> limit, single_limit, direct_limit, full_rate;
  std::map<bool, std::string> full_id, volume_of;
  std::map<bool, double> full_seconds;
  for (bool half : {false, true}) {
    const char* data = half ? "half-compressible" : "random";
    Volume v = rig.NewVolume(1);
    WriteData(rig.File(v.id), 0, kData, half ? 2 : 1, half);
    // The better of two runs: a limit, on a machine whose disk is shared.
    const double read = std::max(ReadRate(rig.File(v.id)), ReadRate(rig.File(v.id)));
    const double write = std::max(WriteRate(dir + "/target/write-anchor", half),
                                  WriteRate(dir + "/target/write-anchor", half));
    const double direct_write = std::max(DirectWriteRate(dir + "/target/write-anchor", half),
                                         DirectWriteRate(dir + "/target/write-anchor", half));
    // With the backup's own parallelism: what it can reach at best.
    const int streams = BackupConfig{}.workers;
    const double parallel_read = std::max(ParallelReadRate(rig.File(v.id), streams),
                                          ParallelReadRate(rig.File(v.id), streams));
    const double parallel_write =
        std::max(ParallelDirectWriteRate(dir + "/target/parallel-anchor", half, streams),
                 ParallelDirectWriteRate(dir + "/target/parallel-anchor", half, streams));
    const double cpu = CpuRate(half) * cores;
    // The limit: the disk read and written as the backup does (eight streams, direct writes of
    // 4 MiB objects), and the hashing and compression on every core.
    limit[half] = std::min({parallel_read, parallel_write > 0 ? parallel_write : write, cpu});
    // One buffered (or one direct) writer and one reader: what one stream gets. A backup can
    // beat these, which is why they are not the limit.
    single_limit[half] = std::min({read, write, cpu});
    direct_limit[half] = std::min({read, direct_write > 0 ? direct_write : write, cpu});
    Emit("backup.machine_limit_mib_s", limit[half], "MiB/s",
         {{"parallel_read_mib_s", parallel_read}, {"parallel_direct_write_mib_s", parallel_write},
          {"streams", streams}, {"read_mib_s", read}, {"write_mib_s", write},
          {"direct_write_mib_s", direct_write}, {"sha256_zstd_all_cores_mib_s", cpu},
          {"cores", cores}, {"single_stream_limit_mib_s", single_limit[half]},
          {"single_stream_direct_limit_mib_s", direct_limit[half]}},
         {{"data", data}, {"page_cache", cold ? "dropped" : "kept"}});
    DropCaches();
    const CpuMeter backup_cpu;
    full_seconds[half] = rig.Backup(v.id, false, &full_id[half]);
    full_rate[half] = 1024.0 / full_seconds[half];
    volume_of[half] = v.id;
    Emit("backup.full_posix_mib_s", full_rate[half], "MiB/s",
         {{"ratio_to_limit", full_rate[half] / limit[half]},
          {"ratio_to_single_stream_limit", full_rate[half] / single_limit[half]},
          {"ratio_to_single_stream_direct_limit", full_rate[half] / direct_limit[half]},
          {"machine_busy", backup_cpu.MachineBusy()}},
         {{"data", data}});
    std::string restored;
    DropCaches();
    const CpuMeter restore_cpu;
    const double rs = rig.Restore(full_id[half], &restored);
    Emit("backup.restore_posix_mib_s", 1024.0 / rs, "MiB/s",
         {{"ratio_to_limit", 1024.0 / rs / limit[half]},
          {"ratio_to_single_stream_limit", 1024.0 / rs / single_limit[half]},
          {"ratio_to_single_stream_direct_limit", 1024.0 / rs / direct_limit[half]},
          {"machine_busy", restore_cpu.MachineBusy()}},
         {{"data", data}});
    Must(rig.engine->volumes().Delete(kAdmin, restored).status(), "delete volume");
  }
  if (posix_only) {
    rig.engine->Close();
    std::filesystem::remove_all(dir);
    return 0;
  }

  // ---- a 100 GiB sparse volume holding 1 GiB: only the data is read ----
  {
    Volume v = rig.NewVolume(100);
    for (int i = 0; i < 8; ++i) WriteData(rig.File(v.id), i * 12 * kGiB, 128 * kMiB, 20 + i, false);
    DropCaches();
    std::string id;
    const double s = rig.Backup(v.id, false, &id);
    Emit("backup.sparse_100g_ratio", s / full_seconds[false], "x",
         {{"seconds", s}, {"full_1g_seconds", full_seconds[false]}});
    rig.DeleteBackup(id);
    Must(rig.engine->volumes().Delete(kAdmin, v.id).status(), "delete volume");
  }

  // ---- incrementals: 10 MiB changed of 1 GiB, then a chain of 10 ----
  {
    const std::string vol = volume_of[false];
    std::mt19937_64 rng(42);
    auto change = [&] {
      for (int i = 0; i < 10; ++i) {
        WriteData(rig.File(vol), (rng() % 1024) * kMiB, kMiB, rng(), false);
      }
    };
    // Each incremental is paired with a sequential read of the volume taken right after it, so
    // both see the disk in the same mood (on this VM its read rate swings by 2x from one second
    // to the next); the figure is the median of the ten ratios.
    // Beside it: the CPU each incremental cost this process (median), and one core's rate of
    // the digests it may take of a chunk (the BLAKE3 fingerprint of every one it reads, the
    // SHA-256 of those it stores).
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    };
    std::vector<std::string> chain;
    std::vector<double> ratios, cpu_s;
    double first_s = 0, first_read_s = 0;
    for (int i = 0; i < 10; ++i) {
      change();
      DropCaches();
      std::string id;
      const CpuMeter cpu;
      const double s = rig.Backup(vol, true, &id);
      cpu_s.push_back(cpu.SelfCpuSeconds());
      const double read_s = 1024.0 / ReadRate(rig.File(vol));
      chain.push_back(id);
      ratios.push_back(s / read_s);
      if (i == 0) first_s = s, first_read_s = read_s;
    }
    const DigestRates digests = DigestRate();
    Emit("backup.incremental_10m_ratio", median(ratios), "x",
         {{"incrementals", 10},
          {"min", *std::min_element(ratios.begin(), ratios.end())},
          {"max", *std::max_element(ratios.begin(), ratios.end())},
          {"first_ratio", ratios.front()}, {"first_seconds", first_s},
          {"first_sequential_read_1g_seconds", first_read_s},
          {"client_cpu_s", median(cpu_s)},
          {"sha256_one_core_mib_s", digests.sha256},
          {"blake3_one_core_mib_s", digests.blake3}});
    // Each restore twice, alternating, the better of each: which comes first must not decide.
    double full_restore = 1e9, chain_restore = 1e9;
    for (int round = 0; round < 2; ++round) {
      for (bool from_chain : {false, true}) {
        DropCaches();
        std::string restored;
        const double t = rig.Restore(from_chain ? chain.back() : full_id[false], &restored);
        double& best = from_chain ? chain_restore : full_restore;
        best = std::min(best, t);
        Must(rig.engine->volumes().Delete(kAdmin, restored).status(), "delete volume");
      }
    }
    Emit("backup.restore_chain10_ratio", chain_restore / full_restore, "x",
         {{"chain10_seconds", chain_restore}, {"full_seconds", full_restore}});
  }

  // ---- peak RSS of a process doing one 1 GiB backup ----
  {
    const std::string child = dir + "/rss";
    std::filesystem::create_directories(child);
    FILE* p = ::popen((std::string("'") + argv[0] + "' --rss-child '" + child + "'").c_str(), "r");
    double peak = -1, restore_peak = -1;
    if (!p || std::fscanf(p, "%lf %lf", &peak, &restore_peak) != 2) Die("the RSS child failed");
    ::pclose(p);
    const BackupConfig defaults;
    Emit("backup.peak_rss_mib", peak, "MiB",
         {{"memory_budget_mib", static_cast<double>(defaults.memory_budget) / kMiB},
          {"goal_mib", static_cast<double>(defaults.memory_budget) / kMiB + 32},
          {"restore_peak_rss_mib", restore_peak}});
  }
  rig.engine->Close();

  if (!store_env.empty()) StoreFigures(store_env, dir);
  std::filesystem::remove_all(dir);
  return 0;
}
