// VolumeService: volumes.
#include "blockstore/volume_service.hpp"

#include <algorithm>
#include <set>

#include "lib/api/service_core.hpp"
#include "lib/api/validation.hpp"
#include "lib/domain/migration_state.hpp"
#include "lib/core/ids.hpp"
#include "lib/core/macros.hpp"
#include "lib/domain/type_quota.hpp"
#include "lib/json/json_codec.hpp"
#include "lib/scheduler/json_query.hpp"
#include "lib/volume/create_failure.hpp"

namespace blockstore {
namespace {

using VS = VolumeStatus;

// Cinder's non-forced delete statuses.
const std::vector<VS>& DeletableStatuses() {
  static const std::vector<VS> k = {VS::kAvailable, VS::kError, VS::kErrorRestoring,
                                    VS::kErrorExtending, VS::kErrorManaging};
  return k;
}

// A forced delete: anything detached that is not already being deleted.
std::vector<VS> ForceDeletableStatuses() {
  std::vector<VS> out;
  for (VS s : AllVolumeStatuses()) {
    if (s != VS::kDeleting && s != VS::kInUse && s != VS::kAttaching && s != VS::kDetaching &&
        s != VS::kReserved) {
      out.push_back(s);
    }
  }
  return out;
}

bool TypeAllowsMultiattach(const VolumeType& t) {
  auto it = t.extra_specs.find("multiattach");
  return it != t.extra_specs.end() && it->second == "<is> True";
}

Status CheckCommonFields(const std::optional<std::string>& name,
                         const std::optional<std::string>& description,
                         const std::optional<Metadata>& metadata) {
  if (name) BS_RETURN_IF_ERROR(internal::CheckText("name", *name));
  if (description) BS_RETURN_IF_ERROR(internal::CheckText("description", *description));
  if (metadata) BS_RETURN_IF_ERROR(internal::CheckMetadata("metadata", *metadata));
  return Status::Ok();
}

Status CheckHints(const VolumeCreateRequest& r) {
  if (r.same_host.size() + r.different_host.size() > 100) {
    return InvalidArgument("at most 100 volumes may be named in scheduler hints");
  }
  for (const auto& id : r.same_host) BS_RETURN_IF_ERROR(internal::CheckId("same_host volume", id));
  for (const auto& id : r.different_host) {
    BS_RETURN_IF_ERROR(internal::CheckId("different_host volume", id));
  }
  if (!r.query.empty()) BS_RETURN_IF_ERROR(internal::PrepareQuery(r.query).status());
  return Status::Ok();
}

// A create request validated, and the volume it would make (nothing stored yet).
struct PreparedVolume {
  Volume volume;
  VolumeType type;
  std::string source_host;  // a copy's: where its snapshot's volume or its source lives
};

Result<PreparedVolume> PrepareCreate(internal::ServiceCore& d, const RequestContext& ctx,
                                     const VolumeCreateRequest& r) {
  BS_RETURN_IF_ERROR(d.CheckContext(ctx));
  BS_RETURN_IF_ERROR(CheckHints(r));
  BS_RETURN_IF_ERROR(CheckCommonFields(r.name, r.description, r.metadata));
  if ((!r.snapshot_id.empty()) + (!r.source_volid.empty()) + (!r.backup_id.empty()) > 1) {
    return InvalidArgument("a volume comes from a snapshot, a source volume or a backup, not several");
  }
  std::optional<int64_t> size = r.size_gb;
  uint64_t source_size = 0;
  std::string source_type_id;
  std::string source_host;
  if (!r.snapshot_id.empty()) {
    BS_ASSIGN_OR_RETURN(Snapshot snap, d.LoadSnapshot(ctx, r.snapshot_id));
    if (snap.status != SnapshotStatus::kAvailable) {
      return FailedPrecondition("snapshot " + snap.id + " is '" +
                                std::string(ToString(snap.status)) +
                                "'; creating a volume from it needs 'available'");
    }
    source_size = snap.size_gb;
    BS_ASSIGN_OR_RETURN(Volume parent, d.store().volumes().Get(snap.volume_id));
    source_type_id = parent.volume_type_id;
    source_host = parent.host;
  }
  if (!r.source_volid.empty()) {
    BS_ASSIGN_OR_RETURN(Volume src, d.LoadVolume(ctx, r.source_volid));
    if (src.status != VS::kAvailable && src.status != VS::kInUse) {
      return FailedPrecondition("volume " + src.id + " is '" + std::string(ToString(src.status)) +
                                "'; cloning needs 'available' or 'in-use'");
    }
    source_size = src.size_gb;
    source_type_id = src.volume_type_id;
    source_host = src.host;
  }
  if (!r.backup_id.empty()) {
    BS_ASSIGN_OR_RETURN(Backup b, d.LoadBackup(ctx, r.backup_id));
    BS_RETURN_IF_ERROR(d.CheckBackupService());
    if (b.status != BackupStatus::kAvailable) {
      return FailedPrecondition("backup " + b.id + " is '" + std::string(ToString(b.status)) +
                                "'; creating a volume from it needs 'available'");
    }
    source_size = b.size_gb;
  }
  if (!size) {
    if (source_size == 0) return InvalidArgument("size is required for a blank volume");
    size = static_cast<int64_t>(source_size);
  }
  BS_RETURN_IF_ERROR(internal::CheckSize("size", *size));
  if (static_cast<uint64_t>(*size) < source_size) {
    return InvalidArgument("size " + std::to_string(*size) +
                           " GB is smaller than the source's " + std::to_string(source_size) +
                           " GB");
  }
  // A copy keeps its source's type unless the request names one.
  BS_ASSIGN_OR_RETURN(VolumeType type,
                      d.ResolveType(ctx, r.volume_type.empty() && !source_type_id.empty()
                                             ? source_type_id
                                             : r.volume_type));
  std::string zone = r.availability_zone;
  if (zone.empty()) {
    zone = d.options().default_availability_zone;
  } else if (!d.options().availability_zones.count(zone)) {
    BS_RETURN_IF_ERROR(internal::CheckText("availability zone", zone));
    return InvalidArgument("availability zone '" + zone + "' is not one this engine serves");
  }
  BS_RETURN_IF_ERROR(d.CheckPerVolumeLimit(ctx.project_id, *size));

  Volume v;
  v.id = internal::NewUuid();
  v.project_id = ctx.project_id;
  v.user_id = ctx.user_id;
  v.name = r.name;
  v.description = r.description;
  v.size_gb = static_cast<uint64_t>(*size);
  v.status = VS::kCreating;
  v.availability_zone = zone;
  v.volume_type_id = type.id;
  v.snapshot_id = r.snapshot_id;
  v.source_volid = r.source_volid;
  v.bootable = r.bootable;
  v.multiattach = TypeAllowsMultiattach(type);
  v.metadata = r.metadata;
  v.created_at = v.updated_at = d.env().Now();
  return PreparedVolume{std::move(v), std::move(type), std::move(source_host)};
}

RequestSpec CreateSpec(internal::ServiceCore& d, const PreparedVolume& p,
                       const VolumeCreateRequest& r) {
  RequestSpec spec = d.SpecFor(p.volume, p.type);
  // A copy is placed where its source lives (the driver copies extents locally).
  spec.resource_backend = p.source_host;
  spec.same_host = r.same_host;
  spec.different_host = r.different_host;
  spec.query = r.query;
  return spec;
}

}  // namespace

VolumeService::VolumeService(internal::ServiceCore& core) : core_(core) {}

namespace {

// What a create asked for, as one text: two creates with one idempotency key must match in it.
std::string Fingerprint(const VolumeCreateRequest& r) {
  std::string f = "volume.create";
  auto add = [&](const std::string& part) { f += "|" + std::to_string(part.size()) + ":" + part; };
  add(r.size_gb ? std::to_string(*r.size_gb) : "");
  for (const std::string* s : {&r.name, &r.description, &r.volume_type, &r.availability_zone, &r.snapshot_id,
                               &r.source_volid, &r.backup_id, &r.query}) {
    add(*s);
  }
  for (const auto& [k, v] : r.metadata) add(k + "=" + v);
  add(r.bootable ? "bootable" : "");
  for (const auto& h : r.same_host) add("same:" + h);
  for (const auto& h : r.different_host) add("different:" + h);
  return f;
}

}  // namespace

Result<Volume> VolumeService::Create(const RequestContext& ctx, const VolumeCreateRequest& r) {
  if (ctx.idempotency_key.empty()) return Submit(ctx, r, r.backup_id);
  std::optional<Volume> made;
  BS_ASSIGN_OR_RETURN(std::string id, core_.Once(ctx, Fingerprint(r), [&]() -> Result<std::string> {
    BS_ASSIGN_OR_RETURN(made, Submit(ctx, r, r.backup_id));
    return made->id;
  }));
  if (made) return *made;
  return core_.LoadVolume(ctx, id);  // a retry: the volume the first request made, as it now is
}

Result<Volume> VolumeService::CreateForRestore(const RequestContext& ctx,
                                               const VolumeCreateRequest& r,
                                               const std::string& backup_id) {
  return Submit(ctx, r, backup_id);
}

Result<Volume> VolumeService::Submit(const RequestContext& ctx, const VolumeCreateRequest& r,
                                     const std::string& restore_backup_id) {
  auto& d = core_;
  BS_ASSIGN_OR_RETURN(PreparedVolume p, PrepareCreate(d, ctx, r));
  const int64_t size = static_cast<int64_t>(p.volume.size_gb);
  BS_ASSIGN_OR_RETURN(Volume v, d.store().volumes().Create(p.volume, internal::CountAndSizeCharges(
                                                                    kQuotaVolumes, size, p.type.name)));
  d.notifier().Volume("volume.create.start", v);
  p.volume = v;
  RequestSpec spec = CreateSpec(d, p, r);
  if (!restore_backup_id.empty()) {
    // The backup is taken for the restore before the volume can be placed, so the volume
    // service that creates it finds the restore waiting.
    spec.restore_backup_id = restore_backup_id;
    auto taken = d.store().backups().BeginRestore(restore_backup_id, v.id, /*volume_is_new=*/true);
    if (!taken.ok()) {
      internal::FailVolumeCreate(d.store(), d.notifier(), v.id, taken.status());
      return taken.status();
    }
    d.notifier().Backup("backup.restore.start", *taken);
  }
  if (Status s = d.scheduler().CreateVolume(v.id, spec, ctx.request_id); !s.ok()) {
    internal::FailVolumeCreate(d.store(), d.notifier(), v.id, s, restore_backup_id);
    return s;
  }
  return v;
}

Result<Volume> VolumeService::Get(const RequestContext& ctx, const std::string& id) {
  return core_.LoadVolume(ctx, id);
}

Result<std::vector<Volume>> VolumeService::List(const RequestContext& ctx, const ListQuery& q) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.CheckListQuery(ctx, q, "volume"));
  if (q.status && !ParseVolumeStatus(*q.status)) {
    return InvalidArgument("'" + *q.status + "' is not a volume status");
  }
  return d.store().volumes().List(q, q.all_projects ? std::string_view() : ctx.project_id);
}

