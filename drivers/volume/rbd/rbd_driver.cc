// The RBD driver: volumes as RBD images in one Ceph pool, through librados and librbd.
#include <boost/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "blockstore/driver.hpp"
#include "blockstore/rbd_driver.hpp"
#include "drivers/volume/common/backend_options.hpp"
#include "lib/ceph/rados_connection.hpp"
#include "lib/ceph/rbd_api.hpp"
#include "lib/ceph/rbd_image.hpp"
#include "lib/core/macros.hpp"

namespace blockstore {
namespace rbd_driver {
namespace {

// Images get the features Cinder's images get on a current cluster: layering for clones,
// exclusive-lock with object-map and fast-diff so that allocation maps and diffs between
// snapshots are read from the map rather than by probing every object.
constexpr uint64_t kFeatures = RBD_FEATURE_LAYERING | RBD_FEATURE_EXCLUSIVE_LOCK | RBD_FEATURE_OBJECT_MAP |
                               RBD_FEATURE_FAST_DIFF | RBD_FEATURE_DEEP_FLATTEN;
// The snapshot a clone of a volume is taken from, on the source: named after the clone.
constexpr const char* kCloneSnapSuffix = ".clone_snap";

using drivers::CheckResourceId;
using ceph::Ceph;
using ceph::Image;
using ceph::NewImageDevice;
using ceph::RbdError;

std::string VolumeName(const std::string& id) { return "volume-" + id; }
std::string SnapshotName(const std::string& id) { return "snapshot-" + id; }

struct Options {
  std::string backend;
  std::string rbd_pool = "rbd";
  std::string user;  // empty: client.admin
  std::string conf = "/etc/ceph/ceph.conf";
  std::string keyring;
  std::string cluster = "ceph";
  std::string secret_uuid;
  int max_clone_depth = 5;
  bool flatten_from_snapshot = false;
  bool exclusive_pool = true;
  int connect_timeout_s = 30;
  std::string mosr = "20.0";
  int reserved_percentage = 0;
  std::string pool_name;
};

Result<bool> ParseBool(const Options& o, const std::string& key, const std::string& v) {
  if (v == "true" || v == "True") return true;
  if (v == "false" || v == "False") return false;
  return InvalidArgument("backend '" + o.backend + "': " + key + " must be true or false, not '" + v + "'");
}

Result<long> ParseInt(const Options& o, const std::string& key, const std::string& v, long lo, long hi) {
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < lo || n > hi) {
    return InvalidArgument("backend '" + o.backend + "': " + key + " must be a whole number from " +
                           std::to_string(lo) + " to " + std::to_string(hi) + ", not '" + v + "'");
  }
  return n;
}

Result<Options> ParseOptions(const BackendConfig& c) {
  Options o;
  o.backend = c.name;
  for (const auto& [k, v] : c.options) {
    if (k == "rbd_pool") {
      o.rbd_pool = v;
    } else if (k == "rbd_user") {
      o.user = v;
    } else if (k == "rbd_ceph_conf") {
      o.conf = v;
    } else if (k == "rbd_keyring_conf") {
      o.keyring = v;
    } else if (k == "rbd_cluster_name") {
      o.cluster = v;
    } else if (k == "rbd_secret_uuid") {
      o.secret_uuid = v;
    } else if (k == "rbd_max_clone_depth") {
      auto n = ParseInt(o, k, v, 0, 64);
      if (!n.ok()) return n.status();
      o.max_clone_depth = static_cast<int>(*n);
    } else if (k == "rbd_flatten_volume_from_snapshot") {
      auto b = ParseBool(o, k, v);
      if (!b.ok()) return b.status();
      o.flatten_from_snapshot = *b;
    } else if (k == "rbd_exclusive_cinder_pool") {
      auto b = ParseBool(o, k, v);
      if (!b.ok()) return b.status();
      o.exclusive_pool = *b;
    } else if (k == "rados_connect_timeout") {
      auto n = ParseInt(o, k, v, 1, 3600);
      if (!n.ok()) return n.status();
      o.connect_timeout_s = static_cast<int>(*n);
    } else if (k == "max_over_subscription_ratio") {
      auto r = drivers::ParseOverSubscriptionRatio(c.name, v);
      if (!r.ok()) return r.status();
      o.mosr = *r;
    } else if (k == "reserved_percentage") {
      auto p = drivers::ParseReservedPercentage(c.name, v);
      if (!p.ok()) return p.status();
      o.reserved_percentage = *p;
    } else if (k == "pool_name") {
      o.pool_name = v;
    } else {
      return InvalidArgument("backend '" + c.name + "': unknown rbd driver option '" + k + "'");
    }
  }
  if (o.rbd_pool.empty()) return InvalidArgument("backend '" + c.name + "': rbd_pool cannot be empty");
  if (o.pool_name.empty()) o.pool_name = o.rbd_pool;
  return o;
}

class RbdDriver final : public VolumeDriver {
 public:
  explicit RbdDriver(Options o) : o_(std::move(o)) {}

