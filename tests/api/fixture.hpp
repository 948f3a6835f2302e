// An engine on a fresh directory, with three callers, for the Api tests.
#ifndef BLOCKSTORE_TESTS_API_FIXTURE_HPP
#define BLOCKSTORE_TESTS_API_FIXTURE_HPP

#include "tests/support/test_support.hpp"

namespace blockstore::testing {

struct EngineFixture {
  TempDir dir;
  std::unique_ptr<Engine> engine;
  RequestContext alice = RequestContext::User("alice");
  RequestContext bob = RequestContext::User("bob");
  RequestContext admin = RequestContext::Admin();

  EngineFixture() {
    auto e = Engine::Open(BasicConfig(dir.path()));
    REQUIRE_MESSAGE(e.ok(), e.status().ToString());
    engine = std::move(e).value();
  }
  Volume Available(const RequestContext& ctx, int64_t gb) {
    VolumeCreateRequest r;
    r.size_gb = gb;
    auto v = engine->volumes().Create(ctx, r);
    REQUIRE_MESSAGE(v.ok(), v.status().ToString());
    auto done = engine->WaitForVolume(ctx, v->id, {VolumeStatus::kAvailable}, kWait);
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
    return *done;
  }
  Snapshot AvailableSnapshot(const RequestContext& ctx, const std::string& volume_id) {
    auto s = engine->snapshots().Create(ctx, {volume_id, "s", "", false, {}});
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    auto done = engine->WaitForSnapshot(ctx, s->id, {SnapshotStatus::kAvailable}, kWait);
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
    return *done;
  }
  std::string State() { return ObservableState(*engine, {"alice", "bob"}, dir / "volumes"); }
};

}  // namespace blockstore::testing

#endif  // BLOCKSTORE_TESTS_API_FIXTURE_HPP
