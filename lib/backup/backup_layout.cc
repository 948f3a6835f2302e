#include "lib/backup/backup_layout.hpp"

#include <cctype>

namespace blockstore::internal {

Status CheckContainerName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 && name != "." && name != "..";
  for (char c : name) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  }
  if (ok) return Status::Ok();
  std::string shown(name.substr(0, 64));
  for (auto& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return InvalidArgument("container '" + shown +
                         "' must be 1 to 64 letters, digits, '.', '_' or '-'");
}

std::string ContainerOf(std::string_view container) {
  return CheckContainerName(container).ok() ? std::string(container) : std::string(kBackupPrefix);
}

}  // namespace blockstore::internal
