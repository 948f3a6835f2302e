// The services table through the engine: every role reports, a disabled or silent volume
// service is placed on no more, and start-up recovery on a shared store leaves alone the
// creates another scheduler may be placing.
#include <thread>

#include "lib/core/ids.hpp"
#include "tests/support/engine_fixture.hpp"

using namespace blockstore;
using namespace blockstore::testing;

namespace {

const ServiceState* Find(const std::vector<ServiceState>& all, const std::string& binary,
                         const std::string& host) {
  for (const auto& s : all) {
    if (s.binary == binary && s.host == host) return &s;
  }
  return nullptr;
}

// The one pool's backend, as its volume service is named.
std::string Backend(Engine& e) {
  auto pools = e.Pools();
  REQUIRE(pools.size() == 1);
  return pools[0].backend;
}

}  // namespace

TEST_SUITE("services") {
  TEST_CASE("every role of the engine reports; each is up and enabled") {
    EngineFixture f;
    auto all = f.engine->Services();
    BS_REQUIRE_OK(all);
    CHECK(all->size() == 3);
    const std::string backend = Backend(*f.engine);
    for (const auto& want : std::vector<std::pair<std::string, std::string>>{
             {"cinder-scheduler", "testhost"}, {"cinder-volume", backend}, {"cinder-backup", "testhost"}}) {
      const ServiceState* s = Find(*all, want.first, want.second);
      REQUIRE_MESSAGE(s, (want.first + " on " + want.second));
      CHECK(s->up);
      CHECK_FALSE(s->disabled);
      CHECK(!s->version.empty());
      CHECK(s->updated_at != TimePoint{});
    }
  }

  TEST_CASE("a disabled volume service is placed on no more, with the reason kept, until enabled") {
    EngineFixture f;
    const std::string backend = Backend(*f.engine);
    auto off = f.engine->SetServiceDisabled(backend, "cinder-volume", true, "draining for a disk swap");
    BS_REQUIRE_OK(off);
    CHECK(off->disabled);
    CHECK(off->disabled_reason == "draining for a disk swap");
    VolumeCreateRequest r;
    r.size_gb = 1;
    auto why = f.engine->volumes().ExplainPlacement(f.admin, r);
    BS_REQUIRE_OK(why);
    CHECK(why->chosen.empty());
    CHECK(why->out_of_service == 1);
    CHECK(why->error.find("volume service is down or disabled") != std::string::npos);
    auto v = f.engine->volumes().Create(f.alice, r);
    BS_REQUIRE_OK(v);
    auto done = f.engine->WaitForVolume(f.alice, v->id, {VolumeStatus::kAvailable, VolumeStatus::kError}, kWait);
    BS_REQUIRE_OK(done);
    CHECK(done->status == VolumeStatus::kError);
    CHECK(f.Usage("alice", kQuotaVolumes).in_use == 0);  // the failed create gave its quota back
    CHECK(f.Usage("alice", kQuotaVolumes).reserved == 0);

    auto listed = f.engine->Services();
    BS_REQUIRE_OK(listed);
    CHECK(Find(*listed, "cinder-volume", backend)->disabled);
    BS_REQUIRE_OK(f.engine->SetServiceDisabled(backend, "cinder-volume", false));
    f.Available(f.alice, 1);

    BS_CHECK_CODE(f.engine->SetServiceDisabled("nohost@x", "cinder-volume", true), Code::kNotFound);
    BS_CHECK_CODE(f.engine->SetServiceDisabled(backend, "cinder-volume", true, std::string(256, 'r')),
                  Code::kInvalidArgument);
    auto after = f.engine->Services();
    BS_REQUIRE_OK(after);
    CHECK_FALSE(Find(*after, "cinder-volume", backend)->disabled);  // the refused call changed nothing
  }

  TEST_CASE("a volume service whose heartbeat is older than service_down_time is down and placed on no more") {
    EngineFixture f([](EngineConfig& c) {
      c.report_interval = std::chrono::milliseconds(0);  // one report, at open
      c.service_down_time = std::chrono::milliseconds(400);
    });
    const std::string backend = Backend(*f.engine);
    VolumeCreateRequest r;
    r.size_gb = 1;
    auto before = f.engine->volumes().ExplainPlacement(f.admin, r);
    BS_REQUIRE_OK(before);
    CHECK(before->out_of_service == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    auto all = f.engine->Services();
    BS_REQUIRE_OK(all);
    CHECK_FALSE(Find(*all, "cinder-volume", backend)->up);
    auto after = f.engine->volumes().ExplainPlacement(f.admin, r);
    BS_REQUIRE_OK(after);
    CHECK(after->chosen.empty());
    CHECK(after->out_of_service == 1);
  }

  TEST_CASE("a heartbeat every interval keeps a service up past service_down_time") {
    EngineFixture f([](EngineConfig& c) {
      c.report_interval = std::chrono::milliseconds(100);
      c.service_down_time = std::chrono::milliseconds(400);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    auto all = f.engine->Services();
    BS_REQUIRE_OK(all);
    for (const auto& s : *all) CHECK_MESSAGE(s.up, s.binary);
    f.Available(f.alice, 1);
  }

  TEST_CASE("service_down_time must be longer than report_interval") {
    TempDir dir;
    EngineConfig c = BasicConfig(dir.path());
    c.report_interval = std::chrono::milliseconds(5000);
    c.service_down_time = std::chrono::milliseconds(5000);
    BS_CHECK_CODE(Engine::Open(c), Code::kInvalidArgument);
  }

  TEST_CASE("start-up recovery leaves the unplaced creates another live scheduler may place; fails abandoned ones") {
    EngineFixture f(EngineFixture::Later{});
    const TimePoint now = SystemEnv()->Now();
    auto unplaced = [&](TimePoint updated) {
      Volume v;
      v.id = internal::NewUuid();
      v.project_id = "alice";
      v.user_id = "alice";
      v.size_gb = 1;
      v.status = VolumeStatus::kCreating;
      v.created_at = v.updated_at = updated;
      return v;
    };
    const Volume fresh = unplaced(now);
    const Volume abandoned = unplaced(now - std::chrono::hours(2));
    {
      auto store = OpenStoreOf(f.dir.path());
      BS_REQUIRE_OK(store);
      // Another engine's scheduler, beating now.
      BS_REQUIRE_OK((*store)->services().Report({"otherhost", "cinder-scheduler", "nova", "3.0"}));
      BS_REQUIRE_OK((*store)->volumes().Create(fresh, {}));
      BS_REQUIRE_OK((*store)->volumes().Create(abandoned, {}));
      (*store)->Close();
    }
    f.Open();
    CHECK(f.engine->recovery().unplaced == 1);
    CHECK(f.Get(f.admin, fresh.id).status == VolumeStatus::kCreating);
    CHECK(f.Get(f.admin, abandoned.id).status == VolumeStatus::kError);
  }

  TEST_CASE("start-up recovery alone on the store fails every unplaced create") {
    EngineFixture f(EngineFixture::Later{});
    Volume v;
    v.id = internal::NewUuid();
    v.project_id = "alice";
    v.user_id = "alice";
    v.size_gb = 1;
    v.status = VolumeStatus::kCreating;
    v.created_at = v.updated_at = SystemEnv()->Now();
    {
      auto store = OpenStoreOf(f.dir.path());
      BS_REQUIRE_OK(store);
      BS_REQUIRE_OK((*store)->volumes().Create(v, {}));
      (*store)->Close();
    }
    f.Open();
    CHECK(f.engine->recovery().unplaced == 1);
    CHECK(f.Get(f.admin, v.id).status == VolumeStatus::kError);
  }
}
