// Revert to snapshot (Cinder's 3.40) through the engine on the file driver: the latest
// snapshot only, of the volume's size; bad input refused with nothing changed; the copy through
// block devices for drivers without a revert of their own; a revert a restart interrupted run
// again.
#include <condition_variable>
#include <mutex>

#include "blockstore/file_driver.hpp"
#include "lib/core/macros.hpp"
#include "tests/support/engine_fixture.hpp"

using namespace blockstore;
using namespace blockstore::testing;

namespace {

using VS = VolumeStatus;
using SS = SnapshotStatus;

constexpr uint64_t kMiB = 1 << 20;

// The file driver with its own revert, its snapshot devices, or both hidden: as a driver that
// does not offer them.
class WithoutRevert final : public VolumeDriver {
 public:
  WithoutRevert(std::unique_ptr<VolumeDriver> inner, bool can_open_snapshots)
      : inner_(std::move(inner)), can_open_snapshots_(can_open_snapshots) {}
  Status Initialize() override { return inner_->Initialize(); }
  std::string DefaultPool() const override { return inner_->DefaultPool(); }
  Status CreateVolume(const Volume& v) override { return inner_->CreateVolume(v); }
  Status CreateVolumeFromSnapshot(const Volume& v, const Snapshot& s) override {
    return inner_->CreateVolumeFromSnapshot(v, s);
  }
  Status CreateClonedVolume(const Volume& v, const Volume& s) override { return inner_->CreateClonedVolume(v, s); }
  Status DeleteVolume(const Volume& v) override { return inner_->DeleteVolume(v); }
  Status ExtendVolume(const Volume& v, uint64_t gb) override { return inner_->ExtendVolume(v, gb); }
  Status CreateSnapshot(const Snapshot& s, const Volume& v) override { return inner_->CreateSnapshot(s, v); }
  Status DeleteSnapshot(const Snapshot& s) override { return inner_->DeleteSnapshot(s); }
  Result<uint64_t> VolumeSizeBytes(const Volume& v) override { return inner_->VolumeSizeBytes(v); }
  Result<std::unique_ptr<BlockDevice>> OpenVolume(const Volume& v) override { return inner_->OpenVolume(v); }
  Result<std::unique_ptr<BlockDevice>> OpenSnapshot(const Snapshot& s) override {
    if (!can_open_snapshots_) return VolumeDriver::OpenSnapshot(s);
    return inner_->OpenSnapshot(s);
  }
  Result<BackendStats> GetStats() override { return inner_->GetStats(); }

 private:
  std::unique_ptr<VolumeDriver> inner_;
  bool can_open_snapshots_;
};

struct Fixture : EngineFixture {
  // `driver`: "file", or "plain" (no revert of its own), or "blind" (neither revert nor
  // snapshot devices).
  explicit Fixture(const std::string& driver = "file") : EngineFixture(Later{}) {
    Open([&](EngineConfig& c) {
      c.register_drivers = [](DriverRegistry& r) -> Status {
        for (const char* name : {"plain", "blind"}) {
          const bool open = std::string(name) == "plain";
          BS_RETURN_IF_ERROR(r.Register(name, [open](const BackendConfig& b) -> Result<std::unique_ptr<VolumeDriver>> {
            DriverRegistry files;
            BS_RETURN_IF_ERROR(RegisterFileDriver(files));
            BackendConfig as_file = b;
            as_file.driver = "file";
            BS_ASSIGN_OR_RETURN(auto inner, files.Create(as_file));
            return std::unique_ptr<VolumeDriver>(new WithoutRevert(std::move(inner), open));
          }));
        }
        return Status::Ok();
      };
      c.backends = {{"file", driver, "", {{"volumes_dir", dir / "volumes"}}}};
    });
  }
  Volume Revert(const std::string& volume, const std::string& snapshot, VS expect = VS::kAvailable) {
    auto r = engine->volumes().RevertToSnapshot(alice, volume, snapshot);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    CHECK(r->status == VS::kReverting);
    auto done = engine->WaitForVolume(alice, volume, {VS::kAvailable, VS::kError}, kWait);
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
    CHECK(done->status == expect);
    return *done;
  }
};

#define BS_CHECK_REFUSED(call, code)         \
  do {                                       \
    const std::string before = f.State();    \
    BS_CHECK_CODE((call), code);             \
    CHECK(f.State() == before);              \
  } while (0)

}  // namespace

