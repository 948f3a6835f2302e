// The REST handler without a server: version negotiation, auth, Cinder's error bodies, and bad
// requests of every kind answered with the right status while nothing changes.
#include <boost/json.hpp>

#include "blockstore/rest.hpp"
#include "lib/rest/json_out.hpp"
#include "lib/rest/query_dict.hpp"
#include "tests/support/engine_fixture.hpp"

namespace blockstore::testing {
namespace {

struct Rest : EngineFixture {
  RestHandler handler{*engine, RestOptions{}};
  RestResponse Call(const std::string& method, const std::string& target, const std::string& body = {},
                    std::map<std::string, std::string> headers = {{"X-Auth-Token", "alice-user:alice"}}) {
    return handler.Handle({method, target, std::move(headers), body});
  }
  static boost::json::value Body(const RestResponse& r) { return boost::json::parse(r.body); }
  static std::string Text(const boost::json::value& v) { return std::string(v.as_string()); }
  static std::string Header(const RestResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }
};

TEST_SUITE_BEGIN("rest handler");

TEST_CASE("JsonOut writes what Boost.JSON reads back, escapes included") {
  std::string text;
  rest::JsonOut w(text);
  const std::string hostile = "q\"uote \\back\nnl\x01 \xc3\xa9t\xc3\xa9 </script>";
  w.BeginObject();
  w.Key("s").Str(hostile).Key("empty").StrOrNull("").Key(hostile).Int(-7);
  w.Key("big").UInt(UINT64_MAX).Key("t").Bool(true).Key("list").BeginArray();
  w.BeginObject().EndObject().BeginArray().EndArray().Int(1).Null();
  w.EndArray().Key("v").BeginObject().Key("a").BeginArray().Int(1).Str("x").EndArray().EndObject();
  w.EndObject();
  const auto back = boost::json::parse(text).as_object();
  CHECK(back.at("s").as_string() == hostile);
  CHECK(back.at("empty").is_null());
  CHECK(back.at(hostile).as_int64() == -7);
  CHECK(back.at("big").as_uint64() == UINT64_MAX);
  CHECK(back.at("t").as_bool());
  CHECK(boost::json::serialize(back.at("list")) == "[{},[],1,null]");
  CHECK(boost::json::serialize(back.at("v")) == R"({"a":[1,"x"]})");
}

TEST_CASE("query dictionaries in JSON and in Python's spelling; anything else refused") {
  auto ok = [](const char* text, Metadata want) {
    CAPTURE(text);
    auto got = rest::ParseQueryDict(text, "metadata");
    BS_REQUIRE_OK(got);
    CHECK(*got == want);
  };
  ok(R"({"k": "v"})", {{"k", "v"}});
  ok("{'k': 'v', 'n': 3, 'b': True}", {{"k", "v"}, {"n", "3"}, {"b", "True"}});
  ok(R"( { 'it\'s': "a \"b\"" } )", {{"it's", "a \"b\""}});
  ok("{}", {});
  for (const char* bad : {"", "k=v", "{'k'}", "{'k': }", "{'k': 'v'", "{'k': 'v'} x", "{k: 'v'}",
                          "{'k': __import__('os')}", "{'k': ['v']}", "['k']", "{'k': 'v',}"}) {
    CAPTURE(bad);
    BS_CHECK_CODE(rest::ParseQueryDict(bad, "metadata"), Code::kInvalidArgument);
  }
}

TEST_CASE("a full page links to the next by its own path and query; summary; filters") {
  Rest f;
  for (int i = 0; i < 3; ++i) {
    auto made = f.Call("POST", "/v3/alice/volumes",
                       R"({"volume": {"size": 1, "name": "v)" + std::to_string(i) + R"(", "metadata": {"t": "x"}}})");
    REQUIRE(made.status == 202);
    BS_REQUIRE_OK(f.engine->WaitForVolume(f.alice, Rest::Text(Rest::Body(made).at("volume").at("id")),
                                          {VolumeStatus::kAvailable}, kWait));
  }
  const std::map<std::string, std::string> v360 = {{"X-Auth-Token", "alice-user:alice"},
                                                   {"OpenStack-API-Version", "volume 3.60"}};
  auto page = f.Call("GET", "/v3/alice/volumes/detail?limit=2&sort=name:asc&metadata=%7B%27t%27%3A+%27x%27%7D", {}, v360);
  REQUIRE(page.status == 200);
  const std::string next = Rest::Text(Rest::Body(page).at("volumes_links").at(0).at("href"));
  CHECK(next.find("/v3/alice/volumes/detail?") != std::string::npos);
  CHECK(next.find("sort=name:asc") != std::string::npos);
  CHECK(next.find("metadata=") != std::string::npos);
  auto rest = f.Call("GET", next.substr(next.find("/v3/")), {}, v360);
  REQUIRE(rest.status == 200);
  const auto rest_body = Rest::Body(rest);
  const auto& last = rest_body.at("volumes").as_array();
  REQUIRE(last.size() == 1);
  CHECK(Rest::Text(last.at(0).at("name")) == "v2");
  CHECK(Rest::Text(last.at(0).at("status")) == "available");  // a detail record
  auto summary = f.Call("GET", "/v3/alice/volumes/summary", {}, v360);
  REQUIRE(summary.status == 200);
  CHECK(boost::json::serialize(Rest::Body(summary)) ==
        R"({"volume-summary":{"total_size":3,"total_count":3,"metadata":{"t":["x"]}}})");
  // Before 3.12 "summary" is no route of its own: it is looked up as a volume, and not found.
  CHECK(f.Call("GET", "/v3/alice/volumes/summary").status == 404);
  // Substring filters from 3.34; resource_filters from 3.33.
  CHECK(f.Call("GET", "/v3/alice/volumes?name~=V", {}, v360).body.find("\"v1\"") != std::string::npos);
  CHECK(f.Call("GET", "/v3/alice/volumes?name~=V").status == 400);
  CHECK(f.Call("GET", "/v3/alice/volumes?host~=x", {}, v360).status == 400);
  auto filters = f.Call("GET", "/v3/alice/resource_filters?resource=backup", {}, v360);
  REQUIRE(filters.status == 200);
  CHECK(Rest::Body(filters).at("resource_filters").as_array().size() == 1);
}

TEST_CASE("volume views: a hostile name and metadata come back intact in show and detail") {
  Rest f;
  const std::string name = R"(a \"quoted\" \\ name é)";
  auto made = f.Call("POST", "/v3/alice/volumes",
                     R"({"volume": {"size": 1, "name": ")" + name + R"(", "metadata": {"k\"": "v\\"}}})");
  REQUIRE(made.status == 202);
  const auto created = Rest::Body(made).at("volume");
  const std::string id(created.at("id").as_string());
  const std::string want = R"(a "quoted" \ name é)";
  CHECK(Rest::Text(created.at("name")) == want);
  BS_REQUIRE_OK(f.engine->WaitForVolume(f.alice, id, {VolumeStatus::kAvailable}, kWait));
  auto list = f.Call("GET", "/v3/alice/volumes/detail?limit=1");
  REQUIRE(list.status == 200);
  const auto vols = Rest::Body(list).at("volumes").as_array();
  REQUIRE(vols.size() == 1);
  CHECK(Rest::Text(vols.at(0).at("name")) == want);
  CHECK(Rest::Text(vols.at(0).at("metadata").at("k\"")) == "v\\");
  CHECK(Rest::Body(list).at("volumes_links").at(0).at("href").as_string().ends_with("marker=" + id));
  auto brief = Rest::Body(f.Call("GET", "/v3/alice/volumes?with_count=true", {},
                                 {{"X-Auth-Token", "u:alice"}, {"OpenStack-API-Version", "volume 3.45"}}));
  CHECK(brief.at("count").as_int64() == 1);
  CHECK(Rest::Text(brief.at("volumes").at(0).at("name")) == want);
}

