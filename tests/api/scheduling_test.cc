// Placement through the engine: reschedules after driver failures, explanations, hints,
// capacity checks of extends and snapshots, and malformed specs refused at the door.
#include <atomic>
#include <condition_variable>
#include <mutex>

#include "tests/support/engine_fixture.hpp"

using namespace blockstore;
using namespace blockstore::testing;

namespace {

using VS = VolumeStatus;

// A fault-injecting backend: reports room like a real one but fails every create, as a
// backend whose array is down would. (The real file driver serves the other backends.)
class FailingDriver final : public VolumeDriver {
 public:
  explicit FailingDriver(std::atomic<int>* attempts) : attempts_(attempts) {}
  Status Initialize() override { return Status::Ok(); }
  std::string DefaultPool() const override { return "broken"; }
  Status CreateVolume(const Volume&) override {
    ++*attempts_;
    return Unavailable("the array is on fire");
  }
  Status CreateVolumeFromSnapshot(const Volume&, const Snapshot&) override { return Unavailable("no"); }
  Status CreateClonedVolume(const Volume&, const Volume&) override { return Unavailable("no"); }
  Status DeleteVolume(const Volume&) override { return Status::Ok(); }
  Status ExtendVolume(const Volume&, uint64_t) override { return Unavailable("no"); }
  Status CreateSnapshot(const Snapshot&, const Volume&) override { return Unavailable("no"); }
  Status DeleteSnapshot(const Snapshot&) override { return Status::Ok(); }
  Result<uint64_t> VolumeSizeBytes(const Volume&) override { return NotFound("none"); }
  Result<std::unique_ptr<BlockDevice>> OpenVolume(const Volume&) override { return NotFound("none"); }
  Result<BackendStats> GetStats() override {
    BackendStats b;
    b.storage_protocol = "iSCSI";
    PoolStats p;
    p.pool_name = "broken";
    p.total_capacity_gb = Capacity::Number(1e6);  // the roomiest: tried first
    p.free_capacity_gb = Capacity::Number(1e6);
    b.pools.push_back(p);
    return b;
  }

 private:
  std::atomic<int>* attempts_;
};

// Every event of an engine, and a wait for one: a status change is visible in the store a
// moment before the event announcing it is published.
class EventLog {
 public:
  explicit EventLog(Engine& e)
      : engine_(e), token_(e.Subscribe([this](const Event& ev) { Add(ev); })) {}
  ~EventLog() { engine_.Unsubscribe(token_); }
  // The message of the first event of `type` (waiting for it), or "" after the wait.
  std::string Message(const std::string& type) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kWait, [&] { return Find(type) != nullptr; });
    const Event* e = Find(type);
    return e ? e->message : std::string();
  }
  int Count(const std::string& type) {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& e : events_) n += e.type == type;
    return n;
  }

 private:
  void Add(const Event& e) {
    std::lock_guard lock(mu_);
    events_.push_back(e);
    cv_.notify_all();
  }
  const Event* Find(const std::string& type) const {
    for (const auto& e : events_) {
      if (e.type == type) return &e;
    }
    return nullptr;
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Event> events_;
  Engine& engine_;  // last: subscribing may deliver events at once
  uint64_t token_;
};

struct Fixture : EngineFixture {
  std::atomic<int> failures{0};

  explicit Fixture(int broken_backends, int good_backends, int max_attempts = 3)
      : EngineFixture(Later{}) {
    Open([&](EngineConfig& c) {
      c.scheduler.max_attempts = max_attempts;
      c.register_drivers = [this](DriverRegistry& r) {
        return r.Register("failing", [this](const BackendConfig&) -> Result<std::unique_ptr<VolumeDriver>> {
          return std::unique_ptr<VolumeDriver>(new FailingDriver(&failures));
        });
      };
      for (int i = 0; i < broken_backends; ++i) {
        c.backends.push_back({"broken" + std::to_string(i), "failing", "", {}});
      }
      for (int i = 0; i < good_backends; ++i) {
        const std::string name = "good" + std::to_string(i);
        c.backends.push_back({name, "file", "", {{"volumes_dir", dir / name}}});
      }
    });
  }
  Volume Create(int64_t gb, VolumeCreateRequest r = {}) {
    r.size_gb = gb;
    auto v = engine->volumes().Create(alice, r);
    REQUIRE_MESSAGE(v.ok(), v.status().ToString());
    auto done = engine->WaitForVolume(alice, v->id, {VS::kAvailable, VS::kError}, kWait);
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
    return *done;
  }
};

}  // namespace

