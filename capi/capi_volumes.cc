// C ABI: volumes and snapshots.
#include <chrono>

#include "capi/capi_internal.hpp"
#include "lib/core/macros.hpp"

using namespace blockstore;
namespace json = blockstore::internal::json;

using capi::ParseStatuses;
using capi::Timeout;
using capi::ToArray;

extern "C" {

int bs_volume_create(char** out, bs_engine* e, const bs_context* c, const char* request_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(request_json, "request_json"));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "volume create request"));
    BS_ASSIGN_OR_RETURN(VolumeCreateRequest r, internal::VolumeCreateRequestFromJson(v));
    BS_ASSIGN_OR_RETURN(Volume vol, e->engine->volumes().Create(c->ctx, r));
    return capi::Emit(out, internal::ToJson(vol));
  });
}

int bs_volume_get(char** out, bs_engine* e, const bs_context* c, const char* volume_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    BS_ASSIGN_OR_RETURN(Volume vol, e->engine->volumes().Get(c->ctx, id));
    return capi::Emit(out, internal::ToJson(vol));
  });
}

int bs_volume_list(char** out, bs_engine* e, const bs_context* c, const char* query_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(json::value v, capi::JsonArg(query_json, "query_json"));
    BS_ASSIGN_OR_RETURN(ListQuery q, internal::ListQueryFromJson(v));
    BS_ASSIGN_OR_RETURN(auto vols, e->engine->volumes().List(c->ctx, q));
    return capi::Emit(out, ToArray(vols));
  });
}

int bs_volume_update(char** out, bs_engine* e, const bs_context* c, const char* volume_id,
                     const char* update_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(update_json, "update_json"));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "volume update"));
    BS_ASSIGN_OR_RETURN(VolumeUpdate u, internal::VolumeUpdateFromJson(v));
    BS_ASSIGN_OR_RETURN(Volume vol, e->engine->volumes().Update(c->ctx, id, u));
    return capi::Emit(out, internal::ToJson(vol));
  });
}

int bs_volume_delete(char** out, bs_engine* e, const bs_context* c, const char* volume_id,
                     int cascade, int force) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    BS_ASSIGN_OR_RETURN(Volume vol, e->engine->volumes().Delete(
                                        c->ctx, id, DeleteOptions{cascade != 0, force != 0}));
    return capi::Emit(out, internal::ToJson(vol));
  });
}

int bs_volume_extend(char** out, bs_engine* e, const bs_context* c, const char* volume_id,
                     int64_t new_size_gb) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    BS_ASSIGN_OR_RETURN(Volume vol, e->engine->volumes().Extend(c->ctx, id, new_size_gb));
    return capi::Emit(out, internal::ToJson(vol));
  });
}

int bs_volume_revert_to_snapshot(char** out, bs_engine* e, const bs_context* c, const char* volume_id,
                                 const char* snapshot_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    BS_ASSIGN_OR_RETURN(std::string snap, capi::Arg(snapshot_id, "snapshot_id"));
    BS_ASSIGN_OR_RETURN(Volume vol, e->engine->volumes().RevertToSnapshot(c->ctx, id, snap));
    return capi::Emit(out, internal::ToJson(vol));
  });
}

int bs_volume_migrate(char** out, bs_engine* e, const bs_context* c, const char* volume_id, const char* host,
                      int force_host_copy) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    BS_ASSIGN_OR_RETURN(std::string to, capi::Arg(host, "host"));
    BS_ASSIGN_OR_RETURN(Volume vol, e->engine->volumes().Migrate(c->ctx, id, to, force_host_copy != 0));
    return capi::Emit(out, internal::ToJson(vol));
  });
}

int bs_volume_retype(char** out, bs_engine* e, const bs_context* c, const char* volume_id, const char* new_type,
                     const char* migration_policy) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    BS_ASSIGN_OR_RETURN(std::string type, capi::Arg(new_type, "new_type"));
    const std::string policy = migration_policy ? migration_policy : "never";
    BS_ASSIGN_OR_RETURN(Volume vol, e->engine->volumes().Retype(c->ctx, id, type, policy));
    return capi::Emit(out, internal::ToJson(vol));
  });
}

int bs_volume_reset_status_v2(char** out, bs_engine* e, const bs_context* c, const char* volume_id,
                              const char* reset_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(reset_json, "reset_json"));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "status reset"));
    BS_ASSIGN_OR_RETURN(VolumeStatusReset reset, internal::VolumeStatusResetFromJson(v));
    BS_ASSIGN_OR_RETURN(Volume vol, e->engine->volumes().ResetStatus(c->ctx, id, reset));
    return capi::Emit(out, internal::ToJson(vol));
  });
}

int bs_volume_update_readonly(char** out, bs_engine* e, const bs_context* c,
                              const char* volume_id, int readonly) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    BS_ASSIGN_OR_RETURN(Volume vol, e->engine->volumes().SetReadonly(c->ctx, id, readonly != 0));
    return capi::Emit(out, internal::ToJson(vol));
  });
}

