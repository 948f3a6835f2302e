// C ABI: volume transfers.
#include "capi/capi_internal.hpp"
#include "lib/core/macros.hpp"
#include "lib/json/json_reader.hpp"

using namespace blockstore;
namespace json = blockstore::internal::json;

extern "C" {

int bs_transfer_create(char** out, bs_engine* e, const bs_context* c, const char* request_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(json::value r, capi::JsonArg(request_json, "request_json"));
    internal::Reader in(r, "request_json");
    std::string volume_id, name;
    bool no_snapshots = false;
    in.String("volume_id", volume_id);
    in.String("name", name);
    in.Bool("no_snapshots", no_snapshots);
    BS_RETURN_IF_ERROR(in.Finish());
    if (volume_id.empty()) return InvalidArgument("request_json: volume_id is required");
    BS_ASSIGN_OR_RETURN(TransferCreated made, e->engine->transfers().Create(c->ctx, volume_id, name, no_snapshots));
    json::object o = internal::ToJson(made.transfer);
    o["auth_key"] = made.auth_key;
    return capi::Emit(out, o);
  });
}

int bs_transfer_accept(char** out, bs_engine* e, const bs_context* c, const char* transfer_id,
                       const char* auth_key) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(transfer_id, "transfer_id"));
    BS_ASSIGN_OR_RETURN(std::string key, capi::Arg(auth_key, "auth_key"));
    BS_ASSIGN_OR_RETURN(VolumeTransfer t, e->engine->transfers().Accept(c->ctx, id, key));
    return capi::Emit(out, internal::ToJson(t));
  });
}

int bs_transfer_get(char** out, bs_engine* e, const bs_context* c, const char* transfer_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(transfer_id, "transfer_id"));
    BS_ASSIGN_OR_RETURN(VolumeTransfer t, e->engine->transfers().Get(c->ctx, id));
    return capi::Emit(out, internal::ToJson(t));
  });
}

int bs_transfer_list(char** out, bs_engine* e, const bs_context* c, int all_projects) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(auto list, e->engine->transfers().List(c->ctx, all_projects != 0));
    return capi::Emit(out, capi::ToArray(list));
  });
}

int bs_transfer_delete(bs_engine* e, const bs_context* c, const char* transfer_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedEngine(e));
    BS_RETURN_IF_ERROR(capi::NeedContext(c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(transfer_id, "transfer_id"));
    return e->engine->transfers().Delete(c->ctx, id);
  });
}

}  // extern "C"
