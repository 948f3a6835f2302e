// C ABI: backups.
#include "capi/capi_internal.hpp"
#include "lib/core/macros.hpp"

using namespace blockstore;
namespace json = blockstore::internal::json;
using capi::ParseStatuses;
using capi::Timeout;
using capi::ToArray;

namespace {

json::object RestoreToJson(const BackupRestoreResult& r) {
  return {{"backup_id", r.backup_id}, {"volume_id", r.volume_id}, {"volume_name", r.volume_name}};
}

}  // namespace

extern "C" {

int bs_backup_create(char** out, bs_engine* e, const bs_context* c, const char* request_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(request_json, "request_json"));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "backup create request"));
    BS_ASSIGN_OR_RETURN(BackupCreateRequest r, internal::BackupCreateRequestFromJson(v));
    BS_ASSIGN_OR_RETURN(Backup b, e->engine->backups().Create(c->ctx, r));
    return capi::Emit(out, internal::ToJson(b));
  });
}

int bs_backup_get(char** out, bs_engine* e, const bs_context* c, const char* backup_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(backup_id, "backup_id"));
    BS_ASSIGN_OR_RETURN(Backup b, e->engine->backups().Get(c->ctx, id));
    return capi::Emit(out, internal::ToJson(b));
  });
}

int bs_backup_list(char** out, bs_engine* e, const bs_context* c, const char* query_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(json::value v, capi::JsonArg(query_json, "query_json"));
    BS_ASSIGN_OR_RETURN(ListQuery q, internal::ListQueryFromJson(v));
    BS_ASSIGN_OR_RETURN(auto backups, e->engine->backups().List(c->ctx, q));
    return capi::Emit(out, ToArray(backups));
  });
}

int bs_backup_update(char** out, bs_engine* e, const bs_context* c, const char* backup_id,
                     const char* update_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(backup_id, "backup_id"));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(update_json, "update_json"));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "backup update"));
    BS_ASSIGN_OR_RETURN(BackupUpdate u, internal::BackupUpdateFromJson(v));
    BS_ASSIGN_OR_RETURN(Backup b, e->engine->backups().Update(c->ctx, id, u));
    return capi::Emit(out, internal::ToJson(b));
  });
}

int bs_backup_delete(char** out, bs_engine* e, const bs_context* c, const char* backup_id,
                     int force) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(backup_id, "backup_id"));
    BS_ASSIGN_OR_RETURN(Backup b, e->engine->backups().Delete(c->ctx, id, force != 0));
    return capi::Emit(out, internal::ToJson(b));
  });
}

int bs_backup_restore(char** out, bs_engine* e, const bs_context* c, const char* backup_id,
                      const char* request_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(backup_id, "backup_id"));
    BS_ASSIGN_OR_RETURN(json::value v, capi::JsonArg(request_json, "request_json"));
    BS_ASSIGN_OR_RETURN(BackupRestoreRequest r, internal::BackupRestoreRequestFromJson(v));
    BS_ASSIGN_OR_RETURN(BackupRestoreResult res, e->engine->backups().Restore(c->ctx, id, r));
    return capi::Emit(out, RestoreToJson(res));
  });
}

int bs_backup_reset_status(char** out, bs_engine* e, const bs_context* c, const char* backup_id,
                           const char* status) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(backup_id, "backup_id"));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(status, "status"));
    auto parsed = ParseBackupStatus(text);
    if (!parsed) return InvalidArgument("'" + text + "' is not a backup status");
    BS_ASSIGN_OR_RETURN(Backup b, e->engine->backups().ResetStatus(c->ctx, id, *parsed));
    return capi::Emit(out, internal::ToJson(b));
  });
}

int bs_backup_export_record(char** out, bs_engine* e, const bs_context* c, const char* backup_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(backup_id, "backup_id"));
    BS_ASSIGN_OR_RETURN(BackupRecord r, e->engine->backups().ExportRecord(c->ctx, id));
    return capi::Emit(out, json::object{{"backup_service", r.backup_service},
                                        {"backup_url", r.backup_url}});
  });
}

int bs_backup_import_record(char** out, bs_engine* e, const bs_context* c,
                            const char* record_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(record_json, "record_json"));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "backup record"));
    BS_ASSIGN_OR_RETURN(auto fields, internal::MetadataFromJson(v, "backup record"));
    for (const auto& [k, val] : fields) {
      if (k != "backup_service" && k != "backup_url") {
        return InvalidArgument("backup record: unknown field '" + k + "'");
      }
    }
    BackupRecord r{fields["backup_service"], fields["backup_url"]};
    BS_ASSIGN_OR_RETURN(Backup b, e->engine->backups().ImportRecord(c->ctx, r));
    return capi::Emit(out, internal::ToJson(b));
  });
}

int bs_backup_verify(bs_engine* e, const bs_context* c, const char* backup_id,
                     int64_t timeout_ms) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedEngine(e));
    BS_RETURN_IF_ERROR(capi::NeedContext(c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(backup_id, "backup_id"));
    return e->engine->backups().Verify(c->ctx, id, Timeout(timeout_ms));
  });
}

int bs_backup_wait(char** out, bs_engine* e, const bs_context* c, const char* backup_id,
                   const char* statuses, int64_t timeout_ms) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(backup_id, "backup_id"));
    BS_ASSIGN_OR_RETURN(auto want, ParseStatuses<BackupStatus>(statuses, ParseBackupStatus, "backup"));
    BS_ASSIGN_OR_RETURN(Backup b, e->engine->WaitForBackup(c->ctx, id, want, Timeout(timeout_ms)));
    return capi::Emit(out, internal::ToJson(b));
  });
}

int bs_backup_wait_deleted(bs_engine* e, const bs_context* c, const char* backup_id,
                           int64_t timeout_ms) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedEngine(e));
    BS_RETURN_IF_ERROR(capi::NeedContext(c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(backup_id, "backup_id"));
    return e->engine->WaitForBackupDeleted(c->ctx, id, Timeout(timeout_ms));
  });
}

}  // extern "C"
