// BackupManager: backup, restore, delete, verify and import jobs on the engine's target.
#include "blockstore/backup_manager.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "blockstore/connector.hpp"
#include "lib/attach/attach_codec.hpp"
#include "lib/attach/teardown.hpp"
#include "lib/backup/backup_engine.hpp"
#include "lib/backup/backup_layout.hpp"
#include "lib/backup/backup_rpc.hpp"
#include "lib/backup/chunk_cipher.hpp"
#include "lib/core/macros.hpp"
#include "lib/env/retry.hpp"
#include "lib/events/notifier.hpp"
#include "lib/json/json_codec.hpp"
#include "lib/volume/volume_rpc.hpp"

namespace blockstore {

using BS = BackupStatus;
using VS = VolumeStatus;
using SS = SnapshotStatus;

namespace {

// A job's progress: handed to the host's callback as it comes, written into the record every
// interval, and the record's status read back then — a job whose record left `expected` stops.
class JobProgress {
 public:
  JobProgress(Store& store, const BackupConfig& config, Env& env, std::string id,
              std::string operation, BS expected)
      : store_(store), config_(config), env_(env), id_(std::move(id)),
        operation_(std::move(operation)), expected_(expected) {}

  void operator()(const internal::TransferProgress& p) {
    if (config_.progress) {
      config_.progress({id_, operation_, p.bytes_done, p.bytes_total, p.bytes_stored,
                        p.rate_bytes_per_s, p.eta_seconds});
    }
    const auto now = env_.SteadyNow();
    {
      std::lock_guard lock(mu_);
      if (now - last_ < config_.progress_interval && p.bytes_done != p.bytes_total) return;
      last_ = now;
    }
    auto b = store_.backups().SetProgress(id_, p.bytes_done, p.bytes_total);
    if (!b.ok() || b->status != expected_) cancel_ = true;
  }

  internal::TransferOptions Options(internal::TransferOptions base) {
    base.progress = [this](const internal::TransferProgress& p) { (*this)(p); };
    base.cancel = &cancel_;
    return base;
  }

 private:
  Store& store_;
  const BackupConfig& config_;
  Env& env_;
  std::string id_;
  std::string operation_;
  BS expected_;
  std::mutex mu_;
  SteadyTime last_{};
  std::atomic<bool> cancel_{false};
};

VolumeTransition VolumeBack() {
  VolumeTransition t;
  t.from = {VS::kBackingUp};
  t.to = VS::kAvailable;
  t.restore_previous_status = true;
  return t;
}

SnapshotTransition SnapshotBack() {
  SnapshotTransition t;
  t.from = {SS::kBackingUp};
  t.to = SS::kAvailable;
  return t;
}

// A volume's (or snapshot's) data reached through its backend's volume service, as the seed's
// backup workflow has it: exported to this backup host — a `local` connection when the
// backend runs on this host, otherwise what the backend serves (iSCSI through tgt) — and
// opened by the host-side connector. The export is withdrawn when this goes, keeping what the
// volume's own attachments still need.
class AttachedDevice {
 public:
  static Result<std::unique_ptr<AttachedDevice>> Open(Transport& transport, Store& store,
                                                      const std::string& host, const Volume& v,
                                                      const Snapshot* snap, bool writable) {
    auto a = std::unique_ptr<AttachedDevice>(new AttachedDevice(transport, store, v, snap));
    a->connector_ = HostConnector();
    // The backend's host part is this host: the data can be read where it lies.
    a->connector_.do_local_attach = internal::BackendOf(v.host).substr(0, v.host.find('@')) == host;
    a->connector_.mode = writable ? "rw" : "ro";
    Result<ConnectionInfo> info =
        snap ? a->client_.ConnectSnapshot(snap->id, a->connector_)
             : a->client_.InitializeConnection(v.id, a->connector_, a->connector_.mode);
    if (!info.ok()) return info.status();
    a->connected_ = true;
    ConnectOptions co;
    co.initiator = a->connector_.initiator;
    BS_ASSIGN_OR_RETURN(a->device_, ConnectVolume(*info, co));
    return a;
  }
  ~AttachedDevice() {
    device_.reset();
    if (!connected_) return;
    if (snapshot_id_) {
      (void)client_.DisconnectSnapshot(*snapshot_id_, connector_);
      return;
    }
    // The volume's own attachments keep their host's access and the export.
    auto rows = store_.attachments().ListOfVolume(volume_id_);
    auto legacy = store_.attachments().ListLegacyConnectors(volume_id_);
    if (!rows.ok() || !legacy.ok()) return;  // unsure: leave the export; a restart tidies it
    const internal::Teardown t = internal::TeardownFor(connector_, *rows, *legacy);
    (void)client_.TerminateConnection(volume_id_, connector_, t.revoke_host, t.remove_export);
  }
  BlockDevice& device() { return *device_; }

