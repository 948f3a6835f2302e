// Volume and snapshot lifecycles through the Engine on the file driver.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "lib/io/file_block_device.hpp"
#include "tests/support/engine_fixture.hpp"

using namespace blockstore;
using namespace blockstore::testing;

namespace {

using VS = VolumeStatus;
using SS = SnapshotStatus;

struct Fixture : EngineFixture {
  Volume MakeVolume(const RequestContext& ctx, int64_t gb, const std::string& name = "v") {
    VolumeCreateRequest r;
    r.name = name;
    return Available(ctx, gb, r);
  }
  Snapshot MakeSnapshot(const RequestContext& ctx, const std::string& volume_id) {
    return AvailableSnapshot(ctx, volume_id, "snap");
  }
  std::string VolumePath(const std::string& id) { return VolumeFile(id); }
};

}  // namespace

TEST_SUITE("lifecycle") {
  TEST_CASE("create returns at once in creating and becomes available on a real file") {
    Fixture f;
    auto v = f.MakeVolume(f.alice, 3, "data");
    CHECK(v.host == "testhost@file#file");
    CHECK(v.availability_zone == "nova");
    CHECK(v.project_id == "alice");
    CHECK(ListFiles(f.dir / "volumes").at("volume-" + v.id) == 3 * kGiB);
    CHECK(AllocatedBytes(f.VolumePath(v.id)) < 1 << 20);  // sparse
    auto type = f.engine->types().GetDefault(f.alice);
    BS_REQUIRE_OK(type);
    CHECK(v.volume_type_id == type->id);
    CHECK(f.Usage("alice", kQuotaVolumes).in_use == 1);
    CHECK(f.Usage("alice", kQuotaGigabytes).in_use == 3);
    CHECK(f.Usage("alice", kQuotaGigabytes).reserved == 0);
  }

  TEST_CASE("snapshot, volume from snapshot, clone") {
    Fixture f;
    auto v = f.MakeVolume(f.alice, 2);
    {
      auto dev = io::FileBlockDevice::Open(f.dir.path() + "/volumes/volume-" + v.id);
      BS_REQUIRE_OK(dev);
      std::vector<std::byte> data(4096, std::byte{0x5a});
      BS_REQUIRE_OK((*dev)->WriteAt(kGiB, data));
    }
    auto s = f.MakeSnapshot(f.alice, v.id);
    CHECK(s.size_gb == 2);
    CHECK(s.progress == "100%");
    CHECK(f.Usage("alice", kQuotaSnapshots).in_use == 1);
    CHECK(f.Usage("alice", kQuotaGigabytes).in_use == 4);

    VolumeCreateRequest from_snap;
    from_snap.snapshot_id = s.id;  // size defaults to the snapshot's
    auto a = f.engine->volumes().Create(f.alice, from_snap);
    BS_REQUIRE_OK(a);
    auto a_done = f.engine->WaitForVolume(f.alice, a->id, {VS::kAvailable, VS::kError}, kWait);
    BS_REQUIRE_OK(a_done);
    CHECK(a_done->status == VS::kAvailable);
    CHECK(a_done->size_gb == 2);
    CHECK(a_done->snapshot_id == s.id);

    VolumeCreateRequest clone;
    clone.source_volid = v.id;
    clone.size_gb = 5;
    auto c = f.engine->volumes().Create(f.alice, clone);
    BS_REQUIRE_OK(c);
    auto c_done = f.engine->WaitForVolume(f.alice, c->id, {VS::kAvailable, VS::kError}, kWait);
    BS_REQUIRE_OK(c_done);
    CHECK(c_done->status == VS::kAvailable);
    CHECK(ListFiles(f.dir / "volumes").at("volume-" + c->id) == 5 * kGiB);
    for (const auto& id : {a->id, c->id}) {
      auto dev = io::FileBlockDevice::Open(f.dir.path() + "/volumes/volume-" + id);
      BS_REQUIRE_OK(dev);
      std::vector<std::byte> got(4096);
      REQUIRE((*dev)->ReadAt(kGiB, got).ok());
      CHECK(got == std::vector<std::byte>(4096, std::byte{0x5a}));
    }
  }

  TEST_CASE("delete: refused with snapshots, cascade removes both, quota returns") {
    Fixture f;
    auto v = f.MakeVolume(f.alice, 1);
    auto s = f.MakeSnapshot(f.alice, v.id);
    auto refused = f.engine->volumes().Delete(f.alice, v.id);
    BS_CHECK_CODE(refused, Code::kFailedPrecondition);
    CHECK(refused.status().message().find("snapshot") != std::string::npos);
    CHECK(f.engine->volumes().Get(f.alice, v.id)->status == VS::kAvailable);

    auto del = f.engine->volumes().Delete(f.alice, v.id, {.cascade = true});
    BS_REQUIRE_OK(del);
    CHECK(del->status == VS::kDeleting);
    BS_REQUIRE_OK(f.engine->WaitForVolumeDeleted(f.alice, v.id, kWait));
    BS_CHECK_CODE(f.engine->snapshots().Get(f.alice, s.id), Code::kNotFound);
    CHECK(ListFiles(f.dir / "volumes").empty());
    CHECK(f.Usage("alice", kQuotaVolumes).in_use == 0);
    CHECK(f.Usage("alice", kQuotaSnapshots).in_use == 0);
    CHECK(f.Usage("alice", kQuotaGigabytes).in_use == 0);
  }

  TEST_CASE("snapshot delete, then volume delete") {
    Fixture f;
    auto v = f.MakeVolume(f.alice, 1);
    auto s = f.MakeSnapshot(f.alice, v.id);
    auto del = f.engine->snapshots().Delete(f.alice, s.id);
    BS_REQUIRE_OK(del);
    CHECK(del->status == SS::kDeleting);
    BS_REQUIRE_OK(f.engine->WaitForSnapshotDeleted(f.alice, s.id, kWait));
    CHECK(ListFiles(f.dir / "volumes").size() == 1);
    BS_REQUIRE_OK(f.engine->volumes().Delete(f.alice, v.id));
    BS_REQUIRE_OK(f.engine->WaitForVolumeDeleted(f.alice, v.id, kWait));
  }

  TEST_CASE("extend grows the file and the quota") {
    Fixture f;
    auto v = f.MakeVolume(f.alice, 1);
    auto ext = f.engine->volumes().Extend(f.alice, v.id, 4);
    BS_REQUIRE_OK(ext);
    CHECK(ext->status == VS::kExtending);
    auto done = f.engine->WaitForVolume(f.alice, v.id, {VS::kAvailable, VS::kErrorExtending}, kWait);
    BS_REQUIRE_OK(done);
    CHECK(done->status == VS::kAvailable);
    CHECK(done->size_gb == 4);
    CHECK(ListFiles(f.dir / "volumes").at("volume-" + v.id) == 4 * kGiB);
    CHECK(f.Usage("alice", kQuotaGigabytes).in_use == 4);
  }

  TEST_CASE("racing extends of one volume charge exactly the growth each applied") {
    Fixture f;
    BS_REQUIRE_OK(f.engine->quotas().Update(f.admin, "alice", {{"gigabytes", -1}, {"volumes", -1}}));
    constexpr int kRounds = 20;
    constexpr int kThreads = 4;
    std::vector<std::string> ids;
    uint64_t sum = 0;
    for (int round = 0; round < kRounds; ++round) {
      CAPTURE(round);
      auto v = f.MakeVolume(f.alice, 1);
      ids.push_back(v.id);
      // Each thread wants the volume at its own size (2..5 GB) and asks until one of its
      // requests is accepted or the volume is already that large. Every thread reads the
      // volume before asking, so most requests are made on a size that is already stale.
      std::vector<std::thread> threads;
      std::atomic<int> accepted{0};
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          const int64_t target = 2 + t;
          const auto deadline = std::chrono::steady_clock::now() + kWait;
          while (std::chrono::steady_clock::now() < deadline) {
            auto r = f.engine->volumes().Extend(f.alice, v.id, target);
            if (r.ok()) {
              ++accepted;
              return;
            }
            if (r.status().code() == Code::kInvalidArgument) return;  // already as large
            std::this_thread::yield();
          }
        });
      }
      for (auto& th : threads) th.join();
      CHECK(accepted.load() >= 1);
      auto done = f.engine->WaitForVolume(f.alice, v.id, {VS::kAvailable, VS::kErrorExtending}, kWait);
      BS_REQUIRE_OK(done);
      REQUIRE(done->status == VS::kAvailable);
      CHECK(done->size_gb == 5);  // the largest target was reached last or first, never lost
      CHECK(ListFiles(f.dir / "volumes").at("volume-" + v.id) == 5 * kGiB);
      sum += done->size_gb;
      CHECK(f.Usage("alice", kQuotaGigabytes).in_use == static_cast<int64_t>(sum));
      CHECK(f.Usage("alice", kQuotaGigabytes).reserved == 0);
    }
    for (const auto& id : ids) {
      BS_REQUIRE_OK(f.engine->volumes().Delete(f.alice, id));
      BS_REQUIRE_OK(f.engine->WaitForVolumeDeleted(f.alice, id, kWait));
    }
    CHECK(f.Usage("alice", kQuotaGigabytes).in_use == 0);  // no drift left behind
    CHECK(f.Usage("alice", kQuotaVolumes).in_use == 0);
  }

  TEST_CASE("update name, description and metadata") {
    Fixture f;
    auto v = f.MakeVolume(f.alice, 1);
    VolumeUpdate u;
    u.name = "renamed";
    u.description = "the data";
    u.metadata = Metadata{{"env", "prod"}};
    auto up = f.engine->volumes().Update(f.alice, v.id, u);
    BS_REQUIRE_OK(up);
    auto got = f.engine->volumes().Get(f.alice, v.id);
    CHECK(got->name == "renamed");
    CHECK(got->description == "the data");
    CHECK(got->metadata == Metadata{{"env", "prod"}});
    VolumeUpdate clear;
    clear.metadata = Metadata{};
    BS_REQUIRE_OK(f.engine->volumes().Update(f.alice, v.id, clear));
    CHECK(f.engine->volumes().Get(f.alice, v.id)->metadata.empty());
    CHECK(f.engine->volumes().Get(f.alice, v.id)->name == "renamed");
  }

  TEST_CASE("list filters, sorts and pages") {
    Fixture f;
    std::set<std::string> ids;
    for (int i = 0; i < 6; ++i) ids.insert(f.MakeVolume(f.alice, 1 + i % 2, "n" + std::to_string(i)).id);
    f.MakeVolume(f.bob, 1, "n0");
    ListQuery q;
    q.limit = 4;
    auto first = f.engine->volumes().List(f.alice, q);
    BS_REQUIRE_OK(first);
    CHECK(first->size() == 4);
    CHECK((*first)[0].created_at >= (*first)[1].created_at);  // newest first by default
    q.marker = first->back().id;
    auto second = f.engine->volumes().List(f.alice, q);
    BS_REQUIRE_OK(second);
    CHECK(second->size() == 2);
    std::set<std::string> seen;
    for (const auto& v : *first) seen.insert(v.id);
    for (const auto& v : *second) seen.insert(v.id);
    CHECK(seen == ids);
    ListQuery by_name;
    by_name.name = "n0";
    CHECK(f.engine->volumes().List(f.alice, by_name)->size() == 1);
    by_name.all_projects = true;
    BS_CHECK_CODE(f.engine->volumes().List(f.alice, by_name), Code::kPermissionDenied);
    CHECK(f.engine->volumes().List(f.admin, by_name)->size() == 2);
    ListQuery sized;
    sized.sort = {{"size", false}};
    auto by_size = f.engine->volumes().List(f.alice, sized);
    CHECK(by_size->front().size_gb == 1);
    CHECK(by_size->back().size_gb == 2);
  }

  TEST_CASE("events tell the story of a volume, in order") {
    Fixture f;
    std::mutex mu;
    std::condition_variable cv;
    std::vector<Event> events;
    const uint64_t token = f.engine->Subscribe([&](const Event& e) {
      std::lock_guard lock(mu);
      events.push_back(e);
      cv.notify_all();
    });
    // A record changes before the event announcing it is published: after each step, wait
    // for its event too (a delete asked the moment the volume reads available may otherwise
    // announce itself before the create's end does).
    auto event_seen = [&](const std::string& type) {
      std::unique_lock lock(mu);
      return cv.wait_for(lock, kWait, [&] { return !events.empty() && events.back().type == type; });
    };
    auto v = f.MakeVolume(f.alice, 1);
    CHECK(event_seen("volume.create.end"));
    BS_REQUIRE_OK(f.engine->volumes().Delete(f.alice, v.id));
    BS_REQUIRE_OK(f.engine->WaitForVolumeDeleted(f.alice, v.id, kWait));
    CHECK(event_seen("volume.delete.end"));
    f.engine->Unsubscribe(token);
    f.MakeVolume(f.alice, 1);  // not seen any more
    std::lock_guard lock(mu);
    std::vector<std::string> types;
    for (const auto& e : events) {
      CHECK(e.resource_id == v.id);
      types.push_back(e.type);
    }
    CHECK(types == std::vector<std::string>{"volume.create.start", "volume.create.end",
                                            "volume.delete.start", "volume.delete.end"});
    for (std::size_t i = 1; i < events.size(); ++i) CHECK(events[i].sequence > events[i - 1].sequence);
    CHECK(events[1].status == "available");
  }

  TEST_CASE("two backends of the same driver, and backend pinning by type") {
    Fixture f;
    f.Reopen([&](EngineConfig& c) {
      c.backends = {{"fast", "file", "fast", {{"volumes_dir", f.dir / "fast"}}},
                    {"slow", "file", "slow", {{"volumes_dir", f.dir / "slow"}}}};
    });
    VolumeTypeCreateRequest t;
    t.name = "slow-type";
    t.extra_specs = {{"volume_backend_name", "slow"}};
    auto type = f.engine->types().Create(f.admin, t);
    BS_REQUIRE_OK(type);
    for (int i = 0; i < 3; ++i) {
      VolumeCreateRequest r;
      r.size_gb = 1;
      r.volume_type = "slow-type";
      auto v = f.engine->volumes().Create(f.alice, r);
      BS_REQUIRE_OK(v);
      auto done = f.engine->WaitForVolume(f.alice, v->id, {VS::kAvailable, VS::kError}, kWait);
      BS_REQUIRE_OK(done);
      CHECK(done->status == VS::kAvailable);
      CHECK(done->host == "testhost@slow#slow");
    }
    CHECK(ListFiles(f.dir / "slow").size() == 3);
    CHECK(ListFiles(f.dir / "fast").empty());
    CHECK(f.engine->Pools().size() == 2);
  }

  TEST_CASE("no room anywhere: the volume goes to error with the reason, quota rolled back") {
    Fixture f;
    BS_REQUIRE_OK(f.engine->quotas().Update(f.admin, "alice", {{"gigabytes", -1}}));
    VolumeCreateRequest r;
    r.size_gb = (int64_t{1} << 20) - 1;  // far beyond this disk even thin-provisioned
    auto v = f.engine->volumes().Create(f.alice, r);
    BS_REQUIRE_OK(v);
    auto done = f.engine->WaitForVolume(f.alice, v->id, {VS::kAvailable, VS::kError}, kWait);
    BS_REQUIRE_OK(done);
    CHECK(done->status == VS::kError);
    CHECK(done->host.empty());
    CHECK(f.Usage("alice", kQuotaGigabytes).in_use == 0);
    CHECK(f.Usage("alice", kQuotaGigabytes).reserved == 0);
    CHECK(f.Usage("alice", kQuotaVolumes).reserved == 0);
    // An error volume that was never placed is deleted at once.
    BS_REQUIRE_OK(f.engine->volumes().Delete(f.alice, v->id));
    BS_CHECK_CODE(f.engine->volumes().Get(f.alice, v->id), Code::kNotFound);
  }

  TEST_CASE("create/delete churn never runs the scheduler out of room") {
    Fixture f;
    f.Reopen([&](EngineConfig& c) {
      c.backends = {{"thick", "file", "thick",
                     {{"volumes_dir", f.dir / "thick"}, {"max_over_subscription_ratio", "1.0"}}}};
      c.stats_interval = std::chrono::milliseconds(0);  // only the give-backs keep the books
    });
    BS_REQUIRE_OK(f.engine->quotas().Update(f.admin, "alice", {{"gigabytes", -1}}));
    auto pools = f.engine->Pools();
    REQUIRE(pools.size() == 1);
    // 60 % of the pool: two of these never fit at once, so each cycle needs the last one's
    // capacity back.
    const auto big = static_cast<int64_t>(pools[0].stats.total_capacity_gb.gb * 0.6);
    REQUIRE(big > 0);
    for (int i = 0; i < 4; ++i) {
      CAPTURE(i);
      auto v = f.MakeVolume(f.alice, big);
      BS_REQUIRE_OK(f.engine->volumes().Delete(f.alice, v.id));
      BS_REQUIRE_OK(f.engine->WaitForVolumeDeleted(f.alice, v.id, kWait));
    }
    // Nor are the books too generous: with one in place, a second still does not fit.
    f.MakeVolume(f.alice, big);
    VolumeCreateRequest second;
    second.size_gb = big;
    auto v2 = f.engine->volumes().Create(f.alice, second);
    BS_REQUIRE_OK(v2);
    auto failed = f.engine->WaitForVolume(f.alice, v2->id, {VS::kAvailable, VS::kError}, kWait);
    BS_REQUIRE_OK(failed);
    CHECK(failed->status == VS::kError);
  }

  // Cinder's rules (docs/behaviour.md): which statuses each action starts from. Every branch
  // starts from a fresh available volume reset to the status under test; a refused action is
  // failed_precondition and changes nothing.
  TEST_CASE("a volume's status decides which actions it takes") {
    struct Row {
      VS status;
      bool delete_ok, extend_ok, snapshot_ok, backup_ok;
    };
    const std::vector<Row> rows = {
        {VS::kAvailable, true, true, true, true},
        {VS::kError, true, false, false, false},
        {VS::kErrorRestoring, true, false, false, false},
        {VS::kErrorExtending, true, false, false, false},
        {VS::kMaintenance, false, false, false, false},
        {VS::kReserved, false, false, false, false},
    };
    for (const Row& row : rows) {
      Fixture f;
      CAPTURE(ToString(row.status));
      const Volume v = f.MakeVolume(f.alice, 1);
      if (row.status != VS::kAvailable) BS_REQUIRE_OK(f.engine->volumes().ResetStatus(f.admin, v.id, row.status));
      const std::string before = f.State();
      auto expect = [&](bool ok, auto result) {
        if (ok) {
          BS_CHECK_OK(result);
        } else {
          BS_CHECK_CODE(result, Code::kFailedPrecondition);
          CHECK(f.State() == before);
        }
      };
      // A name per status: doctest tells subcases apart by name, and these run in a loop.
      const std::string at = std::string(ToString(row.status)) + ": ";
      SUBCASE((at + "delete").c_str()) { expect(row.delete_ok, f.engine->volumes().Delete(f.alice, v.id, {})); }
      SUBCASE((at + "extend").c_str()) { expect(row.extend_ok, f.engine->volumes().Extend(f.alice, v.id, 2)); }
      SUBCASE((at + "snapshot").c_str()) {
        expect(row.snapshot_ok, f.engine->snapshots().Create(f.alice, {v.id, "s", "", false, {}}));
      }
      SUBCASE((at + "backup").c_str()) {
        expect(row.backup_ok, f.engine->backups().Create(f.alice, {.volume_id = v.id}));
      }
      SUBCASE((at + "update: any status but maintenance, as Cinder").c_str()) {
        expect(row.status != VS::kMaintenance,
               f.engine->volumes().Update(f.alice, v.id, {std::string("renamed"), {}, {}, {}}));
      }
    }
  }

  TEST_CASE("reset status is admin only and settles quota") {
    Fixture f;
    auto v = f.MakeVolume(f.alice, 1);
    BS_CHECK_CODE(f.engine->volumes().ResetStatus(f.alice, v.id, VS::kError), Code::kPermissionDenied);
    BS_CHECK_CODE(f.engine->volumes().ResetStatus(f.admin, v.id, VS::kDeleting), Code::kInvalidArgument);
    auto r = f.engine->volumes().ResetStatus(f.admin, v.id, VS::kError);
    BS_REQUIRE_OK(r);
    CHECK(r->status == VS::kError);
    CHECK(f.Usage("alice", kQuotaGigabytes).in_use == 1);  // still holds its space
    BS_REQUIRE_OK(f.engine->volumes().Delete(f.alice, v.id));
    BS_REQUIRE_OK(f.engine->WaitForVolumeDeleted(f.alice, v.id, kWait));
    CHECK(f.Usage("alice", kQuotaGigabytes).in_use == 0);
  }

  TEST_CASE("reset of the migration status alone; bad resets change nothing") {
    Fixture f;
    auto v = f.MakeVolume(f.alice, 1);
    auto r = f.engine->volumes().ResetStatus(f.admin, v.id, VolumeStatusReset{.migration_status = "error"});
    BS_REQUIRE_OK(r);
    CHECK(r->status == VS::kAvailable);
    CHECK(r->migration_status == "error");
    r = f.engine->volumes().ResetStatus(f.admin, v.id, VolumeStatusReset{.migration_status = "none"});
    BS_REQUIRE_OK(r);
    CHECK(r->migration_status.empty());
    BS_CHECK_CODE(f.engine->volumes().ResetStatus(f.admin, v.id, VolumeStatusReset{}), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->volumes().ResetStatus(f.admin, v.id, VolumeStatusReset{.migration_status = "sideways"}),
                  Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->volumes().ResetStatus(f.alice, v.id, VolumeStatusReset{.migration_status = "error"}),
                  Code::kPermissionDenied);
    CHECK(f.engine->volumes().Get(f.alice, v.id)->migration_status.empty());
  }

  TEST_CASE("per-type quotas: charged, limited, released, and renamed with their type") {
    Fixture f;
    auto gold = f.engine->types().Create(f.admin, {"gold", "", true, {}});
    BS_REQUIRE_OK(gold);
    auto shown = f.engine->quotas().Get(f.alice, "alice");
    BS_REQUIRE_OK(shown);
    CHECK(shown->resources.at("volumes_gold").limit == -1);
    CHECK(shown->resources.at("gigabytes___DEFAULT__").limit == -1);
    CHECK(f.engine->quotas().GetDefaults().resources.count("snapshots_gold") == 1);
    BS_REQUIRE_OK(f.engine->quotas().Update(f.admin, "alice", {{"volumes_gold", 1}, {"gigabytes_gold", 5}}));
    BS_CHECK_CODE(f.engine->quotas().Update(f.admin, "alice", {{"volumes_silver", 1}}), Code::kInvalidArgument);
    VolumeCreateRequest r;
    r.volume_type = "gold";
    auto v = f.Available(f.alice, 2, r);
    CHECK(f.Usage("alice", "volumes_gold").in_use == 1);
    CHECK(f.Usage("alice", "gigabytes_gold").in_use == 2);
    CHECK(f.Usage("alice", "volumes").in_use == 1);
    r.size_gb = 1;
    BS_CHECK_CODE(f.engine->volumes().Create(f.alice, r), Code::kResourceExhausted);  // volumes_gold
    BS_CHECK_CODE(f.engine->volumes().Extend(f.alice, v.id, 6), Code::kResourceExhausted);  // gigabytes_gold
    CHECK(f.engine->volumes().Get(f.alice, v.id)->status == VS::kAvailable);
    f.MakeVolume(f.alice, 1);  // another type: not limited by gold's quota
    auto s = f.MakeSnapshot(f.alice, v.id);
    CHECK(f.Usage("alice", "snapshots_gold").in_use == 1);
    CHECK(f.Usage("alice", "gigabytes_gold").in_use == 4);
    BS_REQUIRE_OK(f.engine->types().Update(f.admin, gold->id, {.name = "platinum"}));
    CHECK(f.Usage("alice", "gigabytes_platinum").in_use == 4);
    CHECK(f.engine->quotas().Get(f.alice, "alice")->resources.at("volumes_platinum").limit == 1);
    CHECK(f.engine->quotas().Get(f.alice, "alice")->resources.count("volumes_gold") == 0);
    BS_REQUIRE_OK(f.engine->snapshots().Delete(f.alice, s.id));
    BS_REQUIRE_OK(f.engine->WaitForSnapshotDeleted(f.alice, s.id, kWait));
    BS_REQUIRE_OK(f.engine->volumes().Delete(f.alice, v.id));
    BS_REQUIRE_OK(f.engine->WaitForVolumeDeleted(f.alice, v.id, kWait));
    CHECK(f.Usage("alice", "volumes_platinum").in_use == 0);
    CHECK(f.Usage("alice", "gigabytes_platinum").in_use == 0);
    CHECK(f.Usage("alice", "snapshots_platinum").in_use == 0);
  }

  TEST_CASE("state survives closing and reopening the engine") {
    Fixture f;
    auto v = f.MakeVolume(f.alice, 2, "keep");
    f.Reopen();
    auto got = f.engine->volumes().Get(f.alice, v.id);
    BS_REQUIRE_OK(got);
    CHECK(got->name == "keep");
    CHECK(got->status == VS::kAvailable);
    CHECK(f.Usage("alice", kQuotaGigabytes).in_use == 2);
  }

  TEST_CASE("after Close every call answers unavailable") {
    Fixture f;
    auto v = f.MakeVolume(f.alice, 1);
    f.engine->Close();
    f.engine->Close();  // idempotent
    BS_CHECK_CODE(f.engine->volumes().Get(f.alice, v.id), Code::kUnavailable);
    VolumeCreateRequest r;
    r.size_gb = 1;
    BS_CHECK_CODE(f.engine->volumes().Create(f.alice, r), Code::kUnavailable);
  }

  TEST_CASE("a second engine on the same state is refused until the first closes" *
            doctest::test_suite("sqlite file")) {
    Fixture f;
    auto v = f.MakeVolume(f.alice, 1, "mine");
    auto second = Engine::Open(testing::BasicConfig(f.dir.path()));
    BS_CHECK_CODE(second, Code::kUnavailable);
    CHECK(second.status().message().find("in use") != std::string::npos);
    // The refused opener changed nothing.
    CHECK(f.engine->volumes().Get(f.alice, v.id)->status == VS::kAvailable);
    f.engine->Close();
    auto third = Engine::Open(testing::BasicConfig(f.dir.path()));
    BS_REQUIRE_OK(third);
    CHECK((*third)->volumes().Get(f.alice, v.id)->name == "mine");
  }
}
