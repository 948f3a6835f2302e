// Internal to the file driver: a failed system call on a volume's file, as a Status.
#ifndef BLOCKSTORE_DRIVERS_VOLUME_FILE_FILE_ERRNO_HPP
#define BLOCKSTORE_DRIVERS_VOLUME_FILE_FILE_ERRNO_HPP

#include <cerrno>
#include <cstring>
#include <string>

#include "blockstore/status.hpp"

namespace blockstore::file_driver {

// A missing file is not_found, a full filesystem resource_exhausted, an I/O error or an
// interrupted call unavailable (worth another try); anything else is internal.
inline Status Errno(const std::string& what, int err) {
  std::string msg = what + ": " + std::strerror(err);
  if (err == ENOENT) return NotFound(std::move(msg));
  if (err == ENOSPC || err == EDQUOT) return ResourceExhausted(std::move(msg));
  if (err == EIO || err == EAGAIN || err == EINTR) return Unavailable(std::move(msg));
  return Internal(std::move(msg));
}

}  // namespace blockstore::file_driver

#endif  // BLOCKSTORE_DRIVERS_VOLUME_FILE_FILE_ERRNO_HPP
