// The RBD driver against a real single-node Ceph (scripts/ceph-aio; BS_CEPH_ENV names its
// KEY=VALUE file).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "blockstore/connector.hpp"
#include "blockstore/driver.hpp"
#include "blockstore/engine.hpp"
#include "blockstore/posix_target.hpp"
#include "blockstore/rbd_driver.hpp"
#include "lib/backup/backup_engine.hpp"
#include "lib/core/ids.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;

namespace {

std::string Ceph(const char* key) { return testing::EnvFileValue("BS_CEPH_ENV", key); }

std::map<std::string, std::string> CephOptions() {
  return {{"rbd_pool", Ceph("BS_CEPH_POOL")},
          {"rbd_user", Ceph("BS_CEPH_USER")},
          {"rbd_ceph_conf", Ceph("BS_CEPH_CONF")},
          {"rbd_keyring_conf", Ceph("BS_CEPH_KEYRING")},
          {"rbd_secret_uuid", "457eb676-33da-42ec-9a8c-9293d545c337"}};
}

Result<std::unique_ptr<VolumeDriver>> Build(std::map<std::string, std::string> options) {
  DriverRegistry reg;
  if (Status s = RegisterRbdDriver(reg); !s.ok()) return s;
  return reg.Create(BackendConfig{"ceph-1", "rbd", "ceph", std::move(options)});
}

std::unique_ptr<VolumeDriver> MakeDriver(std::map<std::string, std::string> extra = {}) {
  auto options = CephOptions();
  for (auto& [k, v] : extra) options[k] = v;
  auto d = Build(options);
  REQUIRE_MESSAGE(d.ok(), d.status().ToString());
  Status s = (*d)->Initialize();
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return std::move(d).value();
}

// What the rbd CLI prints for `args` on the suite's pool ("" when it fails).
std::string RbdCli(const std::string& args) {
  const std::string conf = Ceph("BS_CEPH_CONF");
  const std::string user = Ceph("BS_CEPH_USER");
  const std::string keyring = Ceph("BS_CEPH_KEYRING");
  std::string cmd = "rbd -c '" + conf + "' -n 'client." + user + "' -k '" + keyring + "' " + args + " 2>/dev/null";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  ::pclose(p);
  return out;
}

// The pool's trash; an image's snapshots (the trash namespace's too).
std::string Trash() { return RbdCli("trash ls '" + Ceph("BS_CEPH_POOL") + "'"); }
std::string SnapList(const std::string& image) {
  return RbdCli("snap ls --all '" + Ceph("BS_CEPH_POOL") + "/" + image + "'");
}

Volume Vol(uint64_t gb) {
  Volume v;
  v.id = internal::NewUuid();
  v.size_gb = gb;
  return v;
}

Snapshot Snap(const Volume& v) {
  Snapshot s;
  s.id = internal::NewUuid();
  s.volume_id = v.id;
  s.size_gb = v.size_gb;
  return s;
}

std::vector<std::byte> Pattern(std::size_t n, unsigned seed) {
  std::vector<std::byte> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>((i * 131 + seed * 7 + 1) & 0xff);
  return out;
}

void Write(VolumeDriver& d, const Volume& v, uint64_t offset, const std::vector<std::byte>& data) {
  auto dev = d.OpenVolume(v);
  REQUIRE_MESSAGE(dev.ok(), dev.status().ToString());
  BS_REQUIRE_OK((*dev)->WriteAt(offset, data));
  BS_REQUIRE_OK((*dev)->Flush());
}

std::vector<std::byte> Read(BlockDevice& dev, uint64_t offset, std::size_t n) {
  std::vector<std::byte> out(n);
  auto got = dev.ReadAt(offset, out);
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  REQUIRE(*got == n);
  return out;
}

std::vector<std::byte> Read(VolumeDriver& d, const Volume& v, uint64_t offset, std::size_t n) {
  auto dev = d.OpenVolume(v);
  REQUIRE_MESSAGE(dev.ok(), dev.status().ToString());
  return Read(**dev, offset, n);
}

// Counts the bytes read through it.
class CountingDevice final : public BlockDevice {
 public:
  explicit CountingDevice(BlockDevice& d) : d_(d) {}
  Result<std::size_t> ReadAt(uint64_t o, std::span<std::byte> out) override {
    read += out.size();
    return d_.ReadAt(o, out);
  }
  Status WriteAt(uint64_t o, std::span<const std::byte> data) override { return d_.WriteAt(o, data); }
  uint64_t SizeBytes() const override { return d_.SizeBytes(); }
  Status Flush() override { return d_.Flush(); }
  Result<std::vector<Extent>> AllocatedRanges() override { return d_.AllocatedRanges(); }
  bool ConcurrentIo() const override { return true; }
  std::atomic<uint64_t> read{0};

