// Internal: librados and librbd, loaded when first needed (an rbd backend is made, or a host
// opens an `rbd` connection) by dlopen, so that a process that never touches Ceph neither maps
// them nor pays for their start-up (about 14 MiB of resident memory per process).
#ifndef BLOCKSTORE_LIB_CEPH_RBD_API_HPP
#define BLOCKSTORE_LIB_CEPH_RBD_API_HPP

#include <rados/librados.h>
#include <rbd/librbd.h>

#include "blockstore/result.hpp"

namespace blockstore::ceph {

// The calls blockstore makes, each as librados or librbd spells it.
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
  X(rbd_aio_create_completion) \
  X(rbd_aio_get_return_value) \
  X(rbd_aio_read) \
  X(rbd_aio_release) \
  X(rbd_aio_wait_for_complete) \
  X(rbd_aio_write) \
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
  X(rbd_remove) \
  X(rbd_rename) \
  X(rbd_resize) \
  X(rbd_snap_create) \
  X(rbd_snap_is_protected) \
  X(rbd_snap_list) \
  X(rbd_snap_list_end) \
  X(rbd_snap_protect) \
  X(rbd_snap_remove) \
  X(rbd_snap_rollback) \
  X(rbd_snap_spec_cleanup) \
  X(rbd_stat) \
  X(rbd_snap_unprotect) \
  X(rbd_trash_list) \
  X(rbd_trash_list_cleanup) \
  X(rbd_trash_move) \
  X(rbd_trash_remove)

struct RbdApi {
#define BS_RBD_MEMBER(name) decltype(&::name) name = nullptr;
  BS_RBD_CALLS(BS_RBD_MEMBER)
#undef BS_RBD_MEMBER
};

// Loads the libraries once (later calls answer the same); failed_precondition, with the
// loader's reason, when they are not installed.
Result<const RbdApi*> LoadRbdApi();

// The loaded calls. Only after LoadRbdApi succeeded.
const RbdApi& Ceph();

}  // namespace blockstore::ceph

#endif  // BLOCKSTORE_LIB_CEPH_RBD_API_HPP