  Status Initialize() override {
    if (connection_) return Status::Ok();
    ceph::ConnectionOptions c;
    c.cluster = o_.cluster;
    c.user = o_.user;
    c.conf_file = o_.conf;
    c.keyring_file = o_.keyring;
    c.pool = o_.rbd_pool;
    c.timeout_s = o_.connect_timeout_s;
    c.what = "backend '" + o_.backend + "'";
    BS_ASSIGN_OR_RETURN(connection_, ceph::RadosConnection::Open(c));
    ceph::MonitorAddresses(connection_->MonHost(), mon_hosts_, mon_ports_);
    PurgeTrash();
    return Status::Ok();
  }

  std::string DefaultPool() const override { return o_.pool_name; }

  Status CreateVolume(const Volume& v) override {
    BS_RETURN_IF_ERROR(CheckResourceId(v.id));
    int order = 0;
    const std::string name = VolumeName(v.id);
    const int rc = Ceph().rbd_create2(io(), name.c_str(), v.size_gb * kGiB, kFeatures, &order);
    if (rc == -EEXIST) {
      // A create that ran before (a redelivered request, a crash before the commit): the image
      // is ours; it gets the size asked for.
      return Resize(name, v.size_gb * kGiB, /*grow_only=*/false);
    }
    if (rc < 0) return RbdError("creating " + name, rc);
    return Status::Ok();
  }

  Status CreateVolumeFromSnapshot(const Volume& v, const Snapshot& snap) override {
    BS_RETURN_IF_ERROR(CheckResourceId(v.id));
    BS_RETURN_IF_ERROR(CheckResourceId(snap.id));
    BS_RETURN_IF_ERROR(CheckResourceId(snap.volume_id));
    BS_RETURN_IF_ERROR(CloneFrom(VolumeName(snap.volume_id), SnapshotName(snap.id), VolumeName(v.id)));
    BS_RETURN_IF_ERROR(Resize(VolumeName(v.id), v.size_gb * kGiB, /*grow_only=*/true));
    BS_ASSIGN_OR_RETURN(int depth, CloneDepth(VolumeName(v.id)));
    if (o_.flatten_from_snapshot || depth > o_.max_clone_depth) return Flatten(VolumeName(v.id));
    return Status::Ok();
  }

  Status CreateClonedVolume(const Volume& v, const Volume& src) override {
    BS_RETURN_IF_ERROR(CheckResourceId(v.id));
    BS_RETURN_IF_ERROR(CheckResourceId(src.id));
    const std::string source = VolumeName(src.id);
    const std::string snap = VolumeName(v.id) + kCloneSnapSuffix;
    BS_RETURN_IF_ERROR(SnapCreate(source, snap));
    BS_RETURN_IF_ERROR(CloneFrom(source, snap, VolumeName(v.id)));
    BS_RETURN_IF_ERROR(Resize(VolumeName(v.id), v.size_gb * kGiB, /*grow_only=*/true));
    BS_ASSIGN_OR_RETURN(int depth, CloneDepth(VolumeName(v.id)));
    if (depth > o_.max_clone_depth) {
      // Too deep a chain: the clone gets its own copy of every block, and the source's
      // snapshot for it goes.
      BS_RETURN_IF_ERROR(Flatten(VolumeName(v.id)));
      return SnapRemove(source, snap);
    }
    return Status::Ok();
  }