 private:
  BlockDevice& d_;
};

}  // namespace

TEST_CASE("options: unknown keys and bad values are refused by name; a cluster that cannot be reached says so") {
  auto bad = [](std::map<std::string, std::string> o) {
    auto d = Build(std::move(o));
    REQUIRE_FALSE(d.ok());
    return d.status();
  };
  CHECK(bad({{"rbd_poool", "x"}}).message().find("rbd_poool") != std::string::npos);
  CHECK(bad({{"rbd_max_clone_depth", "-1"}}).message().find("rbd_max_clone_depth") != std::string::npos);
  CHECK(bad({{"rbd_flatten_volume_from_snapshot", "maybe"}}).code() == Code::kInvalidArgument);
  CHECK(bad({{"rbd_pool", ""}}).code() == Code::kInvalidArgument);
  // A pool that does not exist, a key the cluster refuses.
  auto o = CephOptions();
  o["rbd_pool"] = "no-such-pool";
  auto d = Build(o);
  BS_REQUIRE_OK(d.status());
  Status s = (*d)->Initialize();
  CHECK(s.code() == Code::kNotFound);
  CHECK(s.message().find("no-such-pool") != std::string::npos);
  o = CephOptions();
  o["rbd_keyring_conf"] = Ceph("BS_CEPH_CONF");  // not a keyring
  o["rados_connect_timeout"] = "5";
  d = Build(o);
  BS_REQUIRE_OK(d.status());
  CHECK_FALSE((*d)->Initialize().ok());
}

TEST_CASE("lifecycle: thin create, size, data, extend, delete; each made again changes nothing") {
  auto d = MakeDriver();
  Volume v = Vol(1);
  BS_REQUIRE_OK(d->CreateVolume(v));
  BS_REQUIRE_OK(d->CreateVolume(v));  // a redelivered create
  CHECK(*d->VolumeSizeBytes(v) == kGiB);
  {
    auto dev = d->OpenVolume(v);
    BS_REQUIRE_OK(dev.status());
    CHECK((*dev)->ConcurrentIo());
    CHECK((*dev)->SizeBytes() == kGiB);
    // Nothing written: nothing allocated (thin).
    auto ranges = (*dev)->AllocatedRanges();
    BS_REQUIRE_OK(ranges.status());
    CHECK(ranges->empty());
    const auto a = Pattern(1 << 20, 1);
    BS_REQUIRE_OK((*dev)->WriteAt(300 << 20, a));
    BS_REQUIRE_OK((*dev)->Flush());
    CHECK(Read(**dev, 300 << 20, a.size()) == a);
    ranges = (*dev)->AllocatedRanges();
    BS_REQUIRE_OK(ranges.status());
    REQUIRE(ranges->size() == 1);
    CHECK((*ranges)[0].offset <= (300u << 20));
    CHECK((*ranges)[0].offset + (*ranges)[0].length >= (301u << 20));
    CHECK((*ranges)[0].length <= (8u << 20));  // at most the objects written
    // Past the end: refused; a read there is short.
    BS_CHECK_CODE((*dev)->WriteAt(kGiB - 10, Pattern(20, 2)), Code::kInvalidArgument);
    std::vector<std::byte> tail(20);
    CHECK(*(*dev)->ReadAt(kGiB - 10, tail) == 10);
  }
  BS_REQUIRE_OK(d->ExtendVolume(v, 3));
  CHECK(*d->VolumeSizeBytes(v) == 3 * kGiB);
  BS_CHECK_CODE(d->ExtendVolume(v, 2), Code::kInvalidArgument);
  CHECK(Read(*d, v, 300 << 20, 1 << 20) == Pattern(1 << 20, 1));
  BS_REQUIRE_OK(d->DeleteVolume(v));
  BS_CHECK_CODE(d->VolumeSizeBytes(v), Code::kNotFound);
  BS_REQUIRE_OK(d->DeleteVolume(v));  // idempotent
  BS_CHECK_CODE(d->OpenVolume(v), Code::kNotFound);
  Volume bad = Vol(1);
  bad.id = "../etc";
  BS_CHECK_CODE(d->CreateVolume(bad), Code::kInvalidArgument);
}

