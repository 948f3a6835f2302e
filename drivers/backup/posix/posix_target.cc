// The posix backup target: objects as files under a directory (local disk or NFS).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>
#include <mutex>
#include <set>

#include "blockstore/posix_target.hpp"
#include "drivers/backup/target_options.hpp"
#include "lib/core/macros.hpp"
#include "lib/io/direct_io.hpp"

namespace blockstore {

BackupTarget::~BackupTarget() = default;
Status BackupTarget::Flush() { return Status::Ok(); }
uint64_t BackupTarget::PreferredChunkSize() const { return 4ull << 20; }
Result<uint64_t> BackupTarget::RemoveLeftovers(const std::string&,
                                               const std::function<bool(const std::string&)>&) {
  return uint64_t{0};
}
Status BackupTarget::PutHashed(const std::string& name, std::span<const std::byte> data,
                               const std::array<unsigned char, 32>&) {
  return Put(name, data);
}

Status CheckObjectName(const std::string& name) {
  if (name.empty()) return InvalidArgument("an object name must not be empty");
  if (name.size() > 1024) return InvalidArgument("an object name is at most 1024 bytes");
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t slash = name.find('/', start);
    const std::string part = name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..") {
      return InvalidArgument("object name '" + name.substr(0, 128) +
                             "' has an empty, '.' or '..' component");
    }
    for (char c : part) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
      if (!ok) {
        return InvalidArgument("object name '" + name.substr(0, 128) +
                               "' may hold only letters, digits, '-', '_', '.' and '/'");
      }
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return Status::Ok();
}

namespace {

Status Errno(const std::string& what, int err) {
  std::string msg = what + ": " + std::strerror(err);
  if (err == ENOENT) return NotFound(std::move(msg));
  if (err == EACCES || err == EPERM || err == ENOTDIR || err == EISDIR) return Internal(std::move(msg));
  if (err == ENOSPC || err == EDQUOT) return ResourceExhausted(std::move(msg));
  return Unavailable(std::move(msg));  // EIO, ESTALE, EINTR, …: worth another try
}

Status MakeDirs(const std::string& path) {
  std::size_t pos = 1;
  while (true) {
    pos = path.find('/', pos);
    const std::string dir = path.substr(0, pos);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Errno("mkdir " + dir, errno);
    if (pos == std::string::npos) return Status::Ok();
    ++pos;
  }
}

Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  return rc == 0 ? Status::Ok() : Errno("fsync " + dir, err);
}

// Objects are written once and read back rarely: the aligned bulk of a large one goes around
// the page cache; the rest (its tail, small objects, filesystems without direct I/O) through
// it. Returns how many bytes it wrote; `s` says whether writing failed.
std::size_t WriteDirect(int fd, std::span<const std::byte> data, const std::string& path,
                        Status& s) {
  const std::size_t aligned = data.size() - data.size() % io::kDirectAlign;
  if (aligned < io::kDirectMin || ::fcntl(fd, F_SETFL, O_DIRECT) != 0) return 0;
  std::size_t done = 0;
  switch (io::PwriteDirect(fd, data.first(aligned), 0)) {
    case io::DirectOutcome::kWritten:
      done = aligned;
      break;
    case io::DirectOutcome::kUnsupported:
      break;
    case io::DirectOutcome::kFailed:
      s = Errno("write " + path, errno);
      break;
  }
  if (::fcntl(fd, F_SETFL, 0) != 0 && s.ok()) s = Errno("fcntl " + path, errno);
  return done;
}

class PosixTarget final : public BackupTarget {
 public:
  explicit PosixTarget(PosixTargetOptions o) : o_(std::move(o)) {}

