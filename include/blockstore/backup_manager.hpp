// blockstore — BackupManager: the backup service of one engine host.
//
// The manager serves the topic "backup": it backs volumes and snapshots up to its target,
// restores backups onto volumes, deletes backups' objects, verifies backups and adopts imported
// records, moving each record to its final status (with the quota commit or rollback in the
// same store transaction as the status change).
//
// A running backup or restore writes its progress into the backup record every
// progress_interval and re-reads the record's status as it does: a backup that was moved away
// from creating (deleted by an admin) or a restore moved away from restoring (reset by an
// admin) stops at the next chunk.
//
// On start it recovers what a crash left behind: `creating` backups go to error (the source's
// status is restored, the quota rolled back, the objects written so far removed), `restoring`
// ones return to available (the volume goes to error_restoring), `deleting` ones are deleted
// again.
//
// Thread-safety: the manager's own threads do the work; its methods may be called from any
// thread.
#ifndef BLOCKSTORE_BACKUP_MANAGER_HPP
#define BLOCKSTORE_BACKUP_MANAGER_HPP

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "blockstore/backup_target.hpp"
#include "blockstore/driver.hpp"
#include "blockstore/env.hpp"
#include "blockstore/export.h"
#include "blockstore/result.hpp"
#include "blockstore/store.hpp"
#include "blockstore/transport.hpp"

namespace blockstore {

struct BackupConfig {
  // Where backups go. Default (in an Engine): a posix target under state_path/backups.
  std::shared_ptr<BackupTarget> target;
  std::string compression = "zstd";     // zstd | zlib | none (Cinder's spellings accepted)
  // Bytes per object of a full backup (an incremental keeps its parent's): a multiple of 4 KiB
  // up to 256 MiB. Default (0): the target's choice, BackupTarget::PreferredChunkSize().
  uint64_t chunk_size = 0;
  // Threads per job reading, hashing, compressing and moving chunks; more than the cores, so
  // that those waiting on the disk or the network leave the cores busy (restores, which mostly
  // wait, gain most). Default: 8.
  int workers = 8;
  // How many of an incremental backup's workers read the volume at once; they read its chunks
  // in order. An incremental stores few chunks and goes at the pace of its read, and a local
  // disk reads fastest as one or two streams the kernel's readahead runs ahead of (more, in no
  // order, slowed incrementals by a third here); a device far away over the network may want
  // more. A full backup, busy storing what it reads, lets every worker read (still in order).
  // Devices that cannot take concurrent I/O are read one chunk at a time. 1..64. Default: 2.
  int read_streams = 2;
  // Per job: workers are capped so that their chunk buffers fit: two per worker (a backup's
  // data and its compressed form; a restore's stored object and the chunk decoded from it),
  // three with encryption. Default: 128 MiB (eight workers with 4 MiB chunks, four with 16 MiB).
  uint64_t memory_budget = 128ull << 20;
  int max_jobs = 2;                     // backups, restores and verifies running at once
  uint64_t bandwidth_bytes_per_s = 0;   // per job; 0: no limit
  int retries = 3;                      // per object, on retryable target failures
  // Read every object back and check it before a backup is reported available. Default: off
  // (targets check what they store as they store it: rename after fsync, ETag against MD5).
  bool verify_after_backup = false;
  // Incrementals read only what the volume's driver says changed since the parent's snapshot
  // (VolumeDriver::ChangedExtents), when it can say; off: every allocated chunk is read and
  // compared by hash, whatever the driver offers. Default: on.
  bool changed_block_tracking = true;
  std::chrono::milliseconds progress_interval{1000};  // how often the record's progress moves
  // Encryption at rest: new backups seal every object (AES-256-GCM, the object's name
  // authenticated with it) and their manifest with the key named `encryption_key_id`. The host
  // supplies keys by id: 32 bytes, or an error (not_found for an id it does not know). Restores,
  // verifies and imports ask for the key a backup names. Keys are never stored or logged.
  std::string encryption_key_id;  // empty: new backups are not encrypted
  std::function<Result<std::string>(const std::string& key_id)> key_provider;
  // Called from job threads as chunks finish; must not block for long.
  std::function<void(const BackupProgress&)> progress;
};

struct BackupManagerOptions {
  std::string host;  // the engine host: backups record it, recovery looks for it
  std::string availability_zone = "nova";
  BackupConfig config;
  std::function<void(Event)> notify;
  std::shared_ptr<Env> env;  // Default: SystemEnv()
};

struct BackupRecoveryReport {
  int backups_failed = 0;     // creating → error
  int restores_stopped = 0;   // restoring → available
  int backups_redeleted = 0;  // deleting → deleted again
  // Temporary objects of interrupted puts, and directories left empty, removed from the
  // target (RemoveLeftovers).
  uint64_t leftovers_removed = 0;
};

class BS_API BackupManager {
 public:
  // invalid_argument for a bad config. Recovers, then listens.
  static Result<std::unique_ptr<BackupManager>> Start(Store& store, Transport& transport,
                                                      BackupManagerOptions options);
  ~BackupManager();

  const BackupRecoveryReport& recovery() const;
  BackupTarget& target();

 private:
  struct Impl;
  explicit BackupManager(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_BACKUP_MANAGER_HPP
