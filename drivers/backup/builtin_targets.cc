// The backup target types blockstore ships: posix, swift and s3.
#include "blockstore/backup_target.hpp"
#include "blockstore/posix_target.hpp"
#include "blockstore/s3_target.hpp"
#include "blockstore/swift_target.hpp"

namespace blockstore {

const BackupTargetRegistry& BuiltinBackupTargets() {
  static const BackupTargetRegistry registry = [] {
    BackupTargetRegistry r;
    // Three fresh names in an empty registry: these cannot collide.
    (void)RegisterPosixTarget(r);
    (void)RegisterSwiftTarget(r);
    (void)RegisterS3Target(r);
    return r;
  }();
  return registry;
}

Result<std::unique_ptr<BackupTarget>> NewBackupTarget(const BackupTargetOptions& options) {
  return BuiltinBackupTargets().Create(options);
}

}  // namespace blockstore
