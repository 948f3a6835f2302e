// blockstore — the Ceph RBD volume driver: each volume an RBD image `volume-<id>` in one pool,
// thin; snapshots as RBD snapshots `snapshot-<id>`; clones and volumes from snapshots as
// copy-on-write clones, flattened beyond a configured depth. Through librbd in userspace.
#ifndef BLOCKSTORE_RBD_DRIVER_HPP
#define BLOCKSTORE_RBD_DRIVER_HPP

#include "blockstore/driver.hpp"

namespace blockstore {

// Registers the RBD driver as "rbd". Options, as
// Cinder's: `rbd_pool` (Default: rbd), `rbd_user` (Default: none, i.e. client.admin),
// `rbd_ceph_conf` (Default: /etc/ceph/ceph.conf), `rbd_keyring_conf` (Default: the conf's own),
// `rbd_cluster_name` (Default: ceph), `rbd_secret_uuid` (handed to hosts in the connection
// info), `rbd_max_clone_depth` (Default: 5: a clone deeper than that is flattened; 0 flattens
// every clone), `rbd_flatten_volume_from_snapshot` = true|false (Default: false),
// `rbd_exclusive_cinder_pool` = true|false (Default: true: the pool's provisioned capacity is
// what this backend placed, not a walk over every image), `rados_connect_timeout` (seconds,
// Default: 30), `max_over_subscription_ratio` (Default: 20.0), `reserved_percentage`
// (Default: 0), `pool_name` (the scheduler's pool, Default: rbd_pool).
BS_API Status RegisterRbdDriver(DriverRegistry& registry);

}  // namespace blockstore

#endif  // BLOCKSTORE_RBD_DRIVER_HPP
