// The services' shared core: construction and the checks every operation shares.
#include "lib/api/service_core.hpp"

#include <algorithm>

#include "blockstore/idempotency_service.hpp"
#include "lib/api/validation.hpp"
#include "lib/core/ids.hpp"
#include "lib/core/macros.hpp"

namespace blockstore::internal {

ServiceCore::ServiceCore(Store& store, Transport& transport, std::shared_ptr<Env> env,
                         ServiceOptions options)
    : store_(store), transport_(transport), env_(std::move(env)), options_(std::move(options)),
      notifier_(options_.notify, env_), scheduler_(transport), backup_(transport) {}

Status ServiceCore::Visible(const RequestContext& ctx, const std::string& project_id,
                          std::string_view kind, const std::string& id) {
  if (ctx.is_admin() || ctx.project_id == project_id) return Status::Ok();
  return NotFound(std::string(kind) + " " + id + " not found");
}

Result<std::string> ServiceCore::Once(const RequestContext& ctx, const std::string& fingerprint,
                                      const std::function<Result<std::string>()>& make) {
  if (ctx.idempotency_key.empty()) return make();
  IdempotencyService keys(*this);
  const std::string key = "api:" + ctx.idempotency_key;  // REST keeps its own ("rest:…") beside these
  BS_ASSIGN_OR_RETURN(IdempotentClaim claim, keys.Begin(ctx, key, fingerprint));
  switch (claim.outcome) {
    case IdempotentClaim::Outcome::kOtherRequest:
      return InvalidArgument("idempotency key '" + ctx.idempotency_key + "' was used for another request");
    case IdempotentClaim::Outcome::kRunning:
      return Aborted("a request with idempotency key '" + ctx.idempotency_key + "' is in progress");
    case IdempotentClaim::Outcome::kAnswered:
      return claim.answer;
    case IdempotentClaim::Outcome::kFirst:
      break;
  }
  Result<std::string> made = make();
  if (!made.ok()) {
    (void)keys.Abandon(ctx, key);
    return made;
  }
  BS_RETURN_IF_ERROR(keys.Finish(ctx, key, 200, *made));
  return made;
}

Status ServiceCore::RequireAdmin(const RequestContext& ctx, std::string_view what) const {
  BS_RETURN_IF_ERROR(CheckOpen());
  if (ctx.is_admin()) return Status::Ok();
  if (ctx.project_id.empty()) return InvalidArgument("the request context has no project");
  return PermissionDenied(std::string(what) + " is an admin-only operation");
}

Status ServiceCore::CheckOpen() const {
  if (closed_) return Unavailable("the engine is closed");
  return Status::Ok();
}

Status ServiceCore::CheckContext(const RequestContext& ctx) const {
  BS_RETURN_IF_ERROR(CheckOpen());
  if (ctx.project_id.empty()) return InvalidArgument("the request context has no project");
  return CheckText("project id", ctx.project_id);
}

Result<VolumeType> ServiceCore::ResolveType(const RequestContext& ctx,
                                          const std::string& id_or_name) {
  const std::string& want = id_or_name.empty() ? options_.default_volume_type : id_or_name;
  Result<VolumeType> t = IsUuid(want) ? store_.volume_types().Get(want)
                                                 : store_.volume_types().GetByName(want);
  if (!t.ok() && IsUuid(want)) t = store_.volume_types().GetByName(want);
  if (!t.ok()) {
    if (t.status().code() == Code::kNotFound) {
      return NotFound("volume type '" + want + "' not found");
    }
    return t.status();
  }
  if (!t->is_public && !ctx.is_admin()) {
    // A private type exists, for everyone else, only for the projects given access to it.
    BS_ASSIGN_OR_RETURN(auto projects, store_.volume_types().ListAccess(t->id));
    if (std::find(projects.begin(), projects.end(), ctx.project_id) == projects.end()) {
      return NotFound("volume type '" + want + "' not found");
    }
  }
  return t;
}

VolumeType ServiceCore::ForCaller(const RequestContext& ctx, VolumeType t) {
  if (ctx.is_admin()) return t;
  Metadata visible;
  for (const char* k : {"RESKEY:availability_zones", "multiattach", "replication_enabled"}) {
    auto it = t.extra_specs.find(k);
    if (it != t.extra_specs.end()) visible.insert(*it);
  }
  t.extra_specs = std::move(visible);
  return t;
}

Result<Volume> ServiceCore::LoadVolume(const RequestContext& ctx, const std::string& id) {
  BS_RETURN_IF_ERROR(CheckContext(ctx));
  BS_RETURN_IF_ERROR(CheckLookupId("volume", id));
  BS_ASSIGN_OR_RETURN(Volume v, store_.volumes().Get(id));
  BS_RETURN_IF_ERROR(Visible(ctx, v.project_id, "volume", id));
  return v;
}

Result<Snapshot> ServiceCore::LoadSnapshot(const RequestContext& ctx, const std::string& id) {
  BS_RETURN_IF_ERROR(CheckContext(ctx));
  BS_RETURN_IF_ERROR(CheckLookupId("snapshot", id));
  BS_ASSIGN_OR_RETURN(Snapshot s, store_.snapshots().Get(id));
  BS_RETURN_IF_ERROR(Visible(ctx, s.project_id, "snapshot", id));
  return s;
}

Result<Backup> ServiceCore::LoadBackup(const RequestContext& ctx, const std::string& id) {
  BS_RETURN_IF_ERROR(CheckContext(ctx));
  BS_RETURN_IF_ERROR(CheckLookupId("backup", id));
  BS_ASSIGN_OR_RETURN(Backup b, store_.backups().Get(id));
  BS_RETURN_IF_ERROR(Visible(ctx, b.project_id, "backup", id));
  return b;
}

Status ServiceCore::CheckListQuery(const RequestContext& ctx, const ListQuery& q,
                                   std::string_view kind) const {
  BS_RETURN_IF_ERROR(CheckContext(ctx));
  if (q.all_projects) BS_RETURN_IF_ERROR(RequireAdmin(ctx, "listing every project"));
  if (!q.marker.empty()) BS_RETURN_IF_ERROR(CheckLookupId("marker " + std::string(kind), q.marker));
  if (q.volume_id) BS_RETURN_IF_ERROR(CheckId("volume", *q.volume_id));
  if (q.project_id) BS_RETURN_IF_ERROR(CheckText("project id", *q.project_id));
  for (const auto& [key, text] : q.like) BS_RETURN_IF_ERROR(CheckText(key + "~ filter", text));
  return Status::Ok();
}

Status ServiceCore::CheckBackupService() const {
  if (options_.backup_host.empty()) return Unavailable("no backup service runs in this deployment");
  return Status::Ok();
}

RequestSpec ServiceCore::SpecFor(const Volume& v) {
  auto type = store_.volume_types().Get(v.volume_type_id);
  return SpecFor(v, type.ok() ? *type : VolumeType{});
}

RequestSpec ServiceCore::SpecFor(const Volume& v, const VolumeType& type) {
  RequestSpec spec;
  spec.volume_id = v.id;
  spec.project_id = v.project_id;
  spec.user_id = v.user_id;
  spec.size_gb = v.size_gb;
  spec.availability_zone = v.availability_zone;
  spec.volume_type = type;
  spec.metadata = v.metadata;
  spec.status = std::string(ToString(v.status));
  spec.attached = v.attach_status == AttachStatus::kAttached;
  if (!type.qos_specs_id.empty()) {
    if (auto q = store_.qos_specs().Get(type.qos_specs_id); q.ok()) spec.qos_specs = q->specs;
  }
  return spec;
}

Status ServiceCore::CheckPerVolumeLimit(const std::string& project_id, int64_t size_gb) {
  BS_ASSIGN_OR_RETURN(QuotaSet q, store_.quotas().GetSet(project_id));
  auto it = q.resources.find(std::string(kQuotaPerVolumeGigabytes));
  if (it != q.resources.end() && it->second.limit >= 0 && size_gb > it->second.limit) {
    return ResourceExhausted("a volume of " + std::to_string(size_gb) +
                             " GB exceeds the per-volume limit of " +
                             std::to_string(it->second.limit) + " GB");
  }
  return Status::Ok();
}

}  // namespace blockstore::internal
