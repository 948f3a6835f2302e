#include "lib/io/file_block_device.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lib/io/direct_io.hpp"
#include "lib/io/errno_status.hpp"

namespace blockstore::io {
namespace {

constexpr std::size_t kEagerWriteback = 1 << 20;

}  // namespace

Result<std::vector<Extent>> FileExtents(int fd, uint64_t size) {
  std::vector<Extent> out;
  off_t pos = 0;
  const auto end = static_cast<off_t>(size);
  while (pos < end) {
    const off_t data = lseek(fd, pos, SEEK_DATA);
    if (data < 0) {
      if (errno == ENXIO) break;  // no more data
      if (errno == EINVAL) {      // the filesystem cannot tell: everything may hold data
        return std::vector<Extent>{{0, size}};
      }
      return Errno("SEEK_DATA", errno);
    }
    if (data >= end) break;
    off_t hole = lseek(fd, data, SEEK_HOLE);
    if (hole < 0) return Errno("SEEK_HOLE", errno);
    if (hole > end) hole = end;
    out.push_back({static_cast<uint64_t>(data), static_cast<uint64_t>(hole - data)});
    pos = hole;
  }
  return out;
}

Result<std::unique_ptr<BlockDevice>> FileBlockDevice::Open(const std::string& path,
                                                           bool read_only) {
  const int fd = ::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) return Errno("opening " + path, errno);
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Errno("stat " + path, err);
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  const bool block = S_ISBLK(st.st_mode);
  if (block && ::ioctl(fd, BLKGETSIZE64, &size) != 0) {
    const int err = errno;
    ::close(fd);
    return Errno("reading the size of " + path, err);
  }
  return std::unique_ptr<BlockDevice>(new FileBlockDevice(fd, size, path, read_only, block));
}

FileBlockDevice::~FileBlockDevice() {
  if (direct_fd_ >= 0) ::close(direct_fd_);
  ::close(fd_);
}

int FileBlockDevice::DirectFd() {
  std::call_once(direct_once_, [&] {
    direct_fd_ = ::open(path_.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
  });
  return direct_fd_;
}

bool FileBlockDevice::WriteDirect(uint64_t offset, std::span<const std::byte> data,
                                  Status& status) {
  const int fd = direct_works_ ? DirectFd() : -1;
  if (fd < 0) return false;
  switch (io::PwriteDirect(fd, data, offset)) {
    case io::DirectOutcome::kWritten:
      status = Status::Ok();
      return true;
    case io::DirectOutcome::kUnsupported:
      direct_works_ = false;
      return false;
    case io::DirectOutcome::kFailed:
      status = Errno("writing " + path_, errno);
      return true;
  }
  return false;
}

Result<std::size_t> FileBlockDevice::ReadAt(uint64_t offset, std::span<std::byte> out) {
  if (offset >= size_) return std::size_t{0};
  std::size_t want = out.size();
  if (offset + want > size_) want = static_cast<std::size_t>(size_ - offset);
  std::size_t done = 0;
  while (done < want) {
    const ssize_t n = ::pread(fd_, out.data() + done, want - done,
                              static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("reading " + path_, errno);
    }
    if (n == 0) {  // the file shrank under us: the rest reads as zeros
      std::memset(out.data() + done, 0, want - done);
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  return want;
}

Status FileBlockDevice::WriteAt(uint64_t offset, std::span<const std::byte> data) {
  if (read_only_) return PermissionDenied(path_ + " is attached read-only");
  if (offset > size_ || data.size() > size_ - offset) {
    return InvalidArgument("write of " + std::to_string(data.size()) + " bytes at " +
                           std::to_string(offset) + " runs past the end of the " +
                           std::to_string(size_) + "-byte device");
  }
  // Large aligned writes (a restore, a copy) go straight to the disk: at the disk's speed,
  // without taking fresh page-cache pages for data nobody reads soon (and without pushing out
  // what others cache).
  if (!block_ && data.size() >= io::kDirectMin && offset % io::kDirectAlign == 0 &&
      data.size() % io::kDirectAlign == 0) {
    Status s;
    if (WriteDirect(offset, data, s)) return s;
  }
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done,
                               static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("writing " + path_, errno);
    }
    done += static_cast<std::size_t>(n);
  }
  // A large write starts its writeback now, so a stream of them (a restore, a copy) reaches
  // the disk while it runs instead of all at the final Flush.
  if (data.size() >= kEagerWriteback && !block_) {
    ::sync_file_range(fd_, static_cast<off_t>(offset), static_cast<off_t>(data.size()),
                      SYNC_FILE_RANGE_WRITE);
  }
  return Status::Ok();
}

Status FileBlockDevice::Flush() {
  if (::fdatasync(fd_) != 0) return Errno("flushing " + path_, errno);
  return Status::Ok();
}

Result<std::vector<Extent>> FileBlockDevice::AllocatedRanges() {
  if (block_) return std::vector<Extent>{{0, size_}};
  return FileExtents(fd_, size_);
}

}  // namespace blockstore::io
