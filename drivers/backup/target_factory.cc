// NewBackupTarget: a target chosen and configured by string options.
#include <set>
#include <stdexcept>

#include "blockstore/backup_target.hpp"

namespace blockstore {
namespace {

Status OnlyKnown(const std::map<std::string, std::string>& options, const std::string& type,
                 const std::set<std::string>& known) {
  for (const auto& [k, v] : options) {
    if (k != "type" && !known.count(k)) {
      return InvalidArgument("backup target '" + type + "': unknown option '" + k + "'");
    }
  }
  return Status::Ok();
}

Result<bool> Bool(const std::map<std::string, std::string>& o, const std::string& key, bool def) {
  auto it = o.find(key);
  if (it == o.end()) return def;
  if (it->second == "true") return true;
  if (it->second == "false") return false;
  return InvalidArgument("backup target option '" + key + "' must be true or false");
}

}  // namespace

Result<std::unique_ptr<BackupTarget>> NewBackupTarget(
    const std::map<std::string, std::string>& options) {
  auto type = options.find("type");
  if (type == options.end()) return InvalidArgument("a backup target needs a 'type'");
  if (type->second == "posix") {
    if (Status s = OnlyKnown(options, "posix", {"root", "sync"}); !s.ok()) return s;
    PosixTargetOptions o;
    if (auto root = options.find("root"); root != options.end()) o.root = root->second;
    auto sync = Bool(options, "sync", true);
    if (!sync.ok()) return sync.status();
    o.sync = *sync;
    return NewPosixTarget(o);
  }
  auto text = [&](const char* key, std::string& out) {
    if (auto it = options.find(key); it != options.end()) out = it->second;
  };
  auto number = [&](const char* key, long& out) -> Status {
    auto it = options.find(key);
    if (it == options.end()) return Status::Ok();
    try {
      std::size_t used = 0;
      out = std::stol(it->second, &used);
      if (used != it->second.size() || out < 1) throw std::invalid_argument("");
    } catch (const std::exception&) {
      return InvalidArgument("backup target option '" + std::string(key) +
                             "' must be a positive whole number");
    }
    return Status::Ok();
  };
  if (type->second == "swift") {
    if (Status s = OnlyKnown(options, "swift", {"auth_url", "user", "key", "container", "storage_url",
                                                "create_container", "timeout", "verify_tls", "ca_file"});
        !s.ok()) {
      return s;
    }
    SwiftTargetOptions o;
    text("auth_url", o.auth_url);
    text("user", o.user);
    text("key", o.key);
    text("container", o.container);
    text("storage_url", o.storage_url);
    text("ca_file", o.ca_file);
    if (Status s = number("timeout", o.timeout_s); !s.ok()) return s;
    auto create = Bool(options, "create_container", true);
    auto verify = Bool(options, "verify_tls", true);
    if (!create.ok()) return create.status();
    if (!verify.ok()) return verify.status();
    o.create_container = *create;
    o.verify_tls = *verify;
    return NewSwiftTarget(o);
  }
  if (type->second == "s3") {
    if (Status s = OnlyKnown(options, "s3", {"endpoint", "access_key", "secret_key", "region", "bucket",
                                             "addressing", "create_bucket", "timeout", "verify_tls",
                                             "ca_file"});
        !s.ok()) {
      return s;
    }
    S3TargetOptions o;
    text("endpoint", o.endpoint);
    text("access_key", o.access_key);
    text("secret_key", o.secret_key);
    text("region", o.region);
    text("bucket", o.bucket);
    text("addressing", o.addressing);
    text("ca_file", o.ca_file);
    if (Status s = number("timeout", o.timeout_s); !s.ok()) return s;
    auto create = Bool(options, "create_bucket", true);
    auto verify = Bool(options, "verify_tls", true);
    if (!create.ok()) return create.status();
    if (!verify.ok()) return verify.status();
    o.create_bucket = *create;
    o.verify_tls = *verify;
    return NewS3Target(o);
  }
  return InvalidArgument("unknown backup target type '" + type->second.substr(0, 64) +
                         "' (posix, swift or s3)");
}

}  // namespace blockstore
