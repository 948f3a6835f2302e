// blockstore — the posix backup target: objects as files under a directory.
//
// String options (BackupTargetRegistry, NewBackupTarget with "type" = "posix"): "root" (required),
// "sync". Booleans are true|false; unknown options are invalid_argument naming them.
#ifndef BLOCKSTORE_POSIX_TARGET_HPP
#define BLOCKSTORE_POSIX_TARGET_HPP

#include <memory>
#include <string>

#include "blockstore/backup_target.hpp"

namespace blockstore {

struct PosixTargetOptions {
  std::string root;  // a directory (local disk or an NFS mount); created if missing
  // Make objects durable (fsync the files and their directories) on Flush. Default: true (a
  // backup that reports success survives a power loss).
  bool sync = true;
};

// Objects are files under the root; Put writes a temporary file ("<name>.tmp-<pid>-<n>"),
// starts its writeback and renames it into place; Flush fsyncs the files put since the last
// Flush, then their directories, so the disk writes while the backup computes and a directory
// is synced once per backup rather than once per object. Delete removes directories it
// empties; RemoveLeftovers removes temporary files of puts a crash interrupted, and empty
// directories.
BS_API Result<std::unique_ptr<BackupTarget>> NewPosixTarget(const PosixTargetOptions& options);

// Registers the type as "posix".
BS_API Status RegisterPosixTarget(BackupTargetRegistry& registry);

}  // namespace blockstore

#endif  // BLOCKSTORE_POSIX_TARGET_HPP
