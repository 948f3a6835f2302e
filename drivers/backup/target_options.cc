#include "drivers/backup/target_options.hpp"

#include <stdexcept>

namespace blockstore::internal {

Status OnlyKnown(const BackupTargetOptions& options, const std::string& type,
                 const std::set<std::string>& known) {
  for (const auto& [k, v] : options) {
    if (k != "type" && !known.count(k)) {
      return InvalidArgument("backup target '" + type + "': unknown option '" + k.substr(0, 64) +
                             "'");
    }
  }
  return Status::Ok();
}

void TextOption(const BackupTargetOptions& options, const char* key, std::string& out) {
  if (auto it = options.find(key); it != options.end()) out = it->second;
}

Status FlagOption(const BackupTargetOptions& options, const char* key, bool& out) {
  auto it = options.find(key);
  if (it == options.end()) return Status::Ok();
  if (it->second != "true" && it->second != "false") {
    return InvalidArgument("backup target option '" + std::string(key) + "' must be true or false");
  }
  out = it->second == "true";
  return Status::Ok();
}

Status PositiveOption(const BackupTargetOptions& options, const char* key, long& out) {
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
}

}  // namespace blockstore::internal
