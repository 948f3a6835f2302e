// VolumeManager: driver calls and final status changes for one backend.
#include "blockstore/volume_manager.hpp"

#include <algorithm>
#include <atomic>

#include "lib/core/attach_codec.hpp"
#include "lib/core/json_codec.hpp"
#include "lib/core/macros.hpp"
#include "lib/core/messages.hpp"
#include "lib/core/notifier.hpp"
#include "lib/scheduler/request_spec_codec.hpp"

namespace blockstore {

using VS = VolumeStatus;
using SS = SnapshotStatus;

struct VolumeManager::Impl {
  Impl(Store& s, Transport& t, std::unique_ptr<VolumeDriver> d, const BackendConfig& b,
       VolumeManagerOptions o)
      : store(s), transport(t), driver(std::move(d)), config(b), options(std::move(o)),
        name(options.host + "@" + b.name),
        notifier(options.notify, options.clock) {}

  Result<std::string> Handle(const std::string& text);
  void CreateVolume(const std::string& id, const std::string& body);
  void DeleteVolume(const std::string& id);
  void ExtendVolume(const std::string& id, const std::string& body);
  void CreateSnapshot(const std::string& id);
  void DeleteSnapshot(const std::string& id);
  // Exports a volume to a connector; the connection info as JSON text.
  Result<std::string> Connect(const std::string& id, const std::string& body);
  Status Disconnect(const std::string& id, const std::string& body);
  // Brings back the exports of connected volumes after a restart, and drops the others.
  void RestoreExports();
  Status ReportStats();
  // Tells the scheduler a deleted volume's capacity is free again, so it need not wait for the
  // next stats report.
  void GiveBack(const Volume& v);
  // Gives back a placement's reservation (a create, extend or snapshot that failed).
  void Release(const std::string& key);
  Status Recover();
  void FailCreate(const Volume& v, const Status& why);
  // Counts a finished create or delete; every kReportEvery of them the backend reports afresh,
  // so the scheduler's reservations are confirmed (and dropped) between periodic reports too.
  void Changed();
  // Sends a failed create back to the scheduler for another backend; false when it may not be
  // retried (a copy must be made where its source lives; bad input fails everywhere).
  bool Reschedule(const Volume& v, const std::string& body, const Status& why);