TEST_CASE("a failed create whose image a client still has open: out of the pool at once, purged once closed") {
  auto d = MakeDriver();
  Volume v = Vol(1);
  BS_REQUIRE_OK(d->CreateVolume(v));
  auto held = d->OpenVolume(v);  // a watcher, as an engine killed inside the create leaves one
  BS_REQUIRE_OK(held.status());
  // An image in use is not deleted...
  v.status = VolumeStatus::kAvailable;
  BS_CHECK_CODE(d->DeleteVolume(v), Code::kFailedPrecondition);
  auto still = d->VolumeSizeBytes(v);
  BS_CHECK_OK(still.status());
  // ...but the leftover of a create being failed leaves the pool's listing at once.
  v.status = VolumeStatus::kCreating;
  BS_REQUIRE_OK(d->DeleteVolume(v));
  BS_CHECK_CODE(d->VolumeSizeBytes(v), Code::kNotFound);
  BS_REQUIRE_OK(d->DeleteVolume(v));  // and again: gone is gone
  CHECK(Trash().find("volume-" + v.id) != std::string::npos);
  // Purged with the next stats once nothing watches it.
  held->reset();
  auto stats = d->GetStats();
  BS_REQUIRE_OK(stats.status());
  CHECK(Trash().find("volume-" + v.id) == std::string::npos);
  BS_REQUIRE_OK(d->CreateVolume(v));
  v.status = VolumeStatus::kDeleting;
  BS_REQUIRE_OK(d->DeleteVolume(v));
}

