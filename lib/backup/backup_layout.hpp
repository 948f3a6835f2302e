// Internal: where a backup's objects live on a target, and the marks records carry.
#ifndef BLOCKSTORE_LIB_BACKUP_BACKUP_LAYOUT_HPP
#define BLOCKSTORE_LIB_BACKUP_BACKUP_LAYOUT_HPP

#include <string>
#include <string_view>

#include "blockstore/status.hpp"

namespace blockstore::internal {

// Every object of backup <id> is under "<container>/<id>/": chunk-NNNNNNNN and manifest.json.
// A backup's container is a prefix of the target (a directory of a posix target, a prefix in
// the Swift container or S3 bucket) the caller may choose, as Cinder's `container`; by
// default "backups".
inline constexpr const char* kBackupPrefix = "backups";

// ok for a container name: 1..64 letters, digits, '.', '_' or '-', not "." or "..".
Status CheckContainerName(std::string_view name);

// The prefix a backup's objects are under: its container, or the default for records written
// before containers could be chosen (they hold the target's description there).
std::string ContainerOf(std::string_view container);

inline std::string BackupDirectory(std::string_view container, const std::string& id) {
  return ContainerOf(container) + "/" + id + "/";
}
inline std::string BackupDirectory(const std::string& id) { return BackupDirectory(kBackupPrefix, id); }

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_BACKUP_BACKUP_LAYOUT_HPP
