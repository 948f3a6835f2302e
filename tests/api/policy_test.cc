// Project isolation, admin-only operations, types, QoS specs and quotas.
#include "tests/support/engine_fixture.hpp"

using namespace blockstore;
using namespace blockstore::testing;

TEST_SUITE("policy") {
  TEST_CASE("a project never sees or touches another's volumes and snapshots") {
    EngineFixture f;
    auto v = f.Available(f.alice, 1);
    auto s = f.AvailableSnapshot(f.alice, v.id);
    BS_CHECK_CODE(f.engine->volumes().Get(f.bob, v.id), Code::kNotFound);
    BS_CHECK_CODE(f.engine->snapshots().Get(f.bob, s.id), Code::kNotFound);
    BS_CHECK_CODE(f.engine->volumes().Update(f.bob, v.id, {.name = "mine"}), Code::kNotFound);
    BS_CHECK_CODE(f.engine->volumes().Extend(f.bob, v.id, 2), Code::kNotFound);
    BS_CHECK_CODE(f.engine->snapshots().Delete(f.bob, s.id), Code::kNotFound);
    CHECK(f.engine->volumes().List(f.bob, {})->empty());
    CHECK(f.engine->snapshots().List(f.bob, {})->empty());
    ListQuery marker;
    marker.marker = v.id;  // a marker from another project does not leak its position
    BS_CHECK_CODE(f.engine->volumes().List(f.bob, marker), Code::kNotFound);
    // The admin sees everything.
    BS_REQUIRE_OK(f.engine->volumes().Get(f.admin, v.id));
    CHECK(f.engine->volumes().Get(f.alice, v.id)->name == "");
  }

  TEST_CASE("private types are invisible to users; users see only public extra specs") {
    EngineFixture f;
    auto priv = f.engine->types().Create(f.admin, {"private", "", false, {}});
    BS_REQUIRE_OK(priv);
    auto pub = f.engine->types().Create(
        f.admin, {"shared", "", true, {{"volume_backend_name", "file"}, {"multiattach", "<is> True"}}});
    BS_REQUIRE_OK(pub);
    BS_CHECK_CODE(f.engine->types().Get(f.alice, "private"), Code::kNotFound);
    VolumeCreateRequest r;
    r.size_gb = 1;
    r.volume_type = priv->id;
    BS_CHECK_CODE(f.engine->volumes().Create(f.alice, r), Code::kNotFound);
    auto seen = f.engine->types().Get(f.alice, "shared");
    BS_REQUIRE_OK(seen);
    CHECK(seen->extra_specs == Metadata{{"multiattach", "<is> True"}});
    CHECK(f.engine->types().Get(f.admin, "shared")->extra_specs.size() == 2);
    CHECK(f.engine->types().List(f.alice)->size() == 2);   // __DEFAULT__ and shared
    CHECK(f.engine->types().List(f.admin)->size() == 3);
    r.volume_type = "shared";
    auto v = f.engine->volumes().Create(f.alice, r);
    BS_REQUIRE_OK(v);
    CHECK(v->multiattach);
  }

  TEST_CASE("a private type's access list admits projects one by one") {
    EngineFixture f;
    auto priv = f.engine->types().Create(f.admin, {"private", "", false, {}});
    BS_REQUIRE_OK(priv);
    VolumeCreateRequest r;
    r.size_gb = 1;
    r.volume_type = "private";
    BS_CHECK_CODE(f.engine->volumes().Create(f.alice, r), Code::kNotFound);
    BS_CHECK_CODE(f.engine->types().AddAccess(f.alice, priv->id, "alice"),
                  Code::kPermissionDenied);
    BS_REQUIRE_OK(f.engine->types().AddAccess(f.admin, priv->id, "alice"));
    BS_CHECK_CODE(f.engine->types().AddAccess(f.admin, priv->id, "alice"), Code::kAlreadyExists);
    CHECK(*f.engine->types().ListAccess(f.admin, priv->id) == std::vector<std::string>{"alice"});
    BS_CHECK_CODE(f.engine->types().ListAccess(f.alice, priv->id), Code::kPermissionDenied);
    // Alice sees and uses it; Bob still does not.
    BS_REQUIRE_OK(f.engine->types().Get(f.alice, "private"));
    CHECK(f.engine->types().List(f.alice)->size() == 2);
    CHECK(f.engine->types().List(f.bob)->size() == 1);
    BS_CHECK_CODE(f.engine->types().Get(f.bob, priv->id), Code::kNotFound);
    BS_CHECK_CODE(f.engine->volumes().Create(f.bob, r), Code::kNotFound);
    auto v = f.engine->volumes().Create(f.alice, r);
    BS_REQUIRE_OK(v);
    CHECK(v->volume_type_id == priv->id);
    // Bad requests change nothing.
    auto pub = f.engine->types().Get(f.admin, "__DEFAULT__");
    BS_REQUIRE_OK(pub);
    BS_CHECK_CODE(f.engine->types().AddAccess(f.admin, pub->id, "bob"), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->types().ListAccess(f.admin, pub->id), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->types().AddAccess(f.admin, priv->id, ""), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->types().AddAccess(f.admin, priv->id, "bad\nproject"),
                  Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->types().AddAccess(f.admin, "not-a-uuid", "bob"),
                  Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->types().AddAccess(f.admin, "00000000-0000-0000-0000-000000000001", "bob"),
                  Code::kNotFound);
    BS_CHECK_CODE(f.engine->types().RemoveAccess(f.admin, priv->id, "bob"), Code::kNotFound);
    CHECK(*f.engine->types().ListAccess(f.admin, priv->id) == std::vector<std::string>{"alice"});
    // Removed again: gone for Alice; her volume keeps its type.
    BS_REQUIRE_OK(f.engine->types().RemoveAccess(f.admin, priv->id, "alice"));
    BS_CHECK_CODE(f.engine->types().Get(f.alice, "private"), Code::kNotFound);
    CHECK(f.engine->types().ListAccess(f.admin, priv->id)->empty());
    CHECK(f.engine->volumes().Get(f.alice, v->id)->volume_type_id == priv->id);
  }

  TEST_CASE("volume types: extra specs, rename, delete when unused") {
    EngineFixture f;
    // vendor-scoped specs are for drivers; the scheduler does not match them.
    auto t = f.engine->types().Create(f.admin, {"gold", "fast", true, {{"vendor:a", "1"}}});
    BS_REQUIRE_OK(t);
    auto set = f.engine->types().SetExtraSpecs(f.admin, t->id, {{"vendor:b", "2"}, {"vendor:a", "3"}});
    BS_REQUIRE_OK(set);
    CHECK(set->extra_specs == Metadata{{"vendor:a", "3"}, {"vendor:b", "2"}});
    BS_CHECK_CODE(f.engine->types().SetExtraSpecs(f.alice, t->id, {{"vendor:c", "1"}}), Code::kPermissionDenied);
    auto unset = f.engine->types().UnsetExtraSpec(f.admin, t->id, "vendor:a");
    BS_REQUIRE_OK(unset);
    CHECK(unset->extra_specs == Metadata{{"vendor:b", "2"}});
    BS_CHECK_CODE(f.engine->types().UnsetExtraSpec(f.admin, t->id, "vendor:a"), Code::kNotFound);
    auto renamed = f.engine->types().Update(f.admin, t->id, {.name = "platinum"});
    BS_REQUIRE_OK(renamed);
    BS_REQUIRE_OK(f.engine->types().Get(f.admin, "platinum"));
    VolumeCreateRequest r;
    r.size_gb = 1;
    r.volume_type = "platinum";
    auto v = f.engine->volumes().Create(f.alice, r);
    BS_REQUIRE_OK(v);
    BS_CHECK_CODE(f.engine->types().Delete(f.admin, t->id), Code::kFailedPrecondition);
    BS_REQUIRE_OK(f.engine->WaitForVolume(f.alice, v->id, {VolumeStatus::kAvailable}, kWait));
    BS_REQUIRE_OK(f.engine->volumes().Delete(f.alice, v->id));
    BS_REQUIRE_OK(f.engine->WaitForVolumeDeleted(f.alice, v->id, kWait));
    BS_REQUIRE_OK(f.engine->types().Delete(f.admin, t->id));
    BS_CHECK_CODE(f.engine->types().Get(f.admin, t->id), Code::kNotFound);
  }

  TEST_CASE("QoS specs: create, keys, associate, delete") {
    EngineFixture f;
    auto q = f.engine->qos().Create(f.admin, {"limits", "front-end", {{"total_iops_sec", "500"}}});
    BS_REQUIRE_OK(q);
    auto t = f.engine->types().Create(f.admin, {"limited", "", true, {}});
    BS_REQUIRE_OK(t);
    BS_REQUIRE_OK(f.engine->qos().Associate(f.admin, q->id, t->id));
    CHECK(f.engine->types().Get(f.admin, t->id)->qos_specs_id == q->id);
    BS_CHECK_CODE(f.engine->qos().Delete(f.admin, q->id), Code::kFailedPrecondition);
    auto keys = f.engine->qos().SetKeys(f.admin, q->id, {{"read_bytes_sec", "1000"}});
    BS_REQUIRE_OK(keys);
    CHECK(keys->specs.size() == 2);
    BS_REQUIRE_OK(f.engine->qos().UnsetKey(f.admin, q->id, "total_iops_sec"));
    CHECK(f.engine->qos().Get(f.admin, q->id)->specs == Metadata{{"read_bytes_sec", "1000"}});
    BS_REQUIRE_OK(f.engine->qos().Disassociate(f.admin, q->id, t->id));
    BS_CHECK_CODE(f.engine->qos().Disassociate(f.admin, q->id, t->id), Code::kFailedPrecondition);
    BS_REQUIRE_OK(f.engine->qos().Associate(f.admin, q->id, t->id));
    BS_REQUIRE_OK(f.engine->qos().Delete(f.admin, q->id, /*force=*/true));
    CHECK(f.engine->types().Get(f.admin, t->id)->qos_specs_id.empty());
    CHECK(f.engine->qos().List(f.admin)->empty());
  }

  TEST_CASE("quotas: defaults, overrides, usage, reset") {
    EngineFixture f;
    auto defaults = f.engine->quotas().GetDefaults();
    CHECK(defaults.resources["volumes"].limit == 10);
    CHECK(defaults.resources["gigabytes"].limit == 1000);
    CHECK(defaults.resources["snapshots"].limit == 10);
    BS_REQUIRE_OK(f.engine->quotas().Update(f.admin, "alice", {{"volumes", 2}}));
    auto q = f.engine->quotas().Get(f.alice, "alice");
    BS_REQUIRE_OK(q);
    CHECK(q->resources["volumes"].limit == 2);
    CHECK(f.engine->quotas().Get(f.bob, "bob")->resources["volumes"].limit == 10);
    f.Available(f.alice, 1);
    f.Available(f.alice, 1);
    VolumeCreateRequest r;
    r.size_gb = 1;
    BS_CHECK_CODE(f.engine->volumes().Create(f.alice, r), Code::kResourceExhausted);
    BS_REQUIRE_OK(f.engine->quotas().Reset(f.admin, "alice"));
    BS_REQUIRE_OK(f.engine->volumes().Create(f.alice, r));
  }

  TEST_CASE("quota defaults come from the engine's config") {
    TempDir dir;
    EngineConfig c = BasicConfig(dir.path());
    c.quota_defaults = {{"volumes", 1}};
    auto e = Engine::Open(c);
    BS_REQUIRE_OK(e);
    auto alice = RequestContext::User("alice");
    VolumeCreateRequest r;
    r.size_gb = 1;
    BS_REQUIRE_OK((*e)->volumes().Create(alice, r));
    BS_CHECK_CODE((*e)->volumes().Create(alice, r), Code::kResourceExhausted);
    c.quota_defaults = {{"unicorns", 1}};
    BS_CHECK_CODE(Engine::Open(c), Code::kInvalidArgument);
  }

  TEST_CASE("engine config errors are named") {
    TempDir dir;
    EngineConfig c;
    BS_CHECK_CODE(Engine::Open(c), Code::kInvalidArgument);
    c = BasicConfig(dir.path());
    c.backends = {{"a", "file", "a", {{"volumes_dir", dir / "a"}}},
                  {"a", "file", "a", {{"volumes_dir", dir / "b"}}}};
    auto twice = Engine::Open(c);
    BS_CHECK_CODE(twice, Code::kInvalidArgument);
    CHECK(twice.status().message().find("twice") != std::string::npos);
    c.backends = {{"a/b", "file", "a", {{"volumes_dir", dir / "a"}}}};
    BS_CHECK_CODE(Engine::Open(c), Code::kInvalidArgument);
    c.backends = {{"a", "tape", "a", {}}};
    BS_CHECK_CODE(Engine::Open(c), Code::kNotFound);
  }
}
