// C ABI: user messages.
#include "capi/capi_internal.hpp"
#include "lib/core/macros.hpp"
#include "lib/json/json_reader.hpp"

using namespace blockstore;
namespace json = blockstore::internal::json;

extern "C" {

int bs_message_list(char** out, bs_engine* e, const bs_context* c, const char* query_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    std::optional<int64_t> limit;
    std::string marker;
    bool all = false;
    if (query_json) {
      BS_ASSIGN_OR_RETURN(json::value q, capi::JsonArg(query_json, "query_json"));
      internal::Reader in(q, "query_json");
      in.Int("limit", limit);
      in.String("marker", marker);
      in.Bool("all_projects", all);
      BS_RETURN_IF_ERROR(in.Finish());
    }
    BS_ASSIGN_OR_RETURN(auto list, e->engine->messages().List(c->ctx, limit, marker, all));
    return capi::Emit(out, capi::ToArray(list));
  });
}

int bs_message_get(char** out, bs_engine* e, const bs_context* c, const char* message_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(message_id, "message_id"));
    BS_ASSIGN_OR_RETURN(UserMessage m, e->engine->messages().Get(c->ctx, id));
    return capi::Emit(out, internal::ToJson(m));
  });
}

int bs_message_delete(bs_engine* e, const bs_context* c, const char* message_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedEngine(e));
    BS_RETURN_IF_ERROR(capi::NeedContext(c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(message_id, "message_id"));
    return e->engine->messages().Delete(c->ctx, id);
  });
}

}  // extern "C"
