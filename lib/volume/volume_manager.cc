// VolumeManager: driver calls and final status changes for one backend.
#include "blockstore/volume_manager.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "blockstore/connector.hpp"
#include "lib/attach/attach_codec.hpp"
#include "lib/backup/backup_rpc.hpp"
#include "lib/core/macros.hpp"
#include "lib/domain/migration_state.hpp"
#include "lib/events/notifier.hpp"
#include "lib/json/json_codec.hpp"
#include "lib/scheduler/scheduler_rpc.hpp"
#include "lib/volume/create_failure.hpp"
#include "lib/volume/generic_revert.hpp"
#include "lib/volume/block_copy.hpp"
#include "lib/volume/volume_rpc.hpp"

namespace blockstore {

using VS = VolumeStatus;
using SS = SnapshotStatus;

struct VolumeManager::Impl final : internal::VolumeHandler {
  Impl(Store& s, Transport& t, std::unique_ptr<VolumeDriver> d, const BackendConfig& b,
       VolumeManagerOptions o)
      : store(s), transport(t), driver(std::move(d)), config(b), options(std::move(o)),
        name(options.host + "@" + b.name),
        notifier(options.notify, options.env), scheduler(t), backup(t),
        dispatcher(internal::VolumeDispatcher(*this)) {}

  // ---- the volume API (volume_rpc.hpp) ----
  void CreateVolume(const std::string& id, const RequestSpec& spec) override;
  void DeleteVolume(const std::string& id) override;
  void ExtendVolume(const std::string& id) override;
  void CreateSnapshot(const std::string& id) override;
  void DeleteSnapshot(const std::string& id) override;
  Result<ConnectionInfo> InitializeConnection(const std::string& id, const Connector& connector,
                                              const std::string& mode) override;
  Status TerminateConnection(const std::string& id, const std::optional<Connector>& connector,
                             bool revoke_host, bool remove_export) override;
  Result<ConnectionInfo> ConnectSnapshot(const std::string& id, const Connector& connector) override;
  Status DisconnectSnapshot(const std::string& id, const Connector& connector) override;
  Result<std::vector<Extent>> ChangedExtents(const std::string& id, const std::string& from,
                                             const std::string& to) override;
  void RevertToSnapshot(const std::string& id, const std::string& snapshot_id) override;
  Status Retype(const std::string& id, const std::string& type_id) override;
  void MigrateVolume(const std::string& id, bool force_host_copy) override;
  Status CreateMigrationTarget(const std::string& id) override;
  Status DeleteMigrationTarget(const std::string& id) override;
  Status ReportStats() override;
  void CheckCreate(const std::string& id) override;

  // The source's part of a host-assisted migration: the destination makes the volume, the
  // data goes through the destination's connection.
  Status CopyToDestination(const Volume& v, const std::string& destination);
  // A volume as the destination's driver holds it during a migration.
  static Volume AtDestination(Volume v) {
    v.host = v.migration_host;
    return v;
  }

  // Brings back the exports of connected volumes after a restart, and drops the others.
  void RestoreExports();
  // Tells the scheduler a deleted volume's capacity is free again, so it need not wait for the
  // next stats report.
  void GiveBack(const Volume& v);
  // Gives back a placement's reservation (a create, extend or snapshot that failed).
  void Release(const std::string& key);
  Status Recover();
  // The driver's part of a failed create; the record is settled in the one place for that.
  void FailCreate(const Volume& v, const Status& why, const std::string& restore_backup_id = {});
  // Counts a finished create or delete; every kReportEvery of them the backend reports afresh,
  // so the scheduler's reservations are confirmed (and dropped) between periodic reports too.
  void Changed();
  // Sends a failed create back to the scheduler for another backend; false when it may not be
  // retried (a copy must be made where its source lives; bad input fails everywhere).
  bool Reschedule(const Volume& v, RequestSpec spec, const Status& why);

