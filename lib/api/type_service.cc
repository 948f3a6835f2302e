// TypeService: volume types, their extra specs and access lists.
#include "blockstore/type_service.hpp"

#include "lib/api/service_core.hpp"
#include "lib/api/validation.hpp"
#include "lib/core/ids.hpp"
#include "lib/core/macros.hpp"

namespace blockstore {
namespace {

Status CheckTypeName(const std::string& name) {
  if (name.empty()) return InvalidArgument("a volume type needs a name");
  return internal::CheckText("volume type name", name);
}

}  // namespace

TypeService::TypeService(internal::ServiceCore& core) : core_(core) {}

Result<VolumeType> TypeService::Create(const RequestContext& ctx,
                                         const VolumeTypeCreateRequest& r) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "creating a volume type"));
  BS_RETURN_IF_ERROR(CheckTypeName(r.name));
  BS_RETURN_IF_ERROR(internal::CheckText("description", r.description));
  BS_RETURN_IF_ERROR(internal::CheckSpecs("extra_specs", r.extra_specs));
  VolumeType t;
  t.id = internal::NewUuid();
  t.name = r.name;
  t.description = r.description;
  t.is_public = r.is_public;
  t.extra_specs = r.extra_specs;
  t.created_at = d.env().Now();
  BS_ASSIGN_OR_RETURN(t, d.store().volume_types().Create(t));
  d.notifier().Emit("volume_type.create", "volume_type", t.id, ctx.project_id, "available");
  return t;
}

Result<VolumeType> TypeService::Get(const RequestContext& ctx, const std::string& id_or_name) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(core_.CheckContext(ctx));
  if (id_or_name.empty()) return InvalidArgument("a volume type id or name is required");
  BS_RETURN_IF_ERROR(internal::CheckText("volume type", id_or_name));
  BS_ASSIGN_OR_RETURN(VolumeType t, d.ResolveType(ctx, id_or_name));
  return internal::ServiceCore::ForCaller(ctx, std::move(t));
}

Result<VolumeType> TypeService::GetDefault(const RequestContext& ctx) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(core_.CheckContext(ctx));
  BS_ASSIGN_OR_RETURN(VolumeType t, d.ResolveType(ctx, ""));
  return internal::ServiceCore::ForCaller(ctx, std::move(t));
}

Result<std::vector<VolumeType>> TypeService::List(const RequestContext& ctx) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(core_.CheckContext(ctx));
  BS_ASSIGN_OR_RETURN(auto types, d.store().volume_types().List(ctx.is_admin(), ctx.project_id));
  for (auto& t : types) t = internal::ServiceCore::ForCaller(ctx, std::move(t));
  return types;
}

Result<VolumeType> TypeService::Update(const RequestContext& ctx, const std::string& id,
                                         const VolumeTypeUpdate& u) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "updating a volume type"));
  BS_RETURN_IF_ERROR(internal::CheckId("volume type", id));
  if (u.name) BS_RETURN_IF_ERROR(CheckTypeName(*u.name));
  if (u.description) BS_RETURN_IF_ERROR(internal::CheckText("description", *u.description));
  BS_ASSIGN_OR_RETURN(VolumeType before, d.store().volume_types().Get(id));
  if (u.name && before.name == d.options().default_volume_type && *u.name != before.name) {
    return FailedPrecondition("the default volume type cannot be renamed");
  }
  return d.store().volume_types().Update(id, u);
}

Status TypeService::Delete(const RequestContext& ctx, const std::string& id) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "deleting a volume type"));
  BS_RETURN_IF_ERROR(internal::CheckId("volume type", id));
  BS_ASSIGN_OR_RETURN(VolumeType t, d.store().volume_types().Get(id));
  if (t.name == d.options().default_volume_type) {
    return FailedPrecondition("volume type '" + t.name + "' is the default; it cannot be deleted");
  }
  BS_RETURN_IF_ERROR(d.store().volume_types().Delete(id));
  d.notifier().Emit("volume_type.delete", "volume_type", id, ctx.project_id, "deleted");
  return Status::Ok();
}

Result<VolumeType> TypeService::SetExtraSpecs(const RequestContext& ctx, const std::string& id,
                                                const Metadata& specs) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "setting extra specs"));
  BS_RETURN_IF_ERROR(internal::CheckId("volume type", id));
  if (specs.empty()) return InvalidArgument("no extra specs given");
  BS_RETURN_IF_ERROR(internal::CheckSpecs("extra_specs", specs));
  BS_ASSIGN_OR_RETURN(VolumeType current, d.store().volume_types().Get(id));
  Metadata merged = current.extra_specs;
  for (const auto& [k, v] : specs) merged[k] = v;
  BS_RETURN_IF_ERROR(internal::CheckSpecs("extra_specs", merged));
  return d.store().volume_types().SetExtraSpecs(id, specs);
}

Result<VolumeType> TypeService::UnsetExtraSpec(const RequestContext& ctx, const std::string& id,
                                                 const std::string& key) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "unsetting extra specs"));
  BS_RETURN_IF_ERROR(internal::CheckId("volume type", id));
  BS_RETURN_IF_ERROR(internal::CheckText("extra spec key", key));
  return d.store().volume_types().UnsetExtraSpec(id, key);
}

// ---- private-type access ----

namespace {

Result<VolumeType> PrivateType(Store& store, const std::string& type_id) {
  BS_RETURN_IF_ERROR(internal::CheckId("volume type", type_id));
  BS_ASSIGN_OR_RETURN(VolumeType t, store.volume_types().Get(type_id));
  if (t.is_public) {
    return InvalidArgument("volume type " + t.id +
                           " is public; access lists are for private types only");
  }
  return t;
}

Status CheckProject(const std::string& project_id) {
  if (project_id.empty()) return InvalidArgument("a project id is required");
  return internal::CheckText("project id", project_id);
}

}  // namespace

Status TypeService::AddAccess(const RequestContext& ctx, const std::string& type_id,
                                const std::string& project_id) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.RequireAdmin(ctx, "giving a project access to a volume type"));
  BS_RETURN_IF_ERROR(CheckProject(project_id));
  BS_ASSIGN_OR_RETURN(VolumeType t, PrivateType(d.store(), type_id));
  BS_RETURN_IF_ERROR(d.store().volume_types().AddAccess(t.id, project_id));
  d.notifier().Emit("volume_type_project.access.add", "volume_type", t.id, project_id, "available");
  return Status::Ok();
}

Status TypeService::RemoveAccess(const RequestContext& ctx, const std::string& type_id,
                                   const std::string& project_id) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.RequireAdmin(ctx, "removing a project's access to a volume type"));
  BS_RETURN_IF_ERROR(CheckProject(project_id));
  BS_ASSIGN_OR_RETURN(VolumeType t, PrivateType(d.store(), type_id));
  BS_RETURN_IF_ERROR(d.store().volume_types().RemoveAccess(t.id, project_id));
  d.notifier().Emit("volume_type_project.access.remove", "volume_type", t.id, project_id,
                  "deleted");
  return Status::Ok();
}

Result<std::vector<std::string>> TypeService::ListAccess(const RequestContext& ctx,
                                                           const std::string& type_id) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.RequireAdmin(ctx, "listing a volume type's access"));
  BS_ASSIGN_OR_RETURN(VolumeType t, PrivateType(d.store(), type_id));
  return d.store().volume_types().ListAccess(t.id);
}

}  // namespace blockstore