TEST_CASE("snapshots and copy-on-write clones: contents at the snapshot, dependents protect their parents") {
  auto d = MakeDriver();
  Volume v = Vol(1);
  BS_REQUIRE_OK(d->CreateVolume(v));
  const auto before = Pattern(64 << 10, 3);
  Write(*d, v, 0, before);
  Snapshot s = Snap(v);
  BS_REQUIRE_OK(d->CreateSnapshot(s, v));
  Write(*d, v, 0, Pattern(64 << 10, 4));  // the volume moves on; the snapshot does not
  {
    auto snap_dev = d->OpenSnapshot(s);
    BS_REQUIRE_OK(snap_dev.status());
    CHECK(Read(**snap_dev, 0, before.size()) == before);
  }
  // A volume from the snapshot, larger than it: the snapshot's data, then zeros.
  Volume from = Vol(2);
  BS_REQUIRE_OK(d->CreateVolumeFromSnapshot(from, s));
  BS_REQUIRE_OK(d->CreateVolumeFromSnapshot(from, s));  // made again
  CHECK(*d->VolumeSizeBytes(from) == 2 * kGiB);
  CHECK(Read(*d, from, 0, before.size()) == before);
  CHECK(Read(*d, from, kGiB + 5, 16) == std::vector<std::byte>(16));
  // Deleting the snapshot `from` depends on is allowed: the cluster keeps it (clone v2, in the
  // image's trash) until `from` goes, and `from` reads as before.
  BS_REQUIRE_OK(d->DeleteSnapshot(s));
  BS_REQUIRE_OK(d->DeleteSnapshot(s));  // idempotent
  CHECK(Read(*d, from, 0, before.size()) == before);
  BS_CHECK_CODE(d->OpenSnapshot(s), Code::kNotFound);
  // A clone of the volume: its data now; a write to it leaves the source alone.
  Volume clone = Vol(1);
  BS_REQUIRE_OK(d->CreateClonedVolume(clone, v));
  CHECK(Read(*d, clone, 0, 64 << 10) == Pattern(64 << 10, 4));
  Write(*d, clone, 0, Pattern(4096, 5));
  const auto source_now = Pattern(64 << 10, 4);
  CHECK(Read(*d, v, 0, 4096) == std::vector<std::byte>(source_now.begin(), source_now.begin() + 4096));
  CHECK(Read(*d, clone, 0, 4096) == Pattern(4096, 5));
  // The source cannot go while the clone needs it, and says which clone.
  Status refused = d->DeleteVolume(v);
  CHECK(refused.code() == Code::kFailedPrecondition);
  CHECK(refused.message().find(clone.id) != std::string::npos);
  CHECK(refused.message().find(from.id) != std::string::npos);
  // Without its dependents it goes (the trashed snapshot went with the last of them). The
  // clone takes the snapshot made on the source for it along.
  CHECK(SnapList("volume-" + v.id).find("volume-" + clone.id + ".clone_snap") != std::string::npos);
  BS_REQUIRE_OK(d->DeleteVolume(clone));
  CHECK(SnapList("volume-" + v.id).find("volume-" + clone.id + ".clone_snap") == std::string::npos);
  BS_CHECK_CODE(d->DeleteVolume(v), Code::kFailedPrecondition);
  BS_REQUIRE_OK(d->DeleteVolume(from));
  BS_REQUIRE_OK(d->DeleteVolume(v));
  BS_CHECK_CODE(d->VolumeSizeBytes(v), Code::kNotFound);
}

TEST_CASE("clone depth: beyond rbd_max_clone_depth a clone is flattened and keeps nothing of its source") {
  auto d = MakeDriver({{"rbd_max_clone_depth", "1"}});
  Volume a = Vol(1);
  BS_REQUIRE_OK(d->CreateVolume(a));
  Write(*d, a, 4096, Pattern(8192, 6));
  Volume b = Vol(1);
  BS_REQUIRE_OK(d->CreateClonedVolume(b, a));  // depth 1: stays a clone
  Volume c = Vol(1);
  BS_REQUIRE_OK(d->CreateClonedVolume(c, b));  // depth 2: flattened
  CHECK(Read(*d, c, 4096, 8192) == Pattern(8192, 6));
  // b's snapshot for c went with the flattening: b can go while c stays; a cannot while b needs it.
  BS_CHECK_CODE(d->DeleteVolume(a), Code::kFailedPrecondition);
  BS_REQUIRE_OK(d->DeleteVolume(b));
  BS_REQUIRE_OK(d->DeleteVolume(a));
  CHECK(Read(*d, c, 4096, 8192) == Pattern(8192, 6));
  BS_REQUIRE_OK(d->DeleteVolume(c));
}