  Status DeleteVolume(const Volume& v) override {
    BS_RETURN_IF_ERROR(CheckResourceId(v.id));
    const std::string name = VolumeName(v.id);
    // A clone's parent: the snapshot taken on it for this clone goes after the clone.
    std::string parent;
    // An image a crash left half-made (listed, but with no header to open) is removed as
    // well: rbd_remove cleans up whatever exists of it.
    if (auto image = Image::Open(io(), name); !image.ok()) {
      if (image.status().code() != Code::kNotFound) return image.status();
    } else {
      // Not while a clone still reads through one of its snapshots (a deleted snapshot with
      // clones stays in the image's trash until they go).
      BS_ASSIGN_OR_RETURN(auto dependents, Descendants(**image));
      if (!dependents.empty()) {
        std::string list;
        for (const auto& d : dependents) list += (list.empty() ? "" : ", ") + d;
        return FailedPrecondition("volume " + v.id + " has dependent volumes (" + list +
                                  "): delete them or flatten them first");
      }
      // The snapshots clones were taken from go with the volume.
      BS_ASSIGN_OR_RETURN(auto snaps, SnapNames(**image));
      for (const auto& s : snaps) {
        if (s.ends_with(kCloneSnapSuffix)) BS_RETURN_IF_ERROR(SnapRemoveOpen(**image, s));
      }
      rbd_linked_image_spec_t p{};
      rbd_snap_spec_t ps{};
      if (Ceph().rbd_get_parent((*image)->get(), &p, &ps) == 0) {
        if (ps.name && std::string(ps.name) == name + kCloneSnapSuffix && p.image_name) parent = p.image_name;
        Ceph().rbd_linked_image_spec_cleanup(&p);
        Ceph().rbd_snap_spec_cleanup(&ps);
      }
    }
    const int rc = Ceph().rbd_remove(io(), name.c_str());
    if (rc == -EBUSY && v.status == VolumeStatus::kCreating) {
      // A create being failed (after a crash: the engine was killed inside it) whose image a
      // client that is gone still watches until its watch times out (30 s): into the pool's
      // trash now, out of the pool's listing; PurgeTrash removes it once the watch is gone.
      // A volume in any other status with watchers is in use somewhere: refused below.
      const int moved = Ceph().rbd_trash_move(io(), name.c_str(), 0);
      if (moved == 0 || moved == -ENOENT) return Status::Ok();
      return RbdError("moving " + name + " to the trash", moved);
    }
    if (rc == 0 && !parent.empty()) (void)SnapRemove(parent, name + kCloneSnapSuffix);  // best effort
    if (rc == -ENOENT) return Status::Ok();
    if (rc == -ENOTEMPTY) return FailedPrecondition("volume " + v.id + " still has snapshots");
    if (rc == -EBUSY) return FailedPrecondition("volume " + v.id + " is open elsewhere (it has watchers)");
    if (rc < 0) return RbdError("removing " + name, rc);
    return Status::Ok();
  }

  Status ExtendVolume(const Volume& v, uint64_t new_size_gb) override {
    BS_RETURN_IF_ERROR(CheckResourceId(v.id));
    BS_ASSIGN_OR_RETURN(auto image, Image::Open(io(), VolumeName(v.id)));
    BS_ASSIGN_OR_RETURN(uint64_t size, image->Size());
    if (size > new_size_gb * kGiB) return InvalidArgument("extend would shrink " + image->name());
    if (int rc = Ceph().rbd_resize(image->get(), new_size_gb * kGiB); rc < 0) return RbdError("resizing " + image->name(), rc);
    return Status::Ok();
  }

  Status CreateSnapshot(const Snapshot& snap, const Volume& v) override {
    BS_RETURN_IF_ERROR(CheckResourceId(snap.id));
    BS_RETURN_IF_ERROR(CheckResourceId(v.id));
    return SnapCreate(VolumeName(v.id), SnapshotName(snap.id));
  }

