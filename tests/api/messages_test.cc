// User messages (Cinder's 3.3): a failed asynchronous operation leaves its project a message
// naming what failed and why; projects see their own; they expire.
#include <thread>

#include "tests/support/engine_fixture.hpp"

using namespace blockstore;
using namespace blockstore::testing;

namespace {

using VS = VolumeStatus;

struct Fixture : EngineFixture {
  explicit Fixture(std::chrono::seconds ttl = std::chrono::hours(1)) : EngineFixture(Later{}) {
    Open([&](EngineConfig& c) {
      c.quota_defaults["gigabytes"] = -1;
      c.message_ttl = ttl;
    });
  }
  // A create no pool has room for: the scheduler fails it.
  Volume Unplaceable(const RequestContext& ctx) {
    VolumeCreateRequest r;
    r.size_gb = 1000000;
    auto v = engine->volumes().Create(ctx, r);
    REQUIRE_MESSAGE(v.ok(), v.status().ToString());
    auto done = engine->WaitForVolume(ctx, v->id, {VS::kAvailable, VS::kError}, kWait);
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
    REQUIRE(done->status == VS::kError);
    return *done;
  }
  // The messages of `ctx`'s project, once there are `n` (written as failures are reported).
  std::vector<UserMessage> WaitFor(const RequestContext& ctx, std::size_t n) {
    for (int i = 0; i < 1000; ++i) {
      auto l = engine->messages().List(ctx);
      REQUIRE_MESSAGE(l.ok(), l.status().ToString());
      if (l->size() >= n) return *l;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL("no message came");
    return {};
  }
  std::vector<UserMessage> List(const RequestContext& ctx) {
    auto l = engine->messages().List(ctx);
    REQUIRE_MESSAGE(l.ok(), l.status().ToString());
    return *l;
  }
};

}  // namespace

TEST_SUITE("messages") {
  TEST_CASE("a create no backend can take leaves its project a message with every filter's reason") {
    Fixture f;
    Volume v = f.Unplaceable(f.alice);
    auto mine = f.WaitFor(f.alice, 1);
    REQUIRE(mine.size() == 1);
    const UserMessage& m = mine[0];
    CHECK(m.project_id == "alice");
    CHECK(m.resource_type == "VOLUME");
    CHECK(m.resource_uuid == v.id);
    CHECK(m.event_id == "VOLUME_VOLUME_001_003");
    CHECK(m.message_level == "ERROR");
    CHECK(m.user_message.starts_with("create volume: No valid backend was found for a 1000000 GB volume"));
    CHECK(m.user_message.find("CapacityFilter") != std::string::npos);  // the reason, not just the verdict
    CHECK(m.expires_at > m.created_at);
    // Another project sees nothing of it; an admin sees it, and lists every project's.
    CHECK(f.List(f.bob).empty());
    BS_CHECK_CODE(f.engine->messages().Get(f.bob, m.id), Code::kNotFound);
    BS_CHECK_CODE(f.engine->messages().Delete(f.bob, m.id), Code::kNotFound);
    BS_CHECK_CODE(f.engine->messages().List(f.alice, std::nullopt, "", /*all_projects=*/true), Code::kPermissionDenied);
    auto all = f.engine->messages().List(f.admin, std::nullopt, "", true);
    BS_REQUIRE_OK(all.status());
    CHECK(all->size() == 1);
    auto got = f.engine->messages().Get(f.admin, m.id);
    BS_REQUIRE_OK(got.status());
    CHECK(got->user_message == m.user_message);
    // Bad input changes nothing.
    BS_CHECK_CODE(f.engine->messages().List(f.alice, 0), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->messages().List(f.alice, 1001), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->messages().List(f.alice, 5, "3e7c9b8e-1111-4222-8333-944455556666"), Code::kNotFound);
    BS_CHECK_CODE(f.engine->messages().Get(f.alice, "not-an-id"), Code::kNotFound);
    CHECK(f.List(f.alice).size() == 1);
    BS_REQUIRE_OK(f.engine->messages().Delete(f.alice, m.id));
    CHECK(f.List(f.alice).empty());
    BS_CHECK_CODE(f.engine->messages().Delete(f.alice, m.id), Code::kNotFound);
  }

  TEST_CASE("newest first, a page at a time; successes leave none") {
    Fixture f;
    (void)f.Available(f.alice, 1);
    CHECK(f.List(f.alice).empty());
    std::vector<std::string> failed;
    for (int i = 0; i < 3; ++i) failed.push_back(f.Unplaceable(f.alice).id);
    (void)f.WaitFor(f.alice, 3);
    auto page = f.engine->messages().List(f.alice, 2);
    BS_REQUIRE_OK(page.status());
    REQUIRE(page->size() == 2);
    CHECK((*page)[0].resource_uuid == failed[2]);
    CHECK((*page)[1].resource_uuid == failed[1]);
    auto rest = f.engine->messages().List(f.alice, 2, page->back().id);
    BS_REQUIRE_OK(rest.status());
    REQUIRE(rest->size() == 1);
    CHECK((*rest)[0].resource_uuid == failed[0]);
  }

  TEST_CASE("messages expire after message_ttl") {
    Fixture f(std::chrono::seconds(1));
    (void)f.Unplaceable(f.alice);
    auto mine = f.WaitFor(f.alice, 1);
    REQUIRE(mine.size() == 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    BS_CHECK_CODE(f.engine->messages().Get(f.alice, mine[0].id), Code::kNotFound);
    CHECK(f.List(f.alice).empty());
  }
}
