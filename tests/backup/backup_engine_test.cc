// The backup data path on real sparse files and a real directory target: full and
// incremental backups that read only what is allocated and store only what changed, restores
// that come back byte for byte, and damage that is found and named.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "blockstore/backup_target.hpp"
#include "blockstore/posix_target.hpp"
#include "lib/backup/backup_engine.hpp"
#include "lib/backup/chunk_fingerprint.hpp"
#include "lib/io/file_block_device.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;
using namespace blockstore::internal;
using blockstore::testing::TempDir;

namespace {

constexpr uint64_t kMiB = 1 << 20;

std::unique_ptr<BlockDevice> SparseFile(const std::string& path, uint64_t size) {
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::ftruncate(fd, static_cast<off_t>(size)) == 0);
  ::close(fd);
  auto d = io::FileBlockDevice::Open(path);
  REQUIRE_MESSAGE(d.ok(), d.status().ToString());
  return std::move(d).value();
}

void Fill(BlockDevice& d, uint64_t offset, uint64_t length, uint64_t seed) {
  std::vector<std::byte> buf(length);
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i + 8 <= buf.size(); i += 8) {
    const uint64_t w = rng();
    std::memcpy(buf.data() + i, &w, 8);
  }
  BS_REQUIRE_OK(d.WriteAt(offset, buf));
}

std::vector<std::byte> ReadAll(BlockDevice& d) {
  std::vector<std::byte> out(d.SizeBytes());
  auto n = d.ReadAt(0, out);
  REQUIRE(n.ok());
  return out;
}

// Records the bytes read (a test can see holes are never read), the order of reads and the most
// that ran at once; each read takes a little while, so reads let in together overlap.
class ObservingDevice final : public BlockDevice {
 public:
  ObservingDevice(BlockDevice& d, bool concurrent) : d_(d), concurrent_(concurrent) {}
  Result<std::size_t> ReadAt(uint64_t o, std::span<std::byte> out) override {
    const int now = running_.fetch_add(1) + 1;
    {
      std::lock_guard lock(mu_);
      bytes_read += out.size();
      offsets.push_back(o);
      most = std::max(most, now);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(300));
    auto r = d_.ReadAt(o, out);
    running_.fetch_sub(1);
    return r;
  }
  Status WriteAt(uint64_t o, std::span<const std::byte> data) override { return d_.WriteAt(o, data); }
  uint64_t SizeBytes() const override { return d_.SizeBytes(); }
  Status Flush() override { return d_.Flush(); }
  Result<std::vector<Extent>> AllocatedRanges() override { return d_.AllocatedRanges(); }
  bool ConcurrentIo() const override { return concurrent_; }
  uint64_t bytes_read = 0;
  std::vector<uint64_t> offsets;
  int most = 0;

 private:
  BlockDevice& d_;
  const bool concurrent_;
  std::mutex mu_;
  std::atomic<int> running_{0};
};

struct Setup {
  TempDir dir;
  std::unique_ptr<BackupTarget> target;
  TransferOptions options;
  Setup() {
    auto t = NewPosixTarget({dir / "target", false});
    REQUIRE(t.ok());
    target = std::move(t).value();
    options.chunk_size = kMiB;
    options.workers = 3;
  }
  uint64_t StoredFiles(const std::string& backup_id) {
    return target->List("vol/" + backup_id + "/chunk-")->size();
  }
  // Restores `m` onto `copy` (fresh: a new sparse file) and checks it then reads as `vol`.
  void RestoresAs(const Manifest& m, BlockDevice& copy, bool fresh, BlockDevice& vol) {
    BS_REQUIRE_OK(RunRestore(m, *target, copy, fresh, options));
    CHECK(ReadAll(copy) == ReadAll(vol));
  }
};

}  // namespace