  Status DeleteSnapshot(const Snapshot& snap) override {
    BS_RETURN_IF_ERROR(CheckResourceId(snap.id));
    BS_RETURN_IF_ERROR(CheckResourceId(snap.volume_id));
    auto image = Image::Open(io(), VolumeName(snap.volume_id));
    if (!image.ok()) return image.status().code() == Code::kNotFound ? Status::Ok() : image.status();
    Status s = SnapRemoveOpen(**image, SnapshotName(snap.id));
    if (s.code() == Code::kFailedPrecondition) {
      return FailedPrecondition("snapshot " + snap.id + " has dependent volumes: delete them or flatten them first");
    }
    return s;
  }

  Result<uint64_t> VolumeSizeBytes(const Volume& v) override {
    BS_RETURN_IF_ERROR(CheckResourceId(v.id));
    BS_ASSIGN_OR_RETURN(auto image, Image::Open(io(), VolumeName(v.id), "", /*read_only=*/true));
    return image->Size();
  }

  Result<std::unique_ptr<BlockDevice>> OpenVolume(const Volume& v) override {
    BS_RETURN_IF_ERROR(CheckResourceId(v.id));
    BS_ASSIGN_OR_RETURN(auto image, Image::Open(io(), VolumeName(v.id)));
    BS_ASSIGN_OR_RETURN(uint64_t size, image->Size());
    return NewImageDevice(std::move(image), size);
  }

  Result<std::unique_ptr<BlockDevice>> OpenSnapshot(const Snapshot& snap) override {
    BS_RETURN_IF_ERROR(CheckResourceId(snap.id));
    BS_RETURN_IF_ERROR(CheckResourceId(snap.volume_id));
    BS_ASSIGN_OR_RETURN(auto image, Image::Open(io(), VolumeName(snap.volume_id), SnapshotName(snap.id)));
    BS_ASSIGN_OR_RETURN(uint64_t size, image->Size());
    return NewImageDevice(std::move(image), size);
  }

  Result<BackendStats> GetStats() override {
    PurgeTrash();
    // The pool's share of the cluster, as `ceph df` reports it: what is stored in it and what
    // it could still take given its replication (max_avail).
    const char* cmd[] = {R"({"prefix": "df", "format": "json"})"};
    char* out = nullptr;
    size_t out_len = 0;
    char* status = nullptr;
    size_t status_len = 0;
    const int rc = Ceph().rados_mon_command(connection_->cluster(), cmd, 1, "", 0, &out, &out_len, &status, &status_len);
    std::string body(out ? out : "", out_len);
    if (out) Ceph().rados_buffer_free(out);
    if (status) Ceph().rados_buffer_free(status);
    if (rc < 0) return RbdError("backend '" + o_.backend + "': ceph df", rc);
    double used = 0;
    double avail = 0;
    bool found = false;
    boost::system::error_code ec;
    auto doc = boost::json::parse(body, ec);
    if (!ec && doc.is_object()) {
      if (auto* pools = doc.as_object().if_contains("pools"); pools && pools->is_array()) {
        for (const auto& p : pools->as_array()) {
          if (!p.is_object()) continue;
          const auto* n = p.as_object().if_contains("name");
          const auto* st = p.as_object().if_contains("stats");
          if (!n || !n->is_string() || n->as_string() != o_.rbd_pool || !st || !st->is_object()) continue;
          auto num = [&](const char* key) {
            const auto* x = st->as_object().if_contains(key);
            return x && x->is_number() ? x->to_number<double>() : 0.0;
          };
          used = num("stored");
          avail = num("max_avail");
          found = true;
        }
      }
    }
    if (!found) return Unavailable("backend '" + o_.backend + "': ceph df does not list pool '" + o_.rbd_pool + "'");
    BackendStats stats;
    stats.vendor_name = "Open Source";
    stats.storage_protocol = "ceph";
    stats.driver_version = "1.0";
    PoolStats pool;
    pool.pool_name = o_.pool_name;
    pool.total_capacity_gb = Capacity::Number((used + avail) / kGiB);
    pool.free_capacity_gb = Capacity::Number(avail / kGiB);
    pool.thin_provisioning_support = true;
    pool.thick_provisioning_support = false;
    pool.max_over_subscription_ratio = o_.mosr;
    pool.reserved_percentage = o_.reserved_percentage;
    pool.multiattach = false;
    pool.online_extend_support = true;
    // Not exclusive: what every image in the pool was given (the volume manager's own count
    // otherwise).
    if (!o_.exclusive_pool) {
      BS_ASSIGN_OR_RETURN(double provisioned, ProvisionedGb());
      pool.provisioned_capacity_gb = provisioned;
    }
    stats.pools.push_back(std::move(pool));
    return stats;
  }