  Store& store;
  Transport& transport;
  std::unique_ptr<VolumeDriver> driver;
  BackendConfig config;
  VolumeManagerOptions options;
  std::string name;
  internal::Notifier notifier;
  internal::SchedulerClient scheduler;
  internal::BackupClient backup;
  internal::rpc::Dispatcher dispatcher;
  RecoveryReport report;
  std::vector<std::string> awaited;  // creates left to the transport's redelivery (Recover)
  std::mutex creating_mu;
  std::set<std::string> creating_now;  // creates whose handler runs in this process
  std::atomic<int> changes{0};
  static constexpr int kReportEvery = 500;
};

void VolumeManager::Impl::Changed() {
  if (changes.fetch_add(1) + 1 < kReportEvery) return;
  changes = 0;
  (void)ReportStats();
}

void VolumeManager::Impl::GiveBack(const Volume& v) {
  if (v.host.empty()) return;
  (void)scheduler.Freed(v.host, v.id, static_cast<double>(v.size_gb));
}

void VolumeManager::Impl::Release(const std::string& key) {
  (void)scheduler.Release(key);
}

void VolumeManager::Impl::FailCreate(const Volume& v, const Status& why,
                                     const std::string& restore_backup_id) {
  (void)driver->DeleteVolume(v);  // best effort: leave nothing half-made behind
  internal::FailVolumeCreate(store, notifier, v.id, why, restore_backup_id);
  Release(v.id);
}

bool VolumeManager::Impl::Reschedule(const Volume& v, RequestSpec spec, const Status& why) {
  if (!v.snapshot_id.empty() || !v.source_volid.empty()) return false;
  if (why.code() == Code::kInvalidArgument || why.code() == Code::kNotFound) return false;
  (void)driver->DeleteVolume(v);  // best effort, as for a failure
  spec.attempts.push_back({name, v.host, why.ToString()});
  // Back to the scheduler unplaced; the quota reservation stays with the volume.
  VolumeTransition t;
  t.from = {VS::kCreating};
  t.to = VS::kCreating;
  t.expect_host = v.host;
  t.host = std::string();
  auto back = store.volumes().Transition(v.id, t);
  if (!back.ok()) return true;  // deleted or reset meanwhile: nothing more to do
  notifier.Volume("volume.create.retry", *back, why.ToString());
  if (Status s = scheduler.CreateVolume(v.id, spec); !s.ok()) {
    FailCreate(*back, s, spec.restore_backup_id);
  }
  return true;
}

void VolumeManager::Impl::CreateVolume(const std::string& id, const RequestSpec& spec) {
  {
    std::lock_guard lock(creating_mu);
    creating_now.insert(id);
  }
  struct Done {
    Impl& m;
    const std::string& id;
    ~Done() {
      std::lock_guard lock(m.creating_mu);
      m.creating_now.erase(id);
    }
  } done_marker{*this, id};
  auto loaded = store.volumes().Get(id);
  if (!loaded.ok() || loaded->status != VS::kCreating) return;  // deleted or reset meanwhile
  const Volume& v = *loaded;
  Status s;
  if (!v.snapshot_id.empty()) {
    auto snap = store.snapshots().Get(v.snapshot_id);
    s = snap.ok() ? driver->CreateVolumeFromSnapshot(v, *snap) : snap.status();
  } else if (!v.source_volid.empty()) {
    auto src = store.volumes().Get(v.source_volid);
    s = src.ok() ? driver->CreateClonedVolume(v, *src) : src.status();
  } else {
    s = driver->CreateVolume(v);
  }
  if (!s.ok()) {
    if (!Reschedule(v, spec, s)) FailCreate(v, s, spec.restore_backup_id);
    return;
  }
  // A volume made for a restore is handed straight to it: nobody sees it available before it
  // holds the backup's data.
  const bool for_restore = !spec.restore_backup_id.empty();
  VolumeTransition t;
  t.from = {VS::kCreating};
  t.to = for_restore ? VS::kRestoringBackup : VS::kAvailable;
  t.expect_host = v.host;
  t.quota = QuotaAction::kCommit;
  auto done = store.volumes().Transition(id, t);
  if (!done.ok()) {
    // Deleted (or force-deleted) while we worked: the delete may already have run, so remove
    // what we just made. Deleting is idempotent, so a delete still to come is unaffected.
    auto now = store.volumes().Get(id);
    if (!now.ok() || now->status == VS::kDeleting) (void)driver->DeleteVolume(v);
    return;
  }
  notifier.Volume("volume.create.end", *done);
  Changed();
  if (for_restore) {
    if (Status st = backup.RestoreBackup(spec.restore_backup_id, /*volume_is_new=*/true); !st.ok()) {
      BackupTransition b;
      b.from = {BackupStatus::kRestoring};
      b.to = BackupStatus::kAvailable;
      b.fail_reason = st.ToString();
      b.volume = VolumeTransition{{VS::kRestoringBackup}, VS::kErrorRestoring};
      if (auto back = store.backups().Transition(spec.restore_backup_id, b); back.ok()) {
        notifier.Backup("backup.restore.error", *back, st.ToString());
      }
    }
  }
}

void VolumeManager::Impl::DeleteVolume(const std::string& id) {
  auto loaded = store.volumes().Get(id);
  if (!loaded.ok() || loaded->status != VS::kDeleting) return;
  const Volume& v = *loaded;
  auto fail = [&](const Status& why) {
    VolumeTransition t;
    t.from = {VS::kDeleting};
    t.to = VS::kErrorDeleting;
    auto failed = store.volumes().Transition(id, t);
    if (failed.ok()) notifier.Volume("volume.delete.error", *failed, why.ToString());
  };
  auto snaps = store.snapshots().ListOfVolume(id);
  if (!snaps.ok()) return fail(snaps.status());
  for (const auto& snap : *snaps) {  // a cascade delete put them all in deleting
    if (Status s = driver->DeleteSnapshot(snap); !s.ok()) return fail(s);
    if (Status s = store.snapshots().FinishDelete(snap.id); !s.ok()) return fail(s);
    notifier.Emit("snapshot.delete.end", "snapshot", snap.id, snap.project_id, "deleted");
  }
  if (Status s = driver->DeleteVolume(v); !s.ok()) return fail(s);
  // The scheduler hears of the room before anyone can see the volume gone.
  GiveBack(v);
  if (Status s = store.volumes().FinishDelete(id); !s.ok()) return fail(s);
  notifier.Emit("volume.delete.end", "volume", v.id, v.project_id, "deleted");
  Changed();
}

void VolumeManager::Impl::ExtendVolume(const std::string& id) {
  auto loaded = store.volumes().Get(id);
  if (!loaded.ok() || loaded->status != VS::kExtending) return;
  auto target = store.volumes().PendingExtendSize(id);
  if (!target.ok() || *target == 0) return;
  const Status s = driver->ExtendVolume(*loaded, *target);
  VolumeTransition t;
  t.from = {VS::kExtending};
  if (s.ok()) {
    t.restore_previous_status = true;
    t.to = VS::kAvailable;
    t.size_gb = *target;
    t.quota = QuotaAction::kCommit;
  } else {
    t.to = VS::kErrorExtending;
    t.quota = QuotaAction::kRollback;
    Release(id + "/extend");
  }
  auto done = store.volumes().Transition(id, t);
  if (done.ok()) {
    notifier.Volume(s.ok() ? "volume.resize.end" : "volume.resize.error", *done,
                    s.ok() ? std::string() : s.ToString());
  }
}

void VolumeManager::Impl::CreateSnapshot(const std::string& id) {
  auto snap = store.snapshots().Get(id);
  if (!snap.ok() || snap->status != SS::kCreating) return;
  auto vol = store.volumes().Get(snap->volume_id);
  const Status s = vol.ok() ? driver->CreateSnapshot(*snap, *vol) : vol.status();
  if (!s.ok()) {
    (void)driver->DeleteSnapshot(*snap);
    Release("snapshot/" + id);
  }
  SnapshotTransition t;
  t.from = {SS::kCreating};
  t.to = s.ok() ? SS::kAvailable : SS::kError;
  if (s.ok()) t.progress = "100%";
  t.quota = s.ok() ? QuotaAction::kCommit : QuotaAction::kRollback;
  auto done = store.snapshots().Transition(id, t);
  if (!done.ok()) {
    auto now = store.snapshots().Get(id);
    if (!now.ok() || now->status == SS::kDeleting) (void)driver->DeleteSnapshot(*snap);
    return;
  }
  notifier.Snapshot(s.ok() ? "snapshot.create.end" : "snapshot.create.error", *done,
                    s.ok() ? std::string() : s.ToString());
}

void VolumeManager::Impl::DeleteSnapshot(const std::string& id) {
  auto snap = store.snapshots().Get(id);
  if (!snap.ok() || snap->status != SS::kDeleting) return;
  Status s = driver->DeleteSnapshot(*snap);
  if (s.ok()) s = store.snapshots().FinishDelete(id);
  if (s.ok()) {
    notifier.Emit("snapshot.delete.end", "snapshot", snap->id, snap->project_id, "deleted");
    return;
  }
  SnapshotTransition t;
  t.from = {SS::kDeleting};
  t.to = SS::kErrorDeleting;
  auto failed = store.snapshots().Transition(id, t);
  if (failed.ok()) notifier.Snapshot("snapshot.delete.error", *failed, s.ToString());
}

Result<ConnectionInfo> VolumeManager::Impl::InitializeConnection(const std::string& id,
                                                                const Connector& connector,
                                                                const std::string& mode) {
  BS_ASSIGN_OR_RETURN(Volume v, store.volumes().Get(id));
  BS_ASSIGN_OR_RETURN(auto existing, store.attachments().GetExport(id));
  BS_ASSIGN_OR_RETURN(ConnectionResult r, driver->InitializeConnection(v, existing, connector));
  // A local connection (a reader on the backend's own host, such as a backup) needs no
  // export, and must not replace the record of one that hosts elsewhere use.
  const bool local_beside_export = r.info.driver_volume_type == "local" && existing;
  if (!local_beside_export && (!existing || existing->location != r.export_record.location ||
                               existing->auth != r.export_record.auth)) {
    BS_RETURN_IF_ERROR(store.attachments().SetExport(id, r.export_record));
  }
  // What the manager adds to every driver's data, as Cinder's does.
  BS_ASSIGN_OR_RETURN(auto data, internal::ParseJson(r.info.data, "connection data"));
  if (!data.is_object()) return Internal("driver returned connection data that is not an object");
  auto& d = data.as_object();
  d["access_mode"] = mode;
  d["encrypted"] = false;
  d["qos_specs"] = nullptr;
  d["cacheable"] = false;
  if (!d.contains("volume_id")) d["volume_id"] = v.id;
  r.info.data = internal::json::serialize(data);
  return r.info;
}

Status VolumeManager::Impl::TerminateConnection(const std::string& id,
                                                const std::optional<Connector>& connector,
                                                bool revoke_host, bool remove_export) {
  BS_ASSIGN_OR_RETURN(Volume v, store.volumes().Get(id));
  BS_ASSIGN_OR_RETURN(auto existing, store.attachments().GetExport(id));
  if (!existing) return Status::Ok();  // never exported
  return driver->TerminateConnection(v, *existing, connector.value_or(Connector{}), revoke_host,
                                     remove_export);
}

Result<ConnectionInfo> VolumeManager::Impl::ConnectSnapshot(const std::string& id,
                                                           const Connector& connector) {
  BS_ASSIGN_OR_RETURN(Snapshot snap, store.snapshots().Get(id));
  return driver->InitializeSnapshotConnection(snap, connector);
}

Status VolumeManager::Impl::DisconnectSnapshot(const std::string& id, const Connector& connector) {
  BS_ASSIGN_OR_RETURN(Snapshot snap, store.snapshots().Get(id));
  return driver->TerminateSnapshotConnection(snap, connector);
}

Result<std::vector<Extent>> VolumeManager::Impl::ChangedExtents(const std::string& id,
                                                                const std::string& from,
                                                                const std::string& to) {
  BS_ASSIGN_OR_RETURN(Volume v, store.volumes().Get(id));
  BS_ASSIGN_OR_RETURN(Snapshot since, store.snapshots().Get(from));
  std::optional<Snapshot> until;
  if (!to.empty()) {
    BS_ASSIGN_OR_RETURN(until, store.snapshots().Get(to));
  }
  if (since.volume_id != id || (until && until->volume_id != id)) {
    return InvalidArgument("changed extents: the snapshots must be of volume " + id);
  }
  return driver->ChangedExtents(v, since, until ? &*until : nullptr);
}

void VolumeManager::Impl::RevertToSnapshot(const std::string& id, const std::string& snapshot_id) {
  auto v = store.volumes().Get(id);
  auto snap = store.snapshots().Get(snapshot_id);
  // Done already (a redelivered message), or reset meanwhile: nothing to do.
  if (!v.ok() || !snap.ok() || v->status != VS::kReverting || snap->status != SS::kRestoring) return;
  Status s = driver->RevertToSnapshot(*v, *snap);
  bool touched = true;
  if (s.code() == Code::kUnimplemented) s = internal::GenericRevert(*driver, *v, *snap, &touched);
  VolumeTransition vt;
  vt.from = {VS::kReverting};
  // A failure that changed nothing leaves the volume as it was: available.
  vt.to = s.ok() || !touched ? VS::kAvailable : VS::kError;
  SnapshotTransition st;
  st.from = {SS::kRestoring};
  st.to = SS::kAvailable;
  (void)store.snapshots().Transition(snapshot_id, st);
  auto done = store.volumes().Transition(id, vt);
  if (!done.ok()) return;
  if (s.ok()) {
    notifier.Volume("volume.revert.end", *done);
  } else {
    notifier.Volume("volume.revert.error", *done, "reverting to snapshot " + snapshot_id + ": " + s.ToString());
  }
}

Status VolumeManager::Impl::Retype(const std::string& id, const std::string& type_id) {
  BS_ASSIGN_OR_RETURN(Volume v, store.volumes().Get(id));
  BS_ASSIGN_OR_RETURN(VolumeType type, store.volume_types().Get(type_id));
  const Status s = driver->Retype(v, type.extra_specs);
  // A driver without a retype of its own has nothing on the backend to change: the scheduler
  // found that this backend already serves the new type.
  return s.code() == Code::kUnimplemented ? Status::Ok() : s;
}

void VolumeManager::Impl::MigrateVolume(const std::string& id, bool force_host_copy) {
  auto loaded = store.volumes().Get(id);
  // Done, reset or deleted meanwhile (a redelivered message): nothing to do.
  if (!loaded.ok() || loaded->status != VS::kMaintenance || loaded->migration_host.empty() ||
      (loaded->migration_status != "starting" && loaded->migration_status != "migrating") ||
      internal::BackendOf(loaded->host) != name) {
    return;
  }
  const Volume& v = *loaded;
  const std::string destination = v.migration_host;
  VolumeTransition now_migrating;
  now_migrating.from = {VS::kMaintenance};
  now_migrating.to = VS::kMaintenance;
  now_migrating.expect_host = v.host;
  now_migrating.migration_status = "migrating";
  if (!store.volumes().CompareAndSet(id, now_migrating).ok()) return;
  Status s = force_host_copy ? Unimplemented("a host copy was asked for") : driver->MigrateVolume(v, destination);
  const bool by_driver = s.ok();
  if (s.code() == Code::kUnimplemented) s = CopyToDestination(v, destination);
  const internal::VolumeClient target(transport, destination);
  if (s.ok()) {
    // The record moves in one compare-and-set (with its new type, for a retype); only then
    // does the source's copy go.
    const VolumeTransition done = internal::MigrationDone(v, destination);
    auto moved = v.migration_type_id.empty() ? store.volumes().Transition(id, done)
                                             : store.volumes().ChangeType(id, done, v.migration_type_id);
    if (moved.ok()) {
      if (!by_driver) {
        if (Status gone = driver->DeleteVolume(v); !gone.ok()) {
          notifier.Volume("volume.migrate.cleanup.error", *moved, "the source's copy stays: " + gone.ToString());
        }
      }
      GiveBack(v);
      notifier.Volume("volume.migrate.end", *moved);
      (void)target.ReportStats();
      return;
    }
    s = moved.status();  // reset or deleted meanwhile: the destination's copy goes
  }
  if (!by_driver) (void)target.DeleteMigrationTarget(id);
  auto failed = store.volumes().Transition(id, internal::MigrationRollback(v));
  if (failed.ok()) notifier.Volume("volume.migrate.error", *failed, "migrating to " + destination + ": " + s.ToString());
}

Status VolumeManager::Impl::CopyToDestination(const Volume& v, const std::string& destination) {
  const internal::VolumeClient target(transport, destination);
  // A destination still starting (after a restart of both) is waited for, three seconds.
  Status made = target.CreateMigrationTarget(v.id);
  for (int wait_ms = 50; made.code() == Code::kUnavailable && wait_ms <= 1600; wait_ms *= 2) {
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    made = target.CreateMigrationTarget(v.id);
  }
  BS_RETURN_IF_ERROR(made);
  Connector c = HostConnector();
  c.do_local_attach = destination.substr(0, destination.find('@')) == options.host;
  c.mode = "rw";
  BS_ASSIGN_OR_RETURN(ConnectionInfo info, target.InitializeConnection(v.id, c, "rw"));
  Status s = [&]() -> Status {
    ConnectOptions co;
    co.initiator = c.initiator;
    BS_ASSIGN_OR_RETURN(auto to, ConnectVolume(info, co));
    BS_ASSIGN_OR_RETURN(auto from, driver->OpenVolume(v));
    uint64_t copied = 0;
    return internal::CopyAllocated(*from, *to, &copied);
  }();
  const Status closed = target.TerminateConnection(v.id, c, /*revoke_host=*/true, /*remove_export=*/true);
  return s.ok() ? closed : s;
}

Status VolumeManager::Impl::CreateMigrationTarget(const std::string& id) {
  BS_ASSIGN_OR_RETURN(Volume v, store.volumes().Get(id));
  if (v.status != VS::kMaintenance || internal::BackendOf(v.migration_host) != name) {
    return FailedPrecondition("volume " + id + " is not migrating to " + name);
  }
  return driver->CreateVolume(AtDestination(v));
}

Status VolumeManager::Impl::DeleteMigrationTarget(const std::string& id) {
  BS_ASSIGN_OR_RETURN(Volume v, store.volumes().Get(id));
  // Never the volume itself: once the record names this backend, what is here is the volume.
  if (internal::BackendOf(v.host) == name) {
    return FailedPrecondition("volume " + id + " lives on " + name + ": its storage here is not a migration's copy");
  }
  v.migration_host = name;
  return driver->DeleteVolume(AtDestination(v));
}

void VolumeManager::Impl::RestoreExports() {
  auto volumes = store.attachments().ListConnectedVolumes(name);
  if (!volumes.ok()) {
    report.exports_failed = -1;
    return;
  }
  std::vector<ExportedVolume> exported;
  for (const auto& v : *volumes) {
    auto record = store.attachments().GetExport(v.id);
    if (!record.ok() || !*record) continue;
    ExportedVolume e{v, **record, {}};
    auto rows = store.attachments().ListOfVolume(v.id);
    if (rows.ok()) {
      for (const auto& a : *rows) {
        if (a.connector && a.connection_info) e.connectors.push_back(*a.connector);
      }
    }
    // Hosts connected through the legacy actions, which record no attachment; each host once.
    if (auto legacy = store.attachments().ListLegacyConnectors(v.id); legacy.ok()) {
      for (const auto& l : *legacy) {
        const bool known = std::any_of(e.connectors.begin(), e.connectors.end(), [&](const Connector& c) {
          return internal::HostKey(c) == internal::HostKey(l);
        });
        if (!known) e.connectors.push_back(l);
      }
    }
    exported.push_back(std::move(e));
  }
  if (Status s = driver->RestoreExports(exported); !s.ok()) {
    report.exports_failed = static_cast<int>(exported.size());
    notifier.Emit("volume.export.error", "backend", name, "", "error", s.ToString());
    return;
  }
  report.exports_restored = static_cast<int>(exported.size());
}

Status VolumeManager::Impl::ReportStats() {
  // Stamped before the store is read: placements recorded after this are not in the report,
  // and the scheduler keeps their reservations.
  const TimePoint taken_at = options.env->Now();
  BS_ASSIGN_OR_RETURN(BackendStats stats, driver->GetStats());
  if (stats.volume_backend_name.empty()) {
    stats.volume_backend_name =
        config.volume_backend_name.empty() ? config.name : config.volume_backend_name;
  }
  BS_ASSIGN_OR_RETURN(auto usage, store.volumes().PoolUsages(name));
  for (auto& pool : stats.pools) {
    auto it = usage.find(name + "#" + pool.pool_name);
    pool.allocated_capacity_gb = it == usage.end() ? 0.0 : static_cast<double>(it->second.gigabytes);
    pool.total_volumes = it == usage.end() ? 0 : it->second.volumes;
    if (pool.provisioned_capacity_gb < pool.allocated_capacity_gb) {
      pool.provisioned_capacity_gb = pool.allocated_capacity_gb;
    }
    if (pool.filter_function.empty()) pool.filter_function = config.filter_function;
    if (pool.goodness_function.empty()) pool.goodness_function = config.goodness_function;
  }
  return scheduler.UpdateStats({name, options.availability_zone, taken_at, std::move(stats)});
}

// Runs after every message that was queued for this backend when it restarted (the check was
// cast behind them): a create still waiting now had no message of its own — lost with the
// broker's state, say — and would wait forever. One whose message is running (another worker
// took it a moment before this) is left to it; a second look a second later covers a handler
// just starting.
void VolumeManager::Impl::CheckCreate(const std::string& id) {
  for (int look = 0; look < 2; ++look) {
    auto v = store.volumes().Get(id);
    if (!v.ok() || v->status != VS::kCreating || internal::BackendOf(v->host) != name) return;
    {
      std::lock_guard lock(creating_mu);
      if (creating_now.count(id)) return;
    }
    if (look == 0) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    FailCreate(*v, Unavailable("interrupted: the volume service restarted while creating, and the "
                               "create was not delivered again"));
  }
}

Status VolumeManager::Impl::Recover() {
  BS_ASSIGN_OR_RETURN(auto creating, store.volumes().ListOnBackend(name, {VS::kCreating}));
  for (const auto& v : creating) {
    if (options.redelivering_transport) {
      awaited.push_back(v.id);  // its message is still queued, or comes again
      ++report.creates_awaited;
      continue;
    }
    FailCreate(v, Unavailable("interrupted: the volume service restarted while creating"));
    ++report.volumes_failed;
  }
  BS_ASSIGN_OR_RETURN(auto extending, store.volumes().ListOnBackend(name, {VS::kExtending}));
  for (const auto& v : extending) {
    auto target = store.volumes().PendingExtendSize(v.id);
    auto held = driver->VolumeSizeBytes(v);
    VolumeTransition t;
    t.from = {VS::kExtending};
    t.restore_previous_status = true;
    t.to = VS::kAvailable;
    if (target.ok() && held.ok() && *target > 0 && *held >= *target * kGiB) {
      t.size_gb = *target;  // the driver finished before the crash
      t.quota = QuotaAction::kCommit;
    } else {
      t.quota = QuotaAction::kRollback;
    }
    auto done = store.volumes().Transition(v.id, t);
    if (done.ok()) notifier.Volume("volume.resize.end", *done, "settled after a restart");
    ++report.extends_settled;
  }
  BS_ASSIGN_OR_RETURN(auto snaps, store.snapshots().ListOnBackend(name, {SS::kCreating}));
  for (const auto& s : snaps) {
    (void)driver->DeleteSnapshot(s);
    SnapshotTransition t;
    t.from = {SS::kCreating};
    t.to = SS::kError;
    t.quota = QuotaAction::kRollback;
    auto done = store.snapshots().Transition(s.id, t);
    if (done.ok()) notifier.Snapshot("snapshot.create.error", *done, "interrupted by a restart");
    ++report.snapshots_failed;
  }
  return Status::Ok();
}

Result<std::unique_ptr<VolumeManager>> VolumeManager::Start(Store& store, Transport& transport,
                                                            std::unique_ptr<VolumeDriver> driver,
                                                            const BackendConfig& backend,
                                                            VolumeManagerOptions options) {
  if (!driver) return InvalidArgument("a volume manager needs a driver");
  if (options.host.empty()) return InvalidArgument("a volume manager needs a host name");
  if (backend.name.empty()) return InvalidArgument("a backend needs a name");
  if (!options.env) options.env = SystemEnv();
  auto impl = std::make_unique<Impl>(store, transport, std::move(driver), backend,
                                     std::move(options));
  BS_RETURN_IF_ERROR(impl->driver->Initialize());
  BS_RETURN_IF_ERROR(impl->Recover());
  impl->RestoreExports();
  Impl* raw = impl.get();
  BS_RETURN_IF_ERROR(raw->dispatcher.Serve(transport, internal::VolumeTopic(raw->name),
                                            raw->options.workers));
  const internal::VolumeClient self(transport, raw->name);
  // Behind every create queued or redelivered for this backend: a check of each create
  // recovery left to its message (see CheckCreate).
  for (const auto& id : raw->awaited) BS_RETURN_IF_ERROR(self.CheckCreate(id));
  // Deletes a crash interrupted run again, now that the topic is served.
  BS_ASSIGN_OR_RETURN(auto deleting, store.volumes().ListOnBackend(raw->name, {VS::kDeleting}));
  for (const auto& v : deleting) {
    BS_RETURN_IF_ERROR(self.DeleteVolume(v.id));
    ++raw->report.volumes_redeleted;
  }
  BS_ASSIGN_OR_RETURN(auto snap_deleting,
                      store.snapshots().ListOnBackend(raw->name, {SS::kDeleting}));
  for (const auto& s : snap_deleting) {
    // Snapshots of a volume being deleted go with it; the others on their own.
    auto vol = store.volumes().Get(s.volume_id);
    if (vol.ok() && vol->status == VS::kDeleting) continue;
    BS_RETURN_IF_ERROR(self.DeleteSnapshot(s.id));
    ++raw->report.snapshots_redeleted;
  }
  // Migrations a crash interrupted run again from the start: the destination's volume is made
  // afresh (or kept) and written again.
  BS_ASSIGN_OR_RETURN(auto maintenance, store.volumes().ListOnBackend(raw->name, {VS::kMaintenance}));
  for (const auto& v : maintenance) {
    if (v.migration_host.empty() || (v.migration_status != "starting" && v.migration_status != "migrating")) continue;
    BS_RETURN_IF_ERROR(self.MigrateVolume(v.id, /*force_host_copy=*/false));
    ++raw->report.migrations_resumed;
  }
  // Reverts a crash interrupted run again: a driver's revert may be made twice.
  BS_ASSIGN_OR_RETURN(auto restoring, store.snapshots().ListOnBackend(raw->name, {SS::kRestoring}));
  for (const auto& s : restoring) {
    auto vol = store.volumes().Get(s.volume_id);
    if (!vol.ok() || vol->status != VS::kReverting) continue;
    BS_RETURN_IF_ERROR(self.RevertToSnapshot(s.volume_id, s.id));
    ++raw->report.reverts_resumed;
  }
  BS_RETURN_IF_ERROR(raw->ReportStats());
  return std::unique_ptr<VolumeManager>(new VolumeManager(std::move(impl)));
}

VolumeManager::VolumeManager(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VolumeManager::~VolumeManager() = default;
const std::string& VolumeManager::backend() const { return impl_->name; }
const RecoveryReport& VolumeManager::recovery() const { return impl_->report; }
Status VolumeManager::ReportStats() { return impl_->ReportStats(); }

}  // namespace blockstore
