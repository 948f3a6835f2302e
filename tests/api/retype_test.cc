// Retype (Cinder's os-retype) over two file backends: in place when the volume's backend serves
// the new type, by a migration with migration_policy on-demand, refused with never; the
// per-type quota moves with the type; bad requests change nothing.
#include <filesystem>

#include "lib/core/macros.hpp"
#include "tests/support/engine_fixture.hpp"

using namespace blockstore;
using namespace blockstore::testing;

namespace {

using VS = VolumeStatus;

constexpr uint64_t kMiB = 1 << 20;

struct Fixture : EngineFixture {
  Fixture() : EngineFixture(Later{}) {
    Open([this](EngineConfig& c) {
      c.backends = {{"a", "file", "a", {{"volumes_dir", dir / "a"}}},
                    {"b", "file", "b", {{"volumes_dir", dir / "b"}}}};
    });
    for (const auto& [name, specs] : std::vector<std::pair<std::string, Metadata>>{
             {"gold", {}}, {"silver", {}}, {"on-a", {{"volume_backend_name", "a"}}},
             {"on-b", {{"volume_backend_name", "b"}}}}) {
      auto t = engine->types().Create(admin, {name, "", true, specs});
      REQUIRE_MESSAGE(t.ok(), t.status().ToString());
    }
  }
  Volume Typed(const std::string& type) {
    VolumeCreateRequest r;
    r.volume_type = type;
    return Available(alice, 2, r);
  }
  std::string TypeId(const std::string& name) { return engine->types().Get(admin, name)->id; }
};

}  // namespace

TEST_SUITE("retype") {
  TEST_CASE("in place: the type and its per-type quota change; the volume stays where it is") {
    Fixture f;
    Volume v = f.Typed("gold");
    auto done = f.engine->volumes().Retype(f.alice, v.id, "silver");
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
    CHECK(done->status == VS::kAvailable);
    CHECK(done->volume_type_id == f.TypeId("silver"));
    CHECK(done->host == v.host);
    CHECK(f.Usage("alice", "volumes_gold").in_use == 0);
    CHECK(f.Usage("alice", "gigabytes_gold").in_use == 0);
    CHECK(f.Usage("alice", "volumes_silver").in_use == 1);
    CHECK(f.Usage("alice", "gigabytes_silver").in_use == 2);
    CHECK(f.Usage("alice", "volumes").in_use == 1);
    CHECK(f.Usage("alice", "gigabytes").in_use == 2);
  }

  TEST_CASE("a backend that does not serve the new type: refused with never, migrated with on-demand") {
    Fixture f;
    Volume v = f.Typed("on-a");
    REQUIRE(v.host == "testhost@a#a");
    WritePattern(f.dir / ("a/volume-" + v.id), 3 * kMiB, kMiB, 5);
    const std::string data = ReadRange(f.dir / ("a/volume-" + v.id), 3 * kMiB, kMiB);
    const std::string before = f.State();
    auto never = f.engine->volumes().Retype(f.alice, v.id, "on-b");
    BS_CHECK_CODE(never, Code::kInvalidArgument);
    CHECK(never.status().message().find("CapabilitiesFilter") != std::string::npos);
    CHECK(never.status().message().find("migration_policy") != std::string::npos);
    CHECK(f.State() == before);
    auto moving = f.engine->volumes().Retype(f.alice, v.id, "on-b", "on-demand");
    REQUIRE_MESSAGE(moving.ok(), moving.status().ToString());
    CHECK(moving->status == VS::kMaintenance);
    CHECK(moving->migration_host == "testhost@b#b");
    Volume done = f.Settled(v.id);
    CHECK(done.host == "testhost@b#b");
    CHECK(done.volume_type_id == f.TypeId("on-b"));
    CHECK(done.migration_status == "success");
    CHECK(done.migration_type_id.empty());
    CHECK(ReadRange(f.dir / ("b/volume-" + v.id), 3 * kMiB, kMiB) == data);
    CHECK(!std::filesystem::exists(f.dir / ("a/volume-" + v.id)));
    CHECK(f.Usage("alice", "volumes_on-a").in_use == 0);
    CHECK(f.Usage("alice", "gigabytes_on-b").in_use == 2);
  }

  TEST_CASE("bad requests are refused and change nothing") {
    Fixture f;
    Volume v = f.Typed("gold");
    const std::string before = f.State();
    auto& vols = f.engine->volumes();
    BS_CHECK_CODE(vols.Retype(f.alice, v.id, "gold"), Code::kInvalidArgument);
    BS_CHECK_CODE(vols.Retype(f.alice, v.id, ""), Code::kInvalidArgument);
    BS_CHECK_CODE(vols.Retype(f.alice, v.id, "platinum"), Code::kNotFound);
    BS_CHECK_CODE(vols.Retype(f.alice, v.id, "silver", "sometimes"), Code::kInvalidArgument);
    BS_CHECK_CODE(vols.Retype(f.bob, v.id, "silver"), Code::kNotFound);
    CHECK(f.State() == before);
    // The new type's own quota is full.
    BS_REQUIRE_OK(f.engine->quotas().Update(f.admin, "alice", {{"volumes_silver", 0}}));
    const std::string with_limit = f.State();
    BS_CHECK_CODE(vols.Retype(f.alice, v.id, "silver"), Code::kResourceExhausted);
    CHECK(f.State() == with_limit);
    CHECK(f.Get(f.alice, v.id).status == VS::kAvailable);
    BS_REQUIRE_OK(f.engine->quotas().Update(f.admin, "alice", {{"volumes_silver", -1}}));
    // Not from error; not a volume with snapshots when it must migrate.
    Volume other = f.Typed("on-a");
    f.AvailableSnapshot(f.alice, other.id);
    BS_CHECK_CODE(vols.Retype(f.alice, other.id, "on-b", "on-demand"), Code::kFailedPrecondition);
    BS_REQUIRE_OK(vols.ResetStatus(f.admin, v.id, VS::kError));
    BS_CHECK_CODE(vols.Retype(f.alice, v.id, "silver"), Code::kFailedPrecondition);
  }
}