  Result<ConnectionResult> InitializeConnection(const Volume& v, const std::optional<VolumeExport>&,
                                                const Connector&) override {
    BS_RETURN_IF_ERROR(CheckResourceId(v.id));
    BS_ASSIGN_OR_RETURN(std::string data, ConnectionData(VolumeName(v.id), v.id));
    ConnectionResult r;
    r.export_record.location = o_.rbd_pool + "/" + VolumeName(v.id);
    r.info.driver_volume_type = "rbd";
    r.info.data = std::move(data);
    return r;
  }

  // A snapshot is reached as the image at that snapshot ("pool/volume-<id>@snapshot-<id>"),
  // which librbd opens read-only.
  Result<ConnectionInfo> InitializeSnapshotConnection(const Snapshot& snap, const Connector&) override {
    BS_RETURN_IF_ERROR(CheckResourceId(snap.id));
    BS_RETURN_IF_ERROR(CheckResourceId(snap.volume_id));
    ConnectionInfo info;
    info.driver_volume_type = "rbd";
    BS_ASSIGN_OR_RETURN(info.data, ConnectionData(VolumeName(snap.volume_id) + "@" + SnapshotName(snap.id),
                                                  snap.volume_id, /*read_only=*/true));
    return info;
  }

  // rbd_diff_iterate2 of the later image (or snapshot) against the earlier snapshot: with
  // fast-diff the object map answers, nothing is read.
  Result<std::vector<Extent>> ChangedExtents(const Volume& v, const Snapshot& from, const Snapshot* to) override {
    BS_RETURN_IF_ERROR(CheckResourceId(v.id));
    BS_RETURN_IF_ERROR(CheckResourceId(from.id));
    if (from.volume_id != v.id || (to && to->volume_id != v.id)) {
      return InvalidArgument("changed extents: the snapshots must be of volume " + v.id);
    }
    if (to) BS_RETURN_IF_ERROR(CheckResourceId(to->id));
    BS_ASSIGN_OR_RETURN(auto image, Image::Open(io(), VolumeName(v.id), to ? SnapshotName(to->id) : "",
                                                /*read_only=*/true));
    BS_ASSIGN_OR_RETURN(uint64_t size, image->Size());
    return ceph::DiffExtents(*image, SnapshotName(from.id), size);
  }

  // rbd_snap_rollback, then the size the volume had when it outgrew the snapshot.
  Status RevertToSnapshot(const Volume& v, const Snapshot& snap) override {
    BS_RETURN_IF_ERROR(CheckResourceId(v.id));
    BS_RETURN_IF_ERROR(CheckResourceId(snap.id));
    if (snap.volume_id != v.id) return InvalidArgument("snapshot " + snap.id + " is not of volume " + v.id);
    BS_ASSIGN_OR_RETURN(auto image, Image::Open(io(), VolumeName(v.id)));
    if (int rc = Ceph().rbd_snap_rollback(image->get(), SnapshotName(snap.id).c_str()); rc < 0) {
      return RbdError("reverting " + image->name() + " to " + SnapshotName(snap.id), rc);
    }
    BS_ASSIGN_OR_RETURN(uint64_t size, image->Size());
    if (size < v.size_gb * kGiB) {
      if (int rc = Ceph().rbd_resize(image->get(), v.size_gb * kGiB); rc < 0) return RbdError("resizing " + image->name(), rc);
    }
    return Status::Ok();
  }

