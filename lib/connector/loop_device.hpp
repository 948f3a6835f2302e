// Internal: a kernel loop device over a file, for hosts that want a real block device.
#ifndef BLOCKSTORE_LIB_CONNECTOR_LOOP_DEVICE_HPP
#define BLOCKSTORE_LIB_CONNECTOR_LOOP_DEVICE_HPP

#include <memory>
#include <string>

#include "blockstore/driver.hpp"

namespace blockstore::internal {

// Attaches `path` to a free loop device (direct I/O when the file allows it, read-only when
// asked) and opens it. The loop device detaches itself when the returned device is closed.
Result<std::unique_ptr<BlockDevice>> OpenLoopDevice(const std::string& path, bool read_only);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_CONNECTOR_LOOP_DEVICE_HPP