Result<Volume> VolumeService::Update(const RequestContext& ctx, const std::string& id,
                                 const VolumeUpdate& u) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(CheckCommonFields(u.name, u.description, u.metadata));
  BS_RETURN_IF_ERROR(d.LoadVolume(ctx, id).status());
  BS_ASSIGN_OR_RETURN(Volume v, d.store().volumes().Update(id, u));
  d.notifier().Volume("volume.update", v);
  return v;
}

Result<Volume> VolumeService::Delete(const RequestContext& ctx, const std::string& id,
                                 const DeleteOptions& o) {
  auto& d = core_;
  if (o.force) BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "force-deleting a volume"));
  BS_RETURN_IF_ERROR(d.LoadVolume(ctx, id).status());
  BS_ASSIGN_OR_RETURN(Volume v, d.store().volumes().BeginDelete(
                                    id, o.force ? ForceDeletableStatuses() : DeletableStatuses(),
                                    o.cascade));
  d.notifier().Volume("volume.delete.start", v);
  if (v.host.empty()) {  // never placed: nothing on any backend to remove
    BS_RETURN_IF_ERROR(d.store().volumes().FinishDelete(v.id));
    d.notifier().Emit("volume.delete.end", "volume", v.id, v.project_id, "deleted");
    return v;
  }
  if (Status s = d.volume(v.host).DeleteVolume(v.id, ctx.request_id); !s.ok()) {
    VolumeTransition t;
    t.from = {VS::kDeleting};
    t.to = VS::kErrorDeleting;
    (void)d.store().volumes().CompareAndSet(v.id, t);
    return s;
  }
  return v;
}

