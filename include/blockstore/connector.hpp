// blockstore — the host side of attach (os-brick's role): from connection info to an open
// BlockDevice.
//
// A host describes itself with a Connector (HostConnector), attaches a volume through the AttachmentService
// (CreateAttachment with that connector, or the legacy InitializeConnection) and opens what it
// got back with ConnectVolume:
//   - `iscsi`: a userspace iSCSI session (libiscsi) to the portal, logged in with the CHAP
//     credentials of the connection info and this host's initiator name; several commands
//     in flight per call.
//   - `local`: the file itself, or (use_loop_device) a kernel loop device over it, detached
//     when the device is closed.
//   - `rbd`: the RBD image through librbd (loaded when first needed): the monitors and cephx
//     user of the connection info, with the keyring it carries, or this host's Ceph
//     configuration and keyring (ConnectOptions); several requests in flight per call. Devices
//     of one cluster and user share the process's connection to it, kept for a minute after the
//     last closes. A `pool/image@snapshot` name opens the snapshot, read-only.
// The device is the same BlockDevice interface backups read, so a backup can read an attached
// remote volume. With access_mode "ro" writes answer permission_denied.
//
// Thread-safety: a device may be used from one thread at a time; distinct devices are
// independent.
#ifndef BLOCKSTORE_CONNECTOR_HPP
#define BLOCKSTORE_CONNECTOR_HPP

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "blockstore/driver.hpp"
#include "blockstore/export.h"
#include "blockstore/result.hpp"
#include "blockstore/types.hpp"

namespace blockstore {

struct ConnectOptions {
  // This host's iSCSI name: the connector's `initiator` (targets admit it by name). Required
  // for iscsi.
  std::string initiator;
  bool use_loop_device = false;  // local: attach the file to a loop device (needs root)
  // iscsi: the longest one command may take; a lost connection fails the call (unavailable)
  // rather than retrying forever.
  std::chrono::milliseconds timeout{30000};
  // rbd: this host's Ceph configuration and keyring files, used when the connection info
  // carries no keyring (a host on the Ceph node: /etc/ceph/ceph.conf and its client keyring).
  std::string ceph_conf;
  std::string ceph_keyring;
};

// This host's connector: its host name, `ip`, the initiator name (given, else the one in
// /etc/iscsi/initiatorname.iscsi, else one made from the host name), platform and os_type.
BS_API Connector HostConnector(const std::string& ip = "127.0.0.1",
                               const std::string& initiator = {});

// Opens the volume `info` describes. invalid_argument for connection info that is not
// complete; permission_denied when the target refuses the login (wrong CHAP credentials, or
// this initiator is not admitted); unavailable when the portal cannot be reached;
// unimplemented for a driver_volume_type other than iscsi, local and rbd.
BS_API Result<std::unique_ptr<BlockDevice>> ConnectVolume(const ConnectionInfo& info,
                                                          const ConnectOptions& options = {});

// os-brick's connector dict and Cinder's connection info ({"driver_volume_type", "data"}) as
// JSON text, for hosts that carry them over their own transport. Parsing is strict:
// invalid_argument names the field (os-brick keys blockstore does not use are accepted).
BS_API Result<Connector> ParseConnector(std::string_view json);
BS_API std::string ConnectorToJson(const Connector& connector);
BS_API Result<ConnectionInfo> ParseConnectionInfo(std::string_view json);
BS_API std::string ConnectionInfoToJson(const ConnectionInfo& info);

}  // namespace blockstore

#endif  // BLOCKSTORE_CONNECTOR_HPP
