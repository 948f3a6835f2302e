// Internal to the file driver: copying a file while keeping its holes.
#ifndef BLOCKSTORE_DRIVERS_VOLUME_FILE_SPARSE_COPY_HPP
#define BLOCKSTORE_DRIVERS_VOLUME_FILE_SPARSE_COPY_HPP

#include <cstdint>
#include <string>

#include "blockstore/status.hpp"

namespace blockstore::file_driver {

enum class Reflink { kAuto, kAlways, kNever };

struct CopyOutcome {
  bool reflinked = false;
  uint64_t bytes_copied = 0;  // data bytes moved (0 for a reflink)
};

// Copies `src` to a new file `dst` of `size_bytes` (≥ the source size): a FICLONE reflink where
// the filesystem shares extents, else only the allocated extents (SEEK_DATA/SEEK_HOLE with
// copy_file_range). The copy is written under a temporary name and renamed into place, so `dst`
// either appears complete or not at all. `sync` fsyncs the file and its directory.
Status SparseCopy(const std::string& src, const std::string& dst, uint64_t size_bytes,
                  Reflink reflink, bool sync, CopyOutcome* outcome);

}  // namespace blockstore::file_driver

#endif  // BLOCKSTORE_DRIVERS_VOLUME_FILE_SPARSE_COPY_HPP
