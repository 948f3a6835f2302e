// Volume migration between two file backends (Cinder's os-migrate_volume, host-assisted): the
// data arrives whole and sparse, the record moves, the source's copy goes; bad requests change
// nothing; a destination that fails leaves the volume where it was; a migration a restart
// interrupted runs again.
#include <filesystem>
#include <fstream>

#include "blockstore/file_driver.hpp"
#include "lib/core/macros.hpp"
#include "tests/support/engine_fixture.hpp"

using namespace blockstore;
using namespace blockstore::testing;

namespace {

using VS = VolumeStatus;

constexpr uint64_t kMiB = 1 << 20;

// The file driver, except that it cannot make volumes: a destination that fails.
class CannotCreate final : public VolumeDriver {
 public:
  explicit CannotCreate(std::unique_ptr<VolumeDriver> inner) : inner_(std::move(inner)) {}
  Status Initialize() override { return inner_->Initialize(); }
  std::string DefaultPool() const override { return inner_->DefaultPool(); }
  Status CreateVolume(const Volume&) override { return Unavailable("this backend is out of order"); }
  Status CreateVolumeFromSnapshot(const Volume&, const Snapshot&) override { return Unavailable("out of order"); }
  Status CreateClonedVolume(const Volume&, const Volume&) override { return Unavailable("out of order"); }
  Status DeleteVolume(const Volume& v) override { return inner_->DeleteVolume(v); }
  Status ExtendVolume(const Volume& v, uint64_t gb) override { return inner_->ExtendVolume(v, gb); }
  Status CreateSnapshot(const Snapshot& s, const Volume& v) override { return inner_->CreateSnapshot(s, v); }
  Status DeleteSnapshot(const Snapshot& s) override { return inner_->DeleteSnapshot(s); }
  Result<uint64_t> VolumeSizeBytes(const Volume& v) override { return inner_->VolumeSizeBytes(v); }
  Result<std::unique_ptr<BlockDevice>> OpenVolume(const Volume& v) override { return inner_->OpenVolume(v); }
  Result<BackendStats> GetStats() override { return inner_->GetStats(); }

 private:
  std::unique_ptr<VolumeDriver> inner_;
};

struct Fixture : EngineFixture {
  Fixture() : EngineFixture(Later{}) { Open(Config()); }
  ConfigAdjust Config() {
    return [this](EngineConfig& c) {
      c.register_drivers = [](DriverRegistry& r) -> Status {
        return r.Register("broken", [](const BackendConfig& b) -> Result<std::unique_ptr<VolumeDriver>> {
          DriverRegistry files;
          BS_RETURN_IF_ERROR(RegisterFileDriver(files));
          BackendConfig as_file = b;
          as_file.driver = "file";
          BS_ASSIGN_OR_RETURN(auto inner, files.Create(as_file));
          return std::unique_ptr<VolumeDriver>(new CannotCreate(std::move(inner)));
        });
      };
      c.backends = {{"a", "file", "a", {{"volumes_dir", dir / "a"}}},
                    {"b", "file", "b", {{"volumes_dir", dir / "b"}}},
                    {"c", "broken", "c", {{"volumes_dir", dir / "c"}}}};
    };
  }
  // A volume on a or b, wherever the scheduler puts it (c cannot make volumes).
  Volume Placed(int64_t gb) { return Available(alice, gb); }
  static std::string BackendOf(const Volume& v) { return v.host == "testhost@a#a" ? "a" : "b"; }
  static std::string Other(const Volume& v) { return BackendOf(v) == "a" ? "b" : "a"; }
  static std::string Pool(const std::string& backend) { return "testhost@" + backend + "#" + backend; }
  std::string File(const std::string& backend, const std::string& id) {
    return dir / (backend + "/volume-" + id);
  }
  void Migrate(const std::string& id, const std::string& host, bool force_host_copy = false) {
    auto started = engine->volumes().Migrate(admin, id, host, force_host_copy);
    REQUIRE_MESSAGE(started.ok(), started.status().ToString());
  }
};

}  // namespace

