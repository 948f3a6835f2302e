// Volume transfers: a project offers a volume; another accepts it with the key; the volume, its
// snapshots and their quota change project together — or, refused, nothing changes.
#include "tests/support/engine_fixture.hpp"

using namespace blockstore;
using namespace blockstore::testing;

namespace {

using VS = VolumeStatus;

struct Fixture : EngineFixture {
  Fixture() : EngineFixture(Later{}) {
    Open([](EngineConfig& c) { c.quota_defaults["gigabytes"] = 100; });
  }
  TransferCreated Offer(const RequestContext& ctx, const std::string& volume_id, bool no_snapshots = false) {
    auto t = engine->transfers().Create(ctx, volume_id, "gift", no_snapshots);
    REQUIRE_MESSAGE(t.ok(), t.status().ToString());
    return *t;
  }
};

}  // namespace

TEST_SUITE("transfers") {
  TEST_CASE("an accepted transfer moves the volume, its snapshots and their quota to the new project") {
    Fixture f;
    Volume v = f.Available(f.alice, 3);
    Snapshot s = f.AvailableSnapshot(f.alice, v.id);
    TransferCreated made = f.Offer(f.alice, v.id);
    CHECK(made.auth_key.size() == 16);
    CHECK(made.transfer.salt.size() == 8);
    CHECK(made.transfer.crypt_hash.find(made.auth_key) == std::string::npos);
    CHECK(made.transfer.source_project_id == "alice");
    CHECK(f.Get(f.alice, v.id).status == VS::kAwaitingTransfer);
    // Visible to its owner and an admin, not to others.
    BS_REQUIRE_OK(f.engine->transfers().Get(f.alice, made.transfer.id));
    BS_REQUIRE_OK(f.engine->transfers().Get(f.admin, made.transfer.id));
    BS_CHECK_CODE(f.engine->transfers().Get(f.bob, made.transfer.id), Code::kNotFound);
    CHECK(f.engine->transfers().List(f.alice)->size() == 1);
    CHECK(f.engine->transfers().List(f.bob)->empty());
    CHECK(f.engine->transfers().List(f.admin, true)->size() == 1);
    BS_CHECK_CODE(f.engine->transfers().List(f.bob, true), Code::kPermissionDenied);
    // An awaiting volume cannot be deleted, attached or snapshotted.
    BS_CHECK_CODE(f.engine->volumes().Delete(f.alice, v.id), Code::kFailedPrecondition);
    BS_CHECK_CODE(f.engine->snapshots().Create(f.alice, {v.id, "t", "", false, {}}), Code::kFailedPrecondition);

    auto accepted = f.engine->transfers().Accept(f.bob, made.transfer.id, made.auth_key);
    BS_REQUIRE_OK(accepted);
    CHECK(accepted->accepted);
    CHECK(accepted->destination_project_id == "bob");
    Volume now = f.Get(f.bob, v.id);
    CHECK(now.status == VS::kAvailable);
    CHECK(now.project_id == "bob");
    CHECK(now.user_id == f.bob.user_id);
    BS_CHECK_CODE(f.engine->volumes().Get(f.alice, v.id), Code::kNotFound);
    auto snap = f.engine->snapshots().Get(f.bob, s.id);
    BS_REQUIRE_OK(snap);
    CHECK(snap->project_id == "bob");
    CHECK(f.Usage("alice", "volumes").in_use == 0);
    CHECK(f.Usage("alice", "snapshots").in_use == 0);
    CHECK(f.Usage("alice", "gigabytes").in_use == 0);
    CHECK(f.Usage("bob", "volumes").in_use == 1);
    CHECK(f.Usage("bob", "snapshots").in_use == 1);
    CHECK(f.Usage("bob", "gigabytes").in_use == 6);
    CHECK(f.Usage("bob", "volumes").reserved == 0);
    // Accepted: gone from the lists, and it cannot be accepted twice.
    CHECK(f.engine->transfers().List(f.alice)->empty());
    BS_CHECK_CODE(f.engine->transfers().Accept(f.admin, made.transfer.id, made.auth_key), Code::kNotFound);
    // The new owner deletes them; bob's usage returns to nothing.
    BS_REQUIRE_OK(f.engine->snapshots().Delete(f.bob, s.id));
    BS_REQUIRE_OK(f.engine->WaitForSnapshotDeleted(f.bob, s.id, kWait));
    BS_REQUIRE_OK(f.engine->volumes().Delete(f.bob, v.id));
    BS_REQUIRE_OK(f.engine->WaitForVolumeDeleted(f.bob, v.id, kWait));
    CHECK(f.Usage("bob", "volumes").in_use == 0);
    CHECK(f.Usage("bob", "gigabytes").in_use == 0);
  }

  TEST_CASE("no_snapshots leaves the snapshots and their quota with the old project") {
    Fixture f;
    Volume v = f.Available(f.alice, 2);
    Snapshot s = f.AvailableSnapshot(f.alice, v.id);
    TransferCreated made = f.Offer(f.alice, v.id, /*no_snapshots=*/true);
    BS_REQUIRE_OK(f.engine->transfers().Accept(f.bob, made.transfer.id, made.auth_key));
    CHECK(f.engine->snapshots().Get(f.alice, s.id)->project_id == "alice");
    CHECK(f.Usage("alice", "snapshots").in_use == 1);
    CHECK(f.Usage("alice", "gigabytes").in_use == 2);
    CHECK(f.Usage("bob", "gigabytes").in_use == 2);
    CHECK(f.Usage("bob", "snapshots").in_use == 0);
  }

  TEST_CASE("a deleted transfer gives the volume back, available") {
    Fixture f;
    Volume v = f.Available(f.alice, 1);
    TransferCreated made = f.Offer(f.alice, v.id);
    BS_CHECK_CODE(f.engine->transfers().Delete(f.bob, made.transfer.id), Code::kNotFound);
    BS_REQUIRE_OK(f.engine->transfers().Delete(f.alice, made.transfer.id));
    CHECK(f.Get(f.alice, v.id).status == VS::kAvailable);
    BS_CHECK_CODE(f.engine->transfers().Accept(f.bob, made.transfer.id, made.auth_key), Code::kNotFound);
    CHECK(f.Get(f.alice, v.id).project_id == "alice");
  }

  TEST_CASE("bad requests are refused and change nothing") {
    Fixture f;
    Volume v = f.Available(f.alice, 5);
    // Not the caller's volume; no such volume; a name with a control character.
    BS_CHECK_CODE(f.engine->transfers().Create(f.bob, v.id), Code::kNotFound);
    BS_CHECK_CODE(f.engine->transfers().Create(f.alice, "9b1d0000-0000-4000-8000-000000000000"), Code::kNotFound);
    BS_CHECK_CODE(f.engine->transfers().Create(f.alice, v.id, std::string("a\x01")), Code::kInvalidArgument);
    CHECK(f.Get(f.alice, v.id).status == VS::kAvailable);
    TransferCreated made = f.Offer(f.alice, v.id);
    BS_REQUIRE_OK(f.engine->quotas().Update(f.admin, "bob", {{"gigabytes", 4}}));
    const std::string before = f.State();
    // Twice; a wrong key; no key; into the owner's own project; an unknown transfer.
    BS_CHECK_CODE(f.engine->transfers().Create(f.alice, v.id), Code::kFailedPrecondition);
    BS_CHECK_CODE(f.engine->transfers().Accept(f.bob, made.transfer.id, "0123456789abcdef"), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->transfers().Accept(f.bob, made.transfer.id, ""), Code::kInvalidArgument);
    BS_CHECK_CODE(f.engine->transfers().Accept(f.alice, made.transfer.id, made.auth_key), Code::kFailedPrecondition);
    BS_CHECK_CODE(f.engine->transfers().Accept(f.bob, "9b1d0000-0000-4000-8000-000000000000", made.auth_key),
                  Code::kNotFound);
    BS_CHECK_CODE(f.engine->transfers().Accept(f.bob, "not-a-uuid", made.auth_key), Code::kNotFound);
    // Over the new project's quota (4 GB): refused whole.
    BS_CHECK_CODE(f.engine->transfers().Accept(f.bob, made.transfer.id, made.auth_key), Code::kResourceExhausted);
    CHECK(f.State() == before);
    CHECK(f.Usage("bob", "gigabytes").in_use == 0);
    CHECK(f.Usage("bob", "gigabytes").reserved == 0);
    CHECK(f.Usage("alice", "gigabytes").in_use == 5);
    // With room it goes through.
    BS_REQUIRE_OK(f.engine->quotas().Update(f.admin, "bob", {{"gigabytes", 5}}));
    BS_REQUIRE_OK(f.engine->transfers().Accept(f.bob, made.transfer.id, made.auth_key));
    CHECK(f.Usage("bob", "gigabytes").in_use == 5);
  }

  TEST_CASE("a volume with a snapshot that is not available transfers only without its snapshots") {
    Fixture f;
    Volume v = f.Available(f.alice, 1);
    Snapshot s = f.AvailableSnapshot(f.alice, v.id);
    BS_REQUIRE_OK(f.engine->snapshots().ResetStatus(f.admin, s.id, SnapshotStatus::kError));
    BS_CHECK_CODE(f.engine->transfers().Create(f.alice, v.id), Code::kFailedPrecondition);
    CHECK(f.Get(f.alice, v.id).status == VS::kAvailable);
    BS_REQUIRE_OK(f.engine->transfers().Create(f.alice, v.id, "", /*no_snapshots=*/true));
  }

  TEST_CASE("per-type quota moves with the volume") {
    Fixture f;
    auto gold = f.engine->types().Create(f.admin, {"gold", "", true, {}});
    BS_REQUIRE_OK(gold);
    VolumeCreateRequest r;
    r.volume_type = "gold";
    Volume v = f.Available(f.alice, 2, r);
    TransferCreated made = f.Offer(f.alice, v.id);
    BS_REQUIRE_OK(f.engine->transfers().Accept(f.bob, made.transfer.id, made.auth_key));
    CHECK(f.Usage("bob", "volumes_gold").in_use == 1);
    CHECK(f.Usage("bob", "gigabytes_gold").in_use == 2);
    CHECK(f.Usage("alice", "volumes_gold").in_use == 0);
  }
}
