// blockstore — the S3 backup target: objects in a bucket of an S3-compatible store.
//
// String options (BackupTargetRegistry, NewBackupTarget with "type" = "s3"): "endpoint",
// "access_key", "secret_key", "region", "bucket", "addressing", "create_bucket", "timeout"
// (seconds), "verify_tls", "ca_file". Booleans are true|false; unknown options are invalid_argument
// naming them.
#ifndef BLOCKSTORE_S3_TARGET_HPP
#define BLOCKSTORE_S3_TARGET_HPP

#include <memory>
#include <string>

#include "blockstore/backup_target.hpp"

namespace blockstore {

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

// Registers the type as "s3".
BS_API Status RegisterS3Target(BackupTargetRegistry& registry);

}  // namespace blockstore

#endif  // BLOCKSTORE_S3_TARGET_HPP
