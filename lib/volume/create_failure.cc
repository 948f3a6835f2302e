#include "lib/volume/create_failure.hpp"

namespace blockstore::internal {

void FailVolumeCreate(Store& store, const Notifier& notifier, const std::string& volume_id,
                      const Status& why, const std::string& restore_backup_id,
                      bool unplaced_only) {
  VolumeTransition t;
  t.from = {VolumeStatus::kCreating};
  t.expect_unplaced = unplaced_only;
  t.to = VolumeStatus::kError;
  t.quota = QuotaAction::kRollback;
  auto failed = store.volumes().Transition(volume_id, t);
  if (!failed.ok()) return;  // it left creating meanwhile: whoever moved it settled it
  notifier.Volume("volume.create.error", *failed, why.ToString());
  if (restore_backup_id.empty()) return;
  BackupTransition b;
  b.from = {BackupStatus::kRestoring};
  b.to = BackupStatus::kAvailable;
  b.fail_reason = "the volume created for the restore, " + volume_id +
                  ", could not be created: " + why.ToString();
  if (auto back = store.backups().Transition(restore_backup_id, b); back.ok()) {
    notifier.Backup("backup.restore.error", *back, *b.fail_reason);
  }
}

}  // namespace blockstore::internal
