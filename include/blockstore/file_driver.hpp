// blockstore — the sparse-file volume driver: each volume a sparse file in a directory,
// snapshots and clones as reflinks where the filesystem has them, attach locally or over iSCSI
// through tgt.
#ifndef BLOCKSTORE_FILE_DRIVER_HPP
#define BLOCKSTORE_FILE_DRIVER_HPP

#include "blockstore/driver.hpp"

namespace blockstore {

// Registers the sparse-file driver as "file". Options: `volumes_dir` (required), `pool_name`
// (Default: the backend's volume_backend_name), `reflink` = auto|always|never (Default: auto),
// `max_over_subscription_ratio` (Default: 20.0), `reserved_percentage` (Default: 0), `fsync` =
// true|false (Default: false; true makes every created file durable before it is reported).
// Attach: `target_protocol` = local|iscsi (Default: local: hosts on this machine open the file).
// iscsi exports each attached volume as a LUN on a tgtd with per-volume CHAP: `tgt_control_port`
// (required: tgtd -C), `target_ip_address` (Default: 127.0.0.1), `target_port` (Default: 3260),
// `target_prefix` (Default: iqn.2010-10.org.blockstore), `tgt_manage` = true|false (Default:
// false; true starts a tgtd when none answers, and stops it when the driver goes).
BS_API Status RegisterFileDriver(DriverRegistry& registry);

}  // namespace blockstore

#endif  // BLOCKSTORE_FILE_DRIVER_HPP