  Store& store;
  Transport& transport;
  std::unique_ptr<VolumeDriver> driver;
  BackendConfig config;
  VolumeManagerOptions options;
  std::string name;
  internal::Notifier notifier;
  RecoveryReport report;
  std::atomic<int> changes{0};
  static constexpr int kReportEvery = 500;
};

void VolumeManager::Impl::Changed() {
  if (changes.fetch_add(1) + 1 < kReportEvery) return;
  changes = 0;
  (void)ReportStats();
}

Result<std::string> VolumeManager::Impl::Handle(const std::string& text) {
  BS_ASSIGN_OR_RETURN(internal::Message m, internal::DecodeMessage(text));
  if (m.method == "create_volume") CreateVolume(m.id, m.body);
  else if (m.method == "delete_volume") DeleteVolume(m.id);
  else if (m.method == "extend_volume") ExtendVolume(m.id, m.body);
  else if (m.method == "create_snapshot") CreateSnapshot(m.id);
  else if (m.method == "delete_snapshot") DeleteSnapshot(m.id);
  else if (m.method == "connect") return Connect(m.id, m.body);
  else if (m.method == "disconnect") BS_RETURN_IF_ERROR(Disconnect(m.id, m.body));
  else if (m.method == "report_stats") BS_RETURN_IF_ERROR(ReportStats());
  else return InvalidArgument("volume manager: unknown method '" + m.method + "'");
  return std::string("{}");
}

void VolumeManager::Impl::GiveBack(const Volume& v) {
  if (v.host.empty()) return;
  internal::json::object body{{"size", v.size_gb}, {"volume_id", v.id}};
  (void)transport.Cast(std::string(internal::kSchedulerTopic),
                       internal::EncodeMessage({"freed", v.host, {},
                                                internal::json::serialize(body)}));
}

void VolumeManager::Impl::Release(const std::string& key) {
  (void)transport.Cast(std::string(internal::kSchedulerTopic),
                       internal::EncodeMessage({"release", key, {}, {}}));
}

void VolumeManager::Impl::FailCreate(const Volume& v, const Status& why) {
  (void)driver->DeleteVolume(v);  // best effort: leave nothing half-made behind
  VolumeTransition t;
  t.from = {VS::kCreating};
  t.to = VS::kError;
  t.quota = QuotaAction::kRollback;
  auto failed = store.TransitionVolume(v.id, t);
  if (failed.ok()) notifier.Volume("volume.create.error", *failed, why.ToString());
  Release(v.id);
}

bool VolumeManager::Impl::Reschedule(const Volume& v, const std::string& body, const Status& why) {
  if (body.empty() || !v.snapshot_id.empty() || !v.source_volid.empty()) return false;
  if (why.code() == Code::kInvalidArgument || why.code() == Code::kNotFound) return false;
  auto parsed = internal::ParseJson(body, "request spec");
  if (!parsed.ok()) return false;
  auto spec = internal::RequestSpecFromJson(*parsed);
  if (!spec.ok()) return false;
  (void)driver->DeleteVolume(v);  // best effort, as for a failure
  spec->attempts.push_back({name, v.host, why.ToString()});
  // Back to the scheduler unplaced; the quota reservation stays with the volume.
  VolumeTransition t;
  t.from = {VS::kCreating};
  t.to = VS::kCreating;
  t.expect_host = v.host;
  t.host = std::string();
  auto back = store.TransitionVolume(v.id, t);
  if (!back.ok()) return true;  // deleted or reset meanwhile: nothing more to do
  notifier.Volume("volume.create.retry", *back, why.ToString());
  Status s = transport.Cast(std::string(internal::kSchedulerTopic),
                            internal::EncodeMessage({"create_volume", v.id, {},
                                                     internal::json::serialize(internal::ToJson(*spec))}));
  if (!s.ok()) FailCreate(*back, s);
  return true;
}

void VolumeManager::Impl::CreateVolume(const std::string& id, const std::string& body) {
  auto loaded = store.GetVolume(id);
  if (!loaded.ok() || loaded->status != VS::kCreating) return;  // deleted or reset meanwhile
  const Volume& v = *loaded;
  Status s;
  if (!v.snapshot_id.empty()) {
    auto snap = store.GetSnapshot(v.snapshot_id);
    s = snap.ok() ? driver->CreateVolumeFromSnapshot(v, *snap) : snap.status();
  } else if (!v.source_volid.empty()) {
    auto src = store.GetVolume(v.source_volid);
    s = src.ok() ? driver->CreateClonedVolume(v, *src) : src.status();
  } else {
    s = driver->CreateVolume(v);
  }
  if (!s.ok()) {
    if (!Reschedule(v, body, s)) FailCreate(v, s);
    return;
  }
  VolumeTransition t;
  t.from = {VS::kCreating};
  t.to = VS::kAvailable;
  t.expect_host = v.host;
  t.quota = QuotaAction::kCommit;
  auto done = store.TransitionVolume(id, t);
  if (!done.ok()) {
    // Deleted (or force-deleted) while we worked: the delete may already have run, so remove
    // what we just made. Deleting is idempotent, so a delete still to come is unaffected.
    auto now = store.GetVolume(id);
    if (!now.ok() || now->status == VS::kDeleting) (void)driver->DeleteVolume(v);
    return;
  }
  notifier.Volume("volume.create.end", *done);
  Changed();
}

void VolumeManager::Impl::DeleteVolume(const std::string& id) {
  auto loaded = store.GetVolume(id);
  if (!loaded.ok() || loaded->status != VS::kDeleting) return;
  const Volume& v = *loaded;
  auto fail = [&](const Status& why) {
    VolumeTransition t;
    t.from = {VS::kDeleting};
    t.to = VS::kErrorDeleting;
    auto failed = store.TransitionVolume(id, t);
    if (failed.ok()) notifier.Volume("volume.delete.error", *failed, why.ToString());
  };
  auto snaps = store.ListSnapshotsOfVolume(id);
  if (!snaps.ok()) return fail(snaps.status());
  for (const auto& snap : *snaps) {  // a cascade delete put them all in deleting
    if (Status s = driver->DeleteSnapshot(snap); !s.ok()) return fail(s);
    if (Status s = store.FinishSnapshotDelete(snap.id); !s.ok()) return fail(s);
    notifier.Emit("snapshot.delete.end", "snapshot", snap.id, snap.project_id, "deleted");
  }
  if (Status s = driver->DeleteVolume(v); !s.ok()) return fail(s);
  // The scheduler hears of the room before anyone can see the volume gone.
  GiveBack(v);
  if (Status s = store.FinishVolumeDelete(id); !s.ok()) return fail(s);
  notifier.Emit("volume.delete.end", "volume", v.id, v.project_id, "deleted");
  Changed();
}

void VolumeManager::Impl::ExtendVolume(const std::string& id, const std::string& /*body*/) {
  auto loaded = store.GetVolume(id);
  if (!loaded.ok() || loaded->status != VS::kExtending) return;
  auto target = store.PendingExtendSize(id);
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
  auto done = store.TransitionVolume(id, t);
  if (done.ok()) {
    notifier.Volume(s.ok() ? "volume.resize.end" : "volume.resize.error", *done,
                    s.ok() ? std::string() : s.ToString());
  }
}

void VolumeManager::Impl::CreateSnapshot(const std::string& id) {
  auto snap = store.GetSnapshot(id);
  if (!snap.ok() || snap->status != SS::kCreating) return;
  auto vol = store.GetVolume(snap->volume_id);
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
  auto done = store.TransitionSnapshot(id, t);
  if (!done.ok()) {
    auto now = store.GetSnapshot(id);
    if (!now.ok() || now->status == SS::kDeleting) (void)driver->DeleteSnapshot(*snap);
    return;
  }
  notifier.Snapshot(s.ok() ? "snapshot.create.end" : "snapshot.create.error", *done,
                    s.ok() ? std::string() : s.ToString());
}

void VolumeManager::Impl::DeleteSnapshot(const std::string& id) {
  auto snap = store.GetSnapshot(id);
  if (!snap.ok() || snap->status != SS::kDeleting) return;
  Status s = driver->DeleteSnapshot(*snap);
  if (s.ok()) s = store.FinishSnapshotDelete(id);
  if (s.ok()) {
    notifier.Emit("snapshot.delete.end", "snapshot", snap->id, snap->project_id, "deleted");
    return;
  }
  SnapshotTransition t;
  t.from = {SS::kDeleting};
  t.to = SS::kErrorDeleting;
  auto failed = store.TransitionSnapshot(id, t);
  if (failed.ok()) notifier.Snapshot("snapshot.delete.error", *failed, s.ToString());
}

Result<std::string> VolumeManager::Impl::Connect(const std::string& id, const std::string& body) {
  BS_ASSIGN_OR_RETURN(auto parsed, internal::ParseJson(body, "connect request"));
  const auto* o = parsed.if_object();
  if (!o || !o->if_contains("connector")) return InvalidArgument("connect: no connector");
  BS_ASSIGN_OR_RETURN(Connector connector, internal::ConnectorFromJson(o->at("connector")));
  std::string mode = "rw";
  if (const auto* m = o->if_contains("mode"); m && m->is_string()) mode = m->get_string();
  BS_ASSIGN_OR_RETURN(Volume v, store.GetVolume(id));
  BS_ASSIGN_OR_RETURN(auto existing, store.GetVolumeExport(id));
  BS_ASSIGN_OR_RETURN(ConnectionResult r, driver->InitializeConnection(v, existing, connector));
  if (!existing || existing->location != r.export_record.location ||
      existing->auth != r.export_record.auth) {
    BS_RETURN_IF_ERROR(store.SetVolumeExport(id, r.export_record));
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
  return internal::json::serialize(internal::ToJson(r.info));
}

Status VolumeManager::Impl::Disconnect(const std::string& id, const std::string& body) {
  BS_ASSIGN_OR_RETURN(auto parsed, internal::ParseJson(body, "disconnect request"));
  const auto* o = parsed.if_object();
  if (!o) return InvalidArgument("disconnect: the request must be an object");
  Connector connector;
  if (const auto* c = o->if_contains("connector"); c && !c->is_null()) {
    BS_ASSIGN_OR_RETURN(connector, internal::ConnectorFromJson(*c));
  }
  auto flag = [&](const char* key) {
    const auto* f = o->if_contains(key);
    return f && f->is_bool() && f->get_bool();
  };
  BS_ASSIGN_OR_RETURN(Volume v, store.GetVolume(id));
  BS_ASSIGN_OR_RETURN(auto existing, store.GetVolumeExport(id));
  if (!existing) return Status::Ok();  // never exported
  return driver->TerminateConnection(v, *existing, connector, flag("revoke_host"),
                                     flag("remove_export"));
}

void VolumeManager::Impl::RestoreExports() {
  auto volumes = store.ListConnectedVolumesOnBackend(name);
  if (!volumes.ok()) {
    report.exports_failed = -1;
    return;
  }
  std::vector<ExportedVolume> exported;
  for (const auto& v : *volumes) {
    auto record = store.GetVolumeExport(v.id);
    if (!record.ok() || !*record) continue;
    ExportedVolume e{v, **record, {}};
    auto rows = store.ListAttachmentsOfVolume(v.id);
    if (rows.ok()) {
      for (const auto& a : *rows) {
        if (a.connector && a.connection_info) e.connectors.push_back(*a.connector);
      }
    }
    // Hosts connected through the legacy actions, which record no attachment; each host once.
    if (auto legacy = store.ListLegacyConnectors(v.id); legacy.ok()) {
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
  const TimePoint taken_at = options.clock();
  BS_ASSIGN_OR_RETURN(BackendStats stats, driver->GetStats());
  if (stats.volume_backend_name.empty()) {
    stats.volume_backend_name =
        config.volume_backend_name.empty() ? config.name : config.volume_backend_name;
  }
  BS_ASSIGN_OR_RETURN(auto usage, store.PoolUsages(name));
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
  internal::json::object body{{"backend", name},
                              {"availability_zone", options.availability_zone},
                              {"taken_at", FormatTime(taken_at)},
                              {"stats", internal::ToJson(stats)}};
  internal::Message m{"update_stats", name, {}, internal::json::serialize(body)};
  return transport.Cast(std::string(internal::kSchedulerTopic), internal::EncodeMessage(m));
}

Status VolumeManager::Impl::Recover() {
  BS_ASSIGN_OR_RETURN(auto creating, store.ListVolumesOnBackend(name, {VS::kCreating}));
  for (const auto& v : creating) {
    FailCreate(v, Unavailable("interrupted: the volume service restarted while creating"));
    ++report.volumes_failed;
  }
  BS_ASSIGN_OR_RETURN(auto extending, store.ListVolumesOnBackend(name, {VS::kExtending}));
  for (const auto& v : extending) {
    auto target = store.PendingExtendSize(v.id);
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
    auto done = store.TransitionVolume(v.id, t);
    if (done.ok()) notifier.Volume("volume.resize.end", *done, "settled after a restart");
    ++report.extends_settled;
  }
  BS_ASSIGN_OR_RETURN(auto snaps, store.ListSnapshotsOnBackend(name, {SS::kCreating}));
  for (const auto& s : snaps) {
    (void)driver->DeleteSnapshot(s);
    SnapshotTransition t;
    t.from = {SS::kCreating};
    t.to = SS::kError;
    t.quota = QuotaAction::kRollback;
    auto done = store.TransitionSnapshot(s.id, t);
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
  if (!options.clock) {
    options.clock = [] { return std::chrono::time_point_cast<std::chrono::microseconds>(Clock::now()); };
  }
  auto impl = std::make_unique<Impl>(store, transport, std::move(driver), backend,
                                     std::move(options));
  BS_RETURN_IF_ERROR(impl->driver->Initialize());
  BS_RETURN_IF_ERROR(impl->Recover());
  impl->RestoreExports();
  Impl* raw = impl.get();
  BS_RETURN_IF_ERROR(transport.Listen(
      internal::VolumeTopic(raw->name),
      [raw](const std::string& text) { return raw->Handle(text); }, raw->options.workers));
  // Deletes a crash interrupted run again, now that the topic is served.
  BS_ASSIGN_OR_RETURN(auto deleting, store.ListVolumesOnBackend(raw->name, {VS::kDeleting}));
  for (const auto& v : deleting) {
    BS_RETURN_IF_ERROR(transport.Cast(internal::VolumeTopic(raw->name),
                                      internal::EncodeMessage({"delete_volume", v.id, {}, {}})));
    ++raw->report.volumes_redeleted;
  }
  BS_ASSIGN_OR_RETURN(auto snap_deleting,
                      store.ListSnapshotsOnBackend(raw->name, {SS::kDeleting}));
  for (const auto& s : snap_deleting) {
    // Snapshots of a volume being deleted go with it; the others on their own.
    auto vol = store.GetVolume(s.volume_id);
    if (vol.ok() && vol->status == VS::kDeleting) continue;
    BS_RETURN_IF_ERROR(transport.Cast(internal::VolumeTopic(raw->name),
                                      internal::EncodeMessage({"delete_snapshot", s.id, {}, {}})));
    ++raw->report.snapshots_redeleted;
  }
  BS_RETURN_IF_ERROR(raw->ReportStats());
  return std::unique_ptr<VolumeManager>(new VolumeManager(std::move(impl)));
}

VolumeManager::VolumeManager(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VolumeManager::~VolumeManager() = default;
const std::string& VolumeManager::backend() const { return impl_->name; }
const RecoveryReport& VolumeManager::recovery() const { return impl_->report; }
VolumeDriver& VolumeManager::driver() { return *impl_->driver; }
Status VolumeManager::ReportStats() { return impl_->ReportStats(); }

}  // namespace blockstore
