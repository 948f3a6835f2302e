// C ABI: the REST handler.
#include "blockstore/rest.hpp"
#include "capi/capi_internal.hpp"
#include "lib/core/macros.hpp"

using namespace blockstore;
namespace json = blockstore::internal::json;

struct bs_rest {
  std::unique_ptr<RestHandler> handler;
};

namespace {

Result<RestOptions> OptionsFrom(const json::value& v) {
  const auto* o = v.if_object();
  if (!o) return InvalidArgument("options_json must be an object");
  RestOptions r;
  for (const auto& kv : *o) {
    const std::string k(kv.key());
    const json::value& val = kv.value();
    if (k == "auth_strategy" && val.is_string()) {
      r.auth_strategy = std::string(val.get_string());
      BS_RETURN_IF_ERROR(CheckAuthStrategy(r.auth_strategy));
    } else if (k == "public_url" && val.is_string()) {
      r.public_url = std::string(val.get_string());
    } else if (k == "max_body_bytes" && val.is_int64() && val.get_int64() > 0) {
      r.max_body_bytes = static_cast<std::size_t>(val.get_int64());
    } else if (k == "tokens" && val.is_object()) {
      for (const auto& t : val.get_object()) {
        const auto* who = t.value().if_object();
        if (!who) return InvalidArgument("tokens: each token maps to an object");
        RestIdentity id;
        const auto* user = who->if_contains("user_id");
        const auto* project = who->if_contains("project_id");
        if (!user || !user->is_string() || !project || !project->is_string()) {
          return InvalidArgument("tokens: each needs user_id and project_id strings");
        }
        id.user_id = std::string(user->get_string());
        id.project_id = std::string(project->get_string());
        if (const auto* roles = who->if_contains("roles")) {
          if (!roles->is_array()) return InvalidArgument("tokens: roles must be a list of strings");
          for (const auto& role : roles->get_array()) {
            if (!role.is_string()) return InvalidArgument("tokens: roles must be a list of strings");
            id.roles.emplace_back(role.get_string());
          }
        }
        if (id.roles.empty()) id.roles.push_back("member");
        r.tokens[std::string(t.key())] = std::move(id);
      }
    } else {
      return InvalidArgument("options_json: '" + k + "' is unknown or of the wrong type");
    }
  }
  if (r.auth_strategy == "tokens" && r.tokens.empty()) {
    return InvalidArgument("auth_strategy tokens needs tokens");
  }
  return r;
}

}  // namespace

extern "C" {

int bs_rest_new(bs_rest** out, bs_engine* e, const char* options_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedOut(out));
    *out = nullptr;
    BS_RETURN_IF_ERROR(capi::NeedEngine(e));
    BS_ASSIGN_OR_RETURN(json::value v, capi::JsonArg(options_json, "options_json"));
    BS_ASSIGN_OR_RETURN(RestOptions o, OptionsFrom(v));
    *out = new bs_rest{std::make_unique<RestHandler>(*e->engine, std::move(o))};
    return Status::Ok();
  });
}

int bs_rest_handle(bs_rest* rest, const char* method, const char* target,
                   const char* headers_json, const char* body, size_t body_len, int* status,
                   char** headers_out, char** body_out) {
  return capi::Guard([&]() -> Status {
    if (!rest) return InvalidArgument("rest is NULL");
    if (!status || !headers_out || !body_out) return InvalidArgument("the out-parameters must not be NULL");
    *headers_out = nullptr;
    *body_out = nullptr;
    RestRequest r;
    BS_ASSIGN_OR_RETURN(r.method, capi::Arg(method, "method"));
    BS_ASSIGN_OR_RETURN(r.target, capi::Arg(target, "target"));
    BS_ASSIGN_OR_RETURN(json::value h, capi::JsonArg(headers_json, "headers_json"));
    const auto* ho = h.if_object();
    if (!ho) return InvalidArgument("headers_json must be an object of strings");
    for (const auto& kv : *ho) {
      if (!kv.value().is_string()) return InvalidArgument("headers_json must be an object of strings");
      r.headers[std::string(kv.key())] = std::string(kv.value().get_string());
    }
    if (body) r.body.assign(body, body_len);
    RestResponse res = rest->handler->Handle(r);
    json::object headers;
    for (const auto& [k, v] : res.headers) headers[k] = v;
    *status = res.status;
    *headers_out = capi::Dup(json::serialize(headers));
    *body_out = capi::Dup(res.body);
    return Status::Ok();
  });
}

void bs_rest_free(bs_rest* rest) { delete rest; }

}  // extern "C"
