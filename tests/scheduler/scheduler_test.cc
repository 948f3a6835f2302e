// The filter scheduler: each filter and weigher against the reference semantics, reservations
// under racing threads, reschedule exclusion, stale reports, explanations and host plugins.
#include <atomic>
#include <set>
#include <thread>

#include "blockstore/env.hpp"
#include "blockstore/scheduler.hpp"
#include "lib/core/ids.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;

namespace {

TimePoint now_for_tests{std::chrono::microseconds(1'000'000'000'000'000LL)};

PoolStats Pool(const std::string& name, double total, double free, bool thin = false) {
  PoolStats p;
  p.pool_name = name;
  p.total_capacity_gb = Capacity::Number(total);
  p.free_capacity_gb = Capacity::Number(free);
  p.thin_provisioning_support = thin;
  p.thick_provisioning_support = !thin;
  p.max_over_subscription_ratio = "1.0";
  return p;
}

BackendStats Backend(std::vector<PoolStats> pools, std::string protocol = "iSCSI") {
  BackendStats b;
  b.volume_backend_name = "be";
  b.storage_protocol = std::move(protocol);
  b.pools = std::move(pools);
  return b;
}

RequestSpec Request(uint64_t gb, Metadata specs = {}) {
  RequestSpec r;
  r.volume_id = internal::NewUuid();
  r.size_gb = gb;
  r.volume_type.extra_specs = std::move(specs);
  return r;
}

std::unique_ptr<Scheduler> Make(SchedulerOptions o = {}) {
  if (!o.env) o.env = std::make_shared<ManualEnv>(now_for_tests);
  if (o.seed == 0) o.seed = 42;
  auto s = NewFilterScheduler(std::move(o));
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return std::move(s).value();
}

// The pools that pass every filter, by name.
std::set<std::string> Passing(Scheduler& s, const RequestSpec& r) {
  auto e = s.Explain(r);
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  std::set<std::string> out;
  for (const auto& p : e->ranking) out.insert(p.pool);
  return out;
}

SchedulerOptions Only(std::vector<std::string> filters) {
  SchedulerOptions o;
  o.filters = std::move(filters);
  return o;
}

}  // namespace

TEST_SUITE("scheduler filters") {
  TEST_CASE("CapacityFilter: thick arithmetic keeps the reserved percentage out of free space") {
    auto s = Make(Only({"CapacityFilter"}));
    PoolStats a = Pool("a", 100, 50);
    a.reserved_percentage = 10;  // 10 GB reserved: 40 usable of the 50 free
    PoolStats b = Pool("b", 100, 50);
    b.allocated_capacity_gb = 80;  // thick: total − reserved − provisioned = 20
    s->UpdateBackend("h@be", "nova", Backend({a, b}), now_for_tests);
    CHECK(Passing(*s, Request(40, {{"provisioning:type", "thick"}})) == std::set<std::string>{"h@be#a"});
    CHECK(Passing(*s, Request(41, {{"provisioning:type", "thick"}})).empty());
    CHECK(Passing(*s, Request(20, {{"provisioning:type", "thick"}})).size() == 2);
  }

  TEST_CASE("CapacityFilter: thin arithmetic applies the ratio once, auto included") {
    auto s = Make(Only({"CapacityFilter"}));
    PoolStats thin = Pool("thin", 100, 90, true);
    thin.max_over_subscription_ratio = "2.0";
    thin.provisioned_capacity_gb = 150;  // 100 × 2 − 150 = 50 virtual free
    PoolStats automatic = Pool("auto", 100, 90, true);
    automatic.max_over_subscription_ratio = "auto";  // no provisioning yet: ratio 20
    s->UpdateBackend("h@be", "nova", Backend({thin, automatic}), now_for_tests);
    // Cinder would also refuse 50 GB here: (150+50)/(100·2) = 1 ≤ 2 passes, but it compares
    // provisioned/(total·ratio) with the ratio a second time for larger pools.
    CHECK(Passing(*s, Request(50)) == std::set<std::string>{"h@be#thin", "h@be#auto"});
    CHECK(Passing(*s, Request(51)) == std::set<std::string>{"h@be#auto"});
    CHECK(Passing(*s, Request(2000)) == std::set<std::string>{"h@be#auto"});
    CHECK(Passing(*s, Request(2001)).empty());
    // A thick request on a thin pool uses the thick arithmetic, min(free, total − provisioned):
    // 90 on the unprovisioned pool, nothing on the one with 150 provisioned.
    CHECK(Passing(*s, Request(60, {{"provisioning:type", "thick"}})) == std::set<std::string>{"h@be#auto"});
    CHECK(Passing(*s, Request(91, {{"provisioning:type", "thick"}})).empty());
  }

  TEST_CASE("CapacityFilter: infinite, unknown, zero and fully reserved pools") {
    auto s = Make(Only({"CapacityFilter"}));
    PoolStats inf = Pool("inf", 0, 0);
    inf.free_capacity_gb = Capacity::Infinite();
    PoolStats unknown_total = Pool("ut", 0, 10);
    unknown_total.total_capacity_gb = Capacity::Unknown();
    PoolStats unknown_reserved = unknown_total;
    unknown_reserved.pool_name = "ur";
    unknown_reserved.reserved_percentage = 5;
    PoolStats zero = Pool("zero", 0, 0);
    PoolStats full = Pool("full", 100, 100, true);
    full.reserved_percentage = 100;  // no division by zero: simply no room
    full.max_over_subscription_ratio = "20";
    s->UpdateBackend("h@be", "nova", Backend({inf, unknown_total, unknown_reserved, zero, full}),
                     now_for_tests);
    CHECK(Passing(*s, Request(1000)) == std::set<std::string>{"h@be#inf", "h@be#ut"});
    auto e = s->Explain(Request(1000));
    BS_REQUIRE_OK(e);
    REQUIRE(e->steps.size() == 1);
    CHECK(e->steps[0].removed == 3);
    // Fully reserved is full even when the total has a fraction (251.97 GB would otherwise
    // keep 0.97 GB, × 20 over-subscribed, usable).
    PoolStats fraction = full;
    fraction.pool_name = "fraction";
    fraction.total_capacity_gb = Capacity::Number(251.97);
    fraction.free_capacity_gb = Capacity::Number(77.99);
    s->UpdateBackend("h@fr", "nova", Backend({fraction}), now_for_tests);
    CHECK(Passing(*s, Request(1)) == std::set<std::string>{"h@be#inf", "h@be#ut"});
  }

  TEST_CASE("CapacityFilter: an extend asks only for the growth, on the volume's own pool") {
    auto s = Make(Only({"CapacityFilter"}));
    s->UpdateBackend("h@be", "nova", Backend({Pool("a", 100, 30), Pool("b", 100, 100)}),
                     now_for_tests);
    RequestSpec r = Request(50);
    r.operation = RequestSpec::Operation::kExtend;
    r.current_size_gb = 25;  // +25 fits in a's 30
    r.vol_exists_on = "h@be#a";
    r.volume_type.extra_specs = {{"provisioning:type", "thick"}};
    CHECK(Passing(*s, r) == std::set<std::string>{"h@be#a"});
    r.size_gb = 60;  // +35 does not, and b is never considered
    auto no = s->SelectPool(r);
    BS_CHECK_CODE(no, Code::kResourceExhausted);
    CHECK(no.status().message().find("extending by 35 GB") != std::string::npos);
  }

  TEST_CASE("CapabilitiesFilter: specs, multiattach, online extend") {
    auto s = Make(Only({"CapabilitiesFilter"}));
    PoolStats multi = Pool("multi", 100, 100);
    multi.multiattach = true;
    multi.capabilities = {{"tier", "gold"}, {"disks", "[\"ssd\", \"nvme\"]"}};
    PoolStats plain = Pool("plain", 100, 100);
    plain.online_extend_support = false;
    plain.capabilities = {{"tier", "silver"}};
    s->UpdateBackend("h@be", "nova", Backend({multi, plain}), now_for_tests);
    CHECK(Passing(*s, Request(1, {{"multiattach", "<is> True"}})) == std::set<std::string>{"h@be#multi"});
    CHECK(Passing(*s, Request(1, {{"capabilities:tier", "<or> gold <or> silver"}})).size() == 2);
    CHECK(Passing(*s, Request(1, {{"disks", "nvme"}})) == std::set<std::string>{"h@be#multi"});
    CHECK(Passing(*s, Request(1, {{"volume_backend_name", "be"}})).size() == 2);
    CHECK(Passing(*s, Request(1, {{"volume_backend_name", "other"}})).empty());
    CHECK(Passing(*s, Request(1, {{"vendor:anything", "x"}, {"RESKEY:foo", "y"}})).size() == 2);
    RequestSpec extend = Request(2);
    extend.operation = RequestSpec::Operation::kExtend;
    extend.current_size_gb = 1;
    extend.attached = true;
    extend.vol_exists_on = "h@be#plain";
    CHECK(Passing(*s, extend).empty());
    extend.attached = false;
    CHECK(Passing(*s, extend) == std::set<std::string>{"h@be#plain"});
    auto bad = s->SelectPool(Request(1, {{"tier", "<bogus> x"}}));
    BS_CHECK_CODE(bad, Code::kInvalidArgument);
    CHECK(bad.status().message().find("'tier'") != std::string::npos);
  }

  TEST_CASE("CapabilitiesFilter: a re-reported capability is read afresh, not remembered") {
    auto s = Make(Only({"CapabilitiesFilter"}));
    PoolStats p = Pool("p", 100, 100);
    p.capabilities = {{"tier", "gold"}};
    s->UpdateBackend("h@be", "nova", Backend({p}), now_for_tests);
    const RequestSpec gold = Request(1, {{"tier", "gold"}});
    for (int i = 0; i < 3; ++i) CHECK(s->SelectPool(gold).ok());  // the outcome is cached…
    p.capabilities = {{"tier", "silver"}};
    s->UpdateBackend("h@be", "nova", Backend({p}), now_for_tests);
    BS_CHECK_CODE(s->SelectPool(gold), Code::kResourceExhausted);  // …until the pool changes
    CHECK(s->SelectPool(Request(1, {{"tier", "silver"}})).ok());
    BS_CHECK_CODE(s->SelectPool(gold), Code::kResourceExhausted);
  }

  TEST_CASE("AvailabilityZoneFilter: the named zone, or the type's zones") {
    auto s = Make(Only({"AvailabilityZoneFilter"}));
    s->UpdateBackend("h@a", "az1", Backend({Pool("p", 10, 10)}), now_for_tests);
    s->UpdateBackend("h@b", "az2", Backend({Pool("p", 10, 10)}), now_for_tests);
    s->UpdateBackend("h@c", "az3", Backend({Pool("p", 10, 10)}), now_for_tests);
    RequestSpec r = Request(1);
    CHECK(Passing(*s, r).size() == 3);
    r.availability_zone = "az2";
    CHECK(Passing(*s, r) == std::set<std::string>{"h@b#p"});
    r.availability_zone.clear();
    r.volume_type.extra_specs = {{"RESKEY:availability_zones", "az1, az3"}};
    CHECK(Passing(*s, r) == std::set<std::string>{"h@a#p", "h@c#p"});
  }

  TEST_CASE("JsonFilter: the query hint over pool attributes") {
    auto s = Make(Only({"JsonFilter"}));
    PoolStats big = Pool("big", 1000, 800);
    big.capabilities = {{"tier", "gold"}};
    s->UpdateBackend("h@be", "nova", Backend({big, Pool("small", 100, 10)}), now_for_tests);
    RequestSpec r = Request(1);
    r.query = R"([">=", "$free_capacity_gb", 500])";
    CHECK(Passing(*s, r) == std::set<std::string>{"h@be#big"});
    r.query = R"(["and", ["<", "$free_capacity_gb", 500], ["=", "$host", "h"]])";
    CHECK(Passing(*s, r) == std::set<std::string>{"h@be#small"});
    r.query = R"(["in", "$capabilities.tier", "gold", "platinum"])";
    CHECK(Passing(*s, r) == std::set<std::string>{"h@be#big"});
    r.query = R"(["not", ["=", "$pool_name", "big"]])";
    CHECK(Passing(*s, r) == std::set<std::string>{"h@be#small"});
    r.query = R"(["<", "$free_capacity_gb", "text"])";  // Cinder raises here; we just fail it
    CHECK(Passing(*s, r).empty());
    for (const char* bad : {"[\"like\", 1, 2]", "{\"a\": 1}", "not json", "[1, 2]"}) {
      CAPTURE(bad);
      r.query = bad;
      BS_CHECK_CODE(s->SelectPool(r), Code::kInvalidArgument);
    }
    std::string deep;
    for (int i = 0; i < 100; ++i) deep += "[\"not\", ";
    deep += "1" + std::string(100, ']');
    r.query = deep;
    BS_CHECK_CODE(s->SelectPool(r), Code::kInvalidArgument);
  }

  TEST_CASE("DriverFilter: the pool's filter_function, per protocol spelling") {
    auto s = Make(Only({"DriverFilter"}));
    PoolStats small = Pool("small", 100, 100);
    small.filter_function = "volume.size <= 10";
    PoolStats proto = Pool("proto", 100, 100);
    proto.filter_function = "stats.storage_protocol == iscsi";  // reported as iSCSI
    PoolStats broken = Pool("broken", 100, 100);
    broken.filter_function = "volume.size / 0";
    PoolStats unparsable = Pool("unparsable", 100, 100);
    unparsable.filter_function = "volume.size >";
    PoolStats none = Pool("none", 100, 100);
    s->UpdateBackend("h@be", "nova", Backend({small, proto, broken, unparsable, none}), now_for_tests);
    CHECK(Passing(*s, Request(5)) == std::set<std::string>{"h@be#small", "h@be#proto", "h@be#none"});
    CHECK(Passing(*s, Request(50)) == std::set<std::string>{"h@be#proto", "h@be#none"});
    auto e = s->Explain(Request(50));
    BS_REQUIRE_OK(e);
    std::string reasons;
    for (const auto& r : e->steps[0].reasons) reasons += r + "\n";
    CHECK(reasons.find("division by zero") != std::string::npos);
    CHECK(reasons.find("does not parse") != std::string::npos);
  }

  TEST_CASE("Same/DifferentBackendFilter follow the hinted volumes' backends") {
    const std::string v1 = internal::NewUuid();
    SchedulerOptions o = Only({"SameBackendFilter", "DifferentBackendFilter"});
    o.locate_volume = [&](const std::string& id) -> std::optional<std::string> {
      if (id == v1) return "h@a#p";
      return std::nullopt;
    };
    auto s = Make(o);
    s->UpdateBackend("h@a", "nova", Backend({Pool("p", 10, 10), Pool("q", 10, 10)}), now_for_tests);
    s->UpdateBackend("h@b", "nova", Backend({Pool("p", 10, 10)}), now_for_tests);
    RequestSpec r = Request(1);
    r.same_host = {v1};
    CHECK(Passing(*s, r) == std::set<std::string>{"h@a#p", "h@a#q"});
    r.same_host.clear();
    r.different_host = {v1};
    CHECK(Passing(*s, r) == std::set<std::string>{"h@b#p"});
    r.different_host = {"not-a-uuid"};
    CHECK(Passing(*s, r).empty());
  }

  TEST_CASE("IgnoreAttemptedHostsFilter applies to every reschedule, listed or not") {
    auto s = Make(Only({"CapacityFilter"}));
    s->UpdateBackend("h@a", "nova", Backend({Pool("p", 100, 100)}), now_for_tests);
    s->UpdateBackend("h@b", "nova", Backend({Pool("p", 100, 50)}), now_for_tests);
    RequestSpec r = Request(10);
    CHECK(s->Explain(r)->chosen == "h@a#p");
    r.attempts.push_back({"h@a", "h@a#p", "disk on fire"});
    auto e = s->Explain(r);
    BS_REQUIRE_OK(e);
    CHECK(e->chosen == "h@b#p");
    CHECK(e->steps.front().filter == "IgnoreAttemptedHostsFilter");
    r.attempts.push_back({"h@b", "h@b#p", "also"});
    auto none = s->SelectPool(r);
    BS_CHECK_CODE(none, Code::kResourceExhausted);
    CHECK(none.status().message().find("already failed this request") != std::string::npos);
  }
}

TEST_SUITE("scheduler weighers") {
  TEST_CASE("CapacityWeigher prefers room; infinite capacity weighs least either way") {
    SchedulerOptions o;
    o.filters = {};
    auto s = Make(o);
    PoolStats inf = Pool("inf", 0, 0);
    inf.free_capacity_gb = Capacity::Infinite();
    s->UpdateBackend("h@be", "nova", Backend({Pool("a", 100, 10), Pool("b", 100, 90), inf}),
                     now_for_tests);
    auto e = s->Explain(Request(1));
    BS_REQUIRE_OK(e);
    REQUIRE(e->ranking.size() == 3);
    CHECK(e->ranking[0].pool == "h@be#b");
    CHECK(e->ranking[0].weight == doctest::Approx(1.0));  // normalised
    CHECK(e->ranking[2].pool == "h@be#inf");
    CHECK(e->ranking[2].raw.at("CapacityWeigher") == -1);

    o.weighers = {{"CapacityWeigher", -1.0}};  // spread thin: the fullest pool wins…
    auto spread = Make(o);
    spread->UpdateBackend("h@be", "nova", Backend({Pool("a", 100, 10), Pool("b", 100, 90), inf}),
                          now_for_tests);
    auto e2 = spread->Explain(Request(1));
    BS_REQUIRE_OK(e2);
    CHECK(e2->chosen == "h@be#a");
    CHECK(e2->ranking.back().pool == "h@be#inf");  // …and infinite still weighs least
  }

  TEST_CASE("AllocatedCapacity and VolumeNumber weighers prefer the emptier pool") {
    SchedulerOptions o;
    o.filters = {};
    o.weighers = {{"AllocatedCapacityWeigher", -1.0}};
    auto s = Make(o);
    PoolStats a = Pool("a", 100, 100), b = Pool("b", 100, 100);
    a.allocated_capacity_gb = 50;
    b.allocated_capacity_gb = 5;
    a.total_volumes = 1;
    b.total_volumes = 9;
    s->UpdateBackend("h@be", "nova", Backend({a, b}), now_for_tests);
    CHECK(s->Explain(Request(1))->chosen == "h@be#b");
    o.weighers = {{"VolumeNumberWeigher", -1.0}};
    auto n = Make(o);
    n->UpdateBackend("h@be", "nova", Backend({a, b}), now_for_tests);
    CHECK(n->Explain(Request(1))->chosen == "h@be#a");
    // Each placement counts at once: ten on a make b the emptier.
    for (int i = 0; i < 9; ++i) BS_REQUIRE_OK(n->SelectPool(Request(1)));
    CHECK(n->Explain(Request(1))->chosen == "h@be#b");
  }

  TEST_CASE("GoodnessWeigher: 0..100, booleans 100/0, failures 0") {
    SchedulerOptions o;
    o.filters = {};
    o.weighers = {{"GoodnessWeigher", 1.0}};
    auto s = Make(o);
    PoolStats a = Pool("a", 100, 100), b = Pool("b", 100, 100), c = Pool("c", 100, 100),
              d = Pool("d", 100, 100);
    a.goodness_function = "volume.size > 5 ? 80 : 20";
    b.goodness_function = "volume.size < 5";  // true → 100
    c.goodness_function = "150";              // out of range → 0
    d.goodness_function = "1 / 0";            // error → 0
    s->UpdateBackend("h@be", "nova", Backend({a, b, c, d}), now_for_tests);
    auto small = s->Explain(Request(1));
    BS_REQUIRE_OK(small);
    CHECK(small->chosen == "h@be#b");
    CHECK(small->ranking[0].raw.at("GoodnessWeigher") == 100);
    auto big = s->Explain(Request(10));
    BS_REQUIRE_OK(big);
    CHECK(big->chosen == "h@be#a");
    for (const auto& p : big->ranking) {
      if (p.pool == "h@be#c" || p.pool == "h@be#d") CHECK(p.raw.at("GoodnessWeigher") == 0);
    }
  }

  TEST_CASE("ChanceWeigher and the stochastic handler spread placements") {
    SchedulerOptions o;
    o.filters = {};
    o.weighers = {{"ChanceWeigher", 1.0}};
    auto s = Make(o);
    s->UpdateBackend("h@be", "nova", Backend({Pool("a", 1e6, 1e6), Pool("b", 1e6, 1e6),
                                              Pool("c", 1e6, 1e6)}),
                     now_for_tests);
    std::set<std::string> chosen;
    for (int i = 0; i < 60; ++i) chosen.insert(*s->SelectPool(Request(1)));
    CHECK(chosen.size() == 3);

    o.weighers = {{"CapacityWeigher", 1.0}};
    o.weight_handler = "StochasticHostWeightHandler";
    auto st = Make(o);
    st->UpdateBackend("h@be", "nova", Backend({Pool("big", 1000, 900), Pool("small", 1000, 100)}),
                      now_for_tests);
    std::map<std::string, int> counts;
    for (int i = 0; i < 400; ++i) {
      auto e = st->Explain(Request(1));
      BS_REQUIRE_OK(e);
      ++counts[e->chosen];
    }
    CHECK(counts["h@be#big"] > counts["h@be#small"]);  // in proportion, 9:1
    CHECK(counts["h@be#small"] > 0);
  }

  TEST_CASE("multipliers combine normalised weights") {
    SchedulerOptions o;
    o.filters = {};
    o.weighers = {{"CapacityWeigher", 1.0}, {"VolumeNumberWeigher", -3.0}};
    auto s = Make(o);
    PoolStats roomy = Pool("roomy", 100, 100), empty = Pool("empty", 100, 50);
    roomy.total_volumes = 10;
    s->UpdateBackend("h@be", "nova", Backend({roomy, empty}), now_for_tests);
    auto e = s->Explain(Request(1));
    BS_REQUIRE_OK(e);
    CHECK(e->chosen == "h@be#empty");  // 0·1 + 0·−3 = 0 beats 1·1 + 1·−3 = −2
    CHECK(e->ranking[1].weight == doctest::Approx(-2.0));
  }
}

TEST_SUITE("scheduler placement") {
  TEST_CASE("racing placements never double-book the last free space") {
    auto s = Make(Only({"CapacityFilter"}));
    // 10 × 10 GB of room over 5 pools, on stats that will not be refreshed.
    std::vector<PoolStats> pools;
    for (int i = 0; i < 5; ++i) pools.push_back(Pool("p" + std::to_string(i), 20, 20));
    s->UpdateBackend("h@be", "nova", Backend(pools), now_for_tests);
    std::atomic<int> placed{0}, refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 5; ++i) {
          RequestSpec r = Request(10, {{"provisioning:type", "thick"}});
          if (s->SelectPool(r).ok()) ++placed;
          else ++refused;
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(placed == 10);
    CHECK(refused == 30);
    for (const auto& p : s->Pools()) CHECK(p.reserved_gb == 20);
  }

  TEST_CASE("a report confirms the reservations placed before it was taken, not after") {
    auto s = Make(Only({"CapacityFilter"}));
    const TimePoint t0 = now_for_tests;
    s->UpdateBackend("h@be", "nova", Backend({Pool("p", 100, 100)}), t0);
    RequestSpec r = Request(30, {{"provisioning:type", "thick"}});
    REQUIRE(s->SelectPool(r).ok());  // placed at t0 (the test clock)
    CHECK(s->Pools()[0].reserved_gb == 30);
    // A report taken before the placement: the reservation stays on top of it.
    s->UpdateBackend("h@be", "nova", Backend({Pool("p", 100, 100)}), t0 - std::chrono::seconds(1));
    CHECK(s->Pools()[0].reserved_gb == 30);
    CHECK(s->Pools()[0].stats.free_capacity_gb.gb == 70);
    // A report taken after it counts the volume itself: the reservation is dropped.
    PoolStats counted = Pool("p", 100, 70);
    counted.allocated_capacity_gb = 30;
    s->UpdateBackend("h@be", "nova", Backend({counted}), t0 + std::chrono::seconds(1));
    CHECK(s->Pools()[0].reserved_gb == 0);
    CHECK(s->Pools()[0].stats.allocated_capacity_gb == 30);
  }

  TEST_CASE("release and commit failure give the room back") {
    auto s = Make(Only({"CapacityFilter"}));
    s->UpdateBackend("h@be", "nova", Backend({Pool("p", 10, 10)}), now_for_tests);
    RequestSpec r = Request(10, {{"provisioning:type", "thick"}});
    auto refused = s->SelectPool(r, [](const std::string&) { return Aborted("lost the race"); });
    BS_CHECK_CODE(refused, Code::kAborted);
    REQUIRE(s->SelectPool(r).ok());
    BS_CHECK_CODE(s->SelectPool(Request(10, {{"provisioning:type", "thick"}})),
                  Code::kResourceExhausted);
    s->Release(ReservationKey(r));
    CHECK(s->SelectPool(Request(10, {{"provisioning:type", "thick"}})).ok());
  }

  TEST_CASE("stale backends are skipped and counted") {
    auto env = std::make_shared<ManualEnv>(now_for_tests);
    TimePoint clock = now_for_tests;
    SchedulerOptions o;
    o.stale_after = std::chrono::seconds(60);
    o.env = env;
    o.seed = 1;
    auto s = NewFilterScheduler(o).value();
    s->UpdateBackend("h@old", "nova", Backend({Pool("p", 100, 100)}), clock);
    clock += std::chrono::seconds(50);
    env->Advance(std::chrono::seconds(50));
    s->UpdateBackend("h@new", "nova", Backend({Pool("p", 100, 10)}), clock);
    clock += std::chrono::seconds(20);
    env->Advance(std::chrono::seconds(20));
    auto e = s->Explain(Request(1));
    BS_REQUIRE_OK(e);
    CHECK(e->stale == 1);
    CHECK(e->chosen == "h@new#p");
    env->Advance(std::chrono::seconds(60));
    auto none = s->SelectPool(Request(1));
    BS_CHECK_CODE(none, Code::kResourceExhausted);
    CHECK(none.status().message().find("2 skipped for a stale report") != std::string::npos);
  }

  TEST_CASE("no valid backend says which filter removed which pool, and why") {
    auto s = Make();  // Cinder's defaults
    s->UpdateBackend("h@a", "nova", Backend({Pool("p1", 100, 12)}), now_for_tests);
    PoolStats silver = Pool("p2", 1000, 1000);
    silver.capabilities = {{"tier", "silver"}};
    s->UpdateBackend("h@b", "nova", Backend({silver}), now_for_tests);
    s->UpdateBackend("h@c", "other", Backend({Pool("p3", 1000, 1000)}), now_for_tests);
    RequestSpec r = Request(100, {{"capabilities:tier", "gold"}, {"provisioning:type", "thick"}});
    r.availability_zone = "nova";
    auto res = s->SelectPool(r);
    BS_CHECK_CODE(res, Code::kResourceExhausted);
    const std::string& m = res.status().message();
    CHECK(m.find("No valid backend") != std::string::npos);
    CHECK(m.find("AvailabilityZoneFilter removed 1 of 3") != std::string::npos);
    CHECK(m.find("CapacityFilter removed 1 of 2 (pool h@a#p1: needs 100 GB, 12 GB free)") != std::string::npos);
    CHECK(m.find("CapabilitiesFilter removed 1 of 1 (pool h@b#p2: capability capabilities:tier is silver") != std::string::npos);
    auto e = s->Explain(r);
    BS_REQUIRE_OK(e);  // explaining a failure is an answer, not an error
    CHECK(e->chosen.empty());
    CHECK(e->error == m);
    CHECK(e->steps.size() == 3);
  }

  TEST_CASE("configuration by name is checked") {
    SchedulerOptions o;
    o.filters = {"CapacityFilter", "NoSuchFilter"};
    BS_CHECK_CODE(NewFilterScheduler(o), Code::kInvalidArgument);
    o.filters = {};
    o.weighers = {{"NoSuchWeigher", 1}};
    BS_CHECK_CODE(NewFilterScheduler(o), Code::kInvalidArgument);
    o.weighers = {};
    o.weight_handler = "Random";
    BS_CHECK_CODE(NewFilterScheduler(o), Code::kInvalidArgument);
    o.weight_handler = "OrderedHostWeightHandler";
    o.max_attempts = 0;
    BS_CHECK_CODE(NewFilterScheduler(o), Code::kInvalidArgument);
    CHECK(BuiltinFilterNames().size() == 8);
    CHECK(BuiltinWeigherNames().size() == 5);
  }

  TEST_CASE("host filters and weighers, registered by name") {
    struct EvenOnly : BackendFilter {
      bool Passes(const PoolState& p, const RequestSpec&, std::string* why) const override {
        const bool ok = (p.name.back() - '0') % 2 == 0;
        if (!ok && why) *why = "odd";
        return ok;
      }
    };
    struct PreferLast : BackendWeigher {
      double Weigh(const PoolState& p, const RequestSpec&) const override { return p.name.back(); }
    };
    auto reg = std::make_shared<SchedulerRegistry>();
    BS_REQUIRE_OK(reg->AddFilter("EvenOnly", std::make_shared<EvenOnly>()));
    BS_REQUIRE_OK(reg->AddWeigher("PreferLast", std::make_shared<PreferLast>()));
    BS_CHECK_CODE(reg->AddFilter("CapacityFilter", std::make_shared<EvenOnly>()), Code::kAlreadyExists);
    BS_CHECK_CODE(reg->AddFilter("EvenOnly", std::make_shared<EvenOnly>()), Code::kAlreadyExists);
    BS_CHECK_CODE(reg->AddFilter("null", nullptr), Code::kInvalidArgument);
    SchedulerOptions o;
    o.filters = {"CapacityFilter", "EvenOnly"};
    o.weighers = {{"PreferLast", 1.0}};
    o.registry = reg;
    auto s = Make(o);
    s->UpdateBackend("h@be", "nova",
                     Backend({Pool("p1", 10, 10), Pool("p2", 10, 10), Pool("p3", 10, 10),
                              Pool("p4", 10, 10)}),
                     now_for_tests);
    auto e = s->Explain(Request(1));
    BS_REQUIRE_OK(e);
    CHECK(e->chosen == "h@be#p4");
    CHECK(e->steps[1].filter == "EvenOnly");
    CHECK(e->steps[1].removed == 2);
    CHECK(e->steps[1].reasons[0] == "pool h@be#p1: odd");
  }
}
