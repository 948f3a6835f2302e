// Internal to the C ABI: handle definitions and the one helper every extern "C" body uses.
#ifndef BLOCKSTORE_CAPI_CAPI_INTERNAL_HPP
#define BLOCKSTORE_CAPI_CAPI_INTERNAL_HPP

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "blockstore/c.h"
#include "blockstore/context.hpp"
#include "blockstore/engine.hpp"
#include "lib/attach/attach_codec.hpp"
#include "lib/json/json_codec.hpp"

struct bs_engine {
  std::unique_ptr<blockstore::Engine> engine;
};

struct bs_context {
  blockstore::RequestContext ctx;
};

struct bs_driver_registry {
  std::vector<std::pair<std::string, bs_volume_driver>> drivers;
};

struct bs_scheduler_registry {
  std::shared_ptr<blockstore::SchedulerRegistry> registry =
      std::make_shared<blockstore::SchedulerRegistry>();
};

namespace blockstore::capi {

// Records `s` as the thread's last error and returns its C code (0 for OK).
int SetError(const Status& s);
// Runs `body` (which returns a Status), turning exceptions into BS_EINTERNAL.
template <typename F>
int Guard(F&& body) noexcept {
  try {
    return SetError(body());
  } catch (const std::bad_alloc&) {
    return SetError(Internal("out of memory"));
  } catch (const std::exception& e) {
    return SetError(Internal(std::string("unexpected failure: ") + e.what()));
  } catch (...) {
    return SetError(Internal("unexpected failure"));
  }
}

// The engine's view of a transport the host wrote in C (bs_transport).
Result<std::shared_ptr<Transport>> WrapHostTransport(const bs_transport* table);

// What a host's function answered: OK for 0; its BS_E* code with `message` (else "<what>
// failed"); internal for a number that is no BS_E* code.
Status StatusFromCode(int rc, std::string message, const std::string& what);

// A malloc'd copy of `s` for the caller to bs_free.
char* Dup(const std::string& s);
// Writes JSON text into *out (which must not be NULL).
Status Emit(char** out, const internal::json::value& v);
Status NeedOut(const void* out);
Status NeedEngine(const bs_engine* e);
Status NeedContext(const bs_context* c);
// The three checks most calls start with; clears *out so a failure never leaves garbage.
Status Begin(char** out, const bs_engine* e, const bs_context* c);
// A C string argument: NULL is invalid_argument naming the parameter.
Result<std::string> Arg(const char* s, const char* name);
// Optional JSON text: NULL means an empty object.
Result<internal::json::value> JsonArg(const char* s, const char* name);
// A pool as bs_engine_pools shows it.
internal::json::object PoolToJson(const PoolState& p);

// "available,error" → the statuses, each parsed with `parse`.
template <typename E, typename Parse>
Result<std::vector<E>> ParseStatuses(const char* csv, Parse parse, const char* kind) {
  auto text = Arg(csv, "statuses");
  if (!text.ok()) return text.status();
  std::vector<E> out;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    auto s = parse(item);
    if (!s) return InvalidArgument("'" + std::string(item) + "' is not a " + kind + " status");
    out.push_back(*s);
  }
  if (out.empty()) return InvalidArgument("statuses must name at least one status");
  return out;
}

template <typename T>
internal::json::array ToArray(const std::vector<T>& items) {
  internal::json::array a;
  for (const auto& i : items) a.push_back(internal::ToJson(i));
  return a;
}

inline std::chrono::milliseconds Timeout(int64_t ms) {
  return std::chrono::milliseconds(ms < 0 ? 0 : ms);
}

}  // namespace blockstore::capi

#endif  // BLOCKSTORE_CAPI_CAPI_INTERNAL_HPP
