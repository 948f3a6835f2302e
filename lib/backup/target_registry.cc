#include "blockstore/backup_target.hpp"

namespace blockstore {

Status BackupTargetRegistry::Register(std::string type, BackupTargetFactory factory) {
  if (type.empty() || !factory) return InvalidArgument("a backup target type needs a name and a factory");
  if (factories_.count(type)) {
    return AlreadyExists("backup target type '" + type + "' is already registered");
  }
  factories_.emplace(std::move(type), std::move(factory));
  return Status::Ok();
}

Result<std::unique_ptr<BackupTarget>> BackupTargetRegistry::Create(
    const BackupTargetOptions& options) const {
  auto type = options.find("type");
  if (type == options.end()) return InvalidArgument("a backup target needs a 'type'");
  auto it = factories_.find(type->second);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& [name, f] : factories_) known += (known.empty() ? "" : ", ") + name;
    return InvalidArgument("unknown backup target type '" + type->second.substr(0, 64) + "' (" +
                           known + ")");
  }
  return it->second(options);
}

std::vector<std::string> BackupTargetRegistry::Types() const {
  std::vector<std::string> out;
  for (const auto& [name, f] : factories_) out.push_back(name);
  return out;
}

}  // namespace blockstore