TEST_CASE("stats from the pool, and Cinder's rbd connection info") {
  auto d = MakeDriver();
  auto stats = d->GetStats();
  BS_REQUIRE_OK(stats.status());
  CHECK(stats->storage_protocol == "ceph");
  REQUIRE(stats->pools.size() == 1);
  const PoolStats& p = stats->pools[0];
  CHECK(p.pool_name == Ceph("BS_CEPH_POOL"));
  CHECK(p.thin_provisioning_support);
  REQUIRE(p.total_capacity_gb.kind == Capacity::Kind::kNumber);
  CHECK(p.total_capacity_gb.gb > 1);
  CHECK(p.free_capacity_gb.gb > 0);
  CHECK(p.free_capacity_gb.gb <= p.total_capacity_gb.gb);
  CHECK(d->DefaultPool() == Ceph("BS_CEPH_POOL"));

  Volume v = Vol(1);
  BS_REQUIRE_OK(d->CreateVolume(v));
  Connector host;
  host.host = "compute-1";
  auto conn = d->InitializeConnection(v, std::nullopt, host);
  BS_REQUIRE_OK(conn.status());
  CHECK(conn->info.driver_volume_type == "rbd");
  auto data = boost::json::parse(conn->info.data).as_object();
  CHECK(data.at("name").as_string() == Ceph("BS_CEPH_POOL") + "/volume-" + v.id);
  CHECK(data.at("auth_username").as_string() == Ceph("BS_CEPH_USER"));
  CHECK(data.at("auth_enabled").as_bool());
  CHECK(data.at("secret_type").as_string() == "ceph");
  CHECK(data.at("secret_uuid").as_string() == "457eb676-33da-42ec-9a8c-9293d545c337");
  CHECK(data.at("volume_id").as_string() == v.id);
  REQUIRE(data.at("hosts").as_array().size() == 1);
  CHECK(data.at("hosts").as_array()[0].as_string() == "127.0.0.1");
  const std::string mon = Ceph("BS_CEPH_MON");
  CHECK(data.at("ports").as_array()[0].as_string() == mon.substr(mon.rfind(':') + 1));
  BS_REQUIRE_OK(d->DeleteVolume(v));
}

TEST_CASE("the rbd connection through the host connector: data, read-only snapshots, bad connection info") {
  auto d = MakeDriver();
  Volume v = Vol(1);
  BS_REQUIRE_OK(d->CreateVolume(v));
  Connector host;
  host.host = "compute-1";
  auto conn = d->InitializeConnection(v, std::nullopt, host);
  BS_REQUIRE_OK(conn.status());
  // The keyring travels with the connection (the backend names one): no Ceph files needed here.
  CHECK(boost::json::parse(conn->info.data).as_object().contains("keyring"));
  const auto data = Pattern(9 << 20, 3);  // spans three RADOS objects
  {
    auto dev = ConnectVolume(conn->info);
    BS_REQUIRE_OK(dev.status());
    CHECK((*dev)->SizeBytes() == kGiB);
    CHECK((*dev)->ConcurrentIo());
    BS_REQUIRE_OK((*dev)->WriteAt(3 << 20, data));
    BS_REQUIRE_OK((*dev)->Flush());
    CHECK(Read(**dev, 3 << 20, data.size()) == data);
    BS_CHECK_CODE((*dev)->WriteAt(kGiB - 10, data), Code::kInvalidArgument);
  }
  CHECK(Read(*d, v, 3 << 20, data.size()) == data);  // the driver sees what the host wrote

  Snapshot s = Snap(v);
  BS_REQUIRE_OK(d->CreateSnapshot(s, v));
  Write(*d, v, 3 << 20, Pattern(4096, 4));
  auto snap_conn = d->InitializeSnapshotConnection(s, host);
  BS_REQUIRE_OK(snap_conn.status());
  {
    auto dev = ConnectVolume(*snap_conn);
    BS_REQUIRE_OK(dev.status());
    CHECK(Read(**dev, 3 << 20, data.size()) == data);  // the snapshot's data, not the later write
    BS_CHECK_CODE((*dev)->WriteAt(0, Pattern(512, 1)), Code::kPermissionDenied);
  }

  // Bad connection info is refused by name, and a wrong key is refused by the cluster.
  auto with = [&](const char* key, boost::json::value value) {
    auto o = boost::json::parse(conn->info.data).as_object();
    if (value.is_null()) {
      o.erase(key);
    } else {
      o[key] = value;
    }
    return ConnectionInfo{"rbd", boost::json::serialize(o)};
  };
  BS_CHECK_CODE(ConnectVolume(with("name", "no-pool-here")), Code::kInvalidArgument);
  BS_CHECK_CODE(ConnectVolume(with("hosts", "127.0.0.1")), Code::kInvalidArgument);
  BS_CHECK_CODE(ConnectVolume(with("keyring", "[client.x]\n")), Code::kInvalidArgument);
  BS_CHECK_CODE(ConnectVolume(with("name", boost::json::value(Ceph("BS_CEPH_POOL") + "/volume-missing"))),
                Code::kNotFound);
  ConnectOptions quick;
  quick.timeout = std::chrono::seconds(5);
  auto wrong = ConnectVolume(with("keyring", "[client.blockstore]\n\tkey = AQBgZ9lmAAAAABAAbm90IHRoZSByaWdodCBrZXk=\n"), quick);
  CHECK_FALSE(wrong.ok());
  CHECK(wrong.status().code() == Code::kPermissionDenied);
  BS_REQUIRE_OK(d->DeleteSnapshot(s));
  BS_REQUIRE_OK(d->DeleteVolume(v));
}

