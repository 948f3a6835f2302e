#include "drivers/volume/rbd/rbd_image.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace blockstore::rbd_driver {

Status RbdError(const std::string& what, int rc) {
  const int err = rc < 0 ? -rc : rc;
  std::string msg = what + ": " + std::strerror(err);
  if (err == ENOENT) return NotFound(std::move(msg));
  if (err == EBUSY || err == ENOTEMPTY) return FailedPrecondition(std::move(msg));
  if (err == EEXIST) return AlreadyExists(std::move(msg));
  if (err == ENOSPC || err == EDQUOT) return ResourceExhausted(std::move(msg));
  if (err == ETIMEDOUT || err == EINTR || err == EAGAIN || err == ESHUTDOWN || err == ENOTCONN) {
    return Unavailable(std::move(msg));
  }
  if (err == EINVAL) return InvalidArgument(std::move(msg));
  if (err == EACCES || err == EPERM) return PermissionDenied(std::move(msg));
  return Internal(std::move(msg));
}

Image::~Image() {
  if (image_) Ceph().rbd_close(image_);
}

Result<std::unique_ptr<Image>> Image::Open(rados_ioctx_t io, const std::string& name,
                                           const std::string& snapshot, bool read_only) {
  auto out = std::make_unique<Image>();
  out->name_ = name;
  const char* snap = snapshot.empty() ? nullptr : snapshot.c_str();
  const int rc = read_only || snap ? Ceph().rbd_open_read_only(io, name.c_str(), &out->image_, snap)
                                   : Ceph().rbd_open(io, name.c_str(), &out->image_, nullptr);
  if (rc < 0) {
    out->image_ = nullptr;
    return RbdError("opening RBD image " + name + (snap ? "@" + snapshot : ""), rc);
  }
  return out;
}

Result<uint64_t> Image::Size() const {
  uint64_t size = 0;
  if (int rc = Ceph().rbd_get_size(image_, &size); rc < 0) return RbdError("size of " + name_, rc);
  return size;
}

namespace {

class ImageDevice final : public BlockDevice {
 public:
  ImageDevice(std::unique_ptr<Image> image, uint64_t size) : image_(std::move(image)), size_(size) {}

  Result<std::size_t> ReadAt(uint64_t offset, std::span<std::byte> out) override {
    if (offset >= size_) return std::size_t{0};
    const std::size_t want = static_cast<std::size_t>(std::min<uint64_t>(out.size(), size_ - offset));
    std::size_t done = 0;
    while (done < want) {
      const ssize_t n = Ceph().rbd_read(image_->get(), offset + done, want - done,
                                 reinterpret_cast<char*>(out.data()) + done);
      if (n < 0) return RbdError("reading " + image_->name(), static_cast<int>(n));
      if (n == 0) break;
      done += static_cast<std::size_t>(n);
    }
    return done;
  }

  Status WriteAt(uint64_t offset, std::span<const std::byte> data) override {
    if (offset > size_ || data.size() > size_ - offset) {
      return InvalidArgument("write past the end of " + image_->name());
    }
    std::size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = Ceph().rbd_write(image_->get(), offset + done, data.size() - done,
                                  reinterpret_cast<const char*>(data.data()) + done);
      if (n < 0) return RbdError("writing " + image_->name(), static_cast<int>(n));
      if (n == 0) return Internal("writing " + image_->name() + ": nothing written");
      done += static_cast<std::size_t>(n);
    }
    return Status::Ok();
  }

  uint64_t SizeBytes() const override { return size_; }

  Status Flush() override {
    if (int rc = Ceph().rbd_flush(image_->get()); rc < 0) return RbdError("flushing " + image_->name(), rc);
    return Status::Ok();
  }

  Result<std::vector<Extent>> AllocatedRanges() override {
    std::vector<Extent> out;
    auto collect = [](uint64_t offset, size_t length, int exists, void* arg) -> int {
      auto* v = static_cast<std::vector<Extent>*>(arg);
      if (!exists || length == 0) return 0;
      if (!v->empty() && v->back().offset + v->back().length == offset) {
        v->back().length += length;
      } else {
        v->push_back({offset, length});
      }
      return 0;
    };
    // Against nothing: every extent the image (or, for a clone, its parent) holds.
    const int rc = Ceph().rbd_diff_iterate2(image_->get(), nullptr, 0, size_, /*include_parent=*/1,
                                     /*whole_object=*/0, collect, &out);
    if (rc < 0) return RbdError("allocation map of " + image_->name(), rc);
    // A clone's own extents and its parent's may come interleaved: sorted and merged.
    std::sort(out.begin(), out.end(), [](const Extent& a, const Extent& b) { return a.offset < b.offset; });
    std::vector<Extent> merged;
    for (const Extent& e : out) {
      if (!merged.empty() && merged.back().offset + merged.back().length >= e.offset) {
        merged.back().length = std::max(merged.back().offset + merged.back().length, e.offset + e.length) -
                               merged.back().offset;
      } else {
        merged.push_back(e);
      }
    }
    return merged;
  }

  bool ConcurrentIo() const override { return true; }

 private:
  std::unique_ptr<Image> image_;
  uint64_t size_;
};

}  // namespace

std::unique_ptr<BlockDevice> NewImageDevice(std::unique_ptr<Image> image, uint64_t size_bytes) {
  return std::make_unique<ImageDevice>(std::move(image), size_bytes);
}

}  // namespace blockstore::rbd_driver
