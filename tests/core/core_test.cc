// The model, errors, ids, text checks and JSON shapes.
#include <set>

#include "lib/api/validation.hpp"
#include "lib/core/ids.hpp"
#include "lib/json/json_codec.hpp"
#include "lib/scheduler/request_spec_codec.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;

TEST_SUITE("status") {
  TEST_CASE("OK costs nothing and says ok") {
    Status s;
    CHECK(s.ok());
    CHECK(s.code() == Code::kOk);
    CHECK(s.message().empty());
    CHECK(s.ToString() == "ok");
  }
  TEST_CASE("every code has a name, an HTTP status and a distinct C value") {
    std::set<int> http_seen;
    for (int c = 1; c <= 13; ++c) {
      const auto code = static_cast<Code>(c);
      CHECK(CodeName(code) != "unknown");
      const int http = HttpStatusOf(code);
      CHECK(http >= 400);
      CHECK(http < 600);
    }
    CHECK(HttpStatusOf(Code::kNotFound) == 404);
    CHECK(HttpStatusOf(Code::kResourceExhausted) == 413);
    CHECK(HttpStatusOf(Code::kPermissionDenied) == 403);
    CHECK(HttpStatusOf(Code::kInvalidArgument) == 400);
    CHECK(CodeName(static_cast<Code>(99)) == "unknown");
  }
  TEST_CASE("a Result holds a value or an error, never an OK error") {
    Result<int> good = 7;
    CHECK(good.ok());
    CHECK(*good == 7);
    Result<int> bad = NotFound("gone");
    CHECK(!bad.ok());
    CHECK(bad.status().code() == Code::kNotFound);
    Result<int> weird = Status::Ok();
    CHECK(!weird.ok());
    CHECK(weird.status().code() == Code::kInternal);
  }
}

TEST_SUITE("model") {
  TEST_CASE("every status round-trips to Cinder's string") {
    for (auto s : AllVolumeStatuses()) CHECK(ParseVolumeStatus(ToString(s)) == s);
    for (auto s : AllSnapshotStatuses()) CHECK(ParseSnapshotStatus(ToString(s)) == s);
    for (auto s : AllAttachStatuses()) CHECK(ParseAttachStatus(ToString(s)) == s);
    for (auto s : AllBackupStatuses()) CHECK(ParseBackupStatus(ToString(s)) == s);
    CHECK(AllVolumeStatuses().size() == 26);
    CHECK(ToString(VolumeStatus::kInUse) == "in-use");
    CHECK(ToString(VolumeStatus::kErrorBackingUp) == "error_backing-up");
    CHECK(ToString(VolumeStatus::kRestoringBackup) == "restoring-backup");
    CHECK(ToString(VolumeStatus::kAwaitingTransfer) == "awaiting-transfer");
    CHECK(ToString(SnapshotStatus::kBackingUp) == "backing-up");
    CHECK_FALSE(ParseVolumeStatus("In-Use").has_value());
    CHECK_FALSE(ParseVolumeStatus("").has_value());
  }
  TEST_CASE("times print as Cinder shows them and parse back") {
    const TimePoint t(std::chrono::microseconds(1764050662123456LL));
    CHECK(FormatTime(t) == "2025-11-25T06:04:22.123456");
    CHECK(ParseTime(FormatTime(t)) == t);
    CHECK(ParseTime("2025-11-25T06:04:22Z").has_value());
    CHECK(ParseTime("2025-11-25 06:04:22.5") ==
          TimePoint(std::chrono::microseconds(1764050662500000LL)));
    for (const char* bad : {"", "yesterday", "2025-13-01T00:00:00", "2025-11-25T06:04",
                            "2025-11-25T06:04:22.", "2025-11-25T06:04:22.1234567"}) {
      CHECK_FALSE(ParseTime(bad).has_value());
    }
  }
}

TEST_SUITE("ids") {
  TEST_CASE("ids are distinct UUID v4") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
      const std::string id = internal::NewUuid();
      CHECK(internal::IsUuid(id));
      CHECK(id[14] == '4');
      CHECK(std::string("89ab").find(id[19]) != std::string::npos);
      seen.insert(id);
    }
    CHECK(seen.size() == 1000);
    CHECK_FALSE(internal::IsUuid("../../etc/passwd"));
    CHECK_FALSE(internal::IsUuid("1b4e28ba-2fa1-4d2e-883f-0016d3cca42"));
    CHECK_FALSE(internal::IsUuid("1b4e28ba-2fa1-4d2e-883f-0016d3cca42g"));
  }
}