TEST_CASE("changed extents between snapshots, and an incremental backup that reads only them") {
  auto d = MakeDriver();
  Volume v = Vol(1);
  BS_REQUIRE_OK(d->CreateVolume(v));
  Write(*d, v, 0, Pattern(32 << 20, 1));
  Snapshot s1 = Snap(v);
  BS_REQUIRE_OK(d->CreateSnapshot(s1, v));
  Write(*d, v, (8 << 20) + 4096, Pattern(8192, 2));
  Write(*d, v, 100 << 20, Pattern(1 << 20, 3));
  Snapshot s2 = Snap(v);
  BS_REQUIRE_OK(d->CreateSnapshot(s2, v));
  Write(*d, v, 500 << 20, Pattern(4096, 4));  // after s2

  auto between = d->ChangedExtents(v, s1, &s2);
  BS_REQUIRE_OK(between.status());
  uint64_t changed = 0;
  for (const auto& e : *between) {
    CHECK(((e.offset < (8 << 20) + 4096 + 8192 && e.offset + e.length > (8 << 20) + 4096) ||
           (e.offset < (101 << 20) && e.offset + e.length > (100 << 20))));
    changed += e.length;
  }
  CHECK(changed >= (1 << 20) + 8192);
  CHECK(changed <= 2 * (4 << 20) + (1 << 20));  // at worst whole objects, never the 32 MiB
  auto until_now = d->ChangedExtents(v, s2, nullptr);
  BS_REQUIRE_OK(until_now.status());
  REQUIRE(until_now->size() == 1);
  CHECK(until_now->front().offset <= (500 << 20));
  Snapshot other = Snap(Vol(1));
  BS_CHECK_CODE(d->ChangedExtents(v, other, nullptr), Code::kInvalidArgument);

  // A full backup of s1 and an incremental of s2 through the engine's data path, each read
  // through the snapshot's rbd connection: the incremental reads only what changed.
  testing::TempDir dir;
  auto target = NewPosixTarget({dir / "target", false});
  BS_REQUIRE_OK(target.status());
  internal::TransferOptions o;
  auto open = [&](const Snapshot& s) {
    auto info = d->InitializeSnapshotConnection(s, Connector{});
    REQUIRE_MESSAGE(info.ok(), info.status().ToString());
    auto dev = ConnectVolume(*info);
    REQUIRE_MESSAGE(dev.ok(), dev.status().ToString());
    return std::move(dev).value();
  };
  auto d1 = open(s1);
  auto full = internal::RunBackup(*d1, **target, "rbd", "b1", v.id, nullptr, o);
  BS_REQUIRE_OK(full.status());
  o.changed = *between;
  auto d2 = open(s2);
  CountingDevice counted(*d2);
  auto inc = internal::RunBackup(counted, **target, "rbd", "b2", v.id, &*full, o);
  BS_REQUIRE_OK(inc.status());
  CHECK(counted.read == 2 * (4 << 20));  // the two chunks the changes touch, not the 32 MiB written
  uint64_t own = 0;
  for (const auto& c : inc->chunks) own += c.object.starts_with("rbd/b2/") ? c.length : 0;
  CHECK(own == 2 * (4 << 20));  // the two chunks that changed; every other one is b1's
  // Restored onto a new volume, it reads as s2.
  Volume copy = Vol(1);
  BS_REQUIRE_OK(d->CreateVolume(copy));
  {
    auto out = d->OpenVolume(copy);
    BS_REQUIRE_OK(out.status());
    BS_REQUIRE_OK(internal::RunRestore(*inc, **target, **out, /*fresh=*/true, o));
  }
  CHECK(Read(*d, copy, 0, 128 << 20) == Read(*d2, 0, 128 << 20));
  d1.reset();
  d2.reset();
  BS_REQUIRE_OK(d->DeleteVolume(copy));
  BS_REQUIRE_OK(d->DeleteSnapshot(s2));
  BS_REQUIRE_OK(d->DeleteSnapshot(s1));
  BS_REQUIRE_OK(d->DeleteVolume(v));
}

