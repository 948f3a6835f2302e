// NewBackupTarget: a target chosen and configured by string options.
#include <set>
#include <stdexcept>

#include "blockstore/backup_target.hpp"

namespace blockstore {
namespace {

using Options = std::map<std::string, std::string>;

Status OnlyKnown(const Options& options, const std::string& type, const std::set<std::string>& known) {
  for (const auto& [k, v] : options) {
    if (k != "type" && !known.count(k)) {
      return InvalidArgument("backup target '" + type + "': unknown option '" + k + "'");
    }
  }
  return Status::Ok();
}

void Text(const Options& o, const char* key, std::string& out) {
  if (auto it = o.find(key); it != o.end()) out = it->second;
}

Status Flag(const Options& o, const char* key, bool& out) {
  auto it = o.find(key);
  if (it == o.end()) return Status::Ok();
  if (it->second != "true" && it->second != "false") {
    return InvalidArgument("backup target option '" + std::string(key) + "' must be true or false");
  }
  out = it->second == "true";
  return Status::Ok();
}

Status Number(const Options& o, const char* key, long& out) {
  auto it = o.find(key);
  if (it == o.end()) return Status::Ok();
  try {
    std::size_t used = 0;
    out = std::stol(it->second, &used);
    if (used != it->second.size() || out < 1) throw std::invalid_argument("");
  } catch (const std::exception&) {
    return InvalidArgument("backup target option '" + std::string(key) +
                           "' must be a positive whole number");
  }
  return Status::Ok();
}

// The connection options the HTTP targets share.
template <typename T>
Status HttpOptions(const Options& o, T& out) {
  Text(o, "ca_file", out.ca_file);
  if (Status s = Flag(o, "verify_tls", out.verify_tls); !s.ok()) return s;
  return Number(o, "timeout", out.timeout_s);
}

}  // namespace

Result<std::unique_ptr<BackupTarget>> NewBackupTarget(const Options& options) {
  auto type = options.find("type");
  if (type == options.end()) return InvalidArgument("a backup target needs a 'type'");
  const std::set<std::string> http = {"timeout", "verify_tls", "ca_file"};
  if (type->second == "posix") {
    if (Status s = OnlyKnown(options, "posix", {"root", "sync"}); !s.ok()) return s;
    PosixTargetOptions o;
    Text(options, "root", o.root);
    if (Status s = Flag(options, "sync", o.sync); !s.ok()) return s;
    return NewPosixTarget(o);
  }
  if (type->second == "swift") {
    std::set<std::string> known = {"auth_url", "user", "key", "container", "storage_url",
                                   "create_container"};
    known.insert(http.begin(), http.end());
    if (Status s = OnlyKnown(options, "swift", known); !s.ok()) return s;
    SwiftTargetOptions o;
    Text(options, "auth_url", o.auth_url);
    Text(options, "user", o.user);
    Text(options, "key", o.key);
    Text(options, "container", o.container);
    Text(options, "storage_url", o.storage_url);
    if (Status s = Flag(options, "create_container", o.create_container); !s.ok()) return s;
    if (Status s = HttpOptions(options, o); !s.ok()) return s;
    return NewSwiftTarget(o);
  }
  if (type->second == "s3") {
    std::set<std::string> known = {"endpoint", "access_key", "secret_key", "region", "bucket",
                                   "addressing", "create_bucket"};
    known.insert(http.begin(), http.end());
    if (Status s = OnlyKnown(options, "s3", known); !s.ok()) return s;
    S3TargetOptions o;
    Text(options, "endpoint", o.endpoint);
    Text(options, "access_key", o.access_key);
    Text(options, "secret_key", o.secret_key);
    Text(options, "region", o.region);
    Text(options, "bucket", o.bucket);
    Text(options, "addressing", o.addressing);
    if (Status s = Flag(options, "create_bucket", o.create_bucket); !s.ok()) return s;
    if (Status s = HttpOptions(options, o); !s.ok()) return s;
    return NewS3Target(o);
  }
  return InvalidArgument("unknown backup target type '" + type->second.substr(0, 64) +
                         "' (posix, swift or s3)");
}

}  // namespace blockstore
