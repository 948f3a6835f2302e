// Internal to the RBD driver: an open RBD image (closed with its owner) and the BlockDevice
// over one.
#ifndef BLOCKSTORE_DRIVERS_VOLUME_RBD_RBD_IMAGE_HPP
#define BLOCKSTORE_DRIVERS_VOLUME_RBD_RBD_IMAGE_HPP

#include <rados/librados.h>
#include <rbd/librbd.h>

#include <memory>
#include <string>

#include "blockstore/driver.hpp"
#include "drivers/volume/rbd/rbd_api.hpp"

namespace blockstore::rbd_driver {

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
  Result<uint64_t> Size() const;

 private:
  rbd_image_t image_ = nullptr;
  std::string name_;
};

// Positional I/O on the image through librbd, from several threads at once (librbd's image
// handle is thread-safe); the allocation map from the image's diff against nothing (its own
// extents and, for a clone, its parent's).
std::unique_ptr<BlockDevice> NewImageDevice(std::unique_ptr<Image> image, uint64_t size_bytes);

}  // namespace blockstore::rbd_driver

#endif  // BLOCKSTORE_DRIVERS_VOLUME_RBD_RBD_IMAGE_HPP