TEST_CASE("revert to a snapshot; manage an image made outside, and unmanage it") {
  auto d = MakeDriver();
  Volume v = Vol(1);
  BS_REQUIRE_OK(d->CreateVolume(v));
  Write(*d, v, 0, Pattern(1 << 20, 1));
  Snapshot s = Snap(v);
  BS_REQUIRE_OK(d->CreateSnapshot(s, v));
  Write(*d, v, 0, Pattern(1 << 20, 2));
  BS_REQUIRE_OK(d->ExtendVolume(v, 2));
  v.size_gb = 2;
  BS_REQUIRE_OK(d->RevertToSnapshot(v, s));
  CHECK(Read(*d, v, 0, 1 << 20) == Pattern(1 << 20, 1));
  CHECK(*d->VolumeSizeBytes(v) == 2 * kGiB);  // it keeps the size it grew to
  BS_CHECK_CODE(d->RevertToSnapshot(Vol(1), s), Code::kInvalidArgument);
  BS_REQUIRE_OK(d->DeleteSnapshot(s));

  const std::string outside = "made-outside-" + internal::NewUuid().substr(0, 8);
  REQUIRE(RbdCli("create --size 1536M '" + Ceph("BS_CEPH_POOL") + "/" + outside + "' && echo made").find("made") !=
          std::string::npos);
  Volume adopted = Vol(2);
  BS_CHECK_CODE(d->ManageExistingGetSize(adopted, {{"source-id", "x"}}), Code::kInvalidArgument);
  BS_CHECK_CODE(d->ManageExistingGetSize(adopted, {{"source-name", "pool/x"}}), Code::kInvalidArgument);
  BS_CHECK_CODE(d->ManageExistingGetSize(adopted, {{"source-name", "no-such-image"}}), Code::kNotFound);
  auto size = d->ManageExistingGetSize(adopted, {{"source-name", outside}});
  BS_REQUIRE_OK(size.status());
  CHECK(*size == 2);  // 1.5 GiB, rounded up
  BS_REQUIRE_OK(d->ManageExisting(adopted, {{"source-name", outside}}));
  CHECK(*d->VolumeSizeBytes(adopted) == 1536ull << 20);
  CHECK(RbdCli("ls '" + Ceph("BS_CEPH_POOL") + "'").find(outside) == std::string::npos);
  BS_REQUIRE_OK(d->Unmanage(adopted));
  CHECK(*d->VolumeSizeBytes(adopted) == 1536ull << 20);  // unmanaged, not deleted
  BS_REQUIRE_OK(d->DeleteVolume(adopted));
  BS_REQUIRE_OK(d->DeleteVolume(v));
}