TEST_SUITE("migrate") {
  TEST_CASE("a host-assisted migration moves the data, sparse, and the record; the source's copy goes") {
    Fixture f;
    Volume v = f.Placed(1);
    const std::string from = Fixture::BackendOf(v), to = Fixture::Other(v);
    WritePattern(f.File(from, v.id), 0, kMiB, 7);
    WritePattern(f.File(from, v.id), 700 * kMiB, 3 * kMiB, 8);
    const std::string head = ReadRange(f.File(from, v.id), 0, kMiB);
    const std::string middle = ReadRange(f.File(from, v.id), 700 * kMiB, 3 * kMiB);
    const auto before = f.Usage("alice", "gigabytes");
    auto started = f.engine->volumes().Migrate(f.admin, v.id, Fixture::Pool(to));
    REQUIRE_MESSAGE(started.ok(), started.status().ToString());
    CHECK(started->status == VS::kMaintenance);
    CHECK(started->migration_status == "starting");
    Volume done = f.Settled(v.id);
    CHECK(done.status == VS::kAvailable);
    CHECK(done.host == Fixture::Pool(to));
    CHECK(done.migration_status == "success");
    CHECK(done.migration_host.empty());
    CHECK(ReadRange(f.File(to, v.id), 0, kMiB) == head);
    CHECK(ReadRange(f.File(to, v.id), 700 * kMiB, 3 * kMiB) == middle);
    CHECK(ReadRange(f.File(to, v.id), 100 * kMiB, kMiB) == std::string(kMiB, '\0'));
    CHECK(AllocatedBytes(f.File(to, v.id)) <= 5 * kMiB);  // holes stay holes
    CHECK(!std::filesystem::exists(f.File(from, v.id)));
    CHECK(f.Usage("alice", "gigabytes").in_use == before.in_use);
    // It lives on b now: it can be extended and deleted there.
    BS_REQUIRE_OK(f.engine->volumes().Extend(f.alice, v.id, 2));
    CHECK(f.Settled(v.id).size_gb == 2);
    BS_REQUIRE_OK(f.engine->volumes().Delete(f.alice, v.id));
    BS_REQUIRE_OK(f.engine->WaitForVolumeDeleted(f.alice, v.id, kWait));
    CHECK(!std::filesystem::exists(f.File(to, v.id)));
  }

  TEST_CASE("bad requests are refused and change nothing") {
    Fixture f;
    Volume v = f.Placed(1);
    Volume with_snap = f.Placed(1);
    f.AvailableSnapshot(f.alice, with_snap.id);
    const std::string before = f.State();
    auto& vols = f.engine->volumes();
    BS_CHECK_CODE(vols.Migrate(f.alice, v.id, Fixture::Pool(Fixture::Other(v))), Code::kPermissionDenied);
    BS_CHECK_CODE(vols.Migrate(f.admin, v.id, v.host), Code::kInvalidArgument);
    BS_CHECK_CODE(vols.Migrate(f.admin, v.id, "testhost@nowhere#x"), Code::kInvalidArgument);
    BS_CHECK_CODE(vols.Migrate(f.admin, v.id, ""), Code::kInvalidArgument);
    BS_CHECK_CODE(vols.Migrate(f.admin, v.id, "bad\x01host"), Code::kInvalidArgument);
    BS_CHECK_CODE(vols.Migrate(f.admin, "9b1d0000-0000-4000-8000-000000000000", "testhost@b#b"), Code::kNotFound);
    BS_CHECK_CODE(vols.Migrate(f.admin, with_snap.id, Fixture::Pool(Fixture::Other(with_snap))),
                  Code::kFailedPrecondition);
    CHECK(f.State() == before);
    // A pool the volume's type does not fit, named with the filter's reason.
    BS_REQUIRE_OK(f.engine->types().Create(f.admin, {"on-a", "", true, {{"volume_backend_name", "a"}}}));
    VolumeCreateRequest pinned;
    pinned.volume_type = "on-a";
    Volume typed = f.Available(f.alice, 1, pinned);
    const std::string with_type = f.State();
    auto refused = vols.Migrate(f.admin, typed.id, "testhost@b#b");
    BS_CHECK_CODE(refused, Code::kInvalidArgument);
    CHECK(refused.status().message().find("CapabilitiesFilter") != std::string::npos);
    CHECK(f.State() == with_type);
    BS_REQUIRE_OK(vols.ResetStatus(f.admin, v.id, VS::kError));
    BS_CHECK_CODE(vols.Migrate(f.admin, v.id, Fixture::Pool(Fixture::Other(v))), Code::kFailedPrecondition);
    CHECK(f.Get(f.admin, v.id).migration_status.empty());
  }

  TEST_CASE("the backend alone names its pool") {
    Fixture f;
    Volume v = f.Placed(1);
    f.Migrate(v.id, "testhost@" + Fixture::Other(v));
    CHECK(f.Settled(v.id).host == Fixture::Pool(Fixture::Other(v)));
  }

  TEST_CASE("a destination that fails leaves the volume where it was, with migration_status error") {
    Fixture f;
    Volume v = f.Placed(1);
    const std::string from = Fixture::BackendOf(v), to = Fixture::Other(v);
    WritePattern(f.File(from, v.id), 0, kMiB, 3);
    const std::string head = ReadRange(f.File(from, v.id), 0, kMiB);
    f.Migrate(v.id, "testhost@c#c", /*force_host_copy=*/true);
    Volume after = f.Settled(v.id);
    CHECK(after.status == VS::kAvailable);
    CHECK(after.host == v.host);
    CHECK(after.migration_status == "error");
    CHECK(ReadRange(f.File(from, v.id), 0, kMiB) == head);
    CHECK(!std::filesystem::exists(f.File("c", v.id)));
    // It can migrate again, elsewhere.
    f.Migrate(v.id, Fixture::Pool(to));
    CHECK(f.Settled(v.id).host == Fixture::Pool(to));
    CHECK(ReadRange(f.File(to, v.id), 0, kMiB) == head);
  }

  TEST_CASE("a migration a restart interrupted runs again: no half-migrated volume") {
    Fixture f;
    Volume v = f.Placed(1);
    const std::string from = Fixture::BackendOf(v), to = Fixture::Other(v);
    WritePattern(f.File(from, v.id), 5 * kMiB, 2 * kMiB, 11);
    const std::string data = ReadRange(f.File(from, v.id), 5 * kMiB, 2 * kMiB);
    f.engine.reset();
    {
      // What a crash mid-copy leaves: the volume in maintenance, migrating to b, and a part of
      // the copy on b (here: garbage where the data goes).
      auto store = OpenStoreOf(f.dir.path());
      BS_REQUIRE_OK(store.status());
      VolumeTransition t;
      t.from = {VS::kAvailable};
      t.to = VS::kMaintenance;
      t.save_previous_status = true;
      t.migration_status = "migrating";
      t.migration_host = Fixture::Pool(to);
      auto moved = (*store)->volumes().Transition(v.id, t);
      REQUIRE_MESSAGE(moved.ok(), moved.status().ToString());
    }
    std::filesystem::create_directories(f.dir / to);
    { std::ofstream(f.File(to, v.id)).flush(); }
    std::filesystem::resize_file(f.File(to, v.id), 1ULL << 30);
    WritePattern(f.File(to, v.id), 5 * kMiB, kMiB, 99);
    f.Open(f.Config());
    Volume done = f.Settled(v.id);
    CHECK(done.host == Fixture::Pool(to));
    CHECK(done.migration_status == "success");
    CHECK(ReadRange(f.File(to, v.id), 5 * kMiB, 2 * kMiB) == data);
    CHECK(!std::filesystem::exists(f.File(from, v.id)));
    CHECK(f.engine->volumes().Get(f.admin, v.id)->size_gb == 1);
  }
}