  // An image of the pool (reference {"source-name": "<image>"}), renamed volume-<id>.
  Result<uint64_t> ManageExistingGetSize(const Volume& v, const std::map<std::string, std::string>& ref) override {
    BS_RETURN_IF_ERROR(CheckResourceId(v.id));
    BS_ASSIGN_OR_RETURN(std::string name, SourceName(ref));
    BS_ASSIGN_OR_RETURN(auto image, Image::Open(io(), name, "", /*read_only=*/true));
    BS_ASSIGN_OR_RETURN(uint64_t size, image->Size());
    return (size + kGiB - 1) / kGiB;
  }

  Status ManageExisting(const Volume& v, const std::map<std::string, std::string>& ref) override {
    BS_RETURN_IF_ERROR(CheckResourceId(v.id));
    BS_ASSIGN_OR_RETURN(std::string name, SourceName(ref));
    if (name == VolumeName(v.id)) return Status::Ok();  // done before a crash
    if (int rc = Ceph().rbd_rename(io(), name.c_str(), VolumeName(v.id).c_str()); rc < 0) {
      return RbdError("renaming " + name + " to " + VolumeName(v.id), rc);
    }
    return Status::Ok();
  }

  // The image stays, named as it is; blockstore forgets it.
  Status Unmanage(const Volume& v) override { return CheckResourceId(v.id); }

 private:
  rados_ioctx_t io() const { return connection_->io(); }

  static Result<std::string> SourceName(const std::map<std::string, std::string>& ref) {
    auto it = ref.find("source-name");
    if (it == ref.end() || it->second.empty()) {
      return InvalidArgument("an rbd volume to manage is named by 'source-name' (the image's name)");
    }
    if (it->second.find('/') != std::string::npos || it->second.find('@') != std::string::npos) {
      return InvalidArgument("'source-name' is an image name in the backend's pool, not '" + it->second + "'");
    }
    return it->second;
  }

  // Cinder's `rbd` connection data. `keyring` carries the user's keyring (when the backend names
  // one) so that a host without Ceph's files can connect, as Cinder does; it is a secret.
  Result<std::string> ConnectionData(const std::string& image, const std::string& volume_id,
                                     bool read_only = false) {
    boost::json::object data;
    data["name"] = o_.rbd_pool + "/" + image;
    boost::json::array hosts;
    boost::json::array ports;
    for (const auto& h : mon_hosts_) hosts.emplace_back(h);
    for (const auto& p : mon_ports_) ports.emplace_back(p);
    data["hosts"] = std::move(hosts);
    data["ports"] = std::move(ports);
    data["cluster_name"] = o_.cluster;
    data["auth_enabled"] = true;
    data["auth_username"] = o_.user.empty() ? "admin" : o_.user;
    data["secret_type"] = "ceph";
    data["secret_uuid"] = o_.secret_uuid.empty() ? boost::json::value(nullptr) : boost::json::value(o_.secret_uuid);
    data["volume_id"] = volume_id;
    data["discard"] = true;
    if (read_only) data["access_mode"] = "ro";
    if (!o_.keyring.empty()) {
      std::ifstream in(o_.keyring);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) return FailedPrecondition("backend '" + o_.backend + "': cannot read " + o_.keyring);
      data["keyring"] = text.str();
    }
    return boost::json::serialize(data);
  }

  Status Resize(const std::string& name, uint64_t bytes, bool grow_only) {
    BS_ASSIGN_OR_RETURN(auto image, Image::Open(io(), name));
    BS_ASSIGN_OR_RETURN(uint64_t size, image->Size());
    if (size == bytes || (grow_only && size > bytes)) return Status::Ok();
    if (int rc = Ceph().rbd_resize(image->get(), bytes); rc < 0) return RbdError("resizing " + name, rc);
    return Status::Ok();
  }

  // A snapshot for clones, protected (clone v1 needs it; v2 does not mind). Made again after
  // a crash: one that exists already is kept.
  Status SnapCreate(const std::string& image_name, const std::string& snap) {
    BS_ASSIGN_OR_RETURN(auto image, Image::Open(io(), image_name));
    int rc = Ceph().rbd_snap_create(image->get(), snap.c_str());
    if (rc < 0 && rc != -EEXIST) return RbdError("snapshot " + image_name + "@" + snap, rc);
    int is_protected = 0;
    if (rc = Ceph().rbd_snap_is_protected(image->get(), snap.c_str(), &is_protected); rc < 0) {
      return RbdError("snapshot " + image_name + "@" + snap, rc);
    }
    if (!is_protected) {
      if (rc = Ceph().rbd_snap_protect(image->get(), snap.c_str()); rc < 0 && rc != -EBUSY) {
        return RbdError("protecting " + image_name + "@" + snap, rc);
      }
    }
    return Status::Ok();
  }