int bs_volume_reset_status(char** out, bs_engine* e, const bs_context* c, const char* volume_id,
                           const char* status) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(status, "status"));
    auto parsed = ParseVolumeStatus(text);
    if (!parsed) return InvalidArgument("'" + text + "' is not a volume status");
    BS_ASSIGN_OR_RETURN(Volume vol, e->engine->volumes().ResetStatus(c->ctx, id, *parsed));
    return capi::Emit(out, internal::ToJson(vol));
  });
}

int bs_volume_wait(char** out, bs_engine* e, const bs_context* c, const char* volume_id,
                   const char* statuses, int64_t timeout_ms) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    BS_ASSIGN_OR_RETURN(auto want, ParseStatuses<VolumeStatus>(statuses, ParseVolumeStatus, "volume"));
    BS_ASSIGN_OR_RETURN(Volume vol, e->engine->WaitForVolume(c->ctx, id, want, Timeout(timeout_ms)));
    return capi::Emit(out, internal::ToJson(vol));
  });
}

int bs_volume_wait_deleted(bs_engine* e, const bs_context* c, const char* volume_id,
                           int64_t timeout_ms) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedEngine(e));
    BS_RETURN_IF_ERROR(capi::NeedContext(c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    return e->engine->WaitForVolumeDeleted(c->ctx, id, Timeout(timeout_ms));
  });
}

int bs_snapshot_create(char** out, bs_engine* e, const bs_context* c, const char* request_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(request_json, "request_json"));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "snapshot create request"));
    BS_ASSIGN_OR_RETURN(SnapshotCreateRequest r, internal::SnapshotCreateRequestFromJson(v));
    BS_ASSIGN_OR_RETURN(Snapshot s, e->engine->snapshots().Create(c->ctx, r));
    return capi::Emit(out, internal::ToJson(s));
  });
}

int bs_snapshot_get(char** out, bs_engine* e, const bs_context* c, const char* snapshot_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(snapshot_id, "snapshot_id"));
    BS_ASSIGN_OR_RETURN(Snapshot s, e->engine->snapshots().Get(c->ctx, id));
    return capi::Emit(out, internal::ToJson(s));
  });
}

int bs_snapshot_list(char** out, bs_engine* e, const bs_context* c, const char* query_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(json::value v, capi::JsonArg(query_json, "query_json"));
    BS_ASSIGN_OR_RETURN(ListQuery q, internal::ListQueryFromJson(v));
    BS_ASSIGN_OR_RETURN(auto snaps, e->engine->snapshots().List(c->ctx, q));
    return capi::Emit(out, ToArray(snaps));
  });
}

int bs_snapshot_update(char** out, bs_engine* e, const bs_context* c, const char* snapshot_id,
                       const char* update_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(snapshot_id, "snapshot_id"));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(update_json, "update_json"));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "snapshot update"));
    BS_ASSIGN_OR_RETURN(SnapshotUpdate u, internal::SnapshotUpdateFromJson(v));
    BS_ASSIGN_OR_RETURN(Snapshot s, e->engine->snapshots().Update(c->ctx, id, u));
    return capi::Emit(out, internal::ToJson(s));
  });
}

int bs_snapshot_delete(char** out, bs_engine* e, const bs_context* c, const char* snapshot_id,
                       int force) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(snapshot_id, "snapshot_id"));
    BS_ASSIGN_OR_RETURN(Snapshot s, e->engine->snapshots().Delete(c->ctx, id, force != 0));
    return capi::Emit(out, internal::ToJson(s));
  });
}

int bs_snapshot_reset_status(char** out, bs_engine* e, const bs_context* c,
                             const char* snapshot_id, const char* status) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(snapshot_id, "snapshot_id"));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(status, "status"));
    auto parsed = ParseSnapshotStatus(text);
    if (!parsed) return InvalidArgument("'" + text + "' is not a snapshot status");
    BS_ASSIGN_OR_RETURN(Snapshot s, e->engine->snapshots().ResetStatus(c->ctx, id, *parsed));
    return capi::Emit(out, internal::ToJson(s));
  });
}

int bs_snapshot_wait(char** out, bs_engine* e, const bs_context* c, const char* snapshot_id,
                     const char* statuses, int64_t timeout_ms) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(snapshot_id, "snapshot_id"));
    BS_ASSIGN_OR_RETURN(auto want, ParseStatuses<SnapshotStatus>(statuses, ParseSnapshotStatus, "snapshot"));
    BS_ASSIGN_OR_RETURN(Snapshot s, e->engine->WaitForSnapshot(c->ctx, id, want, Timeout(timeout_ms)));
    return capi::Emit(out, internal::ToJson(s));
  });
}

int bs_snapshot_wait_deleted(bs_engine* e, const bs_context* c, const char* snapshot_id,
                             int64_t timeout_ms) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedEngine(e));
    BS_RETURN_IF_ERROR(capi::NeedContext(c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(snapshot_id, "snapshot_id"));
    return e->engine->WaitForSnapshotDeleted(c->ctx, id, Timeout(timeout_ms));
  });
}

}  // extern "C"
