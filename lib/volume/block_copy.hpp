// Internal: data copied between two block devices, range by range — a migration's host copy and
// the generic revert.
#ifndef BLOCKSTORE_LIB_VOLUME_BLOCK_COPY_HPP
#define BLOCKSTORE_LIB_VOLUME_BLOCK_COPY_HPP

#include <vector>

#include "blockstore/driver.hpp"

namespace blockstore::internal {

// Copies `ranges` (sorted, not overlapping) of `from` onto `to`, clipped to `limit` bytes, in
// 4 MiB pieces, and flushes `to`. `wrote` becomes true before the first write (so a failure
// says whether `to` may have changed); `copied` counts the bytes written.
Status CopyRanges(BlockDevice& from, BlockDevice& to, const std::vector<Extent>& ranges, uint64_t limit,
                  bool* wrote, uint64_t* copied);

// Copies every range `from` holds data in onto `to` (which reads zeros elsewhere, being new):
// holes are neither read nor written. failed_precondition when `to` is smaller.
Status CopyAllocated(BlockDevice& from, BlockDevice& to, uint64_t* copied);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_VOLUME_BLOCK_COPY_HPP