TEST_CASE("the seed's workflows through an engine on rbd: create, attach, back up, restore") {
  testing::TempDir dir;
  EngineConfig c;
  c.state_path = dir / "state";
  c.host = "cxxrbd";
  c.backends = {BackendConfig{"ceph", "rbd", "ceph", CephOptions()}};
  auto opened = Engine::Open(c);
  BS_REQUIRE_OK(opened.status());
  Engine& e = **opened;
  const auto me = RequestContext::User("cxx-rbd");
  const auto wait = std::chrono::seconds(60);
  VolumeCreateRequest vr;
  vr.size_gb = 1;
  auto v = e.volumes().Create(me, vr);
  BS_REQUIRE_OK(v.status());
  auto ready = e.WaitForVolume(me, v->id, {VolumeStatus::kAvailable}, wait);
  BS_REQUIRE_OK(ready.status());

  // Attach: the attachment's rbd connection, opened by the host connector.
  const auto data = Pattern(5 << 20, 9);
  AttachmentCreateRequest ar;
  ar.volume_id = v->id;
  ar.connector = HostConnector("127.0.0.1", "iqn.2026-12.org.blockstore.cxx:rbd");
  auto a = e.attachments().Create(me, ar);
  BS_REQUIRE_OK(a.status());
  REQUIRE(a->connection_info);
  CHECK(a->connection_info->driver_volume_type == "rbd");
  {
    auto dev = ConnectVolume(*a->connection_info);
    BS_REQUIRE_OK(dev.status());
    BS_REQUIRE_OK((*dev)->WriteAt(1 << 20, data));
    BS_REQUIRE_OK((*dev)->Flush());
  }
  auto completed = e.attachments().Complete(me, a->id);
  BS_REQUIRE_OK(completed.status());
  auto detached = e.attachments().Delete(me, a->id);
  BS_REQUIRE_OK(detached.status());

  // Back up, restore into a new volume, and read the restored data.
  BackupCreateRequest br;
  br.volume_id = v->id;
  auto b = e.backups().Create(me, br);
  BS_REQUIRE_OK(b.status());
  auto done = e.WaitForBackup(me, b->id, {BackupStatus::kAvailable, BackupStatus::kError}, wait);
  BS_REQUIRE_OK(done.status());
  REQUIRE_MESSAGE(done->status == BackupStatus::kAvailable, done->fail_reason);
  CHECK(done->object_count == 2);  // the two 4 MiB chunks written, not the GiB
  auto r = e.backups().Restore(me, b->id, {});
  BS_REQUIRE_OK(r.status());
  auto restored = e.WaitForVolume(me, r->volume_id, {VolumeStatus::kAvailable, VolumeStatus::kErrorRestoring}, wait);
  BS_REQUIRE_OK(restored.status());
  REQUIRE(restored->status == VolumeStatus::kAvailable);
  auto driver = MakeDriver();
  CHECK(Read(*driver, *restored, 1 << 20, data.size()) == data);

  auto deleting = e.backups().Delete(me, b->id);
  BS_REQUIRE_OK(deleting.status());
  BS_REQUIRE_OK(e.WaitForBackupDeleted(me, b->id, wait));
  for (const std::string& id : {restored->id, v->id}) {
    auto gone = e.volumes().Delete(me, id);
    BS_REQUIRE_OK(gone.status());
    BS_REQUIRE_OK(e.WaitForVolumeDeleted(me, id, wait));
  }
}
