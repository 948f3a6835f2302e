// Internal: a migration's host-assisted copy — what a volume holds written onto a blank volume
// of at least its size.
#ifndef BLOCKSTORE_LIB_VOLUME_MIGRATION_COPY_HPP
#define BLOCKSTORE_LIB_VOLUME_MIGRATION_COPY_HPP

#include "blockstore/driver.hpp"

namespace blockstore::internal {

// Copies every range `from` holds data in onto `to` (which reads zeros elsewhere, being new),
// and flushes it. Holes are neither read nor written. `copied` gets the bytes moved.
Status CopyAllocated(BlockDevice& from, BlockDevice& to, uint64_t* copied);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_VOLUME_MIGRATION_COPY_HPP