Result<Volume> VolumeService::Extend(const RequestContext& ctx, const std::string& id,
                                 int64_t new_size_gb) {
  auto& d = core_;
  BS_ASSIGN_OR_RETURN(Volume current, d.LoadVolume(ctx, id));
  BS_RETURN_IF_ERROR(internal::CheckSize("new size", new_size_gb));
  if (static_cast<uint64_t>(new_size_gb) <= current.size_gb) {
    return InvalidArgument("new size " + std::to_string(new_size_gb) +
                           " GB must be greater than the current size " +
                           std::to_string(current.size_gb) + " GB");
  }
  BS_RETURN_IF_ERROR(d.CheckPerVolumeLimit(current.project_id, new_size_gb));
  // The growth is charged from the size the store sees when it takes the extend: `current`
  // may be stale by then (another extend finished meanwhile).
  std::vector<std::string> charged = {std::string(kQuotaGigabytes)};
  auto type = d.store().volume_types().Get(current.volume_type_id);
  if (type.ok()) {
    charged.push_back(internal::PerTypeResource(kQuotaGigabytes, type->name));
  }
  BS_ASSIGN_OR_RETURN(Volume v, d.store().volumes().BeginExtend(id, {VS::kAvailable, VS::kInUse},
                                                          static_cast<uint64_t>(new_size_gb),
                                                          charged));
  d.notifier().Volume("volume.resize.start", v);
  // The scheduler checks the volume's pool has room for the growth and reserves it.
  RequestSpec spec = d.SpecFor(v, type.ok() ? *type : VolumeType{});  // the type read once
  spec.operation = RequestSpec::Operation::kExtend;
  spec.current_size_gb = v.size_gb;
  spec.size_gb = static_cast<uint64_t>(new_size_gb);
  spec.vol_exists_on = v.host;
  spec.status = "extending";
  if (Status s = d.scheduler().ExtendVolume(v.id, spec, ctx.request_id); !s.ok()) {
    VolumeTransition t;
    t.from = {VS::kExtending};
    t.restore_previous_status = true;
    t.quota = QuotaAction::kRollback;
    (void)d.store().volumes().CompareAndSet(v.id, t);
    return s;
  }
  return v;
}