TEST_SUITE("scheduling") {
  TEST_CASE("a failed create is rescheduled to another backend, never the same one") {
    Fixture f(2, 1);
    EventLog log(*f.engine);
    Volume v = f.Create(1);
    CHECK(v.status == VS::kAvailable);
    CHECK(v.host == "testhost@good0#good0");
    CHECK(f.failures == 2);  // each broken backend tried once
    log.Message("volume.create.end");
    CHECK(log.Count("volume.create.retry") == 2);
    CHECK(f.engine->quotas().Get(f.admin, "alice")->resources["gigabytes"].in_use == 1);
  }

  TEST_CASE("after the last attempt the error says why each attempt failed") {
    Fixture f(3, 0);
    EventLog log(*f.engine);
    Volume v = f.Create(1);
    CHECK(v.status == VS::kError);
    CHECK(f.failures == 3);
    const std::string message = log.Message("volume.create.error");
    CHECK(message.find("after 3 attempt(s)") != std::string::npos);
    CHECK(message.find("attempt 1 on testhost@broken") != std::string::npos);
    CHECK(message.find("attempt 3 on testhost@broken") != std::string::npos);
    CHECK(message.find("the array is on fire") != std::string::npos);
    auto q = f.engine->quotas().Get(f.admin, "alice")->resources["gigabytes"];
    CHECK(q.in_use == 0);
    CHECK(q.reserved == 0);
  }

  TEST_CASE("max_attempts 1 disables rescheduling") {
    Fixture f(1, 1, 1);
    Volume v = f.Create(1);
    CHECK(v.status == VS::kError);
    CHECK(f.failures == 1);
  }

  TEST_CASE("ExplainPlacement: the trace and ranking, admin only, nothing placed") {
    Fixture f(0, 2);
    VolumeCreateRequest r;
    r.size_gb = 1;
    auto e = f.engine->volumes().ExplainPlacement(f.admin, r);
    BS_REQUIRE_OK(e);
    CHECK(e->pools == 2);
    CHECK(e->ranking.size() == 2);
    CHECK(!e->chosen.empty());
    CHECK(e->steps.size() == 3);  // Cinder's default filters
    r.size_gb = 1 << 20;  // 1 PiB: nobody has room
    auto none = f.engine->volumes().ExplainPlacement(f.admin, r);
    BS_REQUIRE_OK(none);
    CHECK(none->chosen.empty());
    CHECK(none->error.find("CapacityFilter removed 2 of 2") != std::string::npos);
    BS_CHECK_CODE(f.engine->volumes().ExplainPlacement(f.alice, r), Code::kPermissionDenied);
    auto listed = f.engine->volumes().List(f.admin, {.all_projects = true});
    BS_REQUIRE_OK(listed);
    CHECK(listed->empty());
    for (const auto& p : f.engine->Pools()) CHECK(p.reserved_gb == 0);
  }

  TEST_CASE("hints: same_host and different_host follow existing volumes") {
    Fixture f(0, 3);
    Volume first = f.Create(1);
    VolumeCreateRequest same;
    same.same_host = {first.id};
    CHECK(f.Create(1, same).host == first.host);
    VolumeCreateRequest apart;
    apart.different_host = {first.id};
    Volume other = f.Create(1, apart);
    CHECK(other.status == VS::kAvailable);
    CHECK(other.host != first.host);
    VolumeCreateRequest bad;
    bad.size_gb = 1;
    bad.same_host = {"../etc/passwd"};
    BS_CHECK_CODE(f.engine->volumes().Create(f.alice, bad), Code::kInvalidArgument);
    bad.same_host.clear();
    bad.query = "[\"frobnicate\", 1]";
    BS_CHECK_CODE(f.engine->volumes().Create(f.alice, bad), Code::kInvalidArgument);
  }

  TEST_CASE("garbage extra specs are refused when the type is written, naming the spec") {
    Fixture f(0, 1);
    auto bad = f.engine->types().Create(f.admin, {"t", "", true, {{"capabilities:x", "<all-in> a"}}});
    BS_CHECK_CODE(bad, Code::kInvalidArgument);
    CHECK(bad.status().message().find("capabilities:x") != std::string::npos);
    auto t = f.engine->types().Create(f.admin, {"t", "", true, {}});
    BS_REQUIRE_OK(t);
    for (const auto& kv : std::vector<std::pair<std::string, std::string>>{
             {"provisioning:type", "maybe"}, {"iops", ">= many"}, {"multiattach", "<is> perhaps"}}) {
      const std::string &k = kv.first, &v = kv.second;
      CAPTURE(k);
      BS_CHECK_CODE(f.engine->types().SetExtraSpecs(f.admin, t->id, {{k, v}}),
                    Code::kInvalidArgument);
    }
    CHECK(f.engine->types().Get(f.admin, t->id)->extra_specs.empty());
  }

  TEST_CASE("a type the pools cannot satisfy fails the volume with the reason") {
    Fixture f(0, 1);
    BS_REQUIRE_OK(f.engine->types().Create(f.admin, {"gold", "", true, {{"capabilities:tier", "gold"}}}));
    EventLog log(*f.engine);
    VolumeCreateRequest r;
    r.volume_type = "gold";
    Volume v = f.Create(1, r);
    CHECK(v.status == VS::kError);
    const std::string message = log.Message("volume.create.error");
    CHECK(message.find("CapabilitiesFilter removed 1 of 1") != std::string::npos);
    CHECK(message.find("does not report capability capabilities:tier") != std::string::npos);
  }

  TEST_CASE("extends and snapshots pass the capacity check of the volume's own pool") {
    TempDir dir;
    EngineConfig c = BasicConfig(dir.path());
    // A thick pool: snapshots and growth consume real room.
    c.backends = {{"thick", "file", "thick",
                   {{"volumes_dir", dir / "thick"}, {"max_over_subscription_ratio", "1.0"}}}};
    c.stats_interval = std::chrono::milliseconds(0);
    auto e = Engine::Open(c);
    BS_REQUIRE_OK(e);
    auto& engine = **e;
    auto admin = RequestContext::Admin();
    auto alice = RequestContext::User("alice");
    BS_REQUIRE_OK(engine.quotas().Update(admin, "alice", {{"gigabytes", -1}}));
    const auto total = static_cast<int64_t>(engine.Pools()[0].stats.total_capacity_gb.gb);
    const int64_t big = total * 6 / 10;
    VolumeCreateRequest r;
    r.size_gb = big;
    auto v = engine.volumes().Create(alice, r);
    BS_REQUIRE_OK(v);
    auto done = engine.WaitForVolume(alice, v->id, {VS::kAvailable, VS::kError}, kWait);
    BS_REQUIRE_OK(done);
    REQUIRE(done->status == VS::kAvailable);

    EventLog log(engine);
    // Doubling does not fit on the pool: the volume goes back to available, quota rolled back.
    auto grow = engine.volumes().Extend(alice, v->id, big * 2);
    BS_REQUIRE_OK(grow);
    auto back = engine.WaitForVolume(alice, v->id, {VS::kAvailable, VS::kErrorExtending}, kWait);
    BS_REQUIRE_OK(back);
    CHECK(back->status == VS::kAvailable);
    CHECK(back->size_gb == static_cast<uint64_t>(big));
    CHECK(engine.quotas().Get(admin, "alice")->resources["gigabytes"].in_use == big);
    CHECK(engine.quotas().Get(admin, "alice")->resources["gigabytes"].reserved == 0);
    // A snapshot the size of the volume does not fit either.
    auto snap = engine.snapshots().Create(alice, {v->id, "s", "", false, {}});
    BS_REQUIRE_OK(snap);
    auto failed = engine.WaitForSnapshot(alice, snap->id, {SnapshotStatus::kAvailable, SnapshotStatus::kError}, kWait);
    BS_REQUIRE_OK(failed);
    CHECK(failed->status == SnapshotStatus::kError);
    CHECK(log.Message("volume.resize.error").find("resource_exhausted: No valid backend was found for extending by") != std::string::npos);
    CHECK(log.Message("snapshot.create.error").find("resource_exhausted: No valid backend was found for a") != std::string::npos);
  }
}