TEST_CASE("with_count counts every match, past one page of 1000") {
  Rest f;
  BS_REQUIRE_OK(f.engine->quotas().Update(RequestContext::Admin(), "alice",
                                          {{"volumes", -1}, {"gigabytes", -1}}));
  VolumeCreateRequest r;
  r.size_gb = 1;
  for (int i = 0; i < 1003; ++i) BS_REQUIRE_OK(f.engine->volumes().Create(f.alice, r));
  const std::map<std::string, std::string> headers = {{"X-Auth-Token", "u:alice"},
                                                      {"OpenStack-API-Version", "volume 3.45"}};
  auto counted = Rest::Body(f.Call("GET", "/v3/alice/volumes?with_count=true&limit=1", {}, headers));
  CHECK(counted.at("count").as_int64() == 1003);
  CHECK(counted.at("volumes").as_array().size() == 1);
}

TEST_CASE("versions, microversions and the request id") {
  Rest f;
  auto root = f.Call("GET", "/", {}, {});
  CHECK(root.status == 300);
  CHECK(Rest::Text(Rest::Body(root).at("versions").at(0).at("version")) == RestHandler::MaxVersion());
  auto v3 = f.Call("GET", "/v3/", {}, {});
  CHECK(v3.status == 200);
  CHECK(Rest::Header(v3, "x-openstack-request-id").starts_with("req-"));
  auto list = f.Call("GET", "/v3/alice/volumes", {},
                     {{"X-Auth-Token", "u:alice"}, {"OpenStack-API-Version", "volume 3.27"}});
  CHECK(list.status == 200);
  CHECK(Rest::Header(list, "OpenStack-API-Version") == "volume 3.27");
  auto latest = f.Call("GET", "/v3/alice/volumes", {},
                       {{"X-Auth-Token", "u:alice"}, {"OpenStack-API-Version", "volume latest"}});
  CHECK(Rest::Header(latest, "OpenStack-API-Version") == "volume " + RestHandler::MaxVersion());
  auto too_new = f.Call("GET", "/v3/alice/volumes", {},
                        {{"X-Auth-Token", "u:alice"}, {"OpenStack-API-Version", "volume 3.99"}});
  CHECK(too_new.status == 406);
  auto garbage = f.Call("GET", "/v3/alice/volumes", {},
                        {{"X-Auth-Token", "u:alice"}, {"OpenStack-API-Version", "volume x.y"}});
  CHECK(garbage.status >= 400);
  auto old = f.Call("GET", "/v3/alice/attachments", {},
                    {{"X-Auth-Token", "u:alice"}, {"OpenStack-API-Version", "volume 3.26"}});
  CHECK(old.status == 404);
}