Result<Volume> VolumeService::RevertToSnapshot(const RequestContext& ctx, const std::string& id,
                                               const std::string& snapshot_id) {
  auto& d = core_;
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, id));
  BS_ASSIGN_OR_RETURN(Snapshot snap, d.LoadSnapshot(ctx, snapshot_id));
  if (snap.volume_id != v.id) {
    return InvalidArgument("snapshot " + snap.id + " is not a snapshot of volume " + v.id);
  }
  if (v.status != VS::kAvailable) {
    return FailedPrecondition("volume " + v.id + " is '" + std::string(ToString(v.status)) +
                              "'; a revert needs it available");
  }
  if (snap.status != SnapshotStatus::kAvailable) {
    return FailedPrecondition("snapshot " + snap.id + " is '" + std::string(ToString(snap.status)) +
                              "'; a revert needs it available");
  }
  if (snap.size_gb != v.size_gb) {
    return InvalidArgument("volume " + v.id + " is " + std::to_string(v.size_gb) + " GB and snapshot " + snap.id +
                           " of " + std::to_string(snap.size_gb) + " GB: a revert needs the same size");
  }
  BS_ASSIGN_OR_RETURN(auto all, d.store().snapshots().ListOfVolume(v.id));
  for (const auto& other : all) {
    if (other.id != snap.id && other.created_at > snap.created_at) {
      return FailedPrecondition("snapshot " + snap.id + " is not the latest of volume " + v.id + " (" + other.id +
                                " is later): only the latest can be reverted to");
    }
  }
  VolumeTransition vt;
  vt.from = {VS::kAvailable};
  vt.to = VS::kReverting;
  vt.expect_host = v.host;
  BS_ASSIGN_OR_RETURN(Volume reverting, d.store().volumes().Transition(v.id, vt));
  SnapshotTransition st;
  st.from = {SnapshotStatus::kAvailable};
  st.to = SnapshotStatus::kRestoring;
  auto put_back = [&] {
    VolumeTransition back;
    back.from = {VS::kReverting};
    back.to = VS::kAvailable;
    (void)d.store().volumes().Transition(v.id, back);
  };
  if (auto s = d.store().snapshots().Transition(snap.id, st); !s.ok()) {
    put_back();
    return s.status();
  }
  d.notifier().Volume("volume.revert.start", reverting);
  if (Status s = d.volume(v.host).RevertToSnapshot(v.id, snap.id, ctx.request_id); !s.ok()) {
    SnapshotTransition sback;
    sback.from = {SnapshotStatus::kRestoring};
    sback.to = SnapshotStatus::kAvailable;
    (void)d.store().snapshots().Transition(snap.id, sback);
    put_back();
    return s;
  }
  return reverting;
}

