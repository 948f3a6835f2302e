// Idempotent creates: a create made with an idempotency key is made once — a retry gets the
// same volume, charged once; the key with another request is refused; a failed create frees
// its key; keys expire.
#include <mutex>
#include <set>
#include <thread>

#include "tests/support/engine_fixture.hpp"

using namespace blockstore;
using namespace blockstore::testing;

namespace {

struct Fixture : EngineFixture {
  explicit Fixture(std::chrono::seconds ttl = std::chrono::hours(1)) : EngineFixture(Later{}) {
    Open([&](EngineConfig& c) { c.idempotency_key_ttl = ttl; });
  }
  RequestContext Keyed(const std::string& key) {
    RequestContext c = alice;
    c.idempotency_key = key;
    return c;
  }
  std::size_t Volumes() {
    auto l = engine->volumes().List(alice, {});
    REQUIRE_MESSAGE(l.ok(), l.status().ToString());
    return l->size();
  }
};

VolumeCreateRequest Sized(int64_t gb, std::string name = "v") {
  VolumeCreateRequest r;
  r.size_gb = gb;
  r.name = std::move(name);
  return r;
}

}  // namespace

TEST_SUITE("idempotency") {
  TEST_CASE("a retried create with the same key gets the same volume, charged once") {
    Fixture f;
    auto first = f.engine->volumes().Create(f.Keyed("k-1"), Sized(2));
    REQUIRE_MESSAGE(first.ok(), first.status().ToString());
    auto again = f.engine->volumes().Create(f.Keyed("k-1"), Sized(2));
    REQUIRE_MESSAGE(again.ok(), again.status().ToString());
    CHECK(again->id == first->id);
    CHECK(f.Volumes() == 1);
    auto ready = f.engine->WaitForVolume(f.alice, first->id, {VolumeStatus::kAvailable}, kWait);
    REQUIRE_MESSAGE(ready.ok(), ready.status().ToString());
    CHECK(f.Usage("alice", "volumes").in_use == 1);
    CHECK(f.Usage("alice", "gigabytes").in_use == 2);
    // Another key makes another volume; the key with another request is refused.
    auto other = f.engine->volumes().Create(f.Keyed("k-2"), Sized(2));
    REQUIRE_MESSAGE(other.ok(), other.status().ToString());
    CHECK(other->id != first->id);
    BS_CHECK_CODE(f.engine->volumes().Create(f.Keyed("k-1"), Sized(3)), Code::kInvalidArgument);
    // Keys are per project: bob's k-1 is his own.
    RequestContext bob = f.bob;
    bob.idempotency_key = "k-1";
    auto his = f.engine->volumes().Create(bob, Sized(2));
    REQUIRE_MESSAGE(his.ok(), his.status().ToString());
    CHECK(his->id != first->id);
    CHECK(f.Volumes() == 2);
  }

  TEST_CASE("a create that failed frees its key: the retry runs again") {
    Fixture f;
    BS_REQUIRE_OK(f.engine->quotas().Update(f.admin, "alice", {{"gigabytes", 1}}));
    BS_CHECK_CODE(f.engine->volumes().Create(f.Keyed("k"), Sized(2)), Code::kResourceExhausted);
    BS_REQUIRE_OK(f.engine->quotas().Update(f.admin, "alice", {{"gigabytes", 10}}));
    auto made = f.engine->volumes().Create(f.Keyed("k"), Sized(2));
    REQUIRE_MESSAGE(made.ok(), made.status().ToString());
    CHECK(f.Volumes() == 1);
  }

  TEST_CASE("many concurrent creates with one key make one volume") {
    Fixture f;
    std::vector<std::thread> threads;
    std::mutex mu;
    std::set<std::string> ids;
    int made = 0, refused = 0;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] {
        auto v = f.engine->volumes().Create(f.Keyed("burst"), Sized(1));
        std::lock_guard lock(mu);
        if (v.ok()) {
          ids.insert(v->id);
          ++made;
        } else {
          CHECK(v.status().code() == Code::kAborted);  // the first was still running
          ++refused;
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(ids.size() == 1);
    CHECK(f.Volumes() == 1);
    CHECK(made + refused == 8);  // each got the one volume, or was told the first still ran
  }

  TEST_CASE("a bad key is refused; keys expire") {
    Fixture f(std::chrono::seconds(1));
    BS_CHECK_CODE(f.engine->volumes().Create(f.Keyed(std::string("bad\x01key")), Sized(1)), Code::kInvalidArgument);
    CHECK(f.Volumes() == 0);
    auto first = f.engine->volumes().Create(f.Keyed("short"), Sized(1));
    REQUIRE_MESSAGE(first.ok(), first.status().ToString());
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    auto later = f.engine->volumes().Create(f.Keyed("short"), Sized(1));
    REQUIRE_MESSAGE(later.ok(), later.status().ToString());
    CHECK(later->id != first->id);  // expired: a new request
    CHECK(f.Volumes() == 2);
  }
}
