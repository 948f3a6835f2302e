// blockstore — VolumeManager: runs one backend's driver.
//
// A manager serves the topic "volume.host@backend": it creates, deletes, extends and snapshots
// volumes through its driver and moves each record to its final status (with the quota commit
// or rollback in the same store transaction). It reports its backend's stats to the scheduler
// on start and whenever asked.
//
// On start it recovers what a crash left behind on its backend: volumes and snapshots that
// were `creating` go to `error` (their quota reservation rolled back); `deleting` ones are
// deleted again; an interrupted extend is finished if the driver already grew the volume,
// otherwise the volume returns to its previous status. The exports of volumes still attached
// are brought back; every other export the driver manages is removed.
//
// Thread-safety: the manager's own threads do the work; its methods may be called from any
// thread.
#ifndef BLOCKSTORE_VOLUME_MANAGER_HPP
#define BLOCKSTORE_VOLUME_MANAGER_HPP

#include <functional>
#include <memory>
#include <string>

#include "blockstore/driver.hpp"
#include "blockstore/env.hpp"
#include "blockstore/export.h"
#include "blockstore/result.hpp"
#include "blockstore/store.hpp"
#include "blockstore/transport.hpp"

namespace blockstore {

struct VolumeManagerOptions {
  std::string host;                // this machine's name: the "host" of host@backend
  std::string availability_zone = "nova";
  int workers = 2;                 // concurrent driver operations. Default: 2
  std::function<void(Event)> notify;
  std::shared_ptr<Env> env;  // Default: SystemEnv()
  // The transport keeps what was queued for this backend across a restart of the process and
  // delivers again what a crash interrupted (a broker's durable queue, acknowledged after the
  // handler). Recovery then leaves volumes still creating to their own messages and fails only
  // those no message comes for. Default: false (a restart loses the queue: they are failed).
  bool redelivering_transport = false;
};

// What Start found and did.
struct RecoveryReport {
  int volumes_failed = 0;     // creating → error
  int creates_awaited = 0;    // creating, left to their queued or redelivered message
  int volumes_redeleted = 0;  // deleting → deleted again
  int extends_settled = 0;    // extending → finished or rolled back
  int snapshots_failed = 0;
  int snapshots_redeleted = 0;
  int reverts_resumed = 0;    // reverting → the revert run again
  int migrations_resumed = 0;  // maintenance, migrating → the migration run again
  int exports_restored = 0;   // volumes still attached whose exports were brought back
  int exports_failed = 0;     // volumes whose exports could not be (the driver said why)
};

class BS_API VolumeManager {
 public:
  // Initializes the driver, recovers, starts listening and reports stats.
  static Result<std::unique_ptr<VolumeManager>> Start(Store& store, Transport& transport,
                                                      std::unique_ptr<VolumeDriver> driver,
                                                      const BackendConfig& backend,
                                                      VolumeManagerOptions options);
  ~VolumeManager();

  const std::string& backend() const;  // host@backend
  const RecoveryReport& recovery() const;
  // Reads the driver's stats, fills in allocated capacity from the store and casts them to the
  // scheduler.
  Status ReportStats();

 private:
  struct Impl;
  explicit VolumeManager(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_VOLUME_MANAGER_HPP
