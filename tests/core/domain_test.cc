// The domain rules the stores share: a volume's status from its attachments, and the parent
// an incremental backup builds on.
#include "lib/domain/attach_state.hpp"
#include "lib/domain/backup_chain.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;
using blockstore::internal::ChooseIncrementalParent;
using blockstore::internal::DeriveAttachState;
using AS = AttachStatus;
using VS = VolumeStatus;

TEST_SUITE("domain") {
  TEST_CASE("attach state: the first live attachment status wins; errors, detached and deleted count for nothing") {
    struct Case {
      VS current;
      std::vector<AS> attachments;
      VS status;
      AS attach_status;
    };
    const std::vector<Case> cases = {
        {VS::kAvailable, {}, VS::kAvailable, AS::kDetached},
        {VS::kReserved, {AS::kReserved}, VS::kReserved, AS::kReserved},
        {VS::kAttaching, {AS::kAttaching}, VS::kAttaching, AS::kAttaching},
        {VS::kAttaching, {AS::kAttached}, VS::kInUse, AS::kAttached},
        // Two attachments of a multiattach volume: "attached" sorts before "reserved".
        {VS::kInUse, {AS::kReserved, AS::kAttached}, VS::kInUse, AS::kAttached},
        {VS::kInUse, {AS::kErrorAttaching, AS::kDetached, AS::kDeleted}, VS::kAvailable, AS::kDetached},
        {VS::kDetaching, {AS::kErrorDetaching}, VS::kAvailable, AS::kDetached},
        {VS::kDetaching, {AS::kAttached}, VS::kInUse, AS::kAttached},
        // Statuses outside attaching and detaching are left alone; attach_status still follows.
        {VS::kBackingUp, {AS::kAttached}, VS::kBackingUp, AS::kAttached},
        {VS::kExtending, {}, VS::kExtending, AS::kDetached},
        {VS::kMaintenance, {AS::kReserved}, VS::kMaintenance, AS::kReserved},
    };
    for (const auto& c : cases) {
      const auto got = DeriveAttachState(c.current, c.attachments);
      CAPTURE(ToString(c.current));
      CAPTURE(c.attachments.size());
      CHECK(got.status == c.status);
      CHECK(got.attach_status == c.attach_status);
    }
  }

  TEST_CASE("incremental parent: the newest available backup of the volume not newer than the incremental") {
    auto backup = [](std::string id, std::string volume, BackupStatus status, int data_s, int created_s) {
      Backup b;
      b.id = std::move(id);
      b.volume_id = std::move(volume);
      b.status = status;
      b.data_timestamp = TimePoint(std::chrono::seconds(data_s));
      b.created_at = TimePoint(std::chrono::seconds(created_s));
      return b;
    };
    Backup inc = backup("inc", "v1", BackupStatus::kCreating, 100, 100);
    inc.is_incremental = true;
    const std::vector<Backup> candidates = {
        backup("old", "v1", BackupStatus::kAvailable, 10, 10),
        backup("newest", "v1", BackupStatus::kAvailable, 50, 60),
        backup("same-data-older", "v1", BackupStatus::kAvailable, 50, 55),
        backup("failed", "v1", BackupStatus::kError, 90, 90),
        backup("future", "v1", BackupStatus::kAvailable, 200, 200),  // data newer than the incremental's
        backup("other-volume", "v2", BackupStatus::kAvailable, 95, 95),
    };
    auto chosen = ChooseIncrementalParent(inc, candidates);
    BS_REQUIRE_OK(chosen);
    CHECK(chosen->id == "newest");

    BS_CHECK_CODE(ChooseIncrementalParent(inc, {candidates[3], candidates[4], candidates[5]}),
                  Code::kFailedPrecondition);
    BS_CHECK_CODE(ChooseIncrementalParent(inc, {}), Code::kFailedPrecondition);

    inc.parent_id = "old";
    chosen = ChooseIncrementalParent(inc, candidates);
    BS_REQUIRE_OK(chosen);
    CHECK(chosen->id == "old");
    inc.parent_id = "failed";
    BS_CHECK_CODE(ChooseIncrementalParent(inc, candidates), Code::kFailedPrecondition);
    inc.parent_id = "other-volume";
    BS_CHECK_CODE(ChooseIncrementalParent(inc, candidates), Code::kFailedPrecondition);
    inc.parent_id = "missing";
    BS_CHECK_CODE(ChooseIncrementalParent(inc, candidates), Code::kNotFound);
  }
}