  Status Put(const std::string& name, std::span<const std::byte> data) override {
    if (Status s = CheckObjectName(name); !s.ok()) return s;
    const std::string path = o_.root + "/" + name;
    const std::string dir = path.substr(0, path.rfind('/'));
    if (Status s = MakeDirs(dir); !s.ok()) return s;
    const std::string tmp = path + kTempMark + std::to_string(::getpid()) + "-" +
                            std::to_string(counter_.fetch_add(1));
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    // A delete that emptied the directory may have removed it since: make it again.
    for (int again = 0; fd < 0 && errno == ENOENT && again < 3; ++again) {
      if (Status s = MakeDirs(dir); !s.ok()) return s;
      fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    }
    if (fd < 0) return Errno("create " + tmp, errno);
    Status s;
    std::size_t done = WriteDirect(fd, data, tmp, s);
    while (s.ok() && done < data.size()) {
      const ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
      if (n < 0) {
        if (errno == EINTR) continue;
        s = Errno("write " + tmp, errno);
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    // The disk starts writing now, while the caller computes; Flush waits for it.
    if (s.ok() && o_.sync) ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    if (::close(fd) != 0 && s.ok()) s = Errno("close " + tmp, errno);
    if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) s = Errno("rename " + tmp, errno);
    if (!s.ok()) {
      ::unlink(tmp.c_str());
      return s;
    }
    if (o_.sync) {
      std::lock_guard lock(mu_);
      unsynced_files_.insert(path);
      unsynced_dirs_.insert(dir);
    }
    return Status::Ok();
  }

  Status Flush() override {
    std::set<std::string> files, dirs;
    {
      std::lock_guard lock(mu_);
      files.swap(unsynced_files_);
      dirs.swap(unsynced_dirs_);
    }
    Status s;
    for (const auto& f : files) {
      const int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        if (errno == ENOENT) continue;  // deleted since: nothing to keep
        s = Errno("open " + f, errno);
        break;
      }
      const int rc = ::fsync(fd);
      const int err = errno;
      ::close(fd);
      if (rc != 0) {
        s = Errno("fsync " + f, err);
        break;
      }
    }
    for (const auto& d : dirs) {
      if (!s.ok()) break;
      s = SyncDir(d);
      if (!s.ok() && s.code() == Code::kNotFound) s = Status::Ok();
    }
    if (!s.ok()) {  // keep them for the next try
      std::lock_guard lock(mu_);
      unsynced_files_.insert(files.begin(), files.end());
      unsynced_dirs_.insert(dirs.begin(), dirs.end());
    }
    return s;
  }

  Result<std::vector<std::byte>> Get(const std::string& name) override {
    if (Status s = CheckObjectName(name); !s.ok()) return s;
    const std::string path = o_.root + "/" + name;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Errno("object " + name, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return Errno("stat " + name, err);
    }
    std::vector<std::byte> out(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int err = n < 0 ? errno : EIO;
        ::close(fd);
        return Errno("read " + name, err);
      }
      done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return out;
  }

  Result<std::vector<std::string>> List(const std::string& prefix) override {
    std::vector<std::string> out;
    const Status walked = Walk(prefix, [&](const std::string& rel, bool is_temp) {
      if (!is_temp) out.push_back(rel);
      return Status::Ok();
    }, nullptr);
    if (!walked.ok()) return walked;
    std::sort(out.begin(), out.end());
    return out;
  }

  Status Delete(const std::string& name) override {
    if (Status s = CheckObjectName(name); !s.ok()) return s;
    const std::string path = o_.root + "/" + name;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("delete " + name, errno);
    RemoveEmptyParents(path);
    return Status::Ok();
  }

  Result<uint64_t> RemoveLeftovers(const std::string& prefix,
                                   const std::function<bool(const std::string&)>& in_use) override {
    uint64_t removed = 0;
    const Status walked = Walk(prefix, [&](const std::string& rel, bool is_temp) {
      if (!is_temp) return Status::Ok();
      const std::string object = rel.substr(0, rel.rfind(kTempMark));
      if (in_use && in_use(object)) return Status::Ok();
      const std::string path = o_.root + "/" + rel;
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("delete " + rel, errno);
      ++removed;
      return Status::Ok();
    }, &removed);
    if (!walked.ok()) return walked;
    // The directory the prefix names, and those above it, if that emptied them.
    const std::size_t slash = prefix.rfind('/');
    if (slash != std::string::npos) removed += RemoveEmptyDirs(o_.root + "/" + prefix.substr(0, slash));
    return removed;
  }

  std::string Describe() const override { return "posix:" + o_.root; }

 private:
  static constexpr const char* kTempMark = ".tmp-";