  // Unprotects (refused while clones depend on it: failed_precondition) and removes.
  static Status SnapRemoveOpen(Image& image, const std::string& snap) {
    int is_protected = 0;
    int rc = Ceph().rbd_snap_is_protected(image.get(), snap.c_str(), &is_protected);
    if (rc == -ENOENT) return Status::Ok();
    if (rc < 0) return RbdError("snapshot " + image.name() + "@" + snap, rc);
    if (is_protected) {
      rc = Ceph().rbd_snap_unprotect(image.get(), snap.c_str());
      if (rc == -EBUSY) return FailedPrecondition(image.name() + "@" + snap + " has clones");
      if (rc < 0 && rc != -EINVAL) return RbdError("unprotecting " + image.name() + "@" + snap, rc);
    }
    rc = Ceph().rbd_snap_remove(image.get(), snap.c_str());
    if (rc == -ENOENT) return Status::Ok();
    if (rc == -EBUSY) return FailedPrecondition(image.name() + "@" + snap + " has clones");
    if (rc < 0) return RbdError("removing " + image.name() + "@" + snap, rc);
    return Status::Ok();
  }

  Status SnapRemove(const std::string& image_name, const std::string& snap) {
    auto image = Image::Open(io(), image_name);
    if (!image.ok()) return image.status().code() == Code::kNotFound ? Status::Ok() : image.status();
    return SnapRemoveOpen(**image, snap);
  }

  static Result<std::vector<std::string>> SnapNames(Image& image) {
    std::vector<rbd_snap_info_t> snaps(16);
    int max = static_cast<int>(snaps.size());
    int n = Ceph().rbd_snap_list(image.get(), snaps.data(), &max);
    if (n == -ERANGE) {
      snaps.resize(static_cast<std::size_t>(max));
      n = Ceph().rbd_snap_list(image.get(), snaps.data(), &max);
    }
    if (n < 0) return RbdError("snapshots of " + image.name(), n);
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.emplace_back(snaps[static_cast<std::size_t>(i)].name);
    Ceph().rbd_snap_list_end(snaps.data());
    return out;
  }

  // The images that read through any of this image's snapshots, at any depth, named as
  // volumes (`volume-<id>` → id) where they are.
  static Result<std::vector<std::string>> Descendants(Image& image) {
    std::vector<rbd_linked_image_spec_t> specs(16);
    size_t count = specs.size();
    int rc = Ceph().rbd_list_descendants(image.get(), specs.data(), &count);
    if (rc == -ERANGE) {
      specs.resize(count);
      rc = Ceph().rbd_list_descendants(image.get(), specs.data(), &count);
    }
    if (rc < 0) return RbdError("clones of " + image.name(), rc);
    std::vector<std::string> out;
    for (size_t i = 0; i < count; ++i) {
      std::string n = specs[i].image_name ? specs[i].image_name : "";
      if (n.starts_with("volume-")) n = n.substr(7);
      out.push_back(std::move(n));
    }
    Ceph().rbd_linked_image_spec_list_cleanup(specs.data(), count);
    return out;
  }

  // A copy-on-write clone of parent@snap as `child`; one that exists already (a create made
  // again) is kept.
  Status CloneFrom(const std::string& parent, const std::string& snap, const std::string& child) {
    int order = 0;
    const int rc = Ceph().rbd_clone2(io(), parent.c_str(), snap.c_str(), io(), child.c_str(), kFeatures, &order, 0, 0);
    if (rc == -EEXIST) return Status::Ok();
    if (rc < 0) return RbdError("cloning " + parent + "@" + snap + " as " + child, rc);
    return Status::Ok();
  }