 private:
  AttachedDevice(Transport& transport, Store& store, const Volume& v, const Snapshot* snap)
      : client_(transport, v.host), store_(store), volume_id_(v.id) {
    if (snap) snapshot_id_ = snap->id;
  }
  internal::VolumeClient client_;
  Store& store_;
  std::string volume_id_;
  std::optional<std::string> snapshot_id_;
  Connector connector_;
  bool connected_ = false;
  std::unique_ptr<BlockDevice> device_;
};

}  // namespace

struct BackupManager::Impl final : internal::BackupHandler {
  Impl(Store& s, Transport& t, BackupManagerOptions o)
      : store(s), transport(t), options(std::move(o)), notifier(options.notify, options.env),
        dispatcher(internal::BackupDispatcher(*this)) {}

  // ---- the backup API (backup_rpc.hpp) ----
  void CreateBackup(const std::string& id) override { Create(id); }
  void RestoreBackup(const std::string& id, bool volume_is_new) override {
    Restore(id, volume_is_new);
  }
  void DeleteBackup(const std::string& id) override { Delete(id); }
  void ImportBackup(const std::string& id) override { Import(id); }
  Status VerifyBackup(const std::string& id) override { return Verify(id); }

  void Create(const std::string& id);
  Status RunCreate(const Backup& b);
  // What changed in the source since the parent backup's data was read, when the backend can
  // tell: the parent was taken from a snapshot of the same volume that still exists.
  std::optional<std::vector<Extent>> ChangedSinceParent(const Backup& b, const Volume& v);
  void FailCreate(const std::string& id, const Status& why);
  void Restore(const std::string& id, bool volume_is_new);
  Status RunRestore(const Backup& b, bool volume_is_new);
  void Delete(const std::string& id);
  void Import(const std::string& id);
  Status Verify(const std::string& id);
  // Settles what a crash left behind; deletes to run again are queued in `redelete`.
  Status Recover();
  // The container (object prefix) of backup `id`, from its record.
  std::string ContainerFor(const std::string& id);
  Result<internal::Manifest> LoadManifest(const std::string& id);
  // The key a backup names, from the host's provider.
  Result<std::string> Key(const std::string& key_id);
  // The transfer options to read a manifest's objects: its key included.
  Result<internal::TransferOptions> ReadOptions(const internal::Manifest& m);
  // Every object the backup wrote, its manifest first (a backup without one is visibly
  // incomplete). Objects it shares with its parent are the parent's and stay.
  Status RemoveObjects(const std::string& id);

