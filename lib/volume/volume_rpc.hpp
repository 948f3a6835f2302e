// Internal: a volume backend's RPC API, version 3.0 (its major follows Cinder's volume API).
//
// | method                 | kind | args                                    | reply           |
// |------------------------|------|-----------------------------------------|-----------------|
// | create_volume          | cast | spec (the request spec)                 |                 |
// | delete_volume          | cast | —                                       |                 |
// | extend_volume          | cast | —                                       |                 |
// | create_snapshot        | cast | —                                       |                 |
// | delete_snapshot        | cast | —                                       |                 |
// | initialize_connection  | call | connector, mode                         | connection info |
// | terminate_connection   | call | connector (optional), revoke_host, remove_export | {}     |
// | connect_snapshot       | call | connector                               | connection info |
// | disconnect_snapshot    | call | connector                               | {}              |
// | revert_to_snapshot     | cast | snapshot_id                             |                 |
// | changed_extents        | call | from, to (snapshot ids; to may be "")   | {extents: [[offset, length], …]} |
// | retype                 | call | type_id                                 | {}              |
// | migrate_volume         | cast | force_host_copy                         |                 |
// | create_migration_target| call | —                                       | {}              |
// | delete_migration_target| call | —                                       | {}              |
// | report_stats           | cast | —                                       |                 |
//
// The id of each is the volume's (the snapshot's for the snapshot methods). Each backend has a
// topic of its own, "volume.<host>@<backend>", served by exactly one volume service.
#ifndef BLOCKSTORE_LIB_VOLUME_VOLUME_RPC_HPP
#define BLOCKSTORE_LIB_VOLUME_VOLUME_RPC_HPP

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "blockstore/driver.hpp"
#include "blockstore/scheduler.hpp"
#include "lib/rpc/endpoint.hpp"

namespace blockstore::internal {

inline constexpr rpc::Version kVolumeRpcVersion{3, 0};

// "volume.host@backend"
std::string VolumeTopic(std::string_view backend);
// "host@backend#pool" → "host@backend"
std::string BackendOf(std::string_view pool_host);

// How long a caller waits for a backend to export or unexport (Cinder's rpc_response_timeout).
inline constexpr std::chrono::seconds kConnectionTimeout{60};

class VolumeClient {
 public:
  // The client of `backend` ("host@backend"; a pool suffix is dropped).
  VolumeClient(Transport& transport, std::string_view backend);
  Status CreateVolume(const std::string& id, const RequestSpec& spec,
                      const std::string& request_id = {}) const;
  Status DeleteVolume(const std::string& id, const std::string& request_id = {}) const;
  Status ExtendVolume(const std::string& id, const std::string& request_id = {}) const;
  Status CreateSnapshot(const std::string& id, const std::string& request_id = {}) const;
  Status DeleteSnapshot(const std::string& id, const std::string& request_id = {}) const;
  Result<ConnectionInfo> InitializeConnection(const std::string& id, const Connector& connector,
                                              const std::string& mode,
                                              const std::string& request_id = {}) const;
  Status TerminateConnection(const std::string& id, const std::optional<Connector>& connector,
                             bool revoke_host, bool remove_export,
                             const std::string& request_id = {}) const;
  // A snapshot exported read-only to `connector` (a backup reads it), and withdrawn.
  Result<ConnectionInfo> ConnectSnapshot(const std::string& snapshot_id, const Connector& connector,
                                         const std::string& request_id = {}) const;
  Status DisconnectSnapshot(const std::string& snapshot_id, const Connector& connector,
                            const std::string& request_id = {}) const;
  // Rolls volume `id` (reverting) back to its snapshot (restoring).
  Status RevertToSnapshot(const std::string& id, const std::string& snapshot_id,
                          const std::string& request_id = {}) const;
  // The extents of volume `id` that changed since its snapshot `from` (until its snapshot
  // `to`, or now when empty): the driver's ChangedExtents.
  Result<std::vector<Extent>> ChangedExtents(const std::string& id, const std::string& from,
                                             const std::string& to) const;
  // The driver's in-place change of volume `id` (retyping) to type `type_id`'s extra specs;
  // a driver with nothing to change answers ok.
  Status Retype(const std::string& id, const std::string& type_id) const;
  // Moves volume `id` (maintenance, migrating to its migration_host) off this backend.
  Status MigrateVolume(const std::string& id, bool force_host_copy, const std::string& request_id = {}) const;
  // On the destination of a migration: the volume's storage made (blank) there, or removed.
  Status CreateMigrationTarget(const std::string& id) const;
  Status DeleteMigrationTarget(const std::string& id) const;
  Status ReportStats() const;
  // After a restart over a redelivering transport: fails the create of `id` unless its own
  // message (queued before this one) made or is making it.
  Status CheckCreate(const std::string& id) const;

 private:
  rpc::Client client_;
};

// What a volume service does with each method. The casts report their outcome through the
// store and events, not a reply.
class VolumeHandler {
 public:
  virtual ~VolumeHandler() = default;
  virtual void CreateVolume(const std::string& id, const RequestSpec& spec) = 0;
  virtual void DeleteVolume(const std::string& id) = 0;
  virtual void ExtendVolume(const std::string& id) = 0;
  virtual void CreateSnapshot(const std::string& id) = 0;
  virtual void DeleteSnapshot(const std::string& id) = 0;
  virtual Result<ConnectionInfo> InitializeConnection(const std::string& id,
                                                      const Connector& connector,
                                                      const std::string& mode) = 0;
  virtual Status TerminateConnection(const std::string& id,
                                     const std::optional<Connector>& connector, bool revoke_host,
                                     bool remove_export) = 0;
  virtual Result<ConnectionInfo> ConnectSnapshot(const std::string& id,
                                                 const Connector& connector) = 0;
  virtual Status DisconnectSnapshot(const std::string& id, const Connector& connector) = 0;
  virtual void RevertToSnapshot(const std::string& id, const std::string& snapshot_id) = 0;
  virtual Result<std::vector<Extent>> ChangedExtents(const std::string& id, const std::string& from,
                                                     const std::string& to) = 0;
  virtual Status Retype(const std::string& id, const std::string& type_id) = 0;
  virtual void MigrateVolume(const std::string& id, bool force_host_copy) = 0;
  virtual Status CreateMigrationTarget(const std::string& id) = 0;
  virtual Status DeleteMigrationTarget(const std::string& id) = 0;
  virtual Status ReportStats() = 0;
  virtual void CheckCreate(const std::string& id) = 0;
};

rpc::Dispatcher VolumeDispatcher(VolumeHandler& handler);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_VOLUME_VOLUME_RPC_HPP