namespace {

// Whether the scheduler's filters left `pool` in.
bool Takes(const PlacementExplanation& fit, const std::string& pool) {
  return std::any_of(fit.ranking.begin(), fit.ranking.end(), [&](const RankedPool& p) { return p.pool == pool; });
}

// What the filters said of `pool`, as "; Filter: reason" for each.
std::string WhyNot(const PlacementExplanation& fit, const std::string& pool) {
  std::string why;
  for (const auto& step : fit.steps) {
    for (const auto& reason : step.reasons) {
      if (reason.find(pool) != std::string::npos) why += "; " + step.filter + ": " + reason;
    }
  }
  return why.empty() ? std::string(" (it is down, disabled or out of date)") : why;
}

}  // namespace

Result<Volume> VolumeService::Retype(const RequestContext& ctx, const std::string& id, const std::string& new_type,
                                     const std::string& migration_policy) {
  auto& d = core_;
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, id));
  if (migration_policy != "never" && migration_policy != "on-demand") {
    return InvalidArgument("migration_policy must be 'never' or 'on-demand', not '" + migration_policy + "'");
  }
  if (new_type.empty()) return InvalidArgument("a retype needs the new type");
  if (v.status != VS::kAvailable && v.status != VS::kInUse) {
    return FailedPrecondition("volume " + v.id + " is '" + std::string(ToString(v.status)) +
                              "'; a retype needs it available or in-use");
  }
  BS_ASSIGN_OR_RETURN(VolumeType to, d.ResolveType(ctx, new_type));
  if (to.id == v.volume_type_id) return InvalidArgument("volume " + v.id + " is of type '" + to.name + "' already");
  BS_ASSIGN_OR_RETURN(PlacementExplanation fit,
                      d.scheduler().Explain(d.SpecFor(v, to), internal::kConnectionTimeout));
  if (Takes(fit, v.host)) {
    // In place: the backend serves the new type. The type and its quota change with the move to
    // retyping (over quota: nothing changes); the driver then changes what it must, and a
    // driver that fails has the old type put back.
    VolumeTransition start;
    start.from = {v.status};
    start.to = VS::kRetyping;
    start.save_previous_status = true;
    start.expect_host = v.host;
    BS_ASSIGN_OR_RETURN(Volume retyping, d.store().volumes().ChangeType(v.id, start, to.id));
    d.notifier().Volume("volume.retype.start", retyping);
    VolumeTransition back;
    back.from = {VS::kRetyping};
    back.to = v.status;
    back.restore_previous_status = true;
    if (Status s = d.volume(v.host).Retype(v.id, to.id); !s.ok()) {
      auto undone = v.volume_type_id.empty() ? d.store().volumes().Transition(v.id, back)
                                             : d.store().volumes().ChangeType(v.id, back, v.volume_type_id);
      if (undone.ok()) d.notifier().Volume("volume.retype.error", *undone, s.ToString());
      return s;
    }
    BS_ASSIGN_OR_RETURN(Volume done, d.store().volumes().Transition(v.id, back));
    d.notifier().Volume("volume.retype", done);
    return done;
  }
  if (migration_policy != "on-demand") {
    return InvalidArgument("volume " + v.id + "'s backend cannot serve type '" + to.name + "'" + WhyNot(fit, v.host) +
                           "; it would have to migrate, and migration_policy is 'never'");
  }
  if (v.status != VS::kAvailable) {
    return FailedPrecondition("volume " + v.id + " must migrate for type '" + to.name +
                              "', and only an available volume migrates");
  }
  BS_ASSIGN_OR_RETURN(auto snaps, d.store().snapshots().ListOfVolume(v.id));
  if (!snaps.empty()) {
    return FailedPrecondition("volume " + v.id + " must migrate for type '" + to.name + "' and has " +
                              std::to_string(snaps.size()) + " snapshot(s); a volume migrates without snapshots");
  }
  if (fit.chosen.empty()) return InvalidArgument("no pool can take volume " + v.id + " as type '" + to.name + "': " + fit.error);
  return StartMigration(ctx, v, fit.chosen, to.id, /*force_host_copy=*/false);
}