TEST_SUITE("validation") {
  TEST_CASE("text: length, UTF-8 and control characters") {
    CHECK(internal::CheckText("name", "vol-1 é ✓").ok());
    CHECK(internal::CheckText("name", std::string(255, 'a')).ok());
    CHECK(internal::CheckText("name", std::string(256, 'a')).code() == Code::kInvalidArgument);
    CHECK(internal::CheckText("name", std::string("a\0b", 3)).code() == Code::kInvalidArgument);
    CHECK(internal::CheckText("name", "line\nbreak").code() == Code::kInvalidArgument);
    CHECK(internal::CheckText("name", "\xff\xfe").code() == Code::kInvalidArgument);
    CHECK(internal::CheckText("name", "\xc3").code() == Code::kInvalidArgument);  // truncated
    CHECK(internal::CheckText("name", "\xc0\xaf").code() == Code::kInvalidArgument);  // overlong
    CHECK(internal::CheckText("name", "\xed\xa0\x80").code() == Code::kInvalidArgument);  // surrogate
    auto s = internal::CheckText("description", std::string(300, 'x'));
    CHECK(s.message().find("description") != std::string::npos);
  }
  TEST_CASE("metadata limits") {
    Metadata m;
    for (int i = 0; i < 128; ++i) m["k" + std::to_string(i)] = "v";
    CHECK(internal::CheckMetadata("metadata", m).ok());
    m["one-more"] = "v";
    CHECK(internal::CheckMetadata("metadata", m).code() == Code::kInvalidArgument);
    CHECK(internal::CheckMetadata("metadata", {{"", "v"}}).code() == Code::kInvalidArgument);
    CHECK(internal::CheckMetadata("metadata", {{"k", std::string(256, 'v')}}).code() ==
          Code::kInvalidArgument);
  }
  TEST_CASE("sizes") {
    CHECK(internal::CheckSize("size", 1).ok());
    CHECK(internal::CheckSize("size", 0).code() == Code::kInvalidArgument);
    CHECK(internal::CheckSize("size", -5).code() == Code::kInvalidArgument);
    CHECK(internal::CheckSize("size", int64_t{1} << 40).code() == Code::kInvalidArgument);
  }
}

