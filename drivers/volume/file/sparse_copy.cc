#include "drivers/volume/file/sparse_copy.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "lib/io/errno_status.hpp"
#include "lib/io/file_block_device.hpp"

namespace blockstore::file_driver {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status CopyRange(int in, int out, uint64_t offset, uint64_t length) {
  off_t in_off = static_cast<off_t>(offset);
  off_t out_off = static_cast<off_t>(offset);
  uint64_t left = length;
  bool fallback = false;
  while (left > 0) {
    if (!fallback) {
      const ssize_t n = ::copy_file_range(in, &in_off, out, &out_off, left, 0);
      if (n > 0) {
        left -= static_cast<uint64_t>(n);
        continue;
      }
      if (n == 0) break;
      if (errno == EINTR) continue;
      if (errno != EXDEV && errno != ENOSYS && errno != EOPNOTSUPP && errno != EINVAL) {
        return io::Errno("copy_file_range", errno);
      }
      fallback = true;
    }
    std::vector<char> buf(1 << 20);
    const std::size_t want = left < buf.size() ? static_cast<std::size_t>(left) : buf.size();
    const ssize_t r = ::pread(in, buf.data(), want, in_off);
    if (r < 0) {
      if (errno == EINTR) continue;
      return io::Errno("read", errno);
    }
    if (r == 0) break;
    ssize_t w_done = 0;
    while (w_done < r) {
      const ssize_t w = ::pwrite(out, buf.data() + w_done, static_cast<std::size_t>(r - w_done),
                                 out_off + w_done);
      if (w < 0) {
        if (errno == EINTR) continue;
        return io::Errno("write", errno);
      }
      w_done += w;
    }
    in_off += r;
    out_off += r;
    left -= static_cast<uint64_t>(r);
  }
  return Status::Ok();
}

Status SyncDir(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.get() < 0) return io::Errno("opening " + dir, errno);
  if (::fsync(d.get()) != 0) return io::Errno("fsync " + dir, errno);
  return Status::Ok();
}

}  // namespace

Status SparseCopy(const std::string& src, const std::string& dst, uint64_t size_bytes,
                  Reflink reflink, bool sync, CopyOutcome* outcome) {
  CopyOutcome local;
  CopyOutcome& result = outcome ? *outcome : local;
  Fd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return io::Errno("opening " + src, errno);
  struct stat st {};
  if (::fstat(in.get(), &st) != 0) return io::Errno("stat " + src, errno);
  const auto src_size = static_cast<uint64_t>(st.st_size);
  if (size_bytes < src_size) {
    return InvalidArgument("a copy cannot be smaller than its source");
  }
  const std::string tmp = dst + ".part";
  Fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (out.get() < 0) return io::Errno("creating " + tmp, errno);
  auto fail = [&](Status s) {
    ::unlink(tmp.c_str());
    return s;
  };
  bool cloned = false;
  if (reflink != Reflink::kNever) {
    if (::ioctl(out.get(), FICLONE, in.get()) == 0) {
      cloned = true;
    } else if (reflink == Reflink::kAlways) {
      return fail(io::Errno("reflink (FICLONE) " + src, errno));
    }
  }
  if (!cloned) {
    auto extents = io::FileExtents(in.get(), src_size);
    if (!extents.ok()) return fail(extents.status());
    for (const auto& e : *extents) {
      Status s = CopyRange(in.get(), out.get(), e.offset, e.length);
      if (!s.ok()) return fail(s);
      result.bytes_copied += e.length;
    }
  }
  result.reflinked = cloned;
  if (::ftruncate(out.get(), static_cast<off_t>(size_bytes)) != 0) {
    return fail(io::Errno("sizing " + tmp, errno));
  }
  if (sync && ::fsync(out.get()) != 0) return fail(io::Errno("fsync " + tmp, errno));
  if (::rename(tmp.c_str(), dst.c_str()) != 0) return fail(io::Errno("renaming " + tmp, errno));
  if (sync) return SyncDir(dst);
  return Status::Ok();
}

}  // namespace blockstore::file_driver
