// QuotaService: quotas.
#include "blockstore/quota_service.hpp"

#include "lib/api/service_core.hpp"
#include "lib/api/validation.hpp"
#include "lib/core/macros.hpp"
#include "lib/domain/type_quota.hpp"

namespace blockstore {

QuotaService::QuotaService(internal::ServiceCore& core) : core_(core) {}

namespace {

// Every volume type's name: each has its per-type resources (volumes_<type> …).
std::vector<std::string> TypeNames(Store& store) {
  std::vector<std::string> out;
  if (auto types = store.volume_types().List(true, ""); types.ok()) {
    for (const auto& t : *types) out.push_back(t.name);
  }
  return out;
}

// The per-type resources of every type, unlimited where nothing else was said.
void AddPerTypeResources(Store& store, QuotaSet& q) {
  for (const auto& name : TypeNames(store)) {
    for (const auto& resource : internal::PerTypeResources(name)) q.resources.try_emplace(resource);
  }
}

}  // namespace

Result<QuotaSet> QuotaService::Get(const RequestContext& ctx, const std::string& project_id) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(core_.CheckContext(ctx));
  if (project_id.empty()) return InvalidArgument("a project id is required");
  BS_RETURN_IF_ERROR(internal::CheckText("project id", project_id));
  if (!ctx.is_admin() && project_id != ctx.project_id) {
    return PermissionDenied("reading another project's quotas is an admin-only operation");
  }
  BS_ASSIGN_OR_RETURN(QuotaSet q, d.store().quotas().GetSet(project_id));
  AddPerTypeResources(d.store(), q);
  return q;
}

QuotaSet QuotaService::GetDefaults() const {
  QuotaSet q;
  for (const auto& [res, limit] : core_.store().quotas().defaults()) q.resources[res].limit = limit;
  AddPerTypeResources(core_.store(), q);
  return q;
}

Result<QuotaSet> QuotaService::Update(const RequestContext& ctx, const std::string& project_id,
                                   const std::map<std::string, int64_t>& limits) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "updating quotas"));
  if (project_id.empty()) return InvalidArgument("a project id is required");
  BS_RETURN_IF_ERROR(internal::CheckText("project id", project_id));
  if (limits.empty()) return InvalidArgument("no quota limits given");
  BS_ASSIGN_OR_RETURN(QuotaSet current, d.store().quotas().GetSet(project_id));
  const std::vector<std::string> types = TypeNames(d.store());
  // Validate everything before changing anything.
  for (const auto& [res, limit] : limits) {
    if (!d.store().quotas().defaults().count(res) && !internal::TypeOfResource(res, types)) {
      BS_RETURN_IF_ERROR(internal::CheckText("quota resource", res));
      return InvalidArgument("'" + res + "' is not a quota resource");
    }
    if (limit < -1) {
      return InvalidArgument("quota limit for " + res + " must be -1 (unlimited) or more, got " +
                             std::to_string(limit));
    }
    const auto& u = current.resources[res];
    if (limit >= 0 && limit < u.in_use + u.reserved) {
      return InvalidArgument("quota limit for " + res + " cannot be " + std::to_string(limit) +
                             ": " + std::to_string(u.in_use + u.reserved) +
                             " is already in use or reserved");
    }
  }
  for (const auto& [res, limit] : limits) {
    BS_RETURN_IF_ERROR(d.store().quotas().SetLimit(project_id, res, limit));
  }
  d.notifier().Emit("quota.update", "quota", project_id, project_id, "updated");
  BS_ASSIGN_OR_RETURN(QuotaSet updated, d.store().quotas().GetSet(project_id));
  AddPerTypeResources(d.store(), updated);
  return updated;
}

Status QuotaService::Reset(const RequestContext& ctx, const std::string& project_id) {
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "resetting quotas"));
  if (project_id.empty()) return InvalidArgument("a project id is required");
  BS_RETURN_IF_ERROR(internal::CheckText("project id", project_id));
  return core_.store().quotas().DeleteOverrides(project_id);
}

}  // namespace blockstore
