// Internal: a failed system call on a file or device, as a Status.
#ifndef BLOCKSTORE_LIB_IO_ERRNO_STATUS_HPP
#define BLOCKSTORE_LIB_IO_ERRNO_STATUS_HPP

#include <cerrno>
#include <cstring>
#include <string>

#include "blockstore/status.hpp"

namespace blockstore::io {

// A missing file is not_found, a full filesystem resource_exhausted, an I/O error or an
// interrupted call unavailable (worth another try); anything else is internal.
inline Status Errno(const std::string& what, int err) {
  std::string msg = what + ": " + std::strerror(err);
  if (err == ENOENT) return NotFound(std::move(msg));
  if (err == ENOSPC || err == EDQUOT) return ResourceExhausted(std::move(msg));
  if (err == EIO || err == EAGAIN || err == EINTR) return Unavailable(std::move(msg));
  return Internal(std::move(msg));
}

}  // namespace blockstore::io

#endif  // BLOCKSTORE_LIB_IO_ERRNO_STATUS_HPP