TEST_CASE("auth: no token, unknown tokens, other projects") {
  Rest f;
  CHECK(f.Call("GET", "/v3/alice/volumes", {}, {}).status == 401);
  RestOptions tokens;
  tokens.auth_strategy = "tokens";
  tokens.tokens = ParseTokenFile("t1 alice-user alice\nt2 root admin admin\n").value();
  RestHandler strict(*f.engine, tokens);
  CHECK(strict.Handle({"GET", "/v3/alice/volumes", {{"X-Auth-Token", "nope"}}, ""}).status == 401);
  CHECK(strict.Handle({"GET", "/v3/alice/volumes", {{"X-Auth-Token", "t1"}}, ""}).status == 200);
  auto other = strict.Handle({"GET", "/v3/bob/volumes", {{"X-Auth-Token", "t1"}}, ""});
  CHECK(other.status == 400);
  CHECK(other.body.find("badRequest") != std::string::npos);
  CHECK(strict.Handle({"GET", "/v3/bob/volumes", {{"X-Auth-Token", "t2"}}, ""}).status == 200);
  BS_CHECK_CODE(ParseTokenFile("only-a-token\n"), Code::kInvalidArgument);
  BS_CHECK_CODE(ParseTokenFile("t u p r extra\n"), Code::kInvalidArgument);
  BS_CHECK_CODE(ParseTokenFile("t u p\nt u2 p2\n"), Code::kInvalidArgument);
}

