// blockstore — the volume driver API: what a storage backend implements.
//
// A VolumeDriver turns volume operations into real storage (sparse files, LVM, an array). A
// BlockDevice is an open volume: positional I/O plus the map of what was ever written, so that
// copies and backups never read holes. Drivers see only this header, types.hpp and status.hpp.
//
// Drivers are registered by name in a DriverRegistry and built once per configured backend, so
// one driver can serve several backends with different options.
//
// Thread-safety: a VolumeManager calls one driver from several worker threads at once, never
// twice concurrently for the same volume or snapshot. Drivers must be safe under that contract.
// A BlockDevice may be used from one thread at a time, unless it says ConcurrentIo().
#ifndef BLOCKSTORE_DRIVER_HPP
#define BLOCKSTORE_DRIVER_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "blockstore/export.h"
#include "blockstore/result.hpp"
#include "blockstore/types.hpp"

namespace blockstore {

inline constexpr uint64_t kGiB = uint64_t{1} << 30;

struct Extent {
  uint64_t offset = 0;
  uint64_t length = 0;
  friend bool operator==(const Extent&, const Extent&) = default;
};

class BS_API BlockDevice {
 public:
  virtual ~BlockDevice();
  // Reads up to out.size() bytes at `offset`; short only at the end of the device.
  virtual Result<std::size_t> ReadAt(uint64_t offset, std::span<std::byte> out) = 0;
  // Writes all of `data` at `offset`. invalid_argument past the end of the device.
  virtual Status WriteAt(uint64_t offset, std::span<const std::byte> data) = 0;
  virtual uint64_t SizeBytes() const = 0;
  virtual Status Flush() = 0;
  // The extents that may hold data, sorted and disjoint; everything else reads as zeros.
  virtual Result<std::vector<Extent>> AllocatedRanges() = 0;
  // Whether ReadAt and WriteAt may run on several threads at once (positional I/O on one
  // file). Default: false, and callers use the device from one thread at a time.
  virtual bool ConcurrentIo() const { return false; }
};

// Capacity as Cinder reports it: a number of GB, or "infinite" / "unknown".
struct Capacity {
  enum class Kind { kNumber, kInfinite, kUnknown };
  Kind kind = Kind::kNumber;
  double gb = 0;
  static Capacity Number(double gb) { return {Kind::kNumber, gb}; }
  static Capacity Infinite() { return {Kind::kInfinite, 0}; }
  static Capacity Unknown() { return {Kind::kUnknown, 0}; }
};

struct PoolStats {
  std::string pool_name;
  Capacity total_capacity_gb;
  Capacity free_capacity_gb;
  double allocated_capacity_gb = 0;    // filled in by the VolumeManager from the store
  double provisioned_capacity_gb = 0;  // Default: allocated
  int reserved_percentage = 0;
  std::string max_over_subscription_ratio = "20.0";  // a number, or "auto"
  bool thin_provisioning_support = false;
  bool thick_provisioning_support = true;
  bool multiattach = false;
  bool online_extend_support = true;
  bool qos_support = false;
  // Expressions the scheduler evaluates per request (docs/scheduler.md): whether the pool may
  // take a volume, and how good a home it is (0..100). Default: the backend's configured
  // `filter_function` / `goodness_function` options, if any.
  std::string filter_function;
  std::string goodness_function;
  uint64_t total_volumes = 0;  // filled in by the VolumeManager from the store
  // Driver-specific capabilities. A value that is a JSON list or object is matched as one by
  // extra specs (a list matches when any element does; capabilities:a:b reads a nested key).
  std::map<std::string, std::string> capabilities;
};

struct BackendStats {
  std::string volume_backend_name;
  std::string vendor_name = "blockstore";
  std::string driver_version = "1.0";
  std::string storage_protocol;  // "file", "iSCSI", …
  std::vector<PoolStats> pools;
};

// The options of one configured backend: its section of the configuration.
struct BackendConfig {
  std::string name;                // the section name ("file-1"); the backend part of host@backend
  std::string driver;              // the registered driver name ("file")
  std::string volume_backend_name; // Default: name
  std::map<std::string, std::string> options;  // the driver's own options
  // Reported with every pool of the backend unless the driver reports its own (Cinder's
  // backend options of the same names; the language is in docs/scheduler.md).
  std::string filter_function;
  std::string goodness_function;
};

// What InitializeConnection hands back: the export to record (it survives restarts) and how
// the host reaches the volume.
struct ConnectionResult {
  VolumeExport export_record;
  ConnectionInfo info;
};

// A volume a restart must keep exported, with the hosts its attachments connected.
struct ExportedVolume {
  Volume volume;
  VolumeExport export_record;
  std::vector<Connector> connectors;
};

class BS_API VolumeDriver {
 public:
  virtual ~VolumeDriver();
  // Checks the backend is usable (paths exist, credentials work). Called once at start.
  virtual Status Initialize() = 0;
  // The pool a new volume lands in when the scheduler named none.
  virtual std::string DefaultPool() const = 0;

