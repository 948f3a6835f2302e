// The one engine fixture of the C++ tests: an engine on a fresh directory (BasicConfig, which a
// test may adjust before it opens), three callers, and the steps most tests take.
#ifndef BLOCKSTORE_TESTS_SUPPORT_ENGINE_FIXTURE_HPP
#define BLOCKSTORE_TESTS_SUPPORT_ENGINE_FIXTURE_HPP

#include <functional>

#include "tests/support/test_support.hpp"

namespace blockstore::testing {

using ConfigAdjust = std::function<void(EngineConfig&)>;

struct EngineFixture {
  TempDir dir;
  std::unique_ptr<Engine> engine;
  RequestContext alice = RequestContext::User("alice");
  RequestContext bob = RequestContext::User("bob");
  RequestContext admin = RequestContext::Admin();

  // Opens at once; `adjust` changes BasicConfig(dir) first.
  explicit EngineFixture(const ConfigAdjust& adjust = {}) { Open(adjust); }
  // For fixtures whose own members the configuration refers to: they call Open themselves.
  struct Later {};
  explicit EngineFixture(Later) {}

  void Open(const ConfigAdjust& adjust = {}) {
    EngineConfig config = BasicConfig(dir.path());
    if (adjust) adjust(config);
    auto e = Engine::Open(std::move(config));
    REQUIRE_MESSAGE(e.ok(), e.status().ToString());
    engine = std::move(e).value();
  }
  // Closes the engine and opens another on the same directory.
  void Reopen(const ConfigAdjust& adjust = {}) {
    engine.reset();
    Open(adjust);
  }

  // A volume created and waited for: it must become available.
  Volume Available(const RequestContext& ctx, int64_t gb, VolumeCreateRequest r = {}) {
    r.size_gb = gb;
    auto v = engine->volumes().Create(ctx, r);
    REQUIRE_MESSAGE(v.ok(), v.status().ToString());
    CHECK(v->status == VolumeStatus::kCreating);
    auto done = engine->WaitForVolume(ctx, v->id, {VolumeStatus::kAvailable, VolumeStatus::kError}, kWait);
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
    REQUIRE_MESSAGE(done->status == VolumeStatus::kAvailable, done->id);
    return *done;
  }
  Snapshot AvailableSnapshot(const RequestContext& ctx, const std::string& volume_id,
                             const std::string& name = "s") {
    auto s = engine->snapshots().Create(ctx, {volume_id, name, "", false, {}});
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    CHECK(s->status == SnapshotStatus::kCreating);
    auto done = engine->WaitForSnapshot(ctx, s->id, {SnapshotStatus::kAvailable, SnapshotStatus::kError}, kWait);
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
    REQUIRE(done->status == SnapshotStatus::kAvailable);
    return *done;
  }
  // The volume once it is available or error (read as an admin).
  Volume Settled(const std::string& id) {
    auto v = engine->WaitForVolume(admin, id, {VolumeStatus::kAvailable, VolumeStatus::kError}, kWait);
    REQUIRE_MESSAGE(v.ok(), v.status().ToString());
    return *v;
  }
  Volume Get(const RequestContext& ctx, const std::string& id) {
    auto v = engine->volumes().Get(ctx, id);
    REQUIRE_MESSAGE(v.ok(), v.status().ToString());
    return *v;
  }
  QuotaUsage Usage(const std::string& project, std::string_view resource) {
    return engine->quotas().Get(admin, project)->resources[std::string(resource)];
  }
  std::string State() { return ObservableState(*engine, {"alice", "bob"}, dir / "volumes"); }
  std::string VolumeFile(const std::string& id) { return dir / ("volumes/volume-" + id); }
};

}  // namespace blockstore::testing

#endif  // BLOCKSTORE_TESTS_SUPPORT_ENGINE_FIXTURE_HPP
