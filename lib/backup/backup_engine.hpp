// Internal: the backup data path — a volume's allocated chunks hashed, compared with the
// parent's, compressed and uploaded by a few workers within a fixed memory budget; restore and
// verify of a manifest, every chunk checked against its hash.
//
// Only allocated data is read: chunks outside BlockDevice::AllocatedRanges are zero without a
// read; with changed-block tracking, an incremental reads only the chunks that changed. Zero chunks are never stored; chunks whose hash equals the parent's are not uploaded
// again (the manifest names the parent's object).
//
// Thread-safety: each call runs on the caller's thread plus `workers` threads it starts and
// joins before returning. The BlockDevice is used by one thread at a time; the target
// concurrently.
#ifndef BLOCKSTORE_LIB_BACKUP_BACKUP_ENGINE_HPP
#define BLOCKSTORE_LIB_BACKUP_BACKUP_ENGINE_HPP

#include <atomic>
#include <functional>

#include "blockstore/backup_target.hpp"
#include "blockstore/driver.hpp"
#include "blockstore/env.hpp"
#include "lib/backup/manifest.hpp"

namespace blockstore::internal {

struct TransferProgress {
  uint64_t bytes_done = 0;   // of the volume, zero and unchanged chunks included
  uint64_t bytes_total = 0;
  uint64_t bytes_stored = 0;  // written to the target (after compression)
  double rate_bytes_per_s = 0;  // bytes_done over the time since the job started
  double eta_seconds = 0;       // what is left at that rate
};

struct TransferOptions {
  uint64_t chunk_size = 4ull << 20;  // of a full backup; an incremental keeps its parent's
  Compression compression = Compression::kZstd;
  int workers = 2;
  // An incremental backup reads the volume in chunk order, this many chunks at a time
  // (read_turnstile.hpp); a full one with every worker.
  int read_streams = 2;
  // Caps the workers so that their buffers (two chunks each) fit: a job's chunk size is its
  // manifest's, which need not be the configured one. 0: no cap.
  uint64_t memory_budget = 0;
  std::function<void(const TransferProgress&)> progress;  // called from worker threads
  const std::atomic<bool>* cancel = nullptr;               // set to stop: cancelled
  int retries = 3;  // per object, on unavailable, with backoff
  // Rates, pacing and the pauses between retries go by its clocks.
  std::shared_ptr<Env> env = SystemEnv();
  uint64_t bandwidth_bytes_per_s = 0;  // data read (backup) or written (restore); 0: no limit
  // Encryption (AES-256-GCM): a backup seals new chunks and its manifest with `key`, recorded
  // as `key_id`; restore and verify open them with `key`. Empty: none.
  std::string key;
  std::string key_id;
  // A backup records this in its manifest: what its source volume was called and carried.
  std::optional<SourceVolumeMeta> source_volume;
  // An incremental's changed-block tracking: the extents of the source that changed since its
  // parent's data was read (VolumeDriver::ChangedExtents). A chunk touching none of them is the
  // parent's, without a read. Unset: every allocated chunk is read and compared by hash.
  std::optional<std::vector<Extent>> changed;
};

// Finds the key a manifest names: the 32 bytes, or an error for an unknown key id.
using KeyLookup = std::function<Result<std::string>(const std::string& key_id)>;

// Backs `device` up as `backup_id` under `prefix` ("<prefix>/<backup_id>/chunk-N" objects and
// "<prefix>/<backup_id>/manifest.json"). `parent`: the manifest of the backup to be
// incremental to, or null for a full one. The manifest is written last: a backup without one
// is incomplete.
Result<Manifest> RunBackup(BlockDevice& device, BackupTarget& target, const std::string& prefix,
                           const std::string& backup_id, const std::string& volume_id,
                           const Manifest* parent, const TransferOptions& options);

// Writes the backup onto `device` (at least the backup's size). `fresh`: the device reads as
// zeros everywhere (a new sparse volume), so zero chunks are skipped; otherwise they are
// written. data_loss naming the chunk and its offset for a missing or damaged object.
Status RunRestore(const Manifest& manifest, BackupTarget& target, BlockDevice& device, bool fresh,
                  const TransferOptions& options);

// Reads and checks every object of the manifest without writing anything.
Status RunVerify(const Manifest& manifest, BackupTarget& target, const TransferOptions& options);

std::string ManifestObject(const std::string& prefix, const std::string& backup_id);

// Writes a manifest (sealed with options.key when it is set) and reads one back: a sealed
// manifest is a small JSON envelope naming its key_id around the sealed text, opened with the
// key `keys` finds; failed_precondition when it has none.
Status WriteManifest(BackupTarget& target, const std::string& prefix, const Manifest& m,
                     const TransferOptions& options);
Result<Manifest> ReadManifest(BackupTarget& target, const std::string& prefix,
                              const std::string& backup_id, const KeyLookup& keys);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_BACKUP_BACKUP_ENGINE_HPP