TEST_SUITE("revert") {
  TEST_CASE("a volume reverts to its latest snapshot: its data back, both available again") {
    Fixture f;
    Volume v = f.Available(f.alice, 1);
    WritePattern(f.VolumeFile(v.id), 0, kMiB, 1);
    Snapshot s1 = f.AvailableSnapshot(f.alice, v.id, "s1");
    WritePattern(f.VolumeFile(v.id), 0, kMiB, 2);
    WritePattern(f.VolumeFile(v.id), 100 * kMiB, kMiB, 2);
    Snapshot s2 = f.AvailableSnapshot(f.alice, v.id, "s2");
    const std::string at_s2 = ReadRange(f.VolumeFile(v.id), 0, 101 * kMiB);
    WritePattern(f.VolumeFile(v.id), 0, kMiB, 3);
    WritePattern(f.VolumeFile(v.id), 500 * kMiB, kMiB, 3);  // where s2 has a hole
    std::vector<std::string> events;
    std::mutex mu;
    f.engine->Subscribe([&](const Event& e) {
      std::lock_guard lock(mu);
      if (e.type.starts_with("volume.revert")) events.push_back(e.type);
    });
    // Only the latest: s1 is refused, nothing changes.
    BS_CHECK_REFUSED(f.engine->volumes().RevertToSnapshot(f.alice, v.id, s1.id), Code::kFailedPrecondition);
    const uint64_t charged = f.Usage("alice", kQuotaGigabytes).in_use;  // the volume and its snapshots
    f.Revert(v.id, s2.id);
    CHECK(ReadRange(f.VolumeFile(v.id), 0, 101 * kMiB) == at_s2);
    CHECK(ReadRange(f.VolumeFile(v.id), 500 * kMiB, kMiB) == std::string(kMiB, '\0'));
    CHECK(f.engine->snapshots().Get(f.alice, s2.id)->status == SS::kAvailable);
    CHECK(f.Usage("alice", kQuotaGigabytes).in_use == charged);  // a revert charges nothing
    std::lock_guard lock(mu);
    CHECK(events == std::vector<std::string>{"volume.revert.start", "volume.revert.end"});
  }

  TEST_CASE("bad input is refused and changes nothing") {
    Fixture f;
    Volume v = f.Available(f.alice, 1);
    Volume other = f.Available(f.alice, 1);
    Snapshot s = f.AvailableSnapshot(f.alice, v.id);
    Snapshot of_other = f.AvailableSnapshot(f.alice, other.id);
    auto& vols = f.engine->volumes();
    BS_CHECK_REFUSED(vols.RevertToSnapshot(f.alice, v.id, of_other.id), Code::kInvalidArgument);
    BS_CHECK_REFUSED(vols.RevertToSnapshot(f.alice, v.id, "not-a-uuid"), Code::kNotFound);
    BS_CHECK_REFUSED(vols.RevertToSnapshot(f.alice, v.id, "3e7c9b8e-1111-4222-8333-944455556666"), Code::kNotFound);
    BS_CHECK_REFUSED(vols.RevertToSnapshot(f.bob, v.id, s.id), Code::kNotFound);  // not bob's
    // Grown since the snapshot: Cinder's rule, the sizes must match.
    auto extending = vols.Extend(f.alice, v.id, 2);
    BS_REQUIRE_OK(extending.status());
    auto extended = f.engine->WaitForVolume(f.alice, v.id, {VS::kAvailable}, kWait);
    BS_REQUIRE_OK(extended.status());
    BS_CHECK_REFUSED(vols.RevertToSnapshot(f.alice, v.id, s.id), Code::kInvalidArgument);
    // Not available: refused.
    Snapshot s2 = f.AvailableSnapshot(f.alice, other.id, "later");
    auto reset = vols.ResetStatus(f.admin, other.id, VS::kError);
    BS_REQUIRE_OK(reset.status());
    BS_CHECK_REFUSED(vols.RevertToSnapshot(f.alice, other.id, s2.id), Code::kFailedPrecondition);
  }

  TEST_CASE("a driver without a revert: the snapshot copied through block devices") {
    Fixture f("plain");
    Volume v = f.Available(f.alice, 1);
    WritePattern(f.VolumeFile(v.id), 3 * kMiB, 2 * kMiB, 1);
    Snapshot s = f.AvailableSnapshot(f.alice, v.id);
    const std::string at_s = ReadRange(f.VolumeFile(v.id), 0, 8 * kMiB);
    WritePattern(f.VolumeFile(v.id), 4 * kMiB, 3 * kMiB, 2);
    WritePattern(f.VolumeFile(v.id), 700 * kMiB, kMiB, 2);
    f.Revert(v.id, s.id);
    CHECK(ReadRange(f.VolumeFile(v.id), 0, 8 * kMiB) == at_s);
    CHECK(ReadRange(f.VolumeFile(v.id), 700 * kMiB, kMiB) == std::string(kMiB, '\0'));
  }

  TEST_CASE("a driver that can neither revert nor open snapshots: the volume stays as it was") {
    Fixture f("blind");
    Volume v = f.Available(f.alice, 1);
    Snapshot s = f.AvailableSnapshot(f.alice, v.id);
    WritePattern(f.VolumeFile(v.id), 0, kMiB, 5);
    const std::string now = ReadRange(f.VolumeFile(v.id), 0, kMiB);
    f.Revert(v.id, s.id, VS::kAvailable);
    CHECK(ReadRange(f.VolumeFile(v.id), 0, kMiB) == now);
    CHECK(f.engine->snapshots().Get(f.alice, s.id)->status == SS::kAvailable);
  }

  TEST_CASE("a revert a restart interrupted runs again") {
    Fixture f;
    Volume v = f.Available(f.alice, 1);
    WritePattern(f.VolumeFile(v.id), 0, kMiB, 1);
    Snapshot s = f.AvailableSnapshot(f.alice, v.id);
    const std::string at_s = ReadRange(f.VolumeFile(v.id), 0, kMiB);
    WritePattern(f.VolumeFile(v.id), 0, kMiB, 2);
    f.engine.reset();
    {
      // What a crash between the statuses and the driver leaves: reverting and restoring.
      auto store = OpenStoreOf(f.dir.path());
      BS_REQUIRE_OK(store.status());
      VolumeTransition vt;
      vt.from = {VS::kAvailable};
      vt.to = VS::kReverting;
      auto reverting = (*store)->volumes().Transition(v.id, vt);
      BS_REQUIRE_OK(reverting.status());
      SnapshotTransition st;
      st.from = {SS::kAvailable};
      st.to = SS::kRestoring;
      auto restoring = (*store)->snapshots().Transition(s.id, st);
      BS_REQUIRE_OK(restoring.status());
    }
    f.Open();
    auto done = f.engine->WaitForVolume(f.alice, v.id, {VS::kAvailable, VS::kError}, kWait);
    BS_REQUIRE_OK(done.status());
    CHECK(done->status == VS::kAvailable);
    CHECK(ReadRange(f.VolumeFile(v.id), 0, kMiB) == at_s);
    CHECK(f.engine->snapshots().Get(f.alice, s.id)->status == SS::kAvailable);
  }
}
