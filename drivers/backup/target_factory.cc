// NewBackupTarget: a target chosen and configured by string options.
#include <set>

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
  return InvalidArgument("unknown backup target type '" + type->second.substr(0, 64) +
                         "' (posix)");
}

}  // namespace blockstore
