// C ABI: volume types, QoS specs and quotas.
#include "capi/capi_internal.hpp"
#include "lib/core/macros.hpp"

using namespace blockstore;
namespace json = blockstore::internal::json;

using capi::ToArray;

namespace {

Result<Metadata> SpecsArg(const char* text, const char* name) {
  BS_ASSIGN_OR_RETURN(std::string s, capi::Arg(text, name));
  BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(s, name));
  return internal::MetadataFromJson(v, name);
}

Status NeedCall(const bs_engine* e, const bs_context* c) {
  BS_RETURN_IF_ERROR(capi::NeedEngine(e));
  return capi::NeedContext(c);
}

}  // namespace

extern "C" {

int bs_type_create(char** out, bs_engine* e, const bs_context* c, const char* request_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(request_json, "request_json"));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "volume type create request"));
    BS_ASSIGN_OR_RETURN(VolumeTypeCreateRequest r, internal::VolumeTypeCreateRequestFromJson(v));
    BS_ASSIGN_OR_RETURN(VolumeType t, e->engine->types().Create(c->ctx, r));
    return capi::Emit(out, internal::ToJson(t));
  });
}

int bs_type_get(char** out, bs_engine* e, const bs_context* c, const char* id_or_name) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(id_or_name, "id_or_name"));
    BS_ASSIGN_OR_RETURN(VolumeType t, e->engine->types().Get(c->ctx, id));
    return capi::Emit(out, internal::ToJson(t));
  });
}

int bs_type_get_default(char** out, bs_engine* e, const bs_context* c) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(VolumeType t, e->engine->types().GetDefault(c->ctx));
    return capi::Emit(out, internal::ToJson(t));
  });
}

int bs_type_list(char** out, bs_engine* e, const bs_context* c) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(auto types, e->engine->types().List(c->ctx));
    return capi::Emit(out, ToArray(types));
  });
}

int bs_type_update(char** out, bs_engine* e, const bs_context* c, const char* type_id,
                   const char* update_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(type_id, "type_id"));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(update_json, "update_json"));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "volume type update"));
    BS_ASSIGN_OR_RETURN(VolumeTypeUpdate u, internal::VolumeTypeUpdateFromJson(v));
    BS_ASSIGN_OR_RETURN(VolumeType t, e->engine->types().Update(c->ctx, id, u));
    return capi::Emit(out, internal::ToJson(t));
  });
}

int bs_type_delete(bs_engine* e, const bs_context* c, const char* type_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(NeedCall(e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(type_id, "type_id"));
    return e->engine->types().Delete(c->ctx, id);
  });
}

int bs_type_set_extra_specs(char** out, bs_engine* e, const bs_context* c, const char* type_id,
                            const char* specs_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(type_id, "type_id"));
    BS_ASSIGN_OR_RETURN(Metadata specs, SpecsArg(specs_json, "specs_json"));
    BS_ASSIGN_OR_RETURN(VolumeType t, e->engine->types().SetExtraSpecs(c->ctx, id, specs));
    return capi::Emit(out, internal::ToJson(t));
  });
}

int bs_type_unset_extra_spec(char** out, bs_engine* e, const bs_context* c, const char* type_id,
                             const char* key) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(type_id, "type_id"));
    BS_ASSIGN_OR_RETURN(std::string k, capi::Arg(key, "key"));
    BS_ASSIGN_OR_RETURN(VolumeType t, e->engine->types().UnsetExtraSpec(c->ctx, id, k));
    return capi::Emit(out, internal::ToJson(t));
  });
}

int bs_type_access_add(bs_engine* e, const bs_context* c, const char* type_id,
                       const char* project_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(NeedCall(e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(type_id, "type_id"));
    BS_ASSIGN_OR_RETURN(std::string project, capi::Arg(project_id, "project_id"));
    return e->engine->types().AddAccess(c->ctx, id, project);
  });
}

int bs_type_access_remove(bs_engine* e, const bs_context* c, const char* type_id,
                          const char* project_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(NeedCall(e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(type_id, "type_id"));
    BS_ASSIGN_OR_RETURN(std::string project, capi::Arg(project_id, "project_id"));
    return e->engine->types().RemoveAccess(c->ctx, id, project);
  });
}

int bs_type_access_list(char** out, bs_engine* e, const bs_context* c, const char* type_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(type_id, "type_id"));
    BS_ASSIGN_OR_RETURN(auto projects, e->engine->types().ListAccess(c->ctx, id));
    json::array a;
    for (const auto& p : projects) a.push_back(json::value(p));
    return capi::Emit(out, a);
  });
}

