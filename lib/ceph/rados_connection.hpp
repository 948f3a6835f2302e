// Internal: a connection to a Ceph cluster and one of its pools, through librados — what the
// RBD driver holds for its backend and what a host opens for an `rbd` connection.
#ifndef BLOCKSTORE_LIB_CEPH_RADOS_CONNECTION_HPP
#define BLOCKSTORE_LIB_CEPH_RADOS_CONNECTION_HPP

#include <rados/librados.h>

#include <memory>
#include <string>
#include <vector>

#include "blockstore/result.hpp"

namespace blockstore::ceph {

struct ConnectionOptions {
  std::string cluster = "ceph";
  std::string user;       // without "client."; empty: admin
  std::string conf_file;  // read when not empty; without it and without a key or keyring,
                          // the host's default configuration is read if there is one
  std::string keyring_file;
  std::string key;        // the user's secret itself (base64), instead of a keyring file
  std::string mon_host;   // overrides the configuration's monitors when not empty
  std::string pool;
  int timeout_s = 30;     // connecting, and each monitor and OSD operation
  bool cephx = true;      // false: a cluster without authentication
  std::string what;       // names the connection in errors ("backend 'ceph-1'")
};

class RadosConnection {
 public:
  ~RadosConnection();
  RadosConnection(const RadosConnection&) = delete;
  RadosConnection& operator=(const RadosConnection&) = delete;

  // Loads librados and librbd when needed, connects and opens the pool. Errors name what failed
  // (reading the configuration, the keyring, the monitors, the pool) with librados's reason.
  static Result<std::shared_ptr<RadosConnection>> Open(const ConnectionOptions& options);
  // The same, shared within the process: one connection per set of options, kept while it is
  // used and for a minute after (a host opening many images, a backup service reading one
  // snapshot after another, pays for one connection).
  static Result<std::shared_ptr<RadosConnection>> Shared(const ConnectionOptions& options);

  rados_t cluster() const { return cluster_; }
  rados_ioctx_t io() const { return io_; }
  // The monitors as the configuration names them ("[v2:…:3300,v1:…:6789]").
  std::string MonHost() const;

 private:
  RadosConnection() = default;
  rados_t cluster_ = nullptr;
  rados_ioctx_t io_ = nullptr;
};

// "[v2:127.0.0.1:3300,v1:127.0.0.1:6789]" or "10.0.0.1:6789,10.0.0.2" → the v1 (or plain)
// addresses' hosts and ports, as a host's librbd reaches the monitors.
void MonitorAddresses(const std::string& mon_host, std::vector<std::string>& hosts,
                      std::vector<std::string>& ports);

}  // namespace blockstore::ceph

#endif  // BLOCKSTORE_LIB_CEPH_RADOS_CONNECTION_HPP