TEST_CASE("bad requests get Cinder's error bodies and change nothing") {
  Rest f;
  const Volume v = f.Available(f.alice, 1);
  const std::string before = f.State();
  struct Case {
    const char* method;
    std::string target;
    std::string body;
    int status;
    const char* fault;
  };
  const std::string vol = "/v3/alice/volumes/" + v.id;
  const std::vector<Case> cases = {
      {"POST", "/v3/alice/volumes", "{not json", 400, "badRequest"},
      {"POST", "/v3/alice/volumes", "[1,2]", 400, "badRequest"},
      // A key twice: which one counts depends on the reader, so the body is malformed.
      {"POST", "/v3/alice/volumes", R"({"volume": {"size": 1, "size": 2}})", 400, "badRequest"},
      {"POST", "/v3/alice/volumes", R"({"volume": {"size": 1}, "volume": {"size": 2}})", 400, "badRequest"},
      {"POST", "/v3/alice/volumes", R"({"volume": {"size": 1, "metadata": {"a": "1", "a": "2"}}})", 400, "badRequest"},
      {"PUT", vol, R"({"volume": {"name": "x", "name": "y"}})", 400, "badRequest"},
      {"POST", vol + "/action", R"({"os-extend": {"new_size": 2, "new_size": 3}})", 400, "badRequest"},
      {"POST", "/v3/alice/volumes", R"({"volume": {"size": "big"}})", 400, "badRequest"},
      {"POST", "/v3/alice/volumes", R"({"volume": {"size": -1}})", 400, "badRequest"},
      {"POST", "/v3/alice/volumes", R"({"volume": {"size": 1e300}})", 400, "badRequest"},
      {"POST", "/v3/alice/volumes", R"({"volume": {"size": 2.5}})", 400, "badRequest"},
      {"POST", "/v3/alice/volumes", R"({"volume": {"size": 18446744073709551615}})", 400, "badRequest"},
      {"POST", "/v3/alice/volumes", R"({"volume": {"size": 1, "name": 7}})", 400, "badRequest"},
      {"POST", "/v3/alice/volumes", R"({"volume": {"size": 1, "imageRef": "x"}})", 400, "badRequest"},
      {"POST", "/v3/alice/volumes", R"({"volume": {"size": 1, "multiattach": true}})", 400, "badRequest"},
      {"POST", "/v3/alice/volumes", R"({"volume": {"size": 1, "volume_type": "nope"}})", 404, "itemNotFound"},
      {"POST", "/v3/alice/volumes", R"({"volume": {"size": 100000}})", 413, "overLimit"},
      {"POST", "/v3/alice/volumes", R"({"size": 1})", 400, "badRequest"},
      {"PUT", vol, R"({"volume": {"name": "x", "bogus": 1}})", 400, "badRequest"},
      {"POST", vol + "/action", R"({"os-extend": {"new_size": 1}})", 400, "badRequest"},
      {"POST", vol + "/action", R"({"os-extend": {}})", 400, "badRequest"},
      {"POST", vol + "/action", R"({"os-frobnicate": {}})", 400, "badRequest"},
      {"POST", vol + "/action", R"({"os-reset_status": {"status": "available"}})", 403, "forbidden"},
      {"POST", vol + "/action", R"({"os-extend": {"new_size": 2}, "os-reserve": null})", 400, "badRequest"},
      {"GET", "/v3/alice/volumes/00000000-0000-0000-0000-000000000000", "", 404, "itemNotFound"},
      {"GET", "/v3/alice/volumes/not-a-uuid", "", 404, "itemNotFound"},
      {"GET", "/v3/alice/volumes?limit=abc", "", 400, "badRequest"},
      {"GET", "/v3/alice/volumes?sort=name:sideways", "", 400, "badRequest"},
      {"GET", "/v3/alice/volumes?frob=1", "", 400, "badRequest"},
      {"GET", "/v3/alice/volumes/%2e%2e/etc", "", 400, "badRequest"},
      {"GET", "/v3/alice/volumes/%zz", "", 400, "badRequest"},
      {"GET", "/v3/alice/volumes/a%00b", "", 400, "badRequest"},
      {"GET", "/v3/alice/nothing-here", "", 404, "itemNotFound"},
      {"DELETE", "/v3/alice/volumes", "", 405, "badMethod"},
      {"POST", "/v3/alice/types", R"({"volume_type": {"name": "t"}})", 403, "forbidden"},
      {"GET", "/v3/alice/scheduler-stats/get_pools", "", 403, "forbidden"},
      {"PUT", "/v3/alice/os-quota-sets/alice", R"({"quota_set": {"volumes": 99}})", 403, "forbidden"},
      {"POST", "/v3/alice/backups", R"({"backup": {"volume_id": ")" + v.id + R"(", "container": "../x"}})", 400, "badRequest"},
      {"POST", "/v3/alice/snapshots", R"({"snapshot": {}})", 400, "badRequest"},
      {"POST", "/v3/alice/snapshots/" + v.id + "/action", R"({"os-reset_status": {"status": "bogus"}})", 400, "badRequest"},
      {"POST", "/v3/alice/backups/" + v.id + "/action", R"({"os-frobnicate": {}})", 400, "badRequest"},
      {"POST", "/v3/alice/backups/" + v.id + "/action", R"({"os-force_delete": {}})", 403, "forbidden"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.method);
    CAPTURE(c.target);
    CAPTURE(c.body);
    auto r = f.Call(c.method, c.target, c.body);
    CHECK(r.status == c.status);
    CHECK(r.body.find(std::string("\"") + c.fault + "\"") != std::string::npos);
  }
  // A body larger than the limit.
  RestOptions small;
  small.max_body_bytes = 64;
  RestHandler tight(*f.engine, small);
  auto big = tight.Handle({"POST", "/v3/alice/volumes", {{"X-Auth-Token", "u:alice"}},
                           std::string(1000, ' ') + "{}"});
  CHECK(big.status == 413);
  CHECK(f.State() == before);
}