int bs_qos_create(char** out, bs_engine* e, const bs_context* c, const char* request_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(request_json, "request_json"));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "QoS spec create request"));
    BS_ASSIGN_OR_RETURN(QosSpecCreateRequest r, internal::QosSpecCreateRequestFromJson(v));
    BS_ASSIGN_OR_RETURN(QosSpec q, e->engine->qos().Create(c->ctx, r));
    return capi::Emit(out, internal::ToJson(q));
  });
}

int bs_qos_get(char** out, bs_engine* e, const bs_context* c, const char* qos_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(qos_id, "qos_id"));
    BS_ASSIGN_OR_RETURN(QosSpec q, e->engine->qos().Get(c->ctx, id));
    return capi::Emit(out, internal::ToJson(q));
  });
}

int bs_qos_list(char** out, bs_engine* e, const bs_context* c) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(auto specs, e->engine->qos().List(c->ctx));
    return capi::Emit(out, ToArray(specs));
  });
}

int bs_qos_delete(bs_engine* e, const bs_context* c, const char* qos_id, int force) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(NeedCall(e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(qos_id, "qos_id"));
    return e->engine->qos().Delete(c->ctx, id, force != 0);
  });
}

int bs_qos_set_keys(char** out, bs_engine* e, const bs_context* c, const char* qos_id,
                    const char* specs_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(qos_id, "qos_id"));
    BS_ASSIGN_OR_RETURN(Metadata specs, SpecsArg(specs_json, "specs_json"));
    BS_ASSIGN_OR_RETURN(QosSpec q, e->engine->qos().SetKeys(c->ctx, id, specs));
    return capi::Emit(out, internal::ToJson(q));
  });
}

int bs_qos_unset_key(char** out, bs_engine* e, const bs_context* c, const char* qos_id,
                     const char* key) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(qos_id, "qos_id"));
    BS_ASSIGN_OR_RETURN(std::string k, capi::Arg(key, "key"));
    BS_ASSIGN_OR_RETURN(QosSpec q, e->engine->qos().UnsetKey(c->ctx, id, k));
    return capi::Emit(out, internal::ToJson(q));
  });
}

int bs_qos_associate(bs_engine* e, const bs_context* c, const char* qos_id, const char* type_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(NeedCall(e, c));
    BS_ASSIGN_OR_RETURN(std::string q, capi::Arg(qos_id, "qos_id"));
    BS_ASSIGN_OR_RETURN(std::string t, capi::Arg(type_id, "type_id"));
    return e->engine->qos().Associate(c->ctx, q, t);
  });
}

int bs_qos_disassociate(bs_engine* e, const bs_context* c, const char* qos_id,
                        const char* type_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(NeedCall(e, c));
    BS_ASSIGN_OR_RETURN(std::string q, capi::Arg(qos_id, "qos_id"));
    BS_ASSIGN_OR_RETURN(std::string t, capi::Arg(type_id, "type_id"));
    return e->engine->qos().Disassociate(c->ctx, q, t);
  });
}

int bs_quota_get(char** out, bs_engine* e, const bs_context* c, const char* project_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string p, capi::Arg(project_id, "project_id"));
    BS_ASSIGN_OR_RETURN(QuotaSet q, e->engine->quotas().Get(c->ctx, p));
    return capi::Emit(out, internal::ToJson(q));
  });
}

int bs_quota_defaults(char** out, bs_engine* e) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedOut(out));
    *out = nullptr;
    BS_RETURN_IF_ERROR(capi::NeedEngine(e));
    return capi::Emit(out, internal::ToJson(e->engine->quotas().GetDefaults()));
  });
}

int bs_quota_update(char** out, bs_engine* e, const bs_context* c, const char* project_id,
                    const char* limits_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string p, capi::Arg(project_id, "project_id"));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(limits_json, "limits_json"));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "quota limits"));
    const auto* o = v.if_object();
    if (!o) return InvalidArgument("quota limits must be a JSON object");
    std::map<std::string, int64_t> limits;
    for (const auto& kv : *o) {
      if (!kv.value().is_int64()) {
        return InvalidArgument("quota limit '" + std::string(kv.key()) + "' must be an integer");
      }
      limits[std::string(kv.key())] = kv.value().get_int64();
    }
    BS_ASSIGN_OR_RETURN(QuotaSet q, e->engine->quotas().Update(c->ctx, p, limits));
    return capi::Emit(out, internal::ToJson(q));
  });
}

int bs_quota_reset(bs_engine* e, const bs_context* c, const char* project_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(NeedCall(e, c));
    BS_ASSIGN_OR_RETURN(std::string p, capi::Arg(project_id, "project_id"));
    return e->engine->quotas().Reset(c->ctx, p);
  });
}

}  // extern "C"
