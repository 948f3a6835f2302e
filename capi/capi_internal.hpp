// Internal to the C ABI: handle definitions and the one helper every extern "C" body uses.
#ifndef BLOCKSTORE_CAPI_CAPI_INTERNAL_HPP
#define BLOCKSTORE_CAPI_CAPI_INTERNAL_HPP

#include <memory>
#include <string>

#include "blockstore/c.h"
#include "blockstore/context.hpp"
#include "blockstore/engine.hpp"
#include "lib/core/json_codec.hpp"

struct bs_engine {
  std::unique_ptr<blockstore::Engine> engine;
};

struct bs_context {
  blockstore::RequestContext ctx;
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
// The "scheduler" object of the engine configuration.
Status SchedulerOptionsFromJson(const internal::json::value& v, SchedulerOptions& out);

}  // namespace blockstore::capi

#endif  // BLOCKSTORE_CAPI_CAPI_INTERNAL_HPP
