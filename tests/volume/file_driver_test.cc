// The file driver on real sparse files.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "blockstore/driver.hpp"
#include "blockstore/file_driver.hpp"
#include "lib/core/ids.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;
using blockstore::testing::AllocatedBytes;
using blockstore::testing::TempDir;

namespace {

std::unique_ptr<VolumeDriver> MakeDriver(const TempDir& dir,
                                         std::map<std::string, std::string> extra = {}) {
  DriverRegistry reg;
  REQUIRE(RegisterFileDriver(reg).ok());
  BackendConfig c{"file-1", "file", "file-1", {{"volumes_dir", dir / "vols"}}};
  for (auto& [k, v] : extra) c.options[k] = v;
  auto d = reg.Create(c);
  REQUIRE_MESSAGE(d.ok(), d.status().ToString());
  REQUIRE((*d)->Initialize().ok());
  return std::move(d).value();
}

Volume Vol(uint64_t gb) {
  Volume v;
  v.id = internal::NewUuid();
  v.size_gb = gb;
  return v;
}

std::vector<std::byte> Pattern(std::size_t n, unsigned seed) {
  std::vector<std::byte> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = std::byte((i * 131 + seed) & 0xff);
  return out;
}

}  // namespace

TEST_SUITE("file driver") {
  TEST_CASE("a new volume is a sparse file of the right size") {
    TempDir dir;
    auto d = MakeDriver(dir);
    auto v = Vol(2);
    BS_REQUIRE_OK(d->CreateVolume(v));
    const std::string path = dir / ("vols/volume-" + v.id);
    CHECK(d->VolumeSizeBytes(v).value() == 2 * kGiB);
    CHECK(AllocatedBytes(path) < 1024 * 1024);
    auto dev = d->OpenVolume(v);
    BS_REQUIRE_OK(dev);
    CHECK((*dev)->AllocatedRanges()->empty());
  }

  TEST_CASE("block device I/O, bounds and extents") {
    TempDir dir;
    auto d = MakeDriver(dir);
    auto v = Vol(1);
    BS_REQUIRE_OK(d->CreateVolume(v));
    auto dev = std::move(d->OpenVolume(v).value());
    const auto data = Pattern(1 << 20, 7);
    const uint64_t at = 512ull << 20;
    BS_REQUIRE_OK(dev->WriteAt(at, data));
    BS_REQUIRE_OK(dev->Flush());
    std::vector<std::byte> back(data.size());
    auto n = dev->ReadAt(at, back);
    BS_REQUIRE_OK(n);
    CHECK(*n == data.size());
    CHECK(back == data);
    auto ranges = dev->AllocatedRanges();
    BS_REQUIRE_OK(ranges);
    REQUIRE(ranges->size() == 1);
    CHECK((*ranges)[0].offset <= at);
    CHECK((*ranges)[0].offset + (*ranges)[0].length >= at + data.size());
    CHECK((*ranges)[0].length < 8ull << 20);
    // Past the end: refused, and nothing is written.
    BS_CHECK_CODE(dev->WriteAt(kGiB - 10, data), Code::kInvalidArgument);
    CHECK(d->VolumeSizeBytes(v).value() == kGiB);
    std::vector<std::byte> tail(100);
    CHECK(dev->ReadAt(kGiB - 10, tail).value() == 10);
    CHECK(dev->ReadAt(kGiB + 10, tail).value() == 0);
  }

  TEST_CASE("large aligned writes (direct) and small ones (cached) see each other's data") {
    TempDir dir;
    auto d = MakeDriver(dir);
    auto v = Vol(1);
    BS_REQUIRE_OK(d->CreateVolume(v));
    auto dev = std::move(d->OpenVolume(v).value());
    const uint64_t at = 64ull << 20;
    // Cached first, then overwritten directly: the direct data wins.
    BS_REQUIRE_OK(dev->WriteAt(at + 4096, Pattern(8192, 1)));
    const auto big = Pattern(4 << 20, 2);
    BS_REQUIRE_OK(dev->WriteAt(at, big));
    std::vector<std::byte> back(big.size());
    BS_REQUIRE_OK(dev->ReadAt(at, back));
    CHECK(back == big);
    {
      // From a buffer already aligned as direct I/O wants it (a restore's): written as it is.
      const auto third = Pattern(2 << 20, 5);
      std::unique_ptr<std::byte, decltype(&std::free)> aligned(
          static_cast<std::byte*>(std::aligned_alloc(4096, third.size())), &std::free);
      REQUIRE(aligned != nullptr);
      std::memcpy(aligned.get(), third.data(), third.size());
      BS_REQUIRE_OK(dev->WriteAt(at + (8 << 20), std::span<const std::byte>(aligned.get(), third.size())));
      std::vector<std::byte> third_back(third.size());
      BS_REQUIRE_OK(dev->ReadAt(at + (8 << 20), third_back));
      CHECK(third_back == third);
    }
    // A small cached write over the direct data, then an unaligned large one next to it.
    const auto small = Pattern(100, 3);
    BS_REQUIRE_OK(dev->WriteAt(at + 1000, small));
    {
      // Reads see the small write still in the page cache over the direct data.
      auto expect = big;
      std::memcpy(expect.data() + 1000, small.data(), small.size());
      std::vector<std::byte> now(big.size());
      BS_REQUIRE_OK(dev->ReadAt(at, now));
      CHECK(now == expect);
    }
    const auto odd = Pattern((2 << 20) + 3, 4);
    BS_REQUIRE_OK(dev->WriteAt(at + big.size() + 1, odd));
    BS_REQUIRE_OK(dev->Flush());
    auto expect = big;
    std::memcpy(expect.data() + 1000, small.data(), small.size());
    BS_REQUIRE_OK(dev->ReadAt(at, back));
    CHECK(back == expect);
    std::vector<std::byte> odd_back(odd.size());
    BS_REQUIRE_OK(dev->ReadAt(at + big.size() + 1, odd_back));
    CHECK(odd_back == odd);
    // What another reader of the file sees (through the page cache) is the same.
    const int fd = ::open((dir / ("vols/volume-" + v.id)).c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    std::vector<std::byte> other(big.size());
    CHECK(::pread(fd, other.data(), other.size(), static_cast<off_t>(at)) == static_cast<ssize_t>(other.size()));
    ::close(fd);
    CHECK(other == expect);
  }

  TEST_CASE("snapshots and clones copy only the written extents and the data") {
    for (const char* reflink : {"never", "auto"}) {
      CAPTURE(reflink);
      TempDir dir;
      auto d = MakeDriver(dir, {{"reflink", reflink}});
      auto v = Vol(4);
      BS_REQUIRE_OK(d->CreateVolume(v));
      const auto a = Pattern(3 << 20, 1);
      const auto b = Pattern(1 << 20, 2);
      {
        auto dev = std::move(d->OpenVolume(v).value());
        BS_REQUIRE_OK(dev->WriteAt(0, a));
        BS_REQUIRE_OK(dev->WriteAt(3 * kGiB, b));
      }
      Snapshot s;
      s.id = internal::NewUuid();
      s.volume_id = v.id;
      s.size_gb = 4;
      BS_REQUIRE_OK(d->CreateSnapshot(s, v));
      const std::string snap_path = dir / ("vols/snapshot-" + s.id);
      CHECK(AllocatedBytes(snap_path) < 16ull << 20);

      // The snapshot is a point in time: later writes to the volume do not reach it.
      {
        auto dev = std::move(d->OpenVolume(v).value());
        BS_REQUIRE_OK(dev->WriteAt(0, Pattern(4096, 9)));
      }
      auto from_snap = Vol(6);
      BS_REQUIRE_OK(d->CreateVolumeFromSnapshot(from_snap, s));
      CHECK(d->VolumeSizeBytes(from_snap).value() == 6 * kGiB);
      auto clone = Vol(4);
      BS_REQUIRE_OK(d->CreateClonedVolume(clone, v));
      auto fs = std::move(d->OpenVolume(from_snap).value());
      std::vector<std::byte> got(a.size());
      REQUIRE(fs->ReadAt(0, got).ok());
      CHECK(got == a);
      std::vector<std::byte> got_b(b.size());
      REQUIRE(fs->ReadAt(3 * kGiB, got_b).ok());
      CHECK(got_b == b);
      auto cl = std::move(d->OpenVolume(clone).value());
      std::vector<std::byte> head(4096);
      REQUIRE(cl->ReadAt(0, head).ok());
      CHECK(head == Pattern(4096, 9));
      CHECK(AllocatedBytes(dir / ("vols/volume-" + from_snap.id)) < 16ull << 20);
    }
  }

  TEST_CASE("extend grows, never shrinks; deletes are idempotent") {
    TempDir dir;
    auto d = MakeDriver(dir);
    auto v = Vol(1);
    BS_REQUIRE_OK(d->CreateVolume(v));
    BS_REQUIRE_OK(d->ExtendVolume(v, 3));
    CHECK(d->VolumeSizeBytes(v).value() == 3 * kGiB);
    BS_CHECK_CODE(d->ExtendVolume(v, 2), Code::kInvalidArgument);
    CHECK(d->VolumeSizeBytes(v).value() == 3 * kGiB);
    BS_REQUIRE_OK(d->DeleteVolume(v));
    BS_REQUIRE_OK(d->DeleteVolume(v));
    BS_CHECK_CODE(d->VolumeSizeBytes(v), Code::kNotFound);
    BS_CHECK_CODE(d->OpenVolume(v), Code::kNotFound);
  }

  TEST_CASE("ids never escape the directory") {
    TempDir dir;
    auto d = MakeDriver(dir);
    Volume evil;
    evil.id = "../../etc/passwd";
    evil.size_gb = 1;
    BS_CHECK_CODE(d->CreateVolume(evil), Code::kInvalidArgument);
    BS_CHECK_CODE(d->DeleteVolume(evil), Code::kInvalidArgument);
  }

  TEST_CASE("stats come from statvfs") {
    TempDir dir;
    auto d = MakeDriver(dir, {{"max_over_subscription_ratio", "auto"}, {"reserved_percentage", "5"}});
    auto s = d->GetStats();
    BS_REQUIRE_OK(s);
    REQUIRE(s->pools.size() == 1);
    CHECK(s->pools[0].pool_name == "file-1");
    CHECK(s->pools[0].total_capacity_gb.gb > 0);
    CHECK(s->pools[0].free_capacity_gb.gb <= s->pools[0].total_capacity_gb.gb);
    CHECK(s->pools[0].thin_provisioning_support);
    CHECK(s->pools[0].max_over_subscription_ratio == "auto");
    CHECK(s->pools[0].reserved_percentage == 5);
  }

  TEST_CASE("bad options are named") {
    TempDir dir;
    DriverRegistry reg;
    REQUIRE(RegisterFileDriver(reg).ok());
    BS_CHECK_CODE(RegisterFileDriver(reg), Code::kAlreadyExists);
    for (auto opts : std::vector<std::map<std::string, std::string>>{
             {},
             {{"volumes_dir", dir.path()}, {"reflink", "sometimes"}},
             {{"volumes_dir", dir.path()}, {"reserved_percentage", "101"}},
             {{"volumes_dir", dir.path()}, {"max_over_subscription_ratio", "-1"}},
             {{"volumes_dir", dir.path()}, {"colour", "blue"}}}) {
      auto d = reg.Create({"b", "file", "b", opts});
      BS_CHECK_CODE(d, Code::kInvalidArgument);
    }
    BS_CHECK_CODE(reg.Create({"b", "nosuch", "b", {}}), Code::kNotFound);
    // A file where the directory should be.
    FILE* f = fopen((dir / "notadir").c_str(), "w");
    fclose(f);
    auto d = reg.Create({"b", "file", "b", {{"volumes_dir", dir / "notadir"}}});
    BS_REQUIRE_OK(d);
    BS_CHECK_CODE((*d)->Initialize(), Code::kInvalidArgument);
  }
}
