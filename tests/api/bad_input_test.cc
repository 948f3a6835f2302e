// Bad input gets a clear error with the right code and leaves the store and the disk exactly
// as they were.
#include "lib/core/ids.hpp"
#include "tests/support/engine_fixture.hpp"

using namespace blockstore;
using namespace blockstore::testing;

namespace {
using VS = VolumeStatus;

VolumeCreateRequest Sized(int64_t gb) {
  VolumeCreateRequest r;
  r.size_gb = gb;
  return r;
}
}  // namespace

TEST_SUITE("bad input") {
  TEST_CASE("volume create: sizes, names, metadata, types, sources, zones") {
    EngineFixture f;
    auto v = f.Available(f.alice, 2);
    auto s = f.AvailableSnapshot(f.alice, v.id);
    const std::string before = f.State();

    struct Case {
      const char* what;
      VolumeCreateRequest request;
      Code code;
    };
    std::vector<Case> cases;
    cases.push_back({"size 0", Sized(0), Code::kInvalidArgument});
    cases.push_back({"negative size", Sized(-1), Code::kInvalidArgument});
    cases.push_back({"absurd size", Sized(int64_t{1} << 40), Code::kInvalidArgument});
    cases.push_back({"no size, no source", VolumeCreateRequest{}, Code::kInvalidArgument});
    auto long_name = Sized(1);
    long_name.name = std::string(256, 'n');
    cases.push_back({"name over 255", long_name, Code::kInvalidArgument});
    auto hostile = Sized(1);
    hostile.name = std::string("evil\0name", 9);
    cases.push_back({"name with NUL", hostile, Code::kInvalidArgument});
    auto newline = Sized(1);
    newline.description = "line1\nline2\x1b[31m";
    cases.push_back({"control characters", newline, Code::kInvalidArgument});
    auto big_meta = Sized(1);
    for (int i = 0; i < 200; ++i) big_meta.metadata["k" + std::to_string(i)] = "v";
    cases.push_back({"too much metadata", big_meta, Code::kInvalidArgument});
    auto long_value = Sized(1);
    long_value.metadata["k"] = std::string(1000, 'v');
    cases.push_back({"metadata value too long", long_value, Code::kInvalidArgument});
    auto no_type = Sized(1);
    no_type.volume_type = "platinum";
    cases.push_back({"unknown type", no_type, Code::kNotFound});
    auto no_snap = Sized(1);
    no_snap.snapshot_id = internal::NewUuid();
    cases.push_back({"unknown snapshot", no_snap, Code::kNotFound});
    auto bad_snap = Sized(1);
    bad_snap.snapshot_id = "not-a-uuid";
    cases.push_back({"malformed snapshot id", bad_snap, Code::kNotFound});  // as Cinder: 404
    auto no_src = Sized(1);
    no_src.source_volid = internal::NewUuid();
    cases.push_back({"unknown source volume", no_src, Code::kNotFound});
    auto both = Sized(2);
    both.snapshot_id = s.id;
    both.source_volid = v.id;
    cases.push_back({"snapshot and source", both, Code::kInvalidArgument});
    auto smaller = Sized(1);
    smaller.source_volid = v.id;
    cases.push_back({"smaller than source", smaller, Code::kInvalidArgument});
    auto zone = Sized(1);
    zone.availability_zone = "mars";
    cases.push_back({"unknown zone", zone, Code::kInvalidArgument});
    auto others = Sized(2);
    others.source_volid = v.id;
    for (auto& c : cases) {
      CAPTURE(c.what);
      BS_CHECK_CODE(f.engine->volumes().Create(f.alice, c.request), c.code);
    }
    // Another project's source is invisible.
    BS_CHECK_CODE(f.engine->volumes().Create(f.bob, others), Code::kNotFound);
    CHECK(f.State() == before);
  }

  TEST_CASE("over quota is resource_exhausted and changes nothing") {
    EngineFixture f;
    BS_REQUIRE_OK(f.engine->quotas().Update(f.admin, "alice", {{"volumes", 1}, {"gigabytes", 5}}));
    f.Available(f.alice, 1);
    const std::string before = f.State();
    auto too_many = f.engine->volumes().Create(f.alice, Sized(1));
    BS_CHECK_CODE(too_many, Code::kResourceExhausted);
    CHECK(too_many.status().message().find("volumes") != std::string::npos);
    CHECK(f.State() == before);
    BS_REQUIRE_OK(f.engine->quotas().Update(f.admin, "alice", {{"volumes", 5}}));
    const std::string before_gb = f.State();
    BS_CHECK_CODE(f.engine->volumes().Create(f.alice, Sized(5)), Code::kResourceExhausted);
    CHECK(f.State() == before_gb);
    BS_REQUIRE_OK(f.engine->quotas().Update(f.admin, "alice", {{"per_volume_gigabytes", 2}}));
    auto per = f.engine->volumes().Create(f.alice, Sized(3));
    BS_CHECK_CODE(per, Code::kResourceExhausted);
    CHECK(per.status().message().find("per-volume") != std::string::npos);
  }

  TEST_CASE("delete: transitional, with snapshots, unknown, malformed, another project's") {
    EngineFixture f;
    auto v = f.Available(f.alice, 1);
    auto s = f.AvailableSnapshot(f.alice, v.id);
    BS_REQUIRE_OK(f.engine->volumes().ResetStatus(f.admin, v.id, VS::kMaintenance));
    const std::string before = f.State();
    BS_CHECK_CODE(f.engine->volumes().Delete(f.alice, v.id), Code::kFailedPrecondition);
    BS_CHECK_CODE(f.engine->volumes().Delete(f.alice, v.id, {.cascade = true}), Code::kFailedPrecondition);
    BS_CHECK_CODE(f.engine->volumes().Delete(f.alice, internal::NewUuid()), Code::kNotFound);
    BS_CHECK_CODE(f.engine->volumes().Delete(f.alice, "../etc"), Code::kNotFound);
    BS_CHECK_CODE(f.engine->volumes().Delete(f.bob, v.id), Code::kNotFound);
    BS_CHECK_CODE(f.engine->volumes().Delete(f.alice, v.id, {.force = true}), Code::kPermissionDenied);
    CHECK(f.State() == before);
    BS_REQUIRE_OK(f.engine->volumes().ResetStatus(f.admin, v.id, VS::kAvailable));
    const std::string with_snap = f.State();
    BS_CHECK_CODE(f.engine->volumes().Delete(f.alice, v.id), Code::kFailedPrecondition);
    CHECK(f.State() == with_snap);
    (void)s;
  }

  TEST_CASE("extend: smaller, equal, absurd, wrong status") {
    EngineFixture f;
    auto v = f.Available(f.alice, 2);
    const std::string before = f.State();
    BS_CHECK_CODE(f.engine->volumes().Extend(f.alice, v.id, 1), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->volumes().Extend(f.alice, v.id, 2), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->volumes().Extend(f.alice, v.id, -4), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->volumes().Extend(f.alice, v.id, int64_t{1} << 50), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->volumes().Extend(f.alice, v.id, 5000), Code::kResourceExhausted);
    BS_CHECK_CODE(f.engine->volumes().Extend(f.bob, v.id, 3), Code::kNotFound);
    CHECK(f.State() == before);
    BS_REQUIRE_OK(f.engine->volumes().ResetStatus(f.admin, v.id, VS::kError));
    const std::string errored = f.State();
    BS_CHECK_CODE(f.engine->volumes().Extend(f.alice, v.id, 3), Code::kFailedPrecondition);
    CHECK(f.State() == errored);
  }

  TEST_CASE("snapshot: volume in the wrong status, unknown volume, bad names") {
    EngineFixture f;
    auto v = f.Available(f.alice, 1);
    BS_REQUIRE_OK(f.engine->volumes().ResetStatus(f.admin, v.id, VS::kError));
    const std::string before = f.State();
    BS_CHECK_CODE(f.engine->snapshots().Create(f.alice, {v.id, "s", "", false, {}}), Code::kFailedPrecondition);
    BS_CHECK_CODE(f.engine->snapshots().Create(f.alice, {internal::NewUuid(), "s", "", false, {}}), Code::kNotFound);
    BS_CHECK_CODE(f.engine->snapshots().Create(f.alice, {"", "s", "", false, {}}), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->snapshots().Create(f.alice, {v.id, std::string(300, 'x'), "", false, {}}), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->snapshots().Create(f.bob, {v.id, "s", "", false, {}}), Code::kNotFound);
    BS_CHECK_CODE(f.engine->snapshots().Delete(f.alice, internal::NewUuid()), Code::kNotFound);
    CHECK(f.State() == before);
  }

  TEST_CASE("update: bad fields change nothing") {
    EngineFixture f;
    auto v = f.Available(f.alice, 1);
    const std::string before = f.State();
    VolumeUpdate u;
    u.name = "fine";
    u.description = std::string(256, 'd');
    BS_CHECK_CODE(f.engine->volumes().Update(f.alice, v.id, u), Code::kInvalidArgument);
    VolumeUpdate m;
    m.metadata = Metadata{{"", "x"}};
    BS_CHECK_CODE(f.engine->volumes().Update(f.alice, v.id, m), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->volumes().Update(f.bob, v.id, VolumeUpdate{}), Code::kNotFound);
    CHECK(f.State() == before);
  }

  TEST_CASE("types, QoS and quotas: garbage and policy") {
    EngineFixture f;
    const std::string before = f.State();
    BS_CHECK_CODE(f.engine->types().Create(f.alice, {"t", "", true, {}}), Code::kPermissionDenied);
    BS_CHECK_CODE(f.engine->types().Create(f.admin, {"", "", true, {}}), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->types().Create(f.admin, {"__DEFAULT__", "", true, {}}), Code::kAlreadyExists);
    BS_CHECK_CODE(f.engine->types().Create(f.admin, {"t", "", true, {{"", "x"}}}), Code::kInvalidArgument);
    auto def = f.engine->types().GetDefault(f.admin);
    BS_REQUIRE_OK(def);
    BS_CHECK_CODE(f.engine->types().Delete(f.admin, def->id), Code::kFailedPrecondition);
    BS_CHECK_CODE(f.engine->quotas().Update(f.alice, "alice", {{"volumes", 100}}), Code::kPermissionDenied);
    BS_CHECK_CODE(f.engine->quotas().Update(f.admin, "alice", {{"volumes", -2}}), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->quotas().Update(f.admin, "alice", {{"unicorns", 1}}), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->quotas().Update(f.admin, "alice", {{"volumes", 5}, {"unicorns", 1}}), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->quotas().Get(f.alice, "bob"), Code::kPermissionDenied);
    BS_CHECK_CODE(f.engine->qos().Create(f.admin, {"q", "sideways", {}}), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->qos().Create(f.alice, {"q", "back-end", {}}), Code::kPermissionDenied);
    CHECK(f.State() == before);
  }

  TEST_CASE("a quota cannot drop below what is in use") {
    EngineFixture f;
    f.Available(f.alice, 3);
    BS_CHECK_CODE(f.engine->quotas().Update(f.admin, "alice", {{"gigabytes", 2}}), Code::kInvalidArgument);
    BS_REQUIRE_OK(f.engine->quotas().Update(f.admin, "alice", {{"gigabytes", 3}}));
  }

  TEST_CASE("a context without a project is refused") {
    EngineFixture f;
    RequestContext nobody;
    BS_CHECK_CODE(f.engine->volumes().Create(nobody, Sized(1)), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->volumes().List(nobody, {}), Code::kInvalidArgument);
  }
}
