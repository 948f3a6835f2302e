// blockstore — the Swift backup target: objects in a container of an OpenStack Swift store.
//
// String options (BackupTargetRegistry, NewBackupTarget with "type" = "swift"): "auth_url", "user",
// "key", "container", "storage_url", "create_container", "timeout" (seconds), "verify_tls",
// "ca_file". Booleans are true|false; unknown options are invalid_argument naming them.
#ifndef BLOCKSTORE_SWIFT_TARGET_HPP
#define BLOCKSTORE_SWIFT_TARGET_HPP

#include <memory>
#include <string>

#include "blockstore/backup_target.hpp"

namespace blockstore {

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

// Registers the type as "swift".
BS_API Status RegisterSwiftTarget(BackupTargetRegistry& registry);

}  // namespace blockstore

#endif  // BLOCKSTORE_SWIFT_TARGET_HPP
