// blockstore — BackupTarget: where backup objects live (a directory, Swift, S3).
//
// A target stores named objects: whole byte strings put and got at once. Names are relative
// paths of letters, digits and `-_.` separated by `/` (no `..`, no leading `/`); a target
// refuses anything else with invalid_argument, so a name can never escape its root. Put
// replaces an object atomically: a reader sees the old bytes or the new, never a mix.
//
// Codes: not_found for a missing object; unavailable for a failure worth retrying (the
// backup engine retries those with backoff); data_loss when the target finds an object
// damaged; invalid_argument for a bad name.
//
// Thread-safety: every method may be called from several threads at once.
#ifndef BLOCKSTORE_BACKUP_TARGET_HPP
#define BLOCKSTORE_BACKUP_TARGET_HPP

#include <cstddef>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "blockstore/export.h"
#include "blockstore/result.hpp"

namespace blockstore {

class BS_API BackupTarget {
 public:
  virtual ~BackupTarget();
  virtual Status Put(const std::string& name, std::span<const std::byte> data) = 0;
  virtual Result<std::vector<std::byte>> Get(const std::string& name) = 0;
  // Names starting with `prefix`, sorted.
  virtual Result<std::vector<std::string>> List(const std::string& prefix) = 0;
  // Idempotent: deleting a missing object succeeds.
  virtual Status Delete(const std::string& name) = 0;
  // "posix:/srv/backups", "swift:https://…/container", …: for messages and records.
  virtual std::string Describe() const = 0;
};

// Checks a name as every target does: invalid_argument naming the problem.
BS_API Status CheckObjectName(const std::string& name);

struct PosixTargetOptions {
  std::string root;  // a directory (local disk or an NFS mount); created if missing
  // fsync each object and its directory before Put returns. Default: true (a backup that
  // reports success survives a power loss).
  bool sync = true;
};

// Objects are files under the root; Put writes a temporary file, fsyncs it, renames it into
// place and fsyncs the directory.
BS_API Result<std::unique_ptr<BackupTarget>> NewPosixTarget(const PosixTargetOptions& options);

// A target from string options, as configuration files and the C and Python surfaces give
// them: "type" = posix (options "root", "sync" = true|false). Unknown types and options are
// invalid_argument naming them.
BS_API Result<std::unique_ptr<BackupTarget>> NewBackupTarget(
    const std::map<std::string, std::string>& options);

}  // namespace blockstore

#endif  // BLOCKSTORE_BACKUP_TARGET_HPP
