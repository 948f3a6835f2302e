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

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
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
  // Put, told the data's SHA-256 because the caller has it already: a target that needs the
  // hash (S3 signs it) does not compute it again. Default: Put.
  virtual Status PutHashed(const std::string& name, std::span<const std::byte> data,
                           const std::array<unsigned char, 32>& sha256);
  virtual Result<std::vector<std::byte>> Get(const std::string& name) = 0;
  // Names starting with `prefix`, sorted.
  virtual Result<std::vector<std::string>> List(const std::string& prefix) = 0;
  // Idempotent: deleting a missing object succeeds. A target with directories (posix) also
  // removes the directories the delete leaves empty, so a deleted backup leaves nothing.
  virtual Status Delete(const std::string& name) = 0;
  // Removes what interrupted puts left under `prefix` that is not an object — posix: the
  // temporary files of puts a crash stopped, and directories left empty — except what
  // `in_use` claims (it is given the name of the object the leftover was to become, e.g.
  // "backups/<id>/chunk-00000007"). Returns how many leftovers went. Swift and S3 keep
  // nothing of an unfinished PUT (an object appears whole or not at all), so the default
  // removes nothing. A backup service calls it once at start-up, before it takes work.
  virtual Result<uint64_t> RemoveLeftovers(const std::string& prefix,
                                           const std::function<bool(const std::string&)>& in_use);
  // "posix:/srv/backups", "swift:https://…/container", …: for messages and records.
  virtual std::string Describe() const = 0;
  // The chunk size backups use here unless configured: small enough that an incremental
  // uploads little for a small change, large enough that the store's fixed cost per object
  // does not dominate. Default: 4 MiB; Swift and S3: 16 MiB.
  virtual uint64_t PreferredChunkSize() const;
  // Makes every object Put so far durable. Put already makes an object appear whole or not
  // at all; a store that is durable when a PUT returns (Swift, S3) has nothing to do here.
  // Backups call it before writing a manifest and after. Default: OK.
  virtual Status Flush();
};

// Checks a name as every target does: invalid_argument naming the problem.
BS_API Status CheckObjectName(const std::string& name);

using BackupTargetOptions = std::map<std::string, std::string>;
using BackupTargetFactory =
    std::function<Result<std::unique_ptr<BackupTarget>>(const BackupTargetOptions& options)>;

// Target types by name, as volume drivers are registered. Thread-safety: Register before
// sharing; Create is then safe from any thread.
//
// Example:
//   blockstore::BackupTargetRegistry targets;
//   auto added = targets.Register("vendor", [](const blockstore::BackupTargetOptions& options)
//       -> blockstore::Result<std::unique_ptr<blockstore::BackupTarget>> {
//     return blockstore::NewBackupTarget({{"type", "posix"}, {"root", options.at("root")}});
//   });
//   auto target = targets.Create({{"type", "vendor"}, {"root", "/srv/backups"}});
//   if (!added.ok() || !target.ok()) return;
class BS_API BackupTargetRegistry {
 public:
  // already_exists when the name is taken.
  Status Register(std::string type, BackupTargetFactory factory);
  // The target options["type"] names, given the other options (string values, as
  // configuration files and the C and Python surfaces have them). invalid_argument for a
  // missing or unknown type; the factory's own errors otherwise.
  Result<std::unique_ptr<BackupTarget>> Create(const BackupTargetOptions& options) const;
  std::vector<std::string> Types() const;

 private:
  std::map<std::string, BackupTargetFactory> factories_;
};

// The built-in types: posix, swift and s3 (posix_target.hpp, swift_target.hpp, s3_target.hpp
// list their options).
BS_API const BackupTargetRegistry& BuiltinBackupTargets();

// BuiltinBackupTargets().Create(options).
BS_API Result<std::unique_ptr<BackupTarget>> NewBackupTarget(const BackupTargetOptions& options);

}  // namespace blockstore

#endif  // BLOCKSTORE_BACKUP_TARGET_HPP
