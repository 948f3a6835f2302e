// Internal: writes that go around the page cache (O_DIRECT). Restores and backups stream data
// nobody reads again soon; written directly it reaches the disk at the disk's speed, takes no
// fresh page-cache pages, and pushes nothing the host caches out of memory.
#ifndef BLOCKSTORE_LIB_IO_DIRECT_IO_HPP
#define BLOCKSTORE_LIB_IO_DIRECT_IO_HPP

#include <cstddef>
#include <cstdint>
#include <span>

namespace blockstore::io {

// Offsets and lengths of direct writes are multiples of this (every logical block size in use
// divides it).
inline constexpr std::size_t kDirectAlign = 4096;
// Below this a write goes through the page cache: the copy and the wait are not worth it.
inline constexpr std::size_t kDirectMin = 1 << 20;

enum class DirectOutcome {
  kWritten,      // all of it is written
  kUnsupported,  // the file refuses direct I/O; nothing was written
  kFailed,       // a write failed; errno says why
};

// Writes `data` (its size a multiple of kDirectAlign) at `offset` (aligned too) of `fd`, which
// was opened or switched (fcntl) to O_DIRECT: from `data` itself when it starts on a
// kDirectAlign boundary, otherwise through an aligned copy.
DirectOutcome PwriteDirect(int fd, std::span<const std::byte> data, uint64_t offset);

}  // namespace blockstore::io

#endif  // BLOCKSTORE_LIB_IO_DIRECT_IO_HPP