TEST_CASE("a volume over REST: create, show, list with paging, update, extend, delete") {
  Rest f;
  auto made = f.Call("POST", "/v3/alice/volumes", R"({"volume": {"size": 1, "name": "r1", "metadata": {"k": "v"}}})");
  REQUIRE(made.status == 202);
  const std::string id(Rest::Body(made).at("volume").at("id").as_string());
  BS_REQUIRE_OK(f.engine->WaitForVolume(f.alice, id, {VolumeStatus::kAvailable}, kWait));
  for (int i = 0; i < 3; ++i) {
    REQUIRE(f.Call("POST", "/v3/alice/volumes", R"({"volume": {"size": 1}})").status == 202);
  }
  auto page = f.Call("GET", "/v3/alice/volumes/detail?limit=2&sort=created_at:asc");
  REQUIRE(page.status == 200);
  auto body = Rest::Body(page).as_object();
  CHECK(body.at("volumes").as_array().size() == 2);
  CHECK(body.contains("volumes_links"));
  auto shown = Rest::Body(f.Call("GET", "/v3/alice/volumes/" + id)).at("volume");
  CHECK(Rest::Text(shown.at("name")) == "r1");
  CHECK(Rest::Text(shown.at("metadata").at("k")) == "v");
  CHECK(Rest::Text(shown.at("bootable")) == "false");
  CHECK(f.Call("PUT", "/v3/alice/volumes/" + id, R"({"volume": {"name": "r2"}})").status == 200);
  CHECK(f.Call("POST", "/v3/alice/volumes/" + id + "/action", R"({"os-extend": {"new_size": 2}})").status == 202);
  auto grown = f.engine->WaitForVolume(f.alice, id, {VolumeStatus::kAvailable}, kWait);
  BS_REQUIRE_OK(grown);
  CHECK(grown->size_gb == 2);
  CHECK(grown->name == "r2");
  // Another project sees nothing of it.
  auto peek = f.Call("GET", "/v3/bob/volumes/" + id, {}, {{"X-Auth-Token", "u:bob"}});
  CHECK(peek.status == 404);
  CHECK(f.Call("DELETE", "/v3/alice/volumes/" + id).status == 202);
  BS_CHECK_OK(f.engine->WaitForVolumeDeleted(f.alice, id, kWait));
}

