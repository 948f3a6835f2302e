#include "lib/ceph/rbd_image.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "lib/core/macros.hpp"

namespace blockstore::ceph {

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
  out->read_only_ = read_only || !snapshot.empty();
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

Result<std::vector<Extent>> DiffExtents(const Image& image, const std::string& since, uint64_t size_bytes) {
  struct Collected {
    std::vector<Extent> extents;
    bool changes;  // against a snapshot: a discarded extent changed too (it now reads as zeros)
  } got{{}, !since.empty()};
  auto collect = [](uint64_t offset, size_t length, int exists, void* arg) -> int {
    auto* c = static_cast<Collected*>(arg);
    if (length == 0 || (!exists && !c->changes)) return 0;
    auto& v = c->extents;
    if (!v.empty() && v.back().offset + v.back().length == offset) {
      v.back().length += length;
    } else {
      v.push_back({offset, length});
    }
    return 0;
  };
  const char* from = since.empty() ? nullptr : since.c_str();
  // Whole objects: with fast-diff the object map answers alone, without a round trip to the OSDs
  // per object. An object that changed at all is reported whole — more than changed, never less.
  const int rc = Ceph().rbd_diff_iterate2(image.get(), from, 0, size_bytes, /*include_parent=*/1,
                                          /*whole_object=*/1, collect, &got);
  if (rc < 0) {
    return RbdError((from ? "changes of " + image.name() + " since " + since : "allocation map of " + image.name()), rc);
  }
  // A clone's own extents and its parent's may come interleaved: sorted and merged.
  std::vector<Extent>& out = got.extents;
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

namespace {

// One asynchronous request per RADOS object the range covers, all in flight at once.
class AioBatch {
 public:
  ~AioBatch() {
    for (auto c : pending_) {
      Ceph().rbd_aio_wait_for_complete(c);
      Ceph().rbd_aio_release(c);
    }
  }
  Result<rbd_completion_t> Next() {
    rbd_completion_t c = nullptr;
    if (int rc = Ceph().rbd_aio_create_completion(nullptr, nullptr, &c); rc < 0) {
      return RbdError("an I/O completion", rc);
    }
    pending_.push_back(c);
    return c;
  }
  void Drop() {  // the last Next()'s request was refused: it never completes
    Ceph().rbd_aio_release(pending_.back());
    pending_.pop_back();
  }
  // Waits for every request; the first failure, else the bytes each one did.
  Result<uint64_t> Wait(const std::string& what) {
    uint64_t total = 0;
    int first_error = 0;
    for (auto c : pending_) {
      Ceph().rbd_aio_wait_for_complete(c);
      const ssize_t r = Ceph().rbd_aio_get_return_value(c);
      Ceph().rbd_aio_release(c);
      if (r < 0 && first_error == 0) first_error = static_cast<int>(r);
      if (r > 0) total += static_cast<uint64_t>(r);
    }
    pending_.clear();
    if (first_error < 0) return RbdError(what, first_error);
    return total;
  }

 private:
  std::vector<rbd_completion_t> pending_;
};

class ImageDevice final : public BlockDevice {
 public:
  ImageDevice(std::unique_ptr<Image> image, uint64_t size, uint64_t object_size,
              std::shared_ptr<const void> keep_alive)
      : keep_alive_(std::move(keep_alive)), image_(std::move(image)), size_(size),
        object_size_(object_size) {}

  Result<std::size_t> ReadAt(uint64_t offset, std::span<std::byte> out) override {
    if (offset >= size_) return std::size_t{0};
    const uint64_t want = std::min<uint64_t>(out.size(), size_ - offset);
    AioBatch batch;
    for (uint64_t done = 0; done < want;) {
      const uint64_t n = Piece(offset + done, want - done);
      BS_ASSIGN_OR_RETURN(rbd_completion_t c, batch.Next());
      if (int rc = Ceph().rbd_aio_read(image_->get(), offset + done, n,
                                       reinterpret_cast<char*>(out.data()) + done, c); rc < 0) {
        batch.Drop();
        return RbdError("reading " + image_->name(), rc);
      }
      done += n;
    }
    BS_ASSIGN_OR_RETURN(uint64_t got, batch.Wait("reading " + image_->name()));
    if (got != want) return Internal("reading " + image_->name() + ": short read");
    return static_cast<std::size_t>(want);
  }

  Status WriteAt(uint64_t offset, std::span<const std::byte> data) override {
    if (image_->read_only()) return PermissionDenied(image_->name() + " is open read-only");
    if (offset > size_ || data.size() > size_ - offset) {
      return InvalidArgument("write past the end of " + image_->name());
    }
    AioBatch batch;
    for (uint64_t done = 0; done < data.size();) {
      const uint64_t n = Piece(offset + done, data.size() - done);
      BS_ASSIGN_OR_RETURN(rbd_completion_t c, batch.Next());
      if (int rc = Ceph().rbd_aio_write(image_->get(), offset + done, n,
                                        reinterpret_cast<const char*>(data.data()) + done, c); rc < 0) {
        batch.Drop();
        return RbdError("writing " + image_->name(), rc);
      }
      done += n;
    }
    return batch.Wait("writing " + image_->name()).status();
  }

  uint64_t SizeBytes() const override { return size_; }

  Status Flush() override {
    if (int rc = Ceph().rbd_flush(image_->get()); rc < 0) return RbdError("flushing " + image_->name(), rc);
    return Status::Ok();
  }

  Result<std::vector<Extent>> AllocatedRanges() override { return DiffExtents(*image_, "", size_); }

  bool ConcurrentIo() const override { return true; }

 private:
  // The bytes from `at` to the end of its object, at most `left`.
  uint64_t Piece(uint64_t at, uint64_t left) const {
    return std::min(left, object_size_ - at % object_size_);
  }

  std::shared_ptr<const void> keep_alive_;  // destroyed after the image closes
  std::unique_ptr<Image> image_;
  uint64_t size_;
  uint64_t object_size_;
};

}  // namespace

std::unique_ptr<BlockDevice> NewImageDevice(std::unique_ptr<Image> image, uint64_t size_bytes,
                                            std::shared_ptr<const void> keep_alive) {
  rbd_image_info_t info{};
  uint64_t object_size = 4ull << 20;
  if (Ceph().rbd_stat(image->get(), &info, sizeof info) == 0 && info.obj_size > 0) object_size = info.obj_size;
  return std::make_unique<ImageDevice>(std::move(image), size_bytes, object_size, std::move(keep_alive));
}

}  // namespace blockstore::ceph
