// QosService: QoS specs and their associations with volume types.
#include "blockstore/qos_service.hpp"

#include "lib/api/service_core.hpp"
#include "lib/api/validation.hpp"
#include "lib/core/ids.hpp"
#include "lib/core/macros.hpp"

namespace blockstore {

QosService::QosService(internal::ServiceCore& core) : core_(core) {}

Result<QosSpec> QosService::Create(const RequestContext& ctx, const QosSpecCreateRequest& r) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "creating a QoS spec"));
  if (r.name.empty()) return InvalidArgument("a QoS spec needs a name");
  BS_RETURN_IF_ERROR(internal::CheckText("QoS spec name", r.name));
  if (r.consumer != "back-end" && r.consumer != "front-end" && r.consumer != "both") {
    return InvalidArgument("consumer must be back-end, front-end or both");
  }
  BS_RETURN_IF_ERROR(internal::CheckSpecs("specs", r.specs));
  QosSpec q;
  q.id = internal::NewUuid();
  q.name = r.name;
  q.consumer = r.consumer;
  q.specs = r.specs;
  q.created_at = d.env().Now();
  return d.store().qos_specs().Create(q);
}

Result<QosSpec> QosService::Get(const RequestContext& ctx, const std::string& id) {
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "reading QoS specs"));
  BS_RETURN_IF_ERROR(internal::CheckId("QoS spec", id));
  return core_.store().qos_specs().Get(id);
}

Result<std::vector<QosSpec>> QosService::List(const RequestContext& ctx) {
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "listing QoS specs"));
  return core_.store().qos_specs().List();
}

Status QosService::Delete(const RequestContext& ctx, const std::string& id, bool force) {
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "deleting a QoS spec"));
  BS_RETURN_IF_ERROR(internal::CheckId("QoS spec", id));
  return core_.store().qos_specs().Delete(id, force);
}

Result<QosSpec> QosService::SetKeys(const RequestContext& ctx, const std::string& id,
                                    const Metadata& specs) {
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "setting QoS keys"));
  BS_RETURN_IF_ERROR(internal::CheckId("QoS spec", id));
  if (specs.empty()) return InvalidArgument("no QoS keys given");
  BS_RETURN_IF_ERROR(internal::CheckSpecs("specs", specs));
  return core_.store().qos_specs().SetKeys(id, specs);
}

Result<QosSpec> QosService::UnsetKey(const RequestContext& ctx, const std::string& id,
                                     const std::string& key) {
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "unsetting QoS keys"));
  BS_RETURN_IF_ERROR(internal::CheckId("QoS spec", id));
  BS_RETURN_IF_ERROR(internal::CheckText("QoS key", key));
  return core_.store().qos_specs().UnsetKey(id, key);
}

Status QosService::Associate(const RequestContext& ctx, const std::string& qos_id,
                             const std::string& type_id) {
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "associating a QoS spec"));
  BS_RETURN_IF_ERROR(internal::CheckId("QoS spec", qos_id));
  BS_RETURN_IF_ERROR(internal::CheckId("volume type", type_id));
  return core_.store().qos_specs().Associate(qos_id, type_id);
}

Status QosService::Disassociate(const RequestContext& ctx, const std::string& qos_id,
                                const std::string& type_id) {
  BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "disassociating a QoS spec"));
  BS_RETURN_IF_ERROR(internal::CheckId("QoS spec", qos_id));
  BS_RETURN_IF_ERROR(internal::CheckId("volume type", type_id));
  return core_.store().qos_specs().Disassociate(qos_id, type_id);
}

}  // namespace blockstore
