// The file driver: each volume is a sparse raw file in one directory (local disk or NFS).
#include <boost/json.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "blockstore/driver.hpp"
#include "blockstore/file_driver.hpp"
#include "drivers/volume/common/backend_options.hpp"
#include "drivers/volume/file/file_export.hpp"
#include "drivers/volume/file/sparse_copy.hpp"
#include "lib/io/errno_status.hpp"
#include "lib/io/file_block_device.hpp"

namespace blockstore {
namespace file_driver {
namespace {

using drivers::CheckResourceId;

struct Options {
  std::string dir;
  std::string pool;
  Reflink reflink = Reflink::kAuto;
  bool sync = false;
  std::string mosr = "20.0";
  int reserved_percentage = 0;
  ExportOptions exports;
};

class FileDriver final : public VolumeDriver {
 public:
  explicit FileDriver(Options o) : o_(std::move(o)), exporter_(o_.exports) {}

  Status Initialize() override {
    struct stat st {};
    if (::stat(o_.dir.c_str(), &st) != 0) {
      if (errno != ENOENT) return io::Errno("volumes_dir " + o_.dir, errno);
      if (::mkdir(o_.dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return io::Errno("creating volumes_dir " + o_.dir, errno);
      }
    } else if (!S_ISDIR(st.st_mode)) {
      return InvalidArgument("volumes_dir " + o_.dir + " is not a directory");
    }
    if (::access(o_.dir.c_str(), W_OK) != 0) return io::Errno("volumes_dir " + o_.dir, errno);
    return exporter_.Initialize();
  }

  std::string DefaultPool() const override { return o_.pool; }

  Status CreateVolume(const Volume& v) override {
    if (Status s = CheckResourceId(v.id); !s.ok()) return s;
    // A blank volume is made in place: a crash between open and ftruncate leaves a short file
    // under a volume that is still `creating`, which recovery deletes. (Copies go through a
    // temporary name, since a half-copied file would look whole.)
    const std::string path = VolumePath(v.id);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return io::Errno("creating " + path, errno);
    Status s;
    if (::ftruncate(fd, static_cast<off_t>(v.size_gb * kGiB)) != 0) {
      s = io::Errno("sizing " + path, errno);
    } else if (o_.sync && ::fsync(fd) != 0) {
      s = io::Errno("fsync " + path, errno);
    }
    ::close(fd);
    if (!s.ok()) ::unlink(path.c_str());
    return s;
  }

  Status CreateVolumeFromSnapshot(const Volume& v, const Snapshot& snap) override {
    if (Status s = CheckResourceId(v.id); !s.ok()) return s;
    if (Status s = CheckResourceId(snap.id); !s.ok()) return s;
    return SparseCopy(SnapshotPath(snap.id), VolumePath(v.id), v.size_gb * kGiB, o_.reflink,
                      o_.sync, nullptr);
  }

  Status CreateClonedVolume(const Volume& v, const Volume& src) override {
    if (Status s = CheckResourceId(v.id); !s.ok()) return s;
    if (Status s = CheckResourceId(src.id); !s.ok()) return s;
    return SparseCopy(VolumePath(src.id), VolumePath(v.id), v.size_gb * kGiB, o_.reflink,
                      o_.sync, nullptr);
  }

  Status DeleteVolume(const Volume& v) override {
    if (Status s = CheckResourceId(v.id); !s.ok()) return s;
    if (Status s = exporter_.Forget(v.id); !s.ok()) return s;
    return Remove(VolumePath(v.id));
  }

  Status ExtendVolume(const Volume& v, uint64_t new_size_gb) override {
    if (Status s = CheckResourceId(v.id); !s.ok()) return s;
    const std::string path = VolumePath(v.id);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return io::Errno("stat " + path, errno);
    const uint64_t want = new_size_gb * kGiB;
    if (static_cast<uint64_t>(st.st_size) > want) {
      return InvalidArgument("extend would shrink " + path);
    }
    if (::truncate(path.c_str(), static_cast<off_t>(want)) != 0) {
      return io::Errno("growing " + path, errno);
    }
    return exporter_.Refresh(v.id);  // an attached host sees the new size
  }

  Status CreateSnapshot(const Snapshot& snap, const Volume& v) override {
    if (Status s = CheckResourceId(v.id); !s.ok()) return s;
    if (Status s = CheckResourceId(snap.id); !s.ok()) return s;
    return SparseCopy(VolumePath(v.id), SnapshotPath(snap.id), v.size_gb * kGiB, o_.reflink,
                      o_.sync, nullptr);
  }

  Status DeleteSnapshot(const Snapshot& snap) override {
    if (Status s = CheckResourceId(snap.id); !s.ok()) return s;
    return Remove(SnapshotPath(snap.id));
  }

  // The snapshot copied over the volume (a reflink where the filesystem shares extents) and
  // renamed into place: a crash leaves the volume as it was or reverted, never between.
  Status RevertToSnapshot(const Volume& v, const Snapshot& snap) override {
    if (Status s = CheckResourceId(v.id); !s.ok()) return s;
    if (Status s = CheckResourceId(snap.id); !s.ok()) return s;
    if (snap.volume_id != v.id) return InvalidArgument("snapshot " + snap.id + " is not of volume " + v.id);
    return SparseCopy(SnapshotPath(snap.id), VolumePath(v.id), v.size_gb * kGiB, o_.reflink, o_.sync, nullptr);
  }

  Result<uint64_t> VolumeSizeBytes(const Volume& v) override {
    if (Status s = CheckResourceId(v.id); !s.ok()) return s;
    struct stat st {};
    const std::string path = VolumePath(v.id);
    if (::stat(path.c_str(), &st) != 0) return io::Errno("stat " + path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Result<std::unique_ptr<BlockDevice>> OpenVolume(const Volume& v) override {
    if (Status s = CheckResourceId(v.id); !s.ok()) return s;
    return io::FileBlockDevice::Open(VolumePath(v.id));
  }

  Result<std::unique_ptr<BlockDevice>> OpenSnapshot(const Snapshot& snap) override {
    if (Status s = CheckResourceId(snap.id); !s.ok()) return s;
    return io::FileBlockDevice::Open(SnapshotPath(snap.id));
  }

  Result<ConnectionResult> InitializeConnection(const Volume& v,
                                                const std::optional<VolumeExport>& existing,
                                                const Connector& c) override {
    if (Status s = CheckResourceId(v.id); !s.ok()) return s;
    const std::string path = VolumePath(v.id);
    if (::access(path.c_str(), F_OK) != 0) return io::Errno("volume file " + path, errno);
    return exporter_.Connect(v, path, existing, c);
  }

  // A snapshot is read where it lies: a file on this host. Hosts elsewhere have no way to it
  // (snapshots are not exported over iSCSI).
  Result<ConnectionInfo> InitializeSnapshotConnection(const Snapshot& snap,
                                                      const Connector& c) override {
    if (Status s = CheckResourceId(snap.id); !s.ok()) return s;
    if (exporter_.protocol() != "local" && !c.do_local_attach) {
      return Unimplemented("snapshot " + snap.id + " can be read only on this backend's host");
    }
    const std::string path = SnapshotPath(snap.id);
    if (::access(path.c_str(), F_OK) != 0) return io::Errno("snapshot file " + path, errno);
    boost::json::object data{{"device_path", path}, {"access_mode", "ro"}, {"snapshot_id", snap.id}};
    return ConnectionInfo{"local", boost::json::serialize(data)};
  }

  Status TerminateConnection(const Volume& v, const VolumeExport& e, const Connector& c,
                             bool revoke_host, bool remove_export) override {
    if (Status s = CheckResourceId(v.id); !s.ok()) return s;
    return exporter_.Disconnect(v, e, c, revoke_host, remove_export);
  }

  Status RestoreExports(const std::vector<ExportedVolume>& exported) override {
    for (const auto& e : exported) {
      if (Status s = CheckResourceId(e.volume.id); !s.ok()) return s;
    }
    return exporter_.Restore(exported, [this](const std::string& id) { return VolumePath(id); });
  }

  Result<BackendStats> GetStats() override {
    struct statvfs vfs {};
    if (::statvfs(o_.dir.c_str(), &vfs) != 0) return io::Errno("statvfs " + o_.dir, errno);
    const double total = static_cast<double>(vfs.f_blocks) * vfs.f_frsize / kGiB;
    const double free = static_cast<double>(vfs.f_bavail) * vfs.f_frsize / kGiB;
    BackendStats stats;
    stats.storage_protocol = exporter_.protocol() == "iscsi" ? "iSCSI" : "local";
    stats.driver_version = "1.0";
    PoolStats pool;
    pool.pool_name = o_.pool;
    pool.total_capacity_gb = Capacity::Number(total);
    pool.free_capacity_gb = Capacity::Number(free);
    pool.thin_provisioning_support = true;
    pool.thick_provisioning_support = false;
    pool.max_over_subscription_ratio = o_.mosr;
    pool.reserved_percentage = o_.reserved_percentage;
    pool.multiattach = true;
    pool.online_extend_support = true;
    stats.pools.push_back(std::move(pool));
    return stats;
  }

 private:
  std::string VolumePath(const std::string& id) const { return o_.dir + "/volume-" + id; }
  std::string SnapshotPath(const std::string& id) const { return o_.dir + "/snapshot-" + id; }

  Status Remove(const std::string& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io::Errno("removing " + path, errno);
    ::unlink((path + ".part").c_str());
    return Status::Ok();
  }

  Options o_;
  FileExporter exporter_;
};

Result<Options> ParseOptions(const BackendConfig& c) {
  Options o;
  auto options = c.options;
  auto exports = TakeExportOptions(c.name, options);
  if (!exports.ok()) return exports.status();
  o.exports = std::move(exports).value();
  for (const auto& [k, v] : options) {
    if (k == "volumes_dir") {
      o.dir = v;
    } else if (k == "pool_name") {
      o.pool = v;
    } else if (k == "reflink") {
      if (v == "auto") o.reflink = Reflink::kAuto;
      else if (v == "always") o.reflink = Reflink::kAlways;
      else if (v == "never") o.reflink = Reflink::kNever;
      else return InvalidArgument("backend '" + c.name + "': reflink must be auto, always or never, not '" + v + "'");
    } else if (k == "fsync") {
      if (v != "true" && v != "false") {
        return InvalidArgument("backend '" + c.name + "': fsync must be true or false");
      }
      o.sync = v == "true";
    } else if (k == "max_over_subscription_ratio") {
      auto r = drivers::ParseOverSubscriptionRatio(c.name, v);
      if (!r.ok()) return r.status();
      o.mosr = *r;
    } else if (k == "reserved_percentage") {
      auto p = drivers::ParseReservedPercentage(c.name, v);
      if (!p.ok()) return p.status();
      o.reserved_percentage = *p;
    } else {
      return InvalidArgument("backend '" + c.name + "': unknown file driver option '" + k + "'");
    }
  }
  if (o.dir.empty()) return InvalidArgument("backend '" + c.name + "': volumes_dir is required");
  while (o.dir.size() > 1 && o.dir.back() == '/') o.dir.pop_back();
  if (o.pool.empty()) o.pool = c.volume_backend_name.empty() ? c.name : c.volume_backend_name;
  return o;
}

}  // namespace
}  // namespace file_driver

Status RegisterFileDriver(DriverRegistry& registry) {
  return registry.Register("file", [](const BackendConfig& c)
                                       -> Result<std::unique_ptr<VolumeDriver>> {
    auto o = file_driver::ParseOptions(c);
    if (!o.ok()) return o.status();
    return std::unique_ptr<VolumeDriver>(new file_driver::FileDriver(std::move(o).value()));
  });
}

}  // namespace blockstore