Result<Volume> VolumeService::StartMigration(const RequestContext& ctx, const Volume& v, const std::string& dest,
                                             const std::string& type_id, bool force_host_copy) {
  auto& d = core_;
  BS_ASSIGN_OR_RETURN(Volume moving,
                      d.store().volumes().Transition(v.id, internal::MigrationStart(v, dest, type_id)));
  d.notifier().Volume("volume.migrate.start", moving);
  if (Status s = d.volume(v.host).MigrateVolume(v.id, force_host_copy, ctx.request_id); !s.ok()) {
    (void)d.store().volumes().Transition(v.id, internal::MigrationRollback(v));
    return s;
  }
  return moving;
}

Result<Volume> VolumeService::Migrate(const RequestContext& ctx, const std::string& id, const std::string& host,
                                      bool force_host_copy) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.RequireAdmin(ctx, "migrating a volume"));
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, id));
  BS_RETURN_IF_ERROR(internal::CheckText("host", host));
  if (host.empty()) return InvalidArgument("a migration needs a destination host (host@backend#pool)");
  if (v.status != VS::kAvailable) {
    return FailedPrecondition("volume " + v.id + " is '" + std::string(ToString(v.status)) +
                              "'; only an available volume can be migrated");
  }
  if (v.migration_status == "starting" || v.migration_status == "migrating" || v.migration_status == "completing") {
    return FailedPrecondition("volume " + v.id + " is migrating already");
  }
  if (internal::BackendOf(host) == internal::BackendOf(v.host)) {
    return InvalidArgument("volume " + v.id + " is on " + internal::BackendOf(v.host) + " already");
  }
  BS_ASSIGN_OR_RETURN(auto snaps, d.store().snapshots().ListOfVolume(v.id));
  if (!snaps.empty()) {
    return FailedPrecondition("volume " + v.id + " has " + std::to_string(snaps.size()) +
                              " snapshot(s); a volume migrates without snapshots");
  }
  // The destination: a pool the scheduler knows (its first one when only the backend is named).
  BS_ASSIGN_OR_RETURN(auto pools, d.scheduler().Pools(internal::kConnectionTimeout));
  std::string dest;
  for (const auto& p : pools) {
    if (p.name == host || (host.find('#') == std::string::npos && p.backend == host)) {
      dest = p.name;
      break;
    }
  }
  if (dest.empty()) return InvalidArgument("no pool '" + host + "' reports to the scheduler: cannot migrate there");
  // The destination must take the volume as a create of it would: its type, zone and size.
  BS_ASSIGN_OR_RETURN(PlacementExplanation fit, d.scheduler().Explain(d.SpecFor(v), internal::kConnectionTimeout));
  if (!Takes(fit, dest)) return InvalidArgument("pool " + dest + " cannot take volume " + v.id + WhyNot(fit, dest));
  return StartMigration(ctx, v, dest, /*type_id=*/"", force_host_copy);
}

