#include "lib/connector/loop_device.hpp"

#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lib/io/file_block_device.hpp"

namespace blockstore::internal {
namespace {

Status Errno(const std::string& what, int err) {
  std::string msg = what + ": " + std::strerror(err);
  if (err == ENOENT) return NotFound(std::move(msg));
  if (err == EACCES || err == EPERM) return PermissionDenied(std::move(msg));
  return Unavailable(std::move(msg));
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// The loop device stays attached while this holds it open; autoclear detaches it after.
class LoopDevice final : public BlockDevice {
 public:
  LoopDevice(int loop_fd, std::unique_ptr<BlockDevice> inner)
      : loop_fd_(loop_fd), inner_(std::move(inner)) {}
  ~LoopDevice() override {
    inner_.reset();
    ::close(loop_fd_);
  }
  Result<std::size_t> ReadAt(uint64_t offset, std::span<std::byte> out) override {
    return inner_->ReadAt(offset, out);
  }
  Status WriteAt(uint64_t offset, std::span<const std::byte> data) override {
    return inner_->WriteAt(offset, data);
  }
  uint64_t SizeBytes() const override { return inner_->SizeBytes(); }
  Status Flush() override { return inner_->Flush(); }
  Result<std::vector<Extent>> AllocatedRanges() override { return inner_->AllocatedRanges(); }
  bool ConcurrentIo() const override { return inner_->ConcurrentIo(); }

 private:
  int loop_fd_;
  std::unique_ptr<BlockDevice> inner_;
};

}  // namespace

Result<std::unique_ptr<BlockDevice>> OpenLoopDevice(const std::string& path, bool read_only) {
  Fd backing{::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC)};
  if (backing.fd < 0) return Errno("opening " + path, errno);
  Fd control{::open("/dev/loop-control", O_RDWR | O_CLOEXEC)};
  if (control.fd < 0) return Errno("opening /dev/loop-control", errno);
  // Another process may take the free device between asking and configuring: ask again.
  for (int attempt = 0; attempt < 16; ++attempt) {
    const int n = ::ioctl(control.fd, LOOP_CTL_GET_FREE);
    if (n < 0) return Errno("finding a free loop device", errno);
    const std::string dev = "/dev/loop" + std::to_string(n);
    int fd = ::open(dev.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
      ::mknod(dev.c_str(), S_IFBLK | 0660, makedev(7, static_cast<unsigned>(n)));
      fd = ::open(dev.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    }
    if (fd < 0) return Errno("opening " + dev, errno);
    loop_config config{};
    config.fd = static_cast<uint32_t>(backing.fd);
    config.info.lo_flags = LO_FLAGS_AUTOCLEAR | LO_FLAGS_DIRECT_IO |
                           (read_only ? LO_FLAGS_READ_ONLY : 0);
    std::strncpy(reinterpret_cast<char*>(config.info.lo_file_name), path.c_str(),
                 LO_NAME_SIZE - 1);
    int rc = ::ioctl(fd, LOOP_CONFIGURE, &config);
    if (rc != 0 && errno == EINVAL) {  // the file's filesystem refuses direct I/O
      config.info.lo_flags &= ~static_cast<uint32_t>(LO_FLAGS_DIRECT_IO);
      rc = ::ioctl(fd, LOOP_CONFIGURE, &config);
    }
    if (rc != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EBUSY) continue;
      return Errno("attaching " + path + " to " + dev, err);
    }
    auto inner = io::FileBlockDevice::Open(dev, read_only);
    if (!inner.ok()) {
      ::ioctl(fd, LOOP_CLR_FD, 0);
      ::close(fd);
      return inner.status();
    }
    return std::unique_ptr<BlockDevice>(new LoopDevice(fd, std::move(inner).value()));
  }
  return Unavailable("no free loop device after 16 attempts");
}

}  // namespace blockstore::internal
