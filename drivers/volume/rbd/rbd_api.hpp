// Internal to the RBD driver: librados and librbd, loaded when the first rbd backend is made
// (dlopen), so that a process with no rbd backend neither maps them nor pays for their start-up
// (about 14 MiB of resident memory per process).
#ifndef BLOCKSTORE_DRIVERS_VOLUME_RBD_RBD_API_HPP
#define BLOCKSTORE_DRIVERS_VOLUME_RBD_RBD_API_HPP

#include <rados/librados.h>
#include <rbd/librbd.h>

#include "blockstore/result.hpp"

namespace blockstore::rbd_driver {

// The calls the driver makes, each as librados or librbd spells it.
#define BS_RBD_CALLS(X) \
  X(rados_buffer_free) \
  X(rados_conf_get) \
  X(rados_conf_read_file) \
  X(rados_conf_set) \
  X(rados_connect) \
  X(rados_create2) \
  X(rados_ioctx_create) \
  X(rados_ioctx_destroy) \
  X(rados_mon_command) \
  X(rados_shutdown) \
  X(rbd_clone2) \
  X(rbd_close) \
  X(rbd_create2) \
  X(rbd_diff_iterate2) \
  X(rbd_flatten) \
  X(rbd_flush) \
  X(rbd_get_parent) \
  X(rbd_get_size) \
  X(rbd_image_spec_list_cleanup) \
  X(rbd_linked_image_spec_cleanup) \
  X(rbd_linked_image_spec_list_cleanup) \
  X(rbd_list2) \
  X(rbd_list_descendants) \
  X(rbd_open) \
  X(rbd_open_read_only) \
  X(rbd_read) \
  X(rbd_remove) \
  X(rbd_resize) \
  X(rbd_snap_create) \
  X(rbd_snap_is_protected) \
  X(rbd_snap_list) \
  X(rbd_snap_list_end) \
  X(rbd_snap_protect) \
  X(rbd_snap_remove) \
  X(rbd_snap_spec_cleanup) \
  X(rbd_snap_unprotect) \
  X(rbd_trash_list) \
  X(rbd_trash_list_cleanup) \
  X(rbd_trash_move) \
  X(rbd_trash_remove) \
  X(rbd_write)

struct RbdApi {
#define BS_RBD_MEMBER(name) decltype(&::name) name = nullptr;
  BS_RBD_CALLS(BS_RBD_MEMBER)
#undef BS_RBD_MEMBER
};

// Loads the libraries once (later calls answer the same); failed_precondition, with the
// loader's reason, when they are not installed.
Result<const RbdApi*> LoadRbdApi();

// The loaded calls. Only after LoadRbdApi succeeded (every driver is made through it).
const RbdApi& Ceph();

}  // namespace blockstore::rbd_driver

#endif  // BLOCKSTORE_DRIVERS_VOLUME_RBD_RBD_API_HPP
