// Internal: which backup an incremental builds on — a rule of the domain, so that every store
// chooses alike.
#ifndef BLOCKSTORE_LIB_DOMAIN_BACKUP_CHAIN_HPP
#define BLOCKSTORE_LIB_DOMAIN_BACKUP_CHAIN_HPP

#include <vector>

#include "blockstore/result.hpp"
#include "blockstore/types.hpp"

namespace blockstore::internal {

// The parent of `incremental` among `candidates` (backups of any status). Named by
// incremental.parent_id: that backup, which must be an available backup of the same volume.
// Otherwise the volume's newest available backup whose data is not newer than the
// incremental's (by data_timestamp, then created_at). failed_precondition when there is none.
Result<Backup> ChooseIncrementalParent(const Backup& incremental, const std::vector<Backup>& candidates);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_DOMAIN_BACKUP_CHAIN_HPP
