// Internal: a BlockDevice over a userspace iSCSI session (libiscsi).
#ifndef BLOCKSTORE_LIB_CONNECTOR_ISCSI_DEVICE_HPP
#define BLOCKSTORE_LIB_CONNECTOR_ISCSI_DEVICE_HPP

#include <chrono>
#include <memory>
#include <string>

#include "blockstore/driver.hpp"

namespace blockstore::internal {

struct IscsiTarget {
  std::string portal;     // "host:port"
  std::string iqn;
  int lun = 0;
  std::string user;       // CHAP; empty: none
  std::string password;
  std::string initiator;  // this host's name
  bool read_only = false;
  std::chrono::milliseconds timeout{30000};
};

// Logs in and reads the LUN's capacity.
Result<std::unique_ptr<BlockDevice>> OpenIscsiDevice(const IscsiTarget& target);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_CONNECTOR_ISCSI_DEVICE_HPP
