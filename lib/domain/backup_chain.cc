// ChooseIncrementalParent: the backup an incremental builds on.
#include "lib/domain/backup_chain.hpp"

#include <tuple>

namespace blockstore::internal {

Result<Backup> ChooseIncrementalParent(const Backup& incremental, const std::vector<Backup>& candidates) {
  const Backup* chosen = nullptr;
  if (!incremental.parent_id.empty()) {
    for (const auto& c : candidates) {
      if (c.id == incremental.parent_id) chosen = &c;
    }
    if (!chosen) return NotFound("backup " + incremental.parent_id + " not found");
  } else {
    for (const auto& c : candidates) {
      if (c.volume_id != incremental.volume_id || c.status != BackupStatus::kAvailable ||
          c.data_timestamp > incremental.data_timestamp) {
        continue;
      }
      if (!chosen || std::tie(c.data_timestamp, c.created_at) > std::tie(chosen->data_timestamp, chosen->created_at)) {
        chosen = &c;
      }
    }
    if (!chosen) {
      return FailedPrecondition("volume " + incremental.volume_id +
                                " has no available backup to be incremental to; take a full backup first");
    }
  }
  if (chosen->volume_id != incremental.volume_id || chosen->status != BackupStatus::kAvailable) {
    return FailedPrecondition("backup " + chosen->id + " is not an available backup of volume " +
                              incremental.volume_id);
  }
  return *chosen;
}

}  // namespace blockstore::internal
