// C ABI: errors, memory, version, request contexts.
#include <cstdlib>
#include <cstring>

#include "capi/capi_internal.hpp"

namespace blockstore::capi {
namespace {

struct LastError {
  int code = 0;
  std::string message;
};
thread_local LastError tls_error;

}  // namespace

int SetError(const Status& s) {
  tls_error.code = -static_cast<int>(s.code());
  tls_error.message = s.message();
  return tls_error.code;
}

Status StatusFromCode(int rc, std::string message, const std::string& what) {
  if (rc == 0) return Status::Ok();
  const int code = -rc;
  if (code < static_cast<int>(Code::kInvalidArgument) || code > static_cast<int>(Code::kPermissionDenied)) {
    return Internal(what + " returned " + std::to_string(rc) + ", not a BS_E* code");
  }
  if (message.empty()) message = what + " failed";
  return Status(static_cast<Code>(code), std::move(message));
}

char* Dup(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (!p) throw std::bad_alloc();
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

Status Emit(char** out, const internal::json::value& v) {
  *out = Dup(internal::json::serialize(v));
  return Status::Ok();
}

Status NeedOut(const void* out) {
  return out ? Status::Ok() : InvalidArgument("the out-parameter must not be NULL");
}
Status NeedEngine(const bs_engine* e) {
  return e && e->engine ? Status::Ok() : InvalidArgument("engine must not be NULL");
}
Status NeedContext(const bs_context* c) {
  return c ? Status::Ok() : InvalidArgument("context must not be NULL");
}

Status Begin(char** out, const bs_engine* e, const bs_context* c) {
  if (Status s = NeedOut(out); !s.ok()) return s;
  *out = nullptr;
  if (Status s = NeedEngine(e); !s.ok()) return s;
  return NeedContext(c);
}

Result<std::string> Arg(const char* s, const char* name) {
  if (!s) return InvalidArgument(std::string(name) + " must not be NULL");
  return std::string(s);
}

Result<internal::json::value> JsonArg(const char* s, const char* name) {
  if (!s) return internal::json::value(internal::json::object());
  return internal::ParseJson(s, name);
}

}  // namespace blockstore::capi

using namespace blockstore;

extern "C" {

const char* bs_version(void) { return "0.1.0"; }
const char* bs_last_error(void) { return capi::tls_error.message.c_str(); }
int bs_last_error_code(void) { return capi::tls_error.code; }

const char* bs_error_name(int code) {
  if (code > 0 || code < -static_cast<int>(Code::kPermissionDenied)) return "unknown";
  return CodeName(static_cast<Code>(-code)).data();
}

void bs_free(void* p) { std::free(p); }

int bs_context_new(bs_context** out, const char* project_id, const char* user_id, int is_admin) {
  return capi::Guard([&]() -> Status {
    if (Status s = capi::NeedOut(out); !s.ok()) return s;
    *out = nullptr;
    if (!project_id || !*project_id) return InvalidArgument("project_id must not be empty");
    auto c = std::make_unique<bs_context>();
    c->ctx.project_id = project_id;
    c->ctx.user_id = user_id ? user_id : "";
    c->ctx.roles = {is_admin ? "admin" : "member"};
    *out = c.release();
    return Status::Ok();
  });
}

void bs_context_free(bs_context* context) { delete context; }

int bs_context_set_idempotency_key(bs_context* context, const char* key) {
  return capi::Guard([&]() -> Status {
    if (Status s = capi::NeedContext(context); !s.ok()) return s;
    context->ctx.idempotency_key = key ? key : "";
    return Status::Ok();
  });
}

}  // extern "C"