  // Calls `visit(relative name, is a temporary)` for every file under the directory `prefix`
  // names whose name starts with `prefix`. With `removed_dirs`, a directory under the root
  // that is empty once visited is removed and counted there.
  Status Walk(const std::string& prefix,
              const std::function<Status(const std::string&, bool)>& visit,
              uint64_t* removed_dirs) {
    const std::size_t slash = prefix.rfind('/');
    const std::string base = slash == std::string::npos ? "" : prefix.substr(0, slash);
    if (!base.empty()) {
      if (Status s = CheckObjectName(base); !s.ok()) return s;
    }
    std::function<Status(const std::string&)> walk = [&](const std::string& rel) -> Status {
      const std::string dir = rel.empty() ? o_.root : o_.root + "/" + rel;
      DIR* d = ::opendir(dir.c_str());
      if (!d) return errno == ENOENT ? Status::Ok() : Errno("list " + dir, errno);
      std::vector<std::pair<std::string, bool>> entries;
      while (dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        bool is_dir = e->d_type == DT_DIR;
        if (e->d_type == DT_UNKNOWN) {  // NFS and some others do not say: ask
          struct stat st {};
          is_dir = ::stat((dir + "/" + n).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
        }
        entries.emplace_back(n, is_dir);
      }
      ::closedir(d);
      for (const auto& [n, is_dir] : entries) {
        const std::string child = rel.empty() ? n : rel + "/" + n;
        if (is_dir) {
          if (Status s = walk(child); !s.ok()) return s;
          // Only directories under the prefix: "backups/" may hold other things' directories.
          if (removed_dirs && (child + "/").compare(0, prefix.size(), prefix) == 0 &&
              ::rmdir((o_.root + "/" + child).c_str()) == 0) {
            ++*removed_dirs;
          }
        } else if (child.compare(0, prefix.size(), prefix) == 0) {
          if (Status s = visit(child, n.find(kTempMark) != std::string::npos); !s.ok()) return s;
        }
      }
      return Status::Ok();
    };
    return walk(base);
  }

  // Removes `dir` and then its parents up to (not including) the root, as long as each is
  // empty: rmdir fails on a directory that still holds anything, which ends the climb.
  // Returns how many went.
  uint64_t RemoveEmptyDirs(std::string dir) const {
    uint64_t n = 0;
    while (dir.size() > o_.root.size() && ::rmdir(dir.c_str()) == 0) {
      ++n;
      dir = dir.substr(0, dir.rfind('/'));
    }
    return n;
  }
  void RemoveEmptyParents(const std::string& path) const {
    (void)RemoveEmptyDirs(path.substr(0, path.rfind('/')));
  }

  PosixTargetOptions o_;
  std::atomic<uint64_t> counter_{0};
  std::mutex mu_;
  std::set<std::string> unsynced_files_;  // put since the last Flush
  std::set<std::string> unsynced_dirs_;
};

}  // namespace

Result<std::unique_ptr<BackupTarget>> NewPosixTarget(const PosixTargetOptions& options) {
  PosixTargetOptions o = options;
  if (o.root.empty() || o.root[0] != '/') {
    return InvalidArgument("a posix backup target needs an absolute directory");
  }
  while (o.root.size() > 1 && o.root.back() == '/') o.root.pop_back();
  if (Status s = MakeDirs(o.root); !s.ok()) return s;
  struct stat st {};
  if (::stat(o.root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return InvalidArgument(o.root + " is not a directory");
  }
  if (::access(o.root.c_str(), W_OK) != 0) return Errno("backup directory " + o.root, errno);
  return std::unique_ptr<BackupTarget>(new PosixTarget(std::move(o)));
}

Status RegisterPosixTarget(BackupTargetRegistry& registry) {
  return registry.Register("posix", [](const BackupTargetOptions& options)
                                        -> Result<std::unique_ptr<BackupTarget>> {
    BS_RETURN_IF_ERROR(internal::OnlyKnown(options, "posix", {"root", "sync"}));
    PosixTargetOptions o;
    internal::TextOption(options, "root", o.root);
    BS_RETURN_IF_ERROR(internal::FlagOption(options, "sync", o.sync));
    return NewPosixTarget(o);
  });
}

}  // namespace blockstore
