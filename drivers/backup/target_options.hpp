// Internal: reading a backup target's string options, as every built-in type's registration
// does: unknown keys refused, booleans true|false, numbers whole and positive.
#ifndef BLOCKSTORE_DRIVERS_BACKUP_TARGET_OPTIONS_HPP
#define BLOCKSTORE_DRIVERS_BACKUP_TARGET_OPTIONS_HPP

#include <set>
#include <string>

#include "blockstore/backup_target.hpp"

namespace blockstore::internal {

// invalid_argument naming the first key (besides "type") that is not in `known`.
Status OnlyKnown(const BackupTargetOptions& options, const std::string& type,
                 const std::set<std::string>& known);
void TextOption(const BackupTargetOptions& options, const char* key, std::string& out);
Status FlagOption(const BackupTargetOptions& options, const char* key, bool& out);
Status PositiveOption(const BackupTargetOptions& options, const char* key, long& out);

// "timeout", "verify_tls", "ca_file": what the HTTP targets share.
inline const std::set<std::string>& HttpOptionKeys() {
  static const std::set<std::string> keys = {"timeout", "verify_tls", "ca_file"};
  return keys;
}
template <typename T>
Status HttpOptions(const BackupTargetOptions& options, T& out) {
  TextOption(options, "ca_file", out.ca_file);
  if (Status s = FlagOption(options, "verify_tls", out.verify_tls); !s.ok()) return s;
  return PositiveOption(options, "timeout", out.timeout_s);
}

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_DRIVERS_BACKUP_TARGET_OPTIONS_HPP