TEST_CASE("private types over REST: access add, list and remove; the read-only flag") {
  Rest f;
  const std::map<std::string, std::string> admin = {{"X-Auth-Token", "admin:admin"}};
  auto made = f.Call("POST", "/v3/admin/types",
                     R"({"volume_type": {"name": "vip", "os-volume-type-access:is_public": false}})",
                     admin);
  REQUIRE(made.status == 200);
  const std::string type_id(Rest::Body(made).at("volume_type").at("id").as_string());
  const std::string action = "/v3/admin/types/" + type_id + "/action";
  const std::string access = "/v3/admin/types/" + type_id + "/os-volume-type-access";
  CHECK(f.Call("GET", "/v3/alice/types/vip").status == 404);
  CHECK(f.Call("POST", "/v3/alice/types/" + type_id + "/action",
               R"({"addProjectAccess": {"project": "alice"}})").status == 403);
  CHECK(f.Call("POST", action, R"({"addProjectAccess": {"project": "alice"}})", admin).status == 202);
  CHECK(f.Call("POST", action, R"({"addProjectAccess": {"project": "alice"}})", admin).status == 409);
  // Malformed actions change nothing.
  CHECK(f.Call("POST", action, R"({"addProjectAccess": {}})", admin).status == 400);
  CHECK(f.Call("POST", action, R"({"addProjectAccess": {"project": 7}})", admin).status == 400);
  CHECK(f.Call("POST", action, R"({"addProjectAccess": {"project": "x", "extra": 1}})", admin).status == 400);
  CHECK(f.Call("POST", action, R"({"grantEverything": {}})", admin).status == 400);
  CHECK(f.Call("POST", action, "{nope", admin).status == 400);
  auto listed = f.Call("GET", access, {}, admin);
  REQUIRE(listed.status == 200);
  const auto rows = Rest::Body(listed).at("volume_type_access").as_array();
  REQUIRE(rows.size() == 1);
  CHECK(Rest::Text(rows.at(0).at("project_id")) == "alice");
  CHECK(Rest::Text(rows.at(0).at("volume_type_id")) == type_id);
  CHECK(f.Call("GET", "/v3/alice/types/vip").status == 200);
  auto vol = f.Call("POST", "/v3/alice/volumes", R"({"volume": {"size": 1, "volume_type": "vip"}})");
  REQUIRE(vol.status == 202);
  const std::string id(Rest::Body(vol).at("volume").at("id").as_string());
  CHECK(f.Call("POST", "/v3/bob/volumes", R"({"volume": {"size": 1, "volume_type": "vip"}})",
               {{"X-Auth-Token", "u:bob"}}).status == 404);
  CHECK(f.Call("POST", action, R"({"removeProjectAccess": {"project": "alice"}})", admin).status == 202);
  CHECK(f.Call("POST", action, R"({"removeProjectAccess": {"project": "alice"}})", admin).status == 404);
  CHECK(Rest::Body(f.Call("GET", access, {}, admin)).at("volume_type_access").as_array().empty());

  // os-update_readonly_flag: shown among the metadata as Cinder does.
  BS_REQUIRE_OK(f.engine->WaitForVolume(f.alice, id, {VolumeStatus::kAvailable}, kWait));
  const std::string vol_action = "/v3/alice/volumes/" + id + "/action";
  CHECK(f.Call("POST", vol_action, R"({"os-update_readonly_flag": {"readonly": "maybe"}})").status == 400);
  CHECK(f.Call("POST", vol_action, R"({"os-update_readonly_flag": {}})").status == 400);
  CHECK_FALSE(Rest::Body(f.Call("GET", "/v3/alice/volumes/" + id)).at("volume").at("metadata").as_object().contains("readonly"));
  CHECK(f.Call("POST", vol_action, R"({"os-update_readonly_flag": {"readonly": true}})").status == 202);
  auto shown = Rest::Body(f.Call("GET", "/v3/alice/volumes/" + id)).at("volume");
  CHECK(Rest::Text(shown.at("metadata").at("readonly")) == "True");
  CHECK(f.Call("POST", vol_action, R"({"os-update_readonly_flag": {"readonly": false}})").status == 202);
  shown = Rest::Body(f.Call("GET", "/v3/alice/volumes/" + id)).at("volume");
  CHECK(Rest::Text(shown.at("metadata").at("readonly")) == "False");
}

}  // namespace
}  // namespace blockstore::testing

TEST_SUITE_END();
