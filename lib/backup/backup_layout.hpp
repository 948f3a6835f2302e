// Internal: where a backup's objects live on a target, and the marks records carry.
#ifndef BLOCKSTORE_LIB_BACKUP_BACKUP_LAYOUT_HPP
#define BLOCKSTORE_LIB_BACKUP_BACKUP_LAYOUT_HPP

#include <string>

namespace blockstore::internal {

// Every object of backup <id> is under "backups/<id>/": chunk-NNNNNNNN and manifest.json.
inline constexpr const char* kBackupPrefix = "backups";
inline std::string BackupDirectory(const std::string& id) {
  return std::string(kBackupPrefix) + "/" + id + "/";
}

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_BACKUP_BACKUP_LAYOUT_HPP
