// SnapshotService: snapshots.
#include "blockstore/snapshot_service.hpp"

#include "lib/api/service_core.hpp"
#include "lib/api/validation.hpp"
#include "lib/core/ids.hpp"
#include "lib/core/macros.hpp"
#include "lib/domain/type_quota.hpp"
#include "lib/json/json_codec.hpp"
#include "lib/scheduler/request_spec_codec.hpp"

namespace blockstore {

using SS = SnapshotStatus;

SnapshotService::SnapshotService(internal::ServiceCore& core) : core_(core) {}

Result<Snapshot> SnapshotService::Create(const RequestContext& ctx, const SnapshotCreateRequest& r) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(internal::CheckText("name", r.name));
  BS_RETURN_IF_ERROR(internal::CheckText("description", r.description));
  BS_RETURN_IF_ERROR(internal::CheckMetadata("metadata", r.metadata));
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, r.volume_id));
  Snapshot s;
  s.id = internal::NewUuid();
  s.project_id = v.project_id;
  s.user_id = ctx.user_id;
  s.volume_id = v.id;
  s.name = r.name;
  s.description = r.description;
  s.size_gb = v.size_gb;
  s.status = SS::kCreating;
  s.progress = "0%";
  s.metadata = r.metadata;
  s.created_at = s.updated_at = d.env().Now();
  std::vector<VolumeStatus> allowed = {VolumeStatus::kAvailable};
  if (r.force) allowed.push_back(VolumeStatus::kInUse);
  auto type = d.store().volume_types().Get(v.volume_type_id);
  BS_ASSIGN_OR_RETURN(s, d.store().snapshots().Create(s, allowed, internal::CountAndSizeCharges(
                                                                  kQuotaSnapshots, static_cast<int64_t>(v.size_gb),
                                                                  type.ok() ? type->name : "")));
  d.notifier().Snapshot("snapshot.create.start", s);
  // The scheduler re-checks the volume's pool and consumes the snapshot's size on it.
  RequestSpec spec = d.SpecFor(v, type.ok() ? *type : VolumeType{});  // the type read once
  spec.operation = RequestSpec::Operation::kSnapshot;
  spec.snapshot_id = s.id;
  spec.vol_exists_on = v.host;
  if (Status st = d.scheduler().CreateSnapshot(s.id, spec, ctx.request_id); !st.ok()) {
    SnapshotTransition t;
    t.from = {SS::kCreating};
    t.to = SS::kError;
    t.quota = QuotaAction::kRollback;
    (void)d.store().snapshots().Transition(s.id, t);
    return st;
  }
  return s;
}

Result<Snapshot> SnapshotService::Get(const RequestContext& ctx, const std::string& id) {
  return core_.LoadSnapshot(ctx, id);
}

Result<std::vector<Snapshot>> SnapshotService::List(const RequestContext& ctx, const ListQuery& q) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.CheckListQuery(ctx, q, "snapshot"));
  if (q.status && !ParseSnapshotStatus(*q.status)) {
    return InvalidArgument("'" + *q.status + "' is not a snapshot status");
  }
  return d.store().snapshots().List(q, q.all_projects ? std::string_view() : ctx.project_id);
}

Result<Snapshot> SnapshotService::Update(const RequestContext& ctx, const std::string& id,
                                     const SnapshotUpdate& u) {
  auto& d = core_;
  if (u.name) BS_RETURN_IF_ERROR(internal::CheckText("name", *u.name));
  if (u.description) BS_RETURN_IF_ERROR(internal::CheckText("description", *u.description));
  if (u.metadata) BS_RETURN_IF_ERROR(internal::CheckMetadata("metadata", *u.metadata));
  BS_RETURN_IF_ERROR(d.LoadSnapshot(ctx, id).status());
  BS_ASSIGN_OR_RETURN(Snapshot s, d.store().snapshots().Update(id, u));
  d.notifier().Snapshot("snapshot.update", s);
  return s;
}

Result<Snapshot> SnapshotService::Delete(const RequestContext& ctx, const std::string& id,
                                     bool force) {
  auto& d = core_;
  if (force) BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "force-deleting a snapshot"));
  BS_ASSIGN_OR_RETURN(Snapshot current, d.LoadSnapshot(ctx, id));
  BS_ASSIGN_OR_RETURN(Volume v, d.store().volumes().Get(current.volume_id));
  std::vector<SS> allowed = {SS::kAvailable, SS::kError};
  if (force) allowed.push_back(SS::kErrorDeleting);
  BS_ASSIGN_OR_RETURN(Snapshot s, d.store().snapshots().BeginDelete(id, allowed));
  d.notifier().Snapshot("snapshot.delete.start", s);
  if (Status st = d.volume(v.host).DeleteSnapshot(s.id, ctx.request_id); !st.ok()) {
    SnapshotTransition t;
    t.from = {SS::kDeleting};
    t.to = SS::kErrorDeleting;
    (void)d.store().snapshots().Transition(s.id, t);
    return st;
  }
  return s;
}

Result<Snapshot> SnapshotService::ResetStatus(const RequestContext& ctx, const std::string& id,
                                          SnapshotStatus status) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "resetting a snapshot's status"));
  BS_ASSIGN_OR_RETURN(Snapshot current, d.LoadSnapshot(ctx, id));
  if (status == SS::kCreating || status == SS::kDeleting || status == SS::kDeleted) {
    return InvalidArgument("cannot reset a snapshot to '" + std::string(ToString(status)) + "'");
  }
  SnapshotTransition t;
  t.from = {current.status};
  t.to = status;
  if (current.status == SS::kCreating) {
    t.quota = status == SS::kError ? QuotaAction::kRollback : QuotaAction::kCommit;
  }
  BS_ASSIGN_OR_RETURN(Snapshot s, d.store().snapshots().Transition(id, t));
  d.notifier().Snapshot("snapshot.reset_status", s);
  return s;
}

}  // namespace blockstore
