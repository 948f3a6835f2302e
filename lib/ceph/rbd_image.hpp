// Internal: an open RBD image (closed with its owner) and the BlockDevice over one.
#ifndef BLOCKSTORE_LIB_CEPH_RBD_IMAGE_HPP
#define BLOCKSTORE_LIB_CEPH_RBD_IMAGE_HPP

#include <rados/librados.h>
#include <rbd/librbd.h>

#include <memory>
#include <string>
#include <vector>

#include "blockstore/driver.hpp"
#include "lib/ceph/rbd_api.hpp"

namespace blockstore::ceph {

// librbd's negative errno as a Status: a missing image or snapshot is not_found, one with
// dependents (clones, watchers) failed_precondition, a full cluster resource_exhausted, a
// timeout or interrupted call unavailable.
Status RbdError(const std::string& what, int rc);

class Image {
 public:
  Image() = default;
  ~Image();
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;
  // Opens `name` in `io` (at `snapshot`, read-only, when not empty; read-only too with
  // `read_only`).
  static Result<std::unique_ptr<Image>> Open(rados_ioctx_t io, const std::string& name,
                                             const std::string& snapshot = "", bool read_only = false);
  rbd_image_t get() const { return image_; }
  const std::string& name() const { return name_; }
  bool read_only() const { return read_only_; }
  Result<uint64_t> Size() const;

 private:
  rbd_image_t image_ = nullptr;
  std::string name_;
  bool read_only_ = false;
};

// The extents of `image` that differ from its snapshot `since` (empty: from nothing — every
// extent the image holds, its parent's too for a clone), sorted and merged.
Result<std::vector<Extent>> DiffExtents(const Image& image, const std::string& since, uint64_t size_bytes);

// Positional I/O on the image through librbd, from several threads at once (librbd's image
// handle is thread-safe); a call spanning several RADOS objects reads or writes them in parallel
// (asynchronous I/O, one request per object). The allocation map is DiffExtents from nothing.
// `keep_alive` (the cluster connection the image was opened on) lives as long as the device.
std::unique_ptr<BlockDevice> NewImageDevice(std::unique_ptr<Image> image, uint64_t size_bytes,
                                            std::shared_ptr<const void> keep_alive = nullptr);

}  // namespace blockstore::ceph

#endif  // BLOCKSTORE_LIB_CEPH_RBD_IMAGE_HPP