  virtual Status CreateVolume(const Volume& volume) = 0;
  virtual Status CreateVolumeFromSnapshot(const Volume& volume, const Snapshot& snapshot) = 0;
  virtual Status CreateClonedVolume(const Volume& volume, const Volume& source) = 0;
  // Idempotent: deleting what is not there succeeds.
  virtual Status DeleteVolume(const Volume& volume) = 0;
  virtual Status ExtendVolume(const Volume& volume, uint64_t new_size_gb) = 0;
  virtual Status CreateSnapshot(const Snapshot& snapshot, const Volume& volume) = 0;
  // Idempotent, like DeleteVolume.
  virtual Status DeleteSnapshot(const Snapshot& snapshot) = 0;
  // The size the backend holds for the volume, in bytes; not_found when it holds none.
  virtual Result<uint64_t> VolumeSizeBytes(const Volume& volume) = 0;
  virtual Result<std::unique_ptr<BlockDevice>> OpenVolume(const Volume& volume) = 0;
  // A snapshot's data, for backups taken from a snapshot. Writes are refused or ignored by
  // callers. Default: unimplemented.
  virtual Result<std::unique_ptr<BlockDevice>> OpenSnapshot(const Snapshot& snapshot);
  virtual Result<BackendStats> GetStats() = 0;

  // ---- attach ----
  // Exports the volume to the host `connector` describes, creating the export when needed
  // (`existing` is what was recorded for it before: reuse its credentials), and says how the
  // host reaches it. Default: unimplemented.
  virtual Result<ConnectionResult> InitializeConnection(const Volume& volume,
                                                        const std::optional<VolumeExport>& existing,
                                                        const Connector& connector);
  // Withdraws the host's access (`revoke_host`) and removes the export (`remove_export`) when
  // no attachment needs them any more. Idempotent. Default: OK (nothing was exported).
  virtual Status TerminateConnection(const Volume& volume, const VolumeExport& export_record,
                                     const Connector& connector, bool revoke_host,
                                     bool remove_export);
  // Exports a snapshot's data, read-only, to the host `connector` describes: a backup of the
  // snapshot reads it through this connection. Default: unimplemented.
  virtual Result<ConnectionInfo> InitializeSnapshotConnection(const Snapshot& snapshot,
                                                              const Connector& connector);
  // Withdraws it. Idempotent. Default: OK.
  virtual Status TerminateSnapshotConnection(const Snapshot& snapshot, const Connector& connector);
  // At start: makes sure each of `exported` is exported as recorded, to its hosts, and
  // removes every other export the driver manages (those of volumes detached while the engine
  // was down). Default: OK.
  virtual Status RestoreExports(const std::vector<ExportedVolume>& exported);

  // ---- optional hooks: each answers unimplemented unless the driver offers it ----
  // Changed-block tracking: the extents of `volume` that differ between its snapshot `from`
  // and `to` (another of its snapshots, taken later; null: the volume as it is now), sorted
  // and disjoint, discarded ranges included. An incremental backup reads only these; without
  // the hook it reads every allocated chunk and compares hashes.
  virtual Result<std::vector<Extent>> ChangedExtents(const Volume& volume, const Snapshot& from,
                                                     const Snapshot* to);
  // Rolls `volume` back to `snapshot`, its latest (the caller checks that), in place: the
  // volume's data becomes the snapshot's; its size the snapshot's volume size or, when it
  // grew since, stays.
  virtual Status RevertToSnapshot(const Volume& volume, const Snapshot& snapshot);
  // Adopts a backend object that blockstore did not create: `reference` names it in the
  // driver's terms ({"source-name": "…"} or {"source-id": "…"}, as Cinder's). GetSize answers
  // its size in whole GiB (rounded up) without changing it; Manage makes it `volume`'s (renamed
  // as the driver names volumes) — after it, the other calls find it by volume.id.
  virtual Result<uint64_t> ManageExistingGetSize(const Volume& volume,
                                                 const std::map<std::string, std::string>& reference);
  virtual Status ManageExisting(const Volume& volume,
                                const std::map<std::string, std::string>& reference);
  // Lets go of the volume's object without deleting its data.
  virtual Status Unmanage(const Volume& volume);
  // Changes what the volume's type asks of the backend (the new type's extra specs) in place;
  // failed_precondition when it cannot, and the caller migrates instead.
  virtual Status Retype(const Volume& volume, const std::map<std::string, std::string>& new_specs);
  // Moves the volume's data to `destination` (host@backend#pool) by the backend's own means;
  // unimplemented (the default) makes the caller copy it through two connections.
  virtual Status MigrateVolume(const Volume& volume, const std::string& destination);
};

using DriverFactory =
    std::function<Result<std::unique_ptr<VolumeDriver>>(const BackendConfig& config)>;

// Named driver factories. Thread-safety: Register before sharing; lookups are then safe from
// any thread.
class BS_API DriverRegistry {
 public:
  // already_exists when the name is taken.
  Status Register(std::string name, DriverFactory factory);
  // not_found for an unknown driver; the factory's own errors otherwise.
  Result<std::unique_ptr<VolumeDriver>> Create(const BackendConfig& config) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, DriverFactory> factories_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_DRIVER_HPP