  Store& store;
  Transport& transport;
  BackupManagerOptions options;
  internal::Notifier notifier;
  internal::TransferOptions transfer;
  BackupRecoveryReport report;
  std::vector<std::string> redelete;
  internal::rpc::Dispatcher dispatcher;
};

Result<std::string> BackupManager::Impl::Key(const std::string& key_id) {
  if (!options.config.key_provider) {
    return FailedPrecondition("key '" + key_id + "' is needed and no key provider is set");
  }
  auto key = options.config.key_provider(key_id);
  if (!key.ok()) {
    return Status(key.status().code(), "key '" + key_id + "': " + key.status().message());
  }
  if (key->size() != internal::kBackupKeyBytes) {
    return InvalidArgument("key '" + key_id + "' is not 32 bytes");
  }
  return key;
}

std::string BackupManager::Impl::ContainerFor(const std::string& id) {
  auto b = store.backups().Get(id);
  return internal::ContainerOf(b.ok() ? b->container : "");
}

Result<internal::Manifest> BackupManager::Impl::LoadManifest(const std::string& id) {
  return internal::ReadManifest(*options.config.target, ContainerFor(id), id,
                                [this](const std::string& key_id) { return Key(key_id); });
}

Result<internal::TransferOptions> BackupManager::Impl::ReadOptions(const internal::Manifest& m) {
  internal::TransferOptions o = transfer;
  if (!m.key_id.empty()) {
    BS_ASSIGN_OR_RETURN(o.key, Key(m.key_id));
    o.key_id = m.key_id;
  }
  return o;
}

Status BackupManager::Impl::RemoveObjects(const std::string& id) {
  BackupTarget& target = *options.config.target;
  const int retries = transfer.retries;
  Env& env = *options.env;
  const std::string container = ContainerFor(id);
  const std::string manifest = internal::ManifestObject(container, id);
  BS_RETURN_IF_ERROR(internal::WithRetries(retries, [&] { return target.Delete(manifest); }, env));
  BS_ASSIGN_OR_RETURN(auto names, internal::WithRetries(retries, [&] {
                        return target.List(internal::BackupDirectory(container, id));
                      }, env));
  for (const auto& n : names) {
    BS_RETURN_IF_ERROR(internal::WithRetries(retries, [&] { return target.Delete(n); }, env));
  }
  // What a crash mid-put left in the backup's directory goes with it, and the directory too.
  return internal::WithRetries(retries, [&] {
           return target.RemoveLeftovers(internal::BackupDirectory(container, id), nullptr);
         }, env).status();
}

void BackupManager::Impl::Create(const std::string& id) {
  auto b = store.backups().Get(id);
  if (!b.ok()) return;
  if (b->status == BS::kDeleting) {  // force-deleted before it started
    FailCreate(id, Cancelled("deleted before it ran"));
    return;
  }
  if (b->status != BS::kCreating) return;  // reset meanwhile
  // The backup services of a deployment take jobs from one queue: the one that takes this job
  // owns it, so that its restart (Recover) settles it if it dies midway.
  if (b->host != options.host) {
    BackupTransition claim;
    claim.from = {BS::kCreating};
    claim.to = BS::kCreating;
    claim.host = options.host;
    b = store.backups().Transition(id, claim);
    if (!b.ok()) return;  // deleted or reset meanwhile
  }
  Status s = RunCreate(*b);
  if (!s.ok()) FailCreate(id, s);
}

Status BackupManager::Impl::RunCreate(const Backup& b) {
  BS_ASSIGN_OR_RETURN(Volume v, store.volumes().Get(b.volume_id));
  std::optional<Snapshot> snap;
  if (!b.snapshot_id.empty()) {
    BS_ASSIGN_OR_RETURN(snap, store.snapshots().Get(b.snapshot_id));
  }
  BS_ASSIGN_OR_RETURN(auto attached, AttachedDevice::Open(transport, store, options.host, v,
                                                         snap ? &*snap : nullptr, false));
  BlockDevice* device = &attached->device();
  std::optional<internal::Manifest> parent;
  if (!b.parent_id.empty()) {
    BS_ASSIGN_OR_RETURN(parent, LoadManifest(b.parent_id));
  }
  JobProgress progress(store, options.config, *options.env, b.id, "backup", BS::kCreating);
  internal::TransferOptions base = transfer;
  if (!options.config.encryption_key_id.empty()) {
    BS_ASSIGN_OR_RETURN(base.key, Key(options.config.encryption_key_id));
    base.key_id = options.config.encryption_key_id;
  }
  base.source_volume = internal::SourceVolumeMeta{v.name, v.description, v.metadata,
                                                  v.image_metadata, v.bootable};
  if (parent && options.config.changed_block_tracking) base.changed = ChangedSinceParent(b, v);
  const auto o = progress.Options(base);
  BS_ASSIGN_OR_RETURN(internal::Manifest m,
                      internal::RunBackup(*device, *options.config.target, internal::ContainerOf(b.container),
                                          b.id, b.volume_id, parent ? &*parent : nullptr, o));
  if (options.config.verify_after_backup) {
    BS_RETURN_IF_ERROR(internal::RunVerify(m, *options.config.target, o));
  }
  const std::string own = internal::BackupDirectory(b.container, b.id);
  uint64_t objects = 0, stored = 0;
  for (const auto& c : m.chunks) {
    if (c.zero || c.object.compare(0, own.size(), own) != 0) continue;
    ++objects;
    stored += c.stored_bytes;
  }
  BackupTransition t;
  t.from = {BS::kCreating};
  t.to = BS::kAvailable;
  t.fail_reason = std::string();
  t.object_count = objects;
  t.stored_bytes = stored;
  t.encrypted = !m.key_id.empty();
  t.quota = QuotaAction::kCommit;
  t.volume = VolumeBack();
  t.snapshot = SnapshotBack();
  BS_ASSIGN_OR_RETURN(Backup done, store.backups().Transition(b.id, t));
  (void)store.backups().SetProgress(b.id, m.size_bytes, m.size_bytes);
  notifier.Backup("backup.create.end", done);
  return Status::Ok();
}

std::optional<std::vector<Extent>> BackupManager::Impl::ChangedSinceParent(const Backup& b,
                                                                            const Volume& v) {
  auto parent = store.backups().Get(b.parent_id);
  if (!parent.ok() || parent->snapshot_id.empty() || parent->volume_id != v.id) return std::nullopt;
  auto since = store.snapshots().Get(parent->snapshot_id);
  if (!since.ok() || since->volume_id != v.id) return std::nullopt;
  // Any failure (a driver without tracking: unimplemented) leaves the hash comparison to it.
  auto changed = internal::VolumeClient(transport, v.host).ChangedExtents(v.id, since->id, b.snapshot_id);
  if (!changed.ok()) return std::nullopt;
  return std::move(changed).value();
}

void BackupManager::Impl::FailCreate(const std::string& id, const Status& why) {
  // Whatever was written goes: a failed backup never leaves objects that nothing refers to.
  const Status removed = RemoveObjects(id);
  auto now = store.backups().Get(id);
  if (now.ok() && now->status == BS::kDeleting) {
    // Deleted while it ran: the source gets its status back and the record goes — unless its
    // objects could not all be removed: then the record stays, error_deleting, so that a
    // delete can be asked again and nothing is left on the target that no record names.
    BackupTransition t;
    t.from = {BS::kDeleting};
    t.to = removed.ok() ? BS::kDeleting : BS::kErrorDeleting;
    if (!removed.ok()) t.fail_reason = removed.ToString();
    t.volume = VolumeBack();
    t.snapshot = SnapshotBack();
    auto moved = store.backups().Transition(id, t);
    if (!removed.ok()) {
      if (moved.ok()) notifier.Backup("backup.delete.error", *moved, removed.ToString());
      return;
    }
    if (store.backups().FinishDelete(id).ok()) notifier.Backup("backup.delete.end", *now);
    return;
  }
  if (!now.ok()) return;
  BackupTransition t;
  t.volume = VolumeBack();
  t.snapshot = SnapshotBack();
  if (now->status != BS::kCreating) {
    // Reset by an admin while it ran: the record keeps that status; the source gets its own.
    t.from = {now->status};
    t.to = now->status;
    (void)store.backups().Transition(id, t);
    return;
  }
  t.from = {BS::kCreating};
  t.to = BS::kError;
  t.fail_reason = why.ToString();
  t.quota = QuotaAction::kRollback;
  auto failed = store.backups().Transition(id, t);
  if (failed.ok()) notifier.Backup("backup.create.error", *failed, why.ToString());
}

void BackupManager::Impl::Restore(const std::string& id, bool volume_is_new) {
  auto b = store.backups().Get(id);
  if (!b.ok() || b->status != BS::kRestoring) return;
  if (b->host != options.host) {  // this service owns the restore it took (see Create)
    BackupTransition claim;
    claim.from = {BS::kRestoring};
    claim.to = BS::kRestoring;
    claim.host = options.host;
    b = store.backups().Transition(id, claim);
    if (!b.ok()) return;
  }
  Status s = RunRestore(*b, volume_is_new);
  if (s.ok()) return;
  auto now = store.backups().Get(id);
  BackupTransition t;
  t.from = {BS::kRestoring};
  t.to = BS::kAvailable;
  t.fail_reason = s.ToString();
  t.volume = VolumeTransition{};
  t.volume->from = {VS::kRestoringBackup};
  t.volume->to = VS::kErrorRestoring;
  if (now.ok() && now->status != BS::kRestoring) {
    // Cancelled by a status reset: the backup keeps the status it was given; the half-written
    // volume is marked as such.
    t.from = {now->status};
    t.to = now->status;
    t.volume->to = VS::kError;
  }
  auto failed = store.backups().Transition(id, t);
  if (failed.ok()) notifier.Backup("backup.restore.error", *failed, s.ToString());
}

Status BackupManager::Impl::RunRestore(const Backup& b, bool volume_is_new) {
  // The volume was taken for the restore (restoring-backup) when it began; a new one when its
  // volume service created it.
  BS_ASSIGN_OR_RETURN(Volume v, store.volumes().Get(b.restore_volume_id));
  if (v.status != VS::kRestoringBackup) {
    return FailedPrecondition("volume " + v.id + " is '" + std::string(ToString(v.status)) +
                              "', not restoring-backup");
  }
  BS_ASSIGN_OR_RETURN(internal::Manifest m, LoadManifest(b.id));
  BS_ASSIGN_OR_RETURN(auto attached,
                      AttachedDevice::Open(transport, store, options.host, v, nullptr, true));
  auto* device = &attached->device();
  JobProgress progress(store, options.config, *options.env, b.id, "restore", BS::kRestoring);
  BS_ASSIGN_OR_RETURN(internal::TransferOptions read, ReadOptions(m));
  BS_RETURN_IF_ERROR(internal::RunRestore(m, *options.config.target, *device, volume_is_new,
                                          progress.Options(read)));
  attached.reset();  // flushed and detached before anyone is told the volume is ready
  // As Cinder: the source's metadata, image properties and bootable flag go to the restored
  // volume, its name and description only where the volume has no name of its own.
  VolumeUpdate meta;
  meta.metadata = v.metadata;
  if (m.source) {
    meta.metadata = m.source->metadata;
    meta.image_metadata = m.source->image_metadata;
    meta.bootable = m.source->bootable;
    if (v.name.empty() || v.name.starts_with("restore_backup_")) {
      meta.name = m.source->name;
      meta.description = m.source->description;
    }
  }
  (*meta.metadata)["src_backup_id"] = b.id;
  (void)store.volumes().Update(v.id, meta);
  BackupTransition t;
  t.from = {BS::kRestoring};
  t.to = BS::kAvailable;
  t.fail_reason = std::string();
  t.volume = VolumeTransition{};
  t.volume->from = {VS::kRestoringBackup};
  t.volume->to = VS::kAvailable;
  BS_ASSIGN_OR_RETURN(Backup done, store.backups().Transition(b.id, t));
  (void)store.backups().SetProgress(b.id, m.size_bytes, m.size_bytes);
  notifier.Backup("backup.restore.end", done);
  if (auto restored = store.volumes().Get(v.id); restored.ok()) {
    notifier.Volume("volume.restore_backup.end", *restored);
  }
  return Status::Ok();
}

void BackupManager::Impl::Delete(const std::string& id) {
  auto b = store.backups().Get(id);
  if (!b.ok() || b->status != BS::kDeleting) return;
  Status s = RemoveObjects(id);
  if (s.ok()) s = store.backups().FinishDelete(id);
  if (s.ok()) {
    b->status = BS::kDeleted;
    notifier.Backup("backup.delete.end", *b);
    return;
  }
  BackupTransition t;
  t.from = {BS::kDeleting};
  t.to = BS::kErrorDeleting;
  t.fail_reason = s.ToString();
  auto failed = store.backups().Transition(id, t);
  if (failed.ok()) notifier.Backup("backup.delete.error", *failed, s.ToString());
}

void BackupManager::Impl::Import(const std::string& id) {
  auto b = store.backups().Get(id);
  if (!b.ok() || b->status != BS::kCreating) return;
  BackupTransition t;
  t.from = {BS::kCreating};
  auto m = LoadManifest(id);
  if (m.ok() && m->size_bytes > b->size_gb * kGiB) {
    m = DataLoss("the manifest of backup " + id + " describes " +
                 std::to_string(m->size_bytes) + " bytes, more than the record's " +
                 std::to_string(b->size_gb) + " GB");
  }
  if (!m.ok()) {
    t.to = BS::kError;
    t.fail_reason = m.status().ToString();
    t.quota = QuotaAction::kRollback;
    auto failed = store.backups().Transition(id, t);
    if (failed.ok()) notifier.Backup("backup.import.error", *failed, m.status().ToString());
    return;
  }
  const std::string own = internal::BackupDirectory(b->container, id);
  uint64_t objects = 0, stored = 0;
  for (const auto& c : m->chunks) {
    if (c.zero || c.object.compare(0, own.size(), own) != 0) continue;
    ++objects;
    stored += c.stored_bytes;
  }
  t.to = BS::kAvailable;
  t.host = options.host;
  t.container = internal::ContainerOf(b->container);
  t.object_count = objects;
  t.stored_bytes = stored;
  t.encrypted = !m->key_id.empty();
  t.quota = QuotaAction::kCommit;
  auto done = store.backups().Transition(id, t);
  if (done.ok()) notifier.Backup("backup.import.end", *done);
}

Status BackupManager::Impl::Verify(const std::string& id) {
  BS_ASSIGN_OR_RETURN(internal::Manifest m, LoadManifest(id));
  BS_ASSIGN_OR_RETURN(internal::TransferOptions o, ReadOptions(m));
  if (options.config.progress) {
    o.progress = [&](const internal::TransferProgress& p) {
      options.config.progress({id, "verify", p.bytes_done, p.bytes_total, p.bytes_stored,
                               p.rate_bytes_per_s, p.eta_seconds});
    };
  }
  return internal::RunVerify(m, *options.config.target, o);
}

Status BackupManager::Impl::Recover() {
  BS_ASSIGN_OR_RETURN(
      auto stranded,
      store.backups().ListOnHost(options.host, {BS::kCreating, BS::kRestoring, BS::kDeleting}));
  for (const auto& b : stranded) {
    if (b.status == BS::kCreating) {
      if (b.volume_id == kImportedBackupVolumeId) {
        Import(b.id);  // an import is only a check of the target: do it again
        continue;
      }
      FailCreate(b.id, Aborted("the backup was interrupted by a restart"));
      ++report.backups_failed;
    } else if (b.status == BS::kRestoring) {
      // A restore still waiting for its new volume is the volume service's to settle: the
      // volume is created (and the restore started) or failed (and the backup freed).
      if (auto target = store.volumes().Get(b.restore_volume_id);
          target.ok() && target->status == VS::kCreating) {
        continue;
      }
      BackupTransition t;
      t.from = {BS::kRestoring};
      t.to = BS::kAvailable;
      t.fail_reason = "the restore was interrupted by a restart";
      t.volume = VolumeTransition{};
      t.volume->from = {VS::kRestoringBackup};
      t.volume->to = VS::kErrorRestoring;
      BS_RETURN_IF_ERROR(store.backups().Transition(b.id, t).status());
      ++report.restores_stopped;
    } else {
      // A backup force-deleted while it was being created may have left its source
      // backing-up; every creating backup was failed above, so such a status is stale.
      BackupTransition t;
      t.from = {BS::kDeleting};
      t.to = BS::kDeleting;
      if (b.snapshot_id.empty()) t.volume = VolumeBack();
      t.snapshot = SnapshotBack();
      BS_RETURN_IF_ERROR(store.backups().Transition(b.id, t).status());
      redelete.push_back(b.id);
      ++report.backups_redeleted;
    }
  }
  // Temporary objects of puts a crash interrupted: every one this service's own jobs left is
  // now unowned (those jobs were failed above), as is every one of a backup that is no longer
  // being created. Only another backup service's running job keeps its own. A target that
  // cannot be swept now is swept at the next start; the service starts regardless.
  auto swept = internal::WithRetries(transfer.retries, [&] {
    return options.config.target->RemoveLeftovers(
        std::string(internal::kBackupPrefix) + "/", [&](const std::string& object) {
          const std::size_t from = std::string_view(internal::kBackupPrefix).size() + 1;
          const std::size_t end = object.find('/', from);
          if (end == std::string::npos) return false;
          auto owner = store.backups().Get(object.substr(from, end - from));
          if (!owner.ok()) return owner.status().code() != Code::kNotFound;  // unsure: keep
          return owner->status == BS::kCreating && owner->host != options.host;
        });
  }, *options.env);
  if (swept.ok()) report.leftovers_removed = *swept;
  return Status::Ok();
}

Result<std::unique_ptr<BackupManager>> BackupManager::Start(Store& store, Transport& transport,
                                                            BackupManagerOptions options) {
  const BackupConfig& c = options.config;
  if (!c.target) return InvalidArgument("the backup service needs a target");
  if (options.host.empty()) return InvalidArgument("the backup service needs a host name");
  const uint64_t chunk_size = c.chunk_size ? c.chunk_size : c.target->PreferredChunkSize();
  if (!internal::ValidChunkSize(chunk_size)) {
    return InvalidArgument("backup chunk_size must be a multiple of 4 KiB up to 256 MiB");
  }
  if (c.workers < 1 || c.workers > 64) return InvalidArgument("backup workers must be 1..64");
  if (c.read_streams < 1 || c.read_streams > 64) {
    return InvalidArgument("backup read_streams must be 1..64");
  }
  if (c.max_jobs < 1 || c.max_jobs > 64) return InvalidArgument("backup max_jobs must be 1..64");
  if (c.retries < 0 || c.retries > 10) return InvalidArgument("backup retries must be 0..10");
  if (c.memory_budget < 2 * chunk_size) {
    return InvalidArgument("the backup memory budget must hold at least two chunks (" +
                           std::to_string(2 * chunk_size) + " bytes)");
  }
  if (c.progress_interval.count() < 0) {
    return InvalidArgument("backup progress_interval must not be negative");
  }
  BS_ASSIGN_OR_RETURN(internal::Compression compression, internal::ParseCompression(c.compression));
  if (!c.encryption_key_id.empty() && !c.key_provider) {
    return InvalidArgument("backup encryption_key_id is set but no key provider is");
  }
  if (!options.env) options.env = SystemEnv();
  auto impl = std::make_unique<Impl>(store, transport, std::move(options));
  internal::TransferOptions& t = impl->transfer;
  t.chunk_size = chunk_size;
  t.compression = compression;
  t.workers = c.workers;
  t.read_streams = c.read_streams;
  t.memory_budget = c.memory_budget;
  t.retries = c.retries;
  t.bandwidth_bytes_per_s = c.bandwidth_bytes_per_s;
  t.env = impl->options.env;
  Impl* raw = impl.get();
  if (!raw->options.config.encryption_key_id.empty()) {
    // A key that cannot be had fails now, not at the first backup.
    BS_RETURN_IF_ERROR(raw->Key(raw->options.config.encryption_key_id).status());
  }
  BS_RETURN_IF_ERROR(raw->Recover());
  BS_RETURN_IF_ERROR(raw->dispatcher.Serve(transport, internal::kBackupTopic, c.max_jobs));
  const internal::BackupClient self(transport);
  for (const auto& id : raw->redelete) BS_RETURN_IF_ERROR(self.DeleteBackup(id));
  return std::unique_ptr<BackupManager>(new BackupManager(std::move(impl)));
}

BackupManager::BackupManager(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BackupManager::~BackupManager() = default;
const BackupRecoveryReport& BackupManager::recovery() const { return impl_->report; }
BackupTarget& BackupManager::target() { return *impl_->options.config.target; }

}  // namespace blockstore