  Status Flatten(const std::string& name) {
    BS_ASSIGN_OR_RETURN(auto image, Image::Open(io(), name));
    if (int rc = Ceph().rbd_flatten(image->get()); rc < 0 && rc != -EINVAL) return RbdError("flattening " + name, rc);
    return Status::Ok();
  }

  // How many parents the image has, following them in this pool.
  Result<int> CloneDepth(const std::string& name) {
    int depth = 0;
    std::string current = name;
    while (depth < 256) {
      BS_ASSIGN_OR_RETURN(auto image, Image::Open(io(), current, "", /*read_only=*/true));
      rbd_linked_image_spec_t parent{};
      rbd_snap_spec_t parent_snap{};
      const int rc = Ceph().rbd_get_parent(image->get(), &parent, &parent_snap);
      if (rc == -ENOENT) return depth;
      if (rc < 0) return RbdError("parent of " + current, rc);
      current = parent.image_name ? parent.image_name : "";
      Ceph().rbd_linked_image_spec_cleanup(&parent);
      Ceph().rbd_snap_spec_cleanup(&parent_snap);
      ++depth;
      if (current.empty()) return depth;
    }
    return depth;
  }

  // Removes the images of failed creates DeleteVolume moved to the trash, each once nothing
  // watches it any more (the rest wait for the next call). Best effort: called with the stats.
  void PurgeTrash() {
    std::vector<rbd_trash_image_info_t> entries(32);
    size_t count = entries.size();
    int rc = Ceph().rbd_trash_list(io(), entries.data(), &count);
    if (rc == -ERANGE) {
      entries.resize(count);
      rc = Ceph().rbd_trash_list(io(), entries.data(), &count);
    }
    if (rc < 0) return;
    std::vector<std::string> ours;
    for (size_t i = 0; i < count; ++i) {
      const std::string name = entries[i].name ? entries[i].name : "";
      if (entries[i].source == RBD_TRASH_IMAGE_SOURCE_USER && name.starts_with("volume-") && entries[i].id) {
        ours.emplace_back(entries[i].id);
      }
    }
    Ceph().rbd_trash_list_cleanup(entries.data(), count);
    for (const auto& id : ours) (void)Ceph().rbd_trash_remove(io(), id.c_str(), /*force=*/false);
  }

  // What every image in the pool was given, in GB (rbd_exclusive_cinder_pool = false).
  Result<double> ProvisionedGb() {
    std::vector<rbd_image_spec_t> specs(64);
    size_t count = specs.size();
    int rc = Ceph().rbd_list2(io(), specs.data(), &count);
    if (rc == -ERANGE) {
      specs.resize(count);
      rc = Ceph().rbd_list2(io(), specs.data(), &count);
    }
    if (rc < 0) return RbdError("listing pool '" + o_.rbd_pool + "'", rc);
    std::vector<std::string> names;
    for (size_t i = 0; i < count; ++i) names.emplace_back(specs[i].name ? specs[i].name : "");
    Ceph().rbd_image_spec_list_cleanup(specs.data(), count);
    double total = 0;
    for (const auto& name : names) {
      auto image = Image::Open(io(), name, "", /*read_only=*/true);
      if (!image.ok()) continue;  // removed meanwhile
      if (auto size = (*image)->Size(); size.ok()) total += static_cast<double>(*size) / kGiB;
    }
    return total;
  }

  Options o_;
  std::shared_ptr<ceph::RadosConnection> connection_;  // made by Initialize
  std::vector<std::string> mon_hosts_;
  std::vector<std::string> mon_ports_;
};

}  // namespace
}  // namespace rbd_driver

Status RegisterRbdDriver(DriverRegistry& registry) {
  return registry.Register("rbd", [](const BackendConfig& c) -> Result<std::unique_ptr<VolumeDriver>> {
    auto o = rbd_driver::ParseOptions(c);
    if (!o.ok()) return o.status();
    if (auto api = ceph::LoadRbdApi(); !api.ok()) return api.status();
    return std::unique_ptr<VolumeDriver>(new rbd_driver::RbdDriver(std::move(o).value()));
  });
}

}  // namespace blockstore
