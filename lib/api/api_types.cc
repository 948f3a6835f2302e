// Api: volume types and QoS specs.
#include "lib/api/api_impl.hpp"
#include "lib/api/validation.hpp"
#include "lib/core/ids.hpp"
#include "lib/core/macros.hpp"

namespace blockstore {
namespace {

// Extra specs are text like metadata, and those the scheduler reads must be well formed: a
// type whose spec the scheduler cannot read would fail every volume later.
Status CheckSpecs(std::string_view field, const Metadata& specs) {
  BS_RETURN_IF_ERROR(internal::CheckMetadata(field, specs));
  for (const auto& [k, v] : specs) BS_RETURN_IF_ERROR(ValidateExtraSpec(k, v));
  return Status::Ok();
}

Status CheckTypeName(const std::string& name) {
  if (name.empty()) return InvalidArgument("a volume type needs a name");
  return internal::CheckText("volume type name", name);
}

}  // namespace

Result<VolumeType> Api::CreateVolumeType(const RequestContext& ctx,
                                         const VolumeTypeCreateRequest& r) {
  auto& d = *impl_;
  BS_RETURN_IF_ERROR(impl_->RequireAdmin(ctx, "creating a volume type"));
  BS_RETURN_IF_ERROR(CheckTypeName(r.name));
  BS_RETURN_IF_ERROR(internal::CheckText("description", r.description));
  BS_RETURN_IF_ERROR(CheckSpecs("extra_specs", r.extra_specs));
  VolumeType t;
  t.id = internal::NewUuid();
  t.name = r.name;
  t.description = r.description;
  t.is_public = r.is_public;
  t.extra_specs = r.extra_specs;
  t.created_at = d.options.clock();
  BS_ASSIGN_OR_RETURN(t, d.store.CreateVolumeType(t));
  d.notifier.Emit("volume_type.create", "volume_type", t.id, ctx.project_id, "available");
  return t;
}

Result<VolumeType> Api::GetVolumeType(const RequestContext& ctx, const std::string& id_or_name) {
  auto& d = *impl_;
  BS_RETURN_IF_ERROR(impl_->CheckContext(ctx));
  if (id_or_name.empty()) return InvalidArgument("a volume type id or name is required");
  BS_RETURN_IF_ERROR(internal::CheckText("volume type", id_or_name));
  BS_ASSIGN_OR_RETURN(VolumeType t, d.ResolveType(ctx, id_or_name));
  return Impl::ForCaller(ctx, std::move(t));
}

Result<VolumeType> Api::GetDefaultVolumeType(const RequestContext& ctx) {
  auto& d = *impl_;
  BS_RETURN_IF_ERROR(impl_->CheckContext(ctx));
  BS_ASSIGN_OR_RETURN(VolumeType t, d.ResolveType(ctx, ""));
  return Impl::ForCaller(ctx, std::move(t));
}

Result<std::vector<VolumeType>> Api::ListVolumeTypes(const RequestContext& ctx) {
  auto& d = *impl_;
  BS_RETURN_IF_ERROR(impl_->CheckContext(ctx));
  BS_ASSIGN_OR_RETURN(auto types, d.store.ListVolumeTypes(ctx.is_admin(), ctx.project_id));
  for (auto& t : types) t = Impl::ForCaller(ctx, std::move(t));
  return types;
}

Result<VolumeType> Api::UpdateVolumeType(const RequestContext& ctx, const std::string& id,
                                         const VolumeTypeUpdate& u) {
  auto& d = *impl_;
  BS_RETURN_IF_ERROR(impl_->RequireAdmin(ctx, "updating a volume type"));
  BS_RETURN_IF_ERROR(internal::CheckId("volume type", id));
  if (u.name) BS_RETURN_IF_ERROR(CheckTypeName(*u.name));
  if (u.description) BS_RETURN_IF_ERROR(internal::CheckText("description", *u.description));
  BS_ASSIGN_OR_RETURN(VolumeType before, d.store.GetVolumeType(id));
  if (u.name && before.name == d.options.default_volume_type && *u.name != before.name) {
    return FailedPrecondition("the default volume type cannot be renamed");
  }
  return d.store.UpdateVolumeType(id, u);
}

Status Api::DeleteVolumeType(const RequestContext& ctx, const std::string& id) {
  auto& d = *impl_;
  BS_RETURN_IF_ERROR(impl_->RequireAdmin(ctx, "deleting a volume type"));
  BS_RETURN_IF_ERROR(internal::CheckId("volume type", id));
  BS_ASSIGN_OR_RETURN(VolumeType t, d.store.GetVolumeType(id));
  if (t.name == d.options.default_volume_type) {
    return FailedPrecondition("volume type '" + t.name + "' is the default; it cannot be deleted");
  }
  BS_RETURN_IF_ERROR(d.store.DeleteVolumeType(id));
  d.notifier.Emit("volume_type.delete", "volume_type", id, ctx.project_id, "deleted");
  return Status::Ok();
}

Result<VolumeType> Api::SetVolumeTypeExtraSpecs(const RequestContext& ctx, const std::string& id,
                                                const Metadata& specs) {
  auto& d = *impl_;
  BS_RETURN_IF_ERROR(impl_->RequireAdmin(ctx, "setting extra specs"));
  BS_RETURN_IF_ERROR(internal::CheckId("volume type", id));
  if (specs.empty()) return InvalidArgument("no extra specs given");
  BS_RETURN_IF_ERROR(CheckSpecs("extra_specs", specs));
  BS_ASSIGN_OR_RETURN(VolumeType current, d.store.GetVolumeType(id));
  Metadata merged = current.extra_specs;
  for (const auto& [k, v] : specs) merged[k] = v;
  BS_RETURN_IF_ERROR(CheckSpecs("extra_specs", merged));
  return d.store.SetExtraSpecs(id, specs);
}

Result<VolumeType> Api::UnsetVolumeTypeExtraSpec(const RequestContext& ctx, const std::string& id,
                                                 const std::string& key) {
  auto& d = *impl_;
  BS_RETURN_IF_ERROR(impl_->RequireAdmin(ctx, "unsetting extra specs"));
  BS_RETURN_IF_ERROR(internal::CheckId("volume type", id));
  BS_RETURN_IF_ERROR(internal::CheckText("extra spec key", key));
  return d.store.UnsetExtraSpec(id, key);
}

// ---- private-type access ----

namespace {

Result<VolumeType> PrivateType(Store& store, const std::string& type_id) {
  BS_RETURN_IF_ERROR(internal::CheckId("volume type", type_id));
  BS_ASSIGN_OR_RETURN(VolumeType t, store.GetVolumeType(type_id));
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

Status Api::AddVolumeTypeAccess(const RequestContext& ctx, const std::string& type_id,
                                const std::string& project_id) {
  auto& d = *impl_;
  BS_RETURN_IF_ERROR(d.RequireAdmin(ctx, "giving a project access to a volume type"));
  BS_RETURN_IF_ERROR(CheckProject(project_id));
  BS_ASSIGN_OR_RETURN(VolumeType t, PrivateType(d.store, type_id));
  BS_RETURN_IF_ERROR(d.store.AddVolumeTypeAccess(t.id, project_id));
  d.notifier.Emit("volume_type_project.access.add", "volume_type", t.id, project_id, "available");
  return Status::Ok();
}

Status Api::RemoveVolumeTypeAccess(const RequestContext& ctx, const std::string& type_id,
                                   const std::string& project_id) {
  auto& d = *impl_;
  BS_RETURN_IF_ERROR(d.RequireAdmin(ctx, "removing a project's access to a volume type"));
  BS_RETURN_IF_ERROR(CheckProject(project_id));
  BS_ASSIGN_OR_RETURN(VolumeType t, PrivateType(d.store, type_id));
  BS_RETURN_IF_ERROR(d.store.RemoveVolumeTypeAccess(t.id, project_id));
  d.notifier.Emit("volume_type_project.access.remove", "volume_type", t.id, project_id,
                  "deleted");
  return Status::Ok();
}

Result<std::vector<std::string>> Api::ListVolumeTypeAccess(const RequestContext& ctx,
                                                           const std::string& type_id) {
  auto& d = *impl_;
  BS_RETURN_IF_ERROR(d.RequireAdmin(ctx, "listing a volume type's access"));
  BS_ASSIGN_OR_RETURN(VolumeType t, PrivateType(d.store, type_id));
  return d.store.ListVolumeTypeAccess(t.id);
}

// ---- QoS specs ----

Result<QosSpec> Api::CreateQosSpec(const RequestContext& ctx, const QosSpecCreateRequest& r) {
  auto& d = *impl_;
  BS_RETURN_IF_ERROR(impl_->RequireAdmin(ctx, "creating a QoS spec"));
  if (r.name.empty()) return InvalidArgument("a QoS spec needs a name");
  BS_RETURN_IF_ERROR(internal::CheckText("QoS spec name", r.name));
  if (r.consumer != "back-end" && r.consumer != "front-end" && r.consumer != "both") {
    return InvalidArgument("consumer must be back-end, front-end or both");
  }
  BS_RETURN_IF_ERROR(CheckSpecs("specs", r.specs));
  QosSpec q;
  q.id = internal::NewUuid();
  q.name = r.name;
  q.consumer = r.consumer;
  q.specs = r.specs;
  q.created_at = d.options.clock();
  return d.store.CreateQosSpec(q);
}

Result<QosSpec> Api::GetQosSpec(const RequestContext& ctx, const std::string& id) {
  BS_RETURN_IF_ERROR(impl_->RequireAdmin(ctx, "reading QoS specs"));
  BS_RETURN_IF_ERROR(internal::CheckId("QoS spec", id));
  return impl_->store.GetQosSpec(id);
}

Result<std::vector<QosSpec>> Api::ListQosSpecs(const RequestContext& ctx) {
  BS_RETURN_IF_ERROR(impl_->RequireAdmin(ctx, "listing QoS specs"));
  return impl_->store.ListQosSpecs();
}

Status Api::DeleteQosSpec(const RequestContext& ctx, const std::string& id, bool force) {
  BS_RETURN_IF_ERROR(impl_->RequireAdmin(ctx, "deleting a QoS spec"));
  BS_RETURN_IF_ERROR(internal::CheckId("QoS spec", id));
  return impl_->store.DeleteQosSpec(id, force);
}

Result<QosSpec> Api::SetQosSpecKeys(const RequestContext& ctx, const std::string& id,
                                    const Metadata& specs) {
  BS_RETURN_IF_ERROR(impl_->RequireAdmin(ctx, "setting QoS keys"));
  BS_RETURN_IF_ERROR(internal::CheckId("QoS spec", id));
  if (specs.empty()) return InvalidArgument("no QoS keys given");
  BS_RETURN_IF_ERROR(CheckSpecs("specs", specs));
  return impl_->store.SetQosKeys(id, specs);
}

Result<QosSpec> Api::UnsetQosSpecKey(const RequestContext& ctx, const std::string& id,
                                     const std::string& key) {
  BS_RETURN_IF_ERROR(impl_->RequireAdmin(ctx, "unsetting QoS keys"));
  BS_RETURN_IF_ERROR(internal::CheckId("QoS spec", id));
  BS_RETURN_IF_ERROR(internal::CheckText("QoS key", key));
  return impl_->store.UnsetQosKey(id, key);
}

Status Api::AssociateQosSpec(const RequestContext& ctx, const std::string& qos_id,
                             const std::string& type_id) {
  BS_RETURN_IF_ERROR(impl_->RequireAdmin(ctx, "associating a QoS spec"));
  BS_RETURN_IF_ERROR(internal::CheckId("QoS spec", qos_id));
  BS_RETURN_IF_ERROR(internal::CheckId("volume type", type_id));
  return impl_->store.AssociateQos(qos_id, type_id);
}

Status Api::DisassociateQosSpec(const RequestContext& ctx, const std::string& qos_id,
                                const std::string& type_id) {
  BS_RETURN_IF_ERROR(impl_->RequireAdmin(ctx, "disassociating a QoS spec"));
  BS_RETURN_IF_ERROR(internal::CheckId("QoS spec", qos_id));
  BS_RETURN_IF_ERROR(internal::CheckId("volume type", type_id));
  return impl_->store.DisassociateQos(qos_id, type_id);
}

}  // namespace blockstore