Result<Volume> VolumeService::SetReadonly(const RequestContext& ctx, const std::string& id,
                                       bool readonly) {
  auto& d = core_;
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, id));
  VolumeTransition t;
  t.from = {VS::kAvailable};
  t.to = VS::kAvailable;
  t.readonly = readonly;
  BS_ASSIGN_OR_RETURN(v, d.store().volumes().Transition(v.id, t));
  d.notifier().Volume("volume.update_readonly_flag", v);
  return v;
}

Result<PlacementExplanation> VolumeService::ExplainPlacement(const RequestContext& ctx,
                                                  const VolumeCreateRequest& r) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.RequireAdmin(ctx, "explaining a placement"));
  BS_ASSIGN_OR_RETURN(PreparedVolume p, PrepareCreate(d, ctx, r));
  RequestSpec spec = CreateSpec(d, p, r);
  return d.scheduler().Explain(spec, std::chrono::seconds(30));
}

Result<Volume> VolumeService::ResetStatus(const RequestContext& ctx, const std::string& id,
                                          VolumeStatus status) {
  return ResetStatus(ctx, id, VolumeStatusReset{status, std::nullopt});
}

Result<Volume> VolumeService::ResetStatus(const RequestContext& ctx, const std::string& id,
                                          const VolumeStatusReset& reset) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "resetting a volume's status"));
  if (!reset.status && !reset.migration_status) {
    return InvalidArgument("a status reset needs status or migration_status");
  }
  std::optional<std::string> migration;
  if (reset.migration_status) {
    static const std::set<std::string> kMigration = {"migrating", "error", "success", "completing",
                                                     "starting", "none", ""};
    if (!kMigration.count(*reset.migration_status)) {
      BS_RETURN_IF_ERROR(internal::CheckText("migration_status", *reset.migration_status));
      return InvalidArgument("'" + *reset.migration_status +
                             "' is not a migration status (migrating, error, success, completing, "
                             "starting or none)");
    }
    migration = *reset.migration_status == "none" ? "" : *reset.migration_status;
  }
  BS_ASSIGN_OR_RETURN(Volume current, d.LoadVolume(ctx, id));
  const VolumeStatus status = reset.status.value_or(current.status);
  if (reset.status &&
      (status == VS::kCreating || status == VS::kDeleting || status == VS::kExtending)) {
    return InvalidArgument("cannot reset a volume to '" + std::string(ToString(status)) +
                           "': a restart would act on it");
  }
  // Leaving creating or extending settles the reservation those left open, so quota never
  // drifts: a volume reset to error from creating is not charged, one reset to anything else
  // is; an interrupted extend is not charged (the size stays as it was).
  VolumeTransition t;
  t.from = {current.status};  // compare-and-set against what was read
  t.to = status;
  t.migration_status = migration;
  if (!reset.status) {
    // Only the migration status: the status and its reservations stay as they are.
  } else if (current.status == VS::kCreating) {
    t.quota = status == VS::kError ? QuotaAction::kRollback : QuotaAction::kCommit;
  } else if (current.status == VS::kExtending) {
    t.quota = QuotaAction::kRollback;
  }
  BS_ASSIGN_OR_RETURN(Volume v, d.store().volumes().Transition(id, t));
  d.notifier().Volume("volume.reset_status", v);
  return v;
}

}  // namespace blockstore