TEST_SUITE("backup engine") {
  TEST_CASE("a sparse volume: only allocated data is read and stored; restore is exact and sparse") {
    Setup s;
    auto vol = SparseFile(s.dir / "vol", 64 * kMiB);
    Fill(*vol, 3 * kMiB, 2 * kMiB, 1);
    Fill(*vol, 40 * kMiB + 4096, 8192, 2);  // a small write inside one chunk
    ObservingDevice counting(*vol, /*concurrent=*/false);
    std::vector<TransferProgress> seen;
    std::mutex mu;
    s.options.progress = [&](const TransferProgress& p) {
      std::lock_guard lock(mu);
      seen.push_back(p);
    };
    auto m = RunBackup(counting, *s.target, "vol", "b1", "v", nullptr, s.options);
    BS_REQUIRE_OK(m);
    CHECK(counting.bytes_read <= 4 * kMiB);  // three chunks (or so) read, not 64
    CHECK(s.StoredFiles("b1") == 3);
    CHECK(m->chunks.size() == 64);
    CHECK(std::count_if(m->chunks.begin(), m->chunks.end(), [](const ChunkRef& c) { return c.zero; }) == 61);
    CHECK(seen.back().bytes_done == 64 * kMiB);
    CHECK(seen.back().bytes_total == 64 * kMiB);
    CHECK(seen.back().bytes_stored > 0);
    CHECK(seen.back().rate_bytes_per_s > 0);
    CHECK(seen.back().eta_seconds == 0);
    for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i].bytes_done >= seen[i - 1].bytes_done);

    auto copy = SparseFile(s.dir / "copy", 64 * kMiB);
    s.RestoresAs(*m, *copy, /*fresh=*/true, *vol);
    CHECK(testing::AllocatedBytes(s.dir / "copy") <= 4 * kMiB);  // holes stay holes
    BS_REQUIRE_OK(RunVerify(*m, *s.target, s.options));
  }

  TEST_CASE("an incremental stores only changed chunks yet lists them all; a chain restores from one manifest") {
    Setup s;
    auto vol = SparseFile(s.dir / "vol", 32 * kMiB);
    Fill(*vol, 0, 16 * kMiB, 1);
    auto full = RunBackup(*vol, *s.target, "vol", "b1", "v", nullptr, s.options);
    BS_REQUIRE_OK(full);
    CHECK(s.StoredFiles("b1") == 16);
    Manifest parent = *full;
    for (int k = 2; k <= 5; ++k) {
      Fill(*vol, static_cast<uint64_t>(k) * kMiB + 100 * 4096, 4096, 100 + k);  // one chunk changes
      const std::string id = "b" + std::to_string(k);
      auto inc = RunBackup(*vol, *s.target, "vol", id, "v", &parent, s.options);
      BS_REQUIRE_OK(inc);
      CHECK(inc->parent_id == parent.backup_id);
      CHECK(s.StoredFiles(id) == 1);
      CHECK(inc->chunks[0].object == "vol/b1/chunk-00000000");  // shared with the full
      parent = *inc;
    }
    // Only the last manifest is needed; a fresh target view reads it back from its JSON.
    auto text = s.target->Get(ManifestObject("vol", "b5"));
    BS_REQUIRE_OK(text);
    auto decoded = DecodeManifest(std::string(reinterpret_cast<const char*>(text->data()), text->size()));
    BS_REQUIRE_OK(decoded);
    auto copy = SparseFile(s.dir / "copy", 32 * kMiB);
    Fill(*copy, 20 * kMiB, kMiB, 9);  // not fresh: stale data must be overwritten with zeros
    s.RestoresAs(*decoded, *copy, /*fresh=*/false, *vol);
  }

  TEST_CASE("changed-block tracking: an incremental reads only the chunks the source says changed") {
    Setup s;
    auto vol = SparseFile(s.dir / "vol", 32 * kMiB);
    Fill(*vol, 0, 24 * kMiB, 1);
    auto full = RunBackup(*vol, *s.target, "vol", "b1", "v", nullptr, s.options);
    BS_REQUIRE_OK(full);
    Fill(*vol, 5 * kMiB + 4096, 8192, 2);       // chunk 5
    Fill(*vol, 9 * kMiB - 4096, 8192, 3);       // chunks 8 and 9
    Fill(*vol, 28 * kMiB, kMiB, 4);             // chunk 28, a hole at the parent
    ObservingDevice counting(*vol, /*concurrent=*/true);
    s.options.changed = std::vector<Extent>{{5 * kMiB + 4096, 8192}, {9 * kMiB - 4096, 8192}, {28 * kMiB, kMiB}};
    auto inc = RunBackup(counting, *s.target, "vol", "b2", "v", &*full, s.options);
    BS_REQUIRE_OK(inc);
    CHECK(counting.bytes_read == 4 * kMiB);  // chunks 5, 8, 9 and 28; nothing else
    CHECK(s.StoredFiles("b2") == 4);
    CHECK(inc->chunks[0].object == "vol/b1/chunk-00000000");
    CHECK(inc->chunks[30].zero);
    auto copy = SparseFile(s.dir / "copy", 32 * kMiB);
    s.RestoresAs(*inc, *copy, /*fresh=*/true, *vol);

    // The tracking is trusted: a chunk outside the changed extents is the parent's even if the
    // device now reads otherwise (a source must report every change).
    Fill(*vol, 12 * kMiB, 4096, 5);
    s.options.changed = std::vector<Extent>{};
    ObservingDevice none(*vol, /*concurrent=*/true);
    auto same = RunBackup(none, *s.target, "vol", "b3", "v", &*inc, s.options);
    BS_REQUIRE_OK(same);
    CHECK(none.bytes_read == 0);
    CHECK(s.StoredFiles("b3") == 0);
    CHECK(same->chunks[12].object == inc->chunks[12].object);
  }

  TEST_CASE("an incremental knows unchanged chunks by fingerprint; an older parent's by SHA-256") {
    Setup s;
    auto vol = SparseFile(s.dir / "vol", 8 * kMiB);
    Fill(*vol, 0, 8 * kMiB, 5);
    auto full = RunBackup(*vol, *s.target, "vol", "b1", "v", nullptr, s.options);
    BS_REQUIRE_OK(full);
    auto fingerprints_match = [&](const Manifest& m) {
      const auto data = ReadAll(*vol);
      for (const auto& c : m.chunks) {
        CAPTURE(c.offset);
        REQUIRE(c.has_fingerprint);
        CHECK(c.fingerprint == FingerprintOf(std::span(data).subspan(c.offset, c.length)));
      }
    };
    fingerprints_match(*full);
    // The manifest keeps them, and reads them back.
    const std::string text = EncodeManifest(*full);
    const std::string field = "\"blake3\":\"" + Hex(full->chunks[3].fingerprint) + "\"";
    REQUIRE(text.find(field) != std::string::npos);
    auto back = DecodeManifest(text);
    BS_REQUIRE_OK(back);
    CHECK(back->chunks[3].has_fingerprint);
    CHECK(back->chunks[3].fingerprint == full->chunks[3].fingerprint);
    for (const char* bad : {"\"blake3\":\"not-hex\"", "\"blake3\":7", "\"blake3\":\"AB\""}) {
      std::string broken = text;
      broken.replace(broken.find(field), field.size(), bad);
      CAPTURE(bad);
      BS_CHECK_CODE(DecodeManifest(broken), Code::kDataLoss);
    }
    // Optional fields of the wrong type are damage, never read as absent.
    for (const auto& edit : std::vector<std::pair<std::string, std::string>>{
             {"\"parent_id\":null", "\"parent_id\":7"},
             {"\"compression\"", "\"encrypted\":\"no\",\"compression\""},
             {"\"compression\"", "\"zero\":1,\"compression\""},
             {"\"chunks\"", "\"key_id\":false,\"chunks\""}}) {
      const std::string& from = edit.first;
      const std::string& to = edit.second;
      CAPTURE(to);
      std::string broken = text;
      REQUIRE(broken.find(from) != std::string::npos);
      broken.replace(broken.find(from), from.size(), to);
      BS_CHECK_CODE(DecodeManifest(broken), Code::kDataLoss);
    }

    // The fingerprint decides: a chunk whose parent fingerprint differs is stored again even
    // though its SHA-256 is the parent's, and the others are the parent's objects.
    Manifest parent = *full;
    parent.chunks[2].fingerprint[0] ^= 1;
    auto inc = RunBackup(*vol, *s.target, "vol", "b2", "v", &parent, s.options);
    BS_REQUIRE_OK(inc);
    CHECK(s.StoredFiles("b2") == 1);
    CHECK(inc->chunks[2].object == "vol/b2/chunk-00000002");
    CHECK(inc->chunks[5].object == "vol/b1/chunk-00000005");
    fingerprints_match(*inc);

    // A parent written before fingerprints were kept: its chunks are compared by SHA-256, and
    // those that did not change carry a fingerprint from this backup on.
    Manifest old = *full;
    for (auto& c : old.chunks) c.has_fingerprint = false;
    const std::string old_text = EncodeManifest(old);
    CHECK(old_text.find("blake3") == std::string::npos);
    auto old_back = DecodeManifest(old_text);
    BS_REQUIRE_OK(old_back);
    CHECK_FALSE(old_back->chunks[0].has_fingerprint);
    Fill(*vol, 6 * kMiB + 4096, 4096, 77);  // chunk 6 changes
    auto inc2 = RunBackup(*vol, *s.target, "vol", "b3", "v", &*old_back, s.options);
    BS_REQUIRE_OK(inc2);
    CHECK(s.StoredFiles("b3") == 1);
    CHECK(inc2->chunks[6].object == "vol/b3/chunk-00000006");
    CHECK(inc2->chunks[0].object == "vol/b1/chunk-00000000");
    fingerprints_match(*inc2);
    auto copy = SparseFile(s.dir / "copy", 8 * kMiB);
    s.RestoresAs(*inc2, *copy, /*fresh=*/true, *vol);
  }

  TEST_CASE("an incremental reads in chunk order, read_streams chunks at a time, holes skipped") {
    Setup s;
    auto vol = SparseFile(s.dir / "vol", 48 * kMiB);
    Fill(*vol, 0, 20 * kMiB, 3);
    Fill(*vol, 30 * kMiB, 12 * kMiB, 4);  // a hole of 10 chunks between, 6 more at the end
    s.options.workers = 6;
    s.options.read_streams = 1;
    // A full backup lets every worker read (the reads still start in order).
    ObservingDevice full(*vol, /*concurrent=*/true);
    auto m = RunBackup(full, *s.target, "vol", "b1", "v", nullptr, s.options);
    BS_REQUIRE_OK(m);
    CHECK(full.offsets.size() == 32);
    CHECK(full.most > 1);
    CHECK(full.most <= 6);
    CHECK(std::count_if(m->chunks.begin(), m->chunks.end(), [](const ChunkRef& c) { return c.zero; }) == 16);

    ObservingDevice one(*vol, /*concurrent=*/true);
    auto inc1 = RunBackup(one, *s.target, "vol", "b2", "v", &*m, s.options);
    BS_REQUIRE_OK(inc1);
    CHECK(one.offsets.size() == 32);
    CHECK(std::is_sorted(one.offsets.begin(), one.offsets.end()));  // one stream: in order
    CHECK(one.most == 1);

    s.options.read_streams = 3;
    ObservingDevice three(*vol, /*concurrent=*/true);
    auto inc = RunBackup(three, *s.target, "vol", "b3", "v", &*m, s.options);
    BS_REQUIRE_OK(inc);
    CHECK(three.offsets.size() == 32);
    CHECK(three.most <= 3);
    CHECK(s.StoredFiles("b3") == 0);  // nothing changed

    // A device that cannot take concurrent I/O is read one chunk at a time regardless.
    s.options.read_streams = 4;
    ObservingDevice serial(*vol, /*concurrent=*/false);
    BS_REQUIRE_OK(RunBackup(serial, *s.target, "vol", "b4", "v", nullptr, s.options));
    CHECK(serial.most == 1);
    CHECK(std::is_sorted(serial.offsets.begin(), serial.offsets.end()));
  }


  TEST_CASE("damage is found by verify and restore, naming the chunk and offset") {
    Setup s;
    auto vol = SparseFile(s.dir / "vol", 8 * kMiB);
    Fill(*vol, 0, 8 * kMiB, 3);
    auto m = RunBackup(*vol, *s.target, "vol", "b1", "v", nullptr, s.options);
    BS_REQUIRE_OK(m);
    // Flip one byte of chunk 5 on disk.
    const std::string victim = s.dir / "target/vol/b1/chunk-00000005";
    {
      const int fd = ::open(victim.c_str(), O_RDWR);
      REQUIRE(fd >= 0);
      char c;
      REQUIRE(::pread(fd, &c, 1, 1000) == 1);
      c ^= 0x20;
      REQUIRE(::pwrite(fd, &c, 1, 1000) == 1);
      ::close(fd);
    }
    auto v = RunVerify(*m, *s.target, s.options);
    BS_CHECK_CODE(v, Code::kDataLoss);
    CHECK(v.message().find("chunk 5 at offset 5242880") != std::string::npos);
    auto copy = SparseFile(s.dir / "copy", 8 * kMiB);
    BS_CHECK_CODE(RunRestore(*m, *s.target, *copy, true, s.options), Code::kDataLoss);
    std::filesystem::remove(s.dir / "target/vol/b1/chunk-00000002");
    auto missing = RunVerify(*m, *s.target, s.options);
    BS_CHECK_CODE(missing, Code::kDataLoss);
  }

  TEST_CASE("bad requests and cancellation") {
    Setup s;
    auto vol = SparseFile(s.dir / "vol", 8 * kMiB);
    Fill(*vol, 0, 8 * kMiB, 4);
    TransferOptions bad = s.options;
    bad.chunk_size = 1000;
    BS_CHECK_CODE(RunBackup(*vol, *s.target, "vol", "b1", "v", nullptr, bad), Code::kInvalidArgument);
    auto m = RunBackup(*vol, *s.target, "vol", "b1", "v", nullptr, s.options);
    BS_REQUIRE_OK(m);
    auto small = SparseFile(s.dir / "small", 4 * kMiB);
    BS_CHECK_CODE(RunRestore(*m, *s.target, *small, true, s.options), Code::kInvalidArgument);
    // An incremental keeps its parent's chunk size, whatever is configured now, and stays
    // within the memory budget with the larger chunks.
    TransferOptions other = s.options;
    other.chunk_size = 2 * kMiB;
    other.memory_budget = 2 * s.options.chunk_size;
    Fill(*vol, 3 * kMiB, 4096, 9);
    auto inc = RunBackup(*vol, *s.target, "vol", "b2", "v", &*m, other);
    BS_REQUIRE_OK(inc);
    CHECK(inc->chunk_size == m->chunk_size);
    CHECK(inc->chunks.size() == m->chunks.size());
    auto shrunk = SparseFile(s.dir / "shrunk", 4 * kMiB);
    BS_CHECK_CODE(RunBackup(*shrunk, *s.target, "shrunk", "b4", "v", &*m, s.options),
                  Code::kFailedPrecondition);  // smaller than its parent
    std::atomic<bool> stop{true};
    TransferOptions cancelled = s.options;
    cancelled.cancel = &stop;
    BS_CHECK_CODE(RunBackup(*vol, *s.target, "vol", "b3", "v", nullptr, cancelled), Code::kCancelled);
    BS_CHECK_CODE(s.target->Get(ManifestObject("vol", "b3")), Code::kNotFound);  // incomplete: no manifest
    for (const char* text : {"", "{}", "[1]", "{\"format\": \"blockstore-backup\", \"version\": 9}",
                             "{\"format\": \"blockstore-backup\", \"version\": 1, \"backup_id\": \"b\", "
                             "\"volume_id\": \"v\", \"size_bytes\": 10, \"chunk_size\": 4096, \"chunks\": []}",
                             "{\"format\": \"blockstore-backup\", \"version\": 1, \"backup_id\": \"b\", "
                             "\"volume_id\": \"v\", \"size_bytes\": 0, \"chunk_size\": 1000, \"chunks\": []}",
                             "{\"format\": \"blockstore-backup\", \"version\": 1, \"backup_id\": \"b\", "
                             "\"volume_id\": \"v\", \"size_bytes\": 0, \"chunk_size\": 18446744073709547520, "
                             "\"chunks\": []}"}) {
      CAPTURE(text);
      CHECK_FALSE(DecodeManifest(text).ok());
    }
  }
}
