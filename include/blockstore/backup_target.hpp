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

struct SwiftTargetOptions {
  std::string auth_url;   // v1 auth (tempauth, swauth): "http://proxy:8080/auth/v1.0"
  std::string user;       // "account:user"
  std::string key;        // never logged
  std::string container = "volumebackups";
  std::string storage_url;  // Default: the one the auth answer names
  bool create_container = true;
  long timeout_s = 300;
  bool verify_tls = true;
  std::string ca_file;
};

// Objects in one container of a Swift store. A put checks the ETag the store answers (the MD5
// of what it stored) against the MD5 of what was sent, taken as the body streams; a mismatch
// fails the put as unavailable, to be sent again. Gets check the ETag of what came back. An
// expired token is renewed once per request. Signs in (and creates the container) before
// returning, trying again with backoff while the store answers unavailable (about 1.5 s in
// all), and then fails unavailable.
BS_API Result<std::unique_ptr<BackupTarget>> NewSwiftTarget(const SwiftTargetOptions& options);

struct S3TargetOptions {
  std::string endpoint;   // "https://s3.example.com" or "http://127.0.0.1:8080"
  std::string access_key;
  std::string secret_key;  // never logged
  std::string region = "us-east-1";
  std::string bucket = "volumebackups";
  std::string addressing = "path";  // path: endpoint/bucket/key; virtual: bucket.endpoint/key
  bool create_bucket = true;
  long timeout_s = 300;
  bool verify_tls = true;
  std::string ca_file;
};

// Objects in one bucket of an S3 store, every request signed with SigV4 and carrying its
// payload's SHA-256 (the store refuses a damaged upload); gets check the ETag. Creates the
// bucket (when asked) before returning, trying again as NewSwiftTarget does.
BS_API Result<std::unique_ptr<BackupTarget>> NewS3Target(const S3TargetOptions& options);

// A target from string options, as configuration files and the C and Python surfaces give
// them: "type" = posix ("root", "sync"), swift ("auth_url", "user", "key", "container",
// "storage_url", "create_container", "timeout", "verify_tls", "ca_file") or s3 ("endpoint",
// "access_key", "secret_key", "region", "bucket", "addressing", "create_bucket", "timeout",
// "verify_tls", "ca_file"). Booleans are true|false. Unknown types and options are
// invalid_argument naming them.
BS_API Result<std::unique_ptr<BackupTarget>> NewBackupTarget(
    const std::map<std::string, std::string>& options);

}  // namespace blockstore

#endif  // BLOCKSTORE_BACKUP_TARGET_HPP