TEST_SUITE("json") {
  using internal::json::value;
  TEST_CASE("requests parse strictly") {
    auto ok = internal::ParseJson(R"({"size": 3, "name": "a", "metadata": {"k": "v"}})", "req");
    REQUIRE(ok.ok());
    auto r = internal::VolumeCreateRequestFromJson(*ok);
    REQUIRE(r.ok());
    CHECK(r->size_gb == 3);
    CHECK(r->metadata.at("k") == "v");

    for (const char* bad : {R"({"size": "3"})", R"({"size": 1.5})", R"({"nmae": "typo"})",
                            R"({"metadata": {"k": 1}})", R"({"metadata": []})", R"([1, 2])",
                            R"({"bootable": "yes"})"}) {
      auto v = internal::ParseJson(bad, "req");
      REQUIRE(v.ok());
      auto parsed = internal::VolumeCreateRequestFromJson(*v);
      CHECK_MESSAGE(parsed.status().code() == Code::kInvalidArgument, bad);
    }
    for (const char* garbage : {"", "{", "{\"size\": }", "nul", "\xff"}) {
      CHECK(internal::ParseJson(garbage, "req").status().code() == Code::kInvalidArgument);
    }
    // A key named twice in one object is malformed, at any depth; the same key in two
    // objects is not.
    for (const char* twice : {R"({"size": 1, "size": 2})", R"({"a": {"k": 1, "k": 1}})",
                              R"([{"x": 1}, {"y": 2, "y": 3}])", R"({"lo\u006eg": 1, "long": 2})"}) {
      auto v = internal::ParseJson(twice, "req");
      CHECK_MESSAGE(v.status().code() == Code::kInvalidArgument, twice);
      CHECK_MESSAGE(v.status().message().find("appears twice") != std::string::npos, twice);
    }
    BS_CHECK_OK(internal::ParseJson(R"({"a": {"k": 1}, "b": {"k": 2}, "k": [{"k": 3}]})", "req"));
    std::string big = "{";  // keys arriving in parts still compare whole
    for (int i = 0; i < 2000; ++i) big += "\"key-" + std::to_string(i) + std::string(300, 'x') + "\": 1,";
    big += "\"key-7" + std::string(300, 'x') + "\": 2}";
    BS_CHECK_CODE(internal::ParseJson(big, "req"), Code::kInvalidArgument);
  }
  TEST_CASE("list query sort grammar") {
    auto v = internal::ParseJson(R"({"sort": "size:asc,name"})", "q");
    auto q = internal::ListQueryFromJson(*v);
    REQUIRE(q.ok());
    REQUIRE(q->sort.size() == 2);
    CHECK(q->sort[0].key == "size");
    CHECK_FALSE(q->sort[0].descending);
    CHECK(q->sort[1].descending);
    auto bad = internal::ParseJson(R"({"sort": "size:sideways"})", "q");
    CHECK(internal::ListQueryFromJson(*bad).status().code() == Code::kInvalidArgument);
  }
  TEST_CASE("backend stats survive a round trip, capacities included") {
    BackendStats s;
    s.volume_backend_name = "b";
    PoolStats p;
    p.pool_name = "p";
    p.total_capacity_gb = Capacity::Infinite();
    p.free_capacity_gb = Capacity::Number(12.5);
    p.max_over_subscription_ratio = "auto";
    p.capabilities["x"] = "y";
    s.pools.push_back(p);
    auto back = internal::BackendStatsFromJson(internal::ToJson(s));
    REQUIRE(back.ok());
    CHECK(back->pools[0].total_capacity_gb.kind == Capacity::Kind::kInfinite);
    CHECK(back->pools[0].free_capacity_gb.gb == 12.5);
    CHECK(back->pools[0].max_over_subscription_ratio == "auto");
    CHECK(back->pools[0].capabilities.at("x") == "y");
  }
  TEST_CASE("messages between roles: a wrong type is an error, an unknown field is ignored") {
    auto parse = [](std::string_view text) { return boost::json::parse(text); };
    // Backend stats.
    auto newer = internal::BackendStatsFromJson(parse(
        R"({"volume_backend_name": "b", "added_later": 1,
            "pools": [{"pool_name": "p", "total_capacity_gb": 10, "max_over_subscription_ratio": 1.5,
                       "total_volumes": 3, "added_later": [1]}]})"));
    REQUIRE_MESSAGE(newer.ok(), newer.status().message());
    CHECK(newer->pools[0].max_over_subscription_ratio == "1.5");
    CHECK(newer->pools[0].total_volumes == 3);
    for (const char* bad : {R"({"volume_backend_name": 5})", R"({"pools": {"pool_name": "p"}})",
                            R"({"pools": [{"pool_name": "p", "total_volumes": -1}]})",
                            R"({"pools": [{"pool_name": "p", "total_volumes": 2.5}]})",
                            R"({"pools": [{"pool_name": "p", "free_capacity_gb": "lots"}]})",
                            R"({"pools": [{"pool_name": "p", "reserved_percentage": "5"}]})",
                            R"({"pools": [{"pool_name": "p", "thin_provisioning_support": "yes"}]})",
                            R"({"pools": [{"pool_name": "p", "capabilities": {"x": 1}}]})"}) {
      CAPTURE(bad);
      auto r = internal::BackendStatsFromJson(parse(bad));
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == Code::kInvalidArgument);
    }
    // Request specs.
    RequestSpec spec;
    spec.volume_id = "v";
    spec.size_gb = 5;
    spec.attempts.push_back({"h@b", "p", "full"});
    auto json = internal::ToJson(spec);
    json["added_later"] = "x";
    auto back = internal::RequestSpecFromJson(json);
    REQUIRE_MESSAGE(back.ok(), back.status().message());
    CHECK(back->size_gb == 5);
    CHECK(back->attempts.size() == 1);
    CHECK(back->attempts[0].error == "full");
    for (const char* bad : {R"({"size": "5"})", R"({"size": -5})", R"({"size": 1.5})",
                            R"({"same_host": "v1"})", R"({"attempts": [1]})", R"({"attached": 1})",
                            R"({"volume_type": {"extra_specs": {"k": 1}}})", R"({"operation": "explode"})"}) {
      CAPTURE(bad);
      CHECK_FALSE(internal::RequestSpecFromJson(parse(bad)).ok());
    }
    // Placement explanations.
    CHECK(internal::PlacementExplanationFromJson(parse(R"({"pools": 2, "chosen": null, "x": 1})")).ok());
    CHECK_FALSE(internal::PlacementExplanationFromJson(parse(R"({"pools": "2"})")).ok());
    CHECK_FALSE(internal::PlacementExplanationFromJson(parse(R"({"ranking": [{"weight": "heavy"}]})")).ok());
  }
}
