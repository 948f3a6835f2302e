// Internal: the host side of an `rbd` connection — the image opened through librbd.
#ifndef BLOCKSTORE_LIB_CONNECTOR_RBD_DEVICE_HPP
#define BLOCKSTORE_LIB_CONNECTOR_RBD_DEVICE_HPP

#include <memory>
#include <string>
#include <vector>

#include "blockstore/driver.hpp"

namespace blockstore::internal {

struct RbdTarget {
  std::string pool;
  std::string image;
  std::string snapshot;  // empty: the image itself
  std::string cluster = "ceph";
  std::vector<std::string> mon_addresses;  // "host:port"
  bool auth_enabled = true;
  std::string user;
  std::string key;           // from the connection's keyring, when it carries one
  std::string conf_file;     // this host's Ceph configuration, when it has one
  std::string keyring_file;  // this host's keyring, when it has one
  bool read_only = false;
  int timeout_s = 30;
};

// "[client.x]\n\tkey = AQ…==\n…" → the key of `user` (or the only one), empty if none.
std::string KeyFromKeyring(const std::string& keyring, const std::string& user);

// Opens the image over the process's connection to the cluster (RadosConnection::Shared).
Result<std::unique_ptr<BlockDevice>> OpenRbdDevice(const RbdTarget& target);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_CONNECTOR_RBD_DEVICE_HPP
