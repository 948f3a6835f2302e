/* blockstore — the C ABI.
 *
 * Conventions:
 *  - Every function returns 0 on success or a negative BS_E* code, which mirrors the C++
 *    blockstore::Code (BS_ENOTFOUND == -(int)Code::kNotFound). The message of the last failure
 *    on the calling thread is bs_last_error(), never NULL ("" after a success).
 *  - Out-parameters come first; a callback's `payload` comes last.
 *  - Rich records cross as JSON text (the shapes are documented in docs/c-api.md). Every string
 *    the library hands out is released with bs_free(). Each handle has one _free function and
 *    _free(NULL) does nothing.
 *  - Option structs start with `version` and are initialised with their _INIT macro; fields are
 *    only ever appended.
 *
 * Thread-safety: handles may be shared between threads; every function may be called
 * concurrently. Event callbacks run on the engine's worker threads.
 */
#ifndef BLOCKSTORE_C_H
#define BLOCKSTORE_C_H

#include <stddef.h>
#include <stdint.h>

#include "blockstore/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BS_VERSION_MAJOR 0
#define BS_VERSION_MINOR 1
#define BS_VERSION_PATCH 0

/* Error codes. */
#define BS_OK 0
#define BS_EINVAL (-1)          /* invalid_argument */
#define BS_ENOTFOUND (-2)       /* not_found */
#define BS_EEXIST (-3)          /* already_exists */
#define BS_EPRECONDITION (-4)   /* failed_precondition: wrong status */
#define BS_EABORTED (-5)        /* aborted: lost a compare-and-set */
#define BS_EEXHAUSTED (-6)      /* resource_exhausted: quota or capacity */
#define BS_EUNAVAILABLE (-7)    /* unavailable: retry later */
#define BS_ETIMEDOUT (-8)       /* deadline_exceeded */
#define BS_ECANCELLED (-9)      /* cancelled */
#define BS_EDATALOSS (-10)      /* data_loss */
#define BS_EUNIMPLEMENTED (-11) /* unimplemented */
#define BS_EINTERNAL (-12)      /* internal */
#define BS_EPERM (-13)          /* permission_denied */

typedef struct bs_engine bs_engine;
typedef struct bs_context bs_context;
typedef struct bs_scheduler_registry bs_scheduler_registry;
typedef struct bs_driver_registry bs_driver_registry;

/* "0.1.0" */
BS_API const char* bs_version(void);
/* The message of the calling thread's last failure; "" if the last call succeeded. */
BS_API const char* bs_last_error(void);
/* The code of the calling thread's last failure, or BS_OK. */
BS_API int bs_last_error_code(void);
/* The lowercase name of a code: "not_found", … */
BS_API const char* bs_error_name(int code);
/* Releases memory the library handed out. bs_free(NULL) does nothing. */
BS_API void bs_free(void* p);

/* ---- engine ---- */

typedef struct bs_engine_options {
  uint32_t version;
  /* Directory for the database and the default file backend's volumes. Required. */
  const char* state_path;
  /* Optional JSON object with the rest of the configuration, by the engine's schema
   * (docs/configuration.md, bs_config_keys): {"host": "...", "volume_workers": 2,
   * "backends": [{"name": "...", "driver": "file", "options": {...}}],
   * "scheduler": {"filters": [...], "weighers": {"CapacityWeigher": 1.0}},
   * "backup": {"target": {"type": "posix", "root": "/srv/backups"}, "workers": 8}, ...}.
   * state_path is not repeated here. A wrong type, a value out of range or an unknown key is
   * BS_EINVAL naming the key. */
  const char* config_json;
  /* Version 2: filters and weighers the scheduler configuration may name, besides the
   * built-in ones. NULL for none. The engine keeps what it needs; the registry may be freed
   * after bs_engine_open returns. */
  const bs_scheduler_registry* scheduler_registry;
  /* Version 3: called as backups, restores and verifies progress, from job threads, with
   * {"backup_id", "operation": "backup"|"restore"|"verify", "bytes_done", "bytes_total",
   *  "bytes_stored", "rate_bytes_per_s", "eta_seconds"}. NULL for none. */
  void (*backup_progress)(const char* progress_json, void* payload);
  void* backup_progress_payload;
  /* Version 3: the keys of encrypted backups ("encryption_key_id" in the backup
   * configuration). Writes the 32-byte key named key_id into key_out and returns 0, or returns
   * non-zero for an id it does not know. Called from job threads. NULL for none. */
  int (*backup_key)(const char* key_id, unsigned char key_out[32], void* payload);
  void* backup_key_payload;
  /* Version 4: the bus the engine's roles talk over, written by the host (below); NULL for the
   * configuration's (transport_url, else in-process). The engine copies the table; the host
   * keeps its payload alive until bs_engine_close has returned. */
  const struct bs_transport* transport;
  /* Version 5: volume drivers written in C (below) that the configuration's backends may name,
   * besides "file" and "rbd". NULL for none. The engine keeps what it needs. */
  const bs_driver_registry* driver_registry;
} bs_engine_options;

#define BS_ENGINE_OPTIONS_VERSION 5
#define BS_ENGINE_OPTIONS_INIT \
  { BS_ENGINE_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/* ---- a volume driver written in C ----
 *
 * A backend's storage, as the C++ VolumeDriver (blockstore/driver.hpp, docs/drivers.md) has it:
 * a table of functions the engine calls from its worker threads — several at once, never two
 * for the same volume or snapshot. Records cross as JSON text, in the shapes of docs/c-api.md
 * (a volume as bs_volume_get shows it, a snapshot as bs_snapshot_get, a connector as
 * bs_host_connector makes it). Each function returns 0 or a BS_E* code; on a failure it may put
 * a message into *error (malloc'd; the engine frees it with free()). Text a function hands out
 * (*out_json) is malloc'd too. A NULL optional function answers BS_EUNIMPLEMENTED (or, for
 * terminate_connection, success: nothing was exported).
 *
 * `payload` is passed to `create`; what `create` puts into *instance is passed to every other
 * call on that backend, and `destroy` releases it. A device (open_volume, open_snapshot) is the
 * driver's own pointer, used by one thread at a time unless device_concurrent says otherwise. */
typedef struct bs_volume_driver {
  uint32_t version; /* BS_VOLUME_DRIVER_VERSION */
  void* payload;
  /* backend_json: {"name", "driver", "volume_backend_name", "options": {"key": "value", …}}.
   * Refuse bad options here (BS_EINVAL naming the option). */
  int (*create)(void* payload, const char* backend_json, void** instance, char** error);
  void (*destroy)(void* instance);
  /* Checks the backend is usable; called once before any other call. */
  int (*initialize)(void* instance, char** error);
  /* The pool a volume lands in when the scheduler named none. malloc'd. */
  char* (*default_pool)(void* instance);
  int (*create_volume)(void* instance, const char* volume_json, char** error);
  int (*create_volume_from_snapshot)(void* instance, const char* volume_json,
                                     const char* snapshot_json, char** error);
  int (*create_cloned_volume)(void* instance, const char* volume_json, const char* source_json,
                              char** error);
  /* Idempotent: deleting what is not there succeeds. */
  int (*delete_volume)(void* instance, const char* volume_json, char** error);
  int (*extend_volume)(void* instance, const char* volume_json, uint64_t new_size_gb, char** error);
  int (*create_snapshot)(void* instance, const char* snapshot_json, const char* volume_json,
                         char** error);
  int (*delete_snapshot)(void* instance, const char* snapshot_json, char** error);
  /* BS_ENOTFOUND when the backend holds nothing for the volume. */
  int (*volume_size)(void* instance, const char* volume_json, uint64_t* bytes, char** error);
  /* {"volume_backend_name", "vendor_name", "driver_version", "storage_protocol",
   *  "pools": [{"pool_name", "total_capacity_gb", "free_capacity_gb", "reserved_percentage",
   *             "max_over_subscription_ratio", "thin_provisioning_support", …}]} */
  int (*get_stats)(void* instance, char** out_json, char** error);
  int (*open_volume)(void* instance, const char* volume_json, void** device, char** error);
  int (*open_snapshot)(void* instance, const char* snapshot_json, void** device, char** error);
  /* ---- a device: reads short only at its end ---- */
  int (*device_read)(void* device, uint64_t offset, void* buf, size_t len, size_t* done,
                     char** error);
  int (*device_write)(void* device, uint64_t offset, const void* buf, size_t len, char** error);
  uint64_t (*device_size)(void* device);
  int (*device_flush)(void* device, char** error);
  /* [[offset, length], …] sorted and disjoint: what may hold data. NULL: the whole device. */
  int (*device_allocated)(void* device, char** out_json, char** error);
  /* Non-zero when reads and writes may run on several threads at once. NULL: 0. */
  int (*device_concurrent)(void* device);
  void (*device_close)(void* device);
  /* ---- attach (optional) ----
   * existing_export_json: {"location", "auth"} recorded for the volume before, or NULL.
   * *out_json: {"export": {"location", "auth"}, "connection_info": {"driver_volume_type", "data"}} */
  int (*initialize_connection)(void* instance, const char* volume_json,
                               const char* existing_export_json, const char* connector_json,
                               char** out_json, char** error);
  int (*terminate_connection)(void* instance, const char* volume_json, const char* export_json,
                              const char* connector_json, int revoke_host, int remove_export,
                              char** error);
  /* A snapshot exported read-only (a backup of it reads it): *out_json the connection info. */
  int (*initialize_snapshot_connection)(void* instance, const char* snapshot_json,
                                        const char* connector_json, char** out_json, char** error);
  int (*terminate_snapshot_connection)(void* instance, const char* snapshot_json,
                                       const char* connector_json, char** error);
  /* At start: [{"volume", "export": {"location", "auth"}, "connectors": [...]}, …] are to stay
   * exported; every other export of the driver's goes. NULL: nothing to do. */
  int (*restore_exports)(void* instance, const char* exported_json, char** error);
  /* ---- optional hooks (docs/drivers.md) ---- */
  /* to_snapshot_json NULL: the volume now. *out_json: [[offset, length], …] */
  int (*changed_extents)(void* instance, const char* volume_json, const char* from_snapshot_json,
                         const char* to_snapshot_json, char** out_json, char** error);
  int (*revert_to_snapshot)(void* instance, const char* volume_json, const char* snapshot_json,
                            char** error);
  /* reference_json: {"source-name": "…"} or {"source-id": "…"} */
  int (*manage_existing_get_size)(void* instance, const char* volume_json,
                                  const char* reference_json, uint64_t* size_gb, char** error);
  int (*manage_existing)(void* instance, const char* volume_json, const char* reference_json,
                         char** error);
  int (*unmanage)(void* instance, const char* volume_json, char** error);
  /* new_specs_json: the new type's extra specs, {"key": "value", …} */
  int (*retype)(void* instance, const char* volume_json, const char* new_specs_json, char** error);
  int (*migrate_volume)(void* instance, const char* volume_json, const char* destination,
                        char** error);
} bs_volume_driver;

#define BS_VOLUME_DRIVER_VERSION 1

/* A shared object that holds a driver exports this function, which returns its table (valid for
 * as long as the object is loaded). */
typedef const bs_volume_driver* (*bs_volume_driver_entry_fn)(void);
#define BS_VOLUME_DRIVER_ENTRY "bs_volume_driver_entry"

BS_API int bs_driver_registry_new(bs_driver_registry** out);
BS_API void bs_driver_registry_free(bs_driver_registry* registry);
/* Registers `driver` under `name` (the table is copied; its payload must outlive every engine
 * opened with the registry). BS_EEXIST when the name is taken ("file" and "rbd" included);
 * BS_EINVAL for a table of another version or without a required function, naming it. */
BS_API int bs_driver_registry_add(bs_driver_registry* registry, const char* name,
                                  const bs_volume_driver* driver);
/* Loads the shared object at `path` (never unloaded) and registers the table its
 * bs_volume_driver_entry returns under `name`. BS_ENOTFOUND when it cannot be loaded or has
 * no such function, with the loader's reason. */
BS_API int bs_driver_registry_load(bs_driver_registry* registry, const char* name,
                                   const char* path);

/* ---- a transport the host brings ----
 *
 * Messages are JSON text. A role listens on a topic ("scheduler", "volume.host@backend",
 * "backup") through listen; the host then runs every message for that topic through
 * bs_transport_handle on threads of its own (up to `workers` at once), and acknowledges it to
 * its bus once that returns. cast queues a message for the topic's listener (fire and forget);
 * call does the same and waits for the handler's reply. Every function returns 0 or a BS_E*
 * code; every one may be called from any thread, including from inside a handler. */
typedef struct bs_transport_handler bs_transport_handler;

typedef struct bs_transport {
  uint32_t version; /* BS_TRANSPORT_VERSION */
  void* payload;    /* passed to every function */
  int (*listen)(void* payload, const char* topic, const bs_transport_handler* handler, int workers);
  int (*cast)(void* payload, const char* topic, const char* message);
  /* On success *reply_out is the reply (malloc'd by the host; the engine frees it with free).
   * On a failure it may hold the error's message (malloc'd) or NULL; a handler's error comes
   * back as its code with its message. BS_ETIMEDOUT after timeout_ms. */
  int (*call)(void* payload, const char* topic, const char* message, int64_t timeout_ms,
              char** reply_out);
  /* Delivers the message to every process listening on the topic; NULL: cast. */
  int (*fanout)(void* payload, const char* topic, const char* message);
  /* Lets the messages in flight finish, then stops the host's threads. Called by the engine's
   * close, once. NULL: nothing to stop. */
  void (*shutdown)(void* payload);
} bs_transport;

#define BS_TRANSPORT_VERSION 1

/* Runs one message through the handler listen was given. 0 with *reply_out the reply, or the
 * handler's BS_E* code with *reply_out its message; either way bs_free(*reply_out). */
BS_API int bs_transport_handle(const bs_transport_handler* handler, const char* message, char** reply_out);

BS_API int bs_engine_open(bs_engine** out, const bs_engine_options* options);
/* The configuration schema: a JSON array of {"path", "type", "range", "default", "doc"}, one
 * per key ("backup.workers", "backends[].driver", "quota_defaults.*"). */
BS_API int bs_config_keys(char** out_json);
/* Reads config_json as bs_engine_open would, without opening anything: 0, or BS_EINVAL with
 * bs_last_error() saying why and *out_error_key (if out_error_key is not NULL; bs_free it)
 * the path of the key at fault. */
BS_API int bs_config_validate(const char* state_path, const char* config_json, char** out_error_key);
/* Finishes queued work and stops the engine's threads; later calls answer BS_EUNAVAILABLE. */
BS_API int bs_engine_close(bs_engine* engine);
/* Closes (if open) and frees. */
BS_API void bs_engine_free(bs_engine* engine);
/* The pools the scheduler knows, as a JSON array. */
BS_API int bs_engine_pools(char** out_json, bs_engine* engine);
/* The services on the store — this engine's and those of every engine sharing it — as a JSON
 * array of {"binary", "host", "zone", "version", "status": "enabled"|"disabled",
 * "state": "up"|"down", "updated_at", "disabled_reason"}. */
BS_API int bs_engine_services(char** out_json, bs_engine* engine);
/* Disables (disabled != 0, with an optional reason; NULL for none) or enables a service; the
 * scheduler places nothing on a disabled volume service. *out_json: the service, as
 * bs_engine_services shows one. BS_ENOTFOUND for a service that never reported. */
BS_API int bs_engine_set_service_disabled(char** out_json, bs_engine* engine, const char* host,
                                          const char* binary, int disabled, const char* reason);

/* Events: each status change as a JSON object {"sequence", "type", "resource_type",
 * "resource_id", "project_id", "status", "message", "at"}. The text is valid only during the
 * call. */
typedef void (*bs_event_cb)(const char* event_json, void* payload);
BS_API int bs_engine_subscribe(uint64_t* out_token, bs_engine* engine, bs_event_cb callback,
                               void* payload);
/* After it returns the callback is not running and will not run again. */
BS_API int bs_engine_unsubscribe(bs_engine* engine, uint64_t token);

/* ---- the database (blockstore-manage db …) ---- */

/* Migrates the database a URL names (sqlite:///path, postgresql://…) to this build's schema. */
BS_API int bs_database_migrate(const char* url);
/* Copies every record from one database into another, empty one, and compares each table's
 * rows and checksum: {"rows": N, "tables": [{"table", "rows", "sha256"}, …]}. */
BS_API int bs_database_copy(char** out_json, const char* from_url, const char* to_url);

/* ---- request context ---- */

BS_API int bs_context_new(bs_context** out, const char* project_id, const char* user_id,
                          int is_admin);
BS_API void bs_context_free(bs_context* context);
/* Creates made with this context from now on are made once per key: a retry with the same key
 * and the same request gets the first one's resource (charged to quota once); the same key
 * with another request is BS_EINVAL; while the first still runs, BS_EABORTED. NULL or "" clears
 * it. Keys are remembered for the engine's idempotency_key_ttl. */
BS_API int bs_context_set_idempotency_key(bs_context* context, const char* key);

/* ---- volumes ---- */

/* request_json: {"size", "name", "description", "volume_type", "availability_zone",
 * "snapshot_id", "source_volid", "backup_id", "metadata", "bootable", "scheduler_hints"}.
 * With backup_id the new volume is restored from that backup. */
BS_API int bs_volume_create(char** out_json, bs_engine* engine, const bs_context* context,
                            const char* request_json);
BS_API int bs_volume_get(char** out_json, bs_engine* engine, const bs_context* context,
                         const char* volume_id);
/* query_json may be NULL: {"name", "status", "availability_zone", "bootable", "size",
 * "metadata", "image_metadata", "like": {"name"|"description"|"status"|"availability_zone":
 * substring}, "project_id", "sort": "key[:asc|desc],…", "limit", "marker", "all_projects"}.
 * Answers a JSON array. */
BS_API int bs_volume_list(char** out_json, bs_engine* engine, const bs_context* context,
                          const char* query_json);
/* update_json: {"name", "description", "metadata", "bootable", "image_metadata"}; each given
 * map replaces the old one whole. */
BS_API int bs_volume_update(char** out_json, bs_engine* engine, const bs_context* context,
                            const char* volume_id, const char* update_json);
BS_API int bs_volume_delete(char** out_json, bs_engine* engine, const bs_context* context,
                            const char* volume_id, int cascade, int force);
BS_API int bs_volume_extend(char** out_json, bs_engine* engine, const bs_context* context,
                            const char* volume_id, int64_t new_size_gb);
/* Rolls an available volume back to its latest snapshot (of the same size): the volume goes
 * "reverting" (the answer), then "available" (or "error" if the driver failed midway). */
BS_API int bs_volume_revert_to_snapshot(char** out_json, bs_engine* engine, const bs_context* context,
                                        const char* volume_id, const char* snapshot_id);
/* Admin only. Moves an available volume to `host` (host@backend#pool, or host@backend): the
 * volume goes "maintenance" with migration_status "starting" (the answer), then "available"
 * on the new host with migration_status "success" — or back where it was with "error".
 * force_host_copy != 0 skips the driver's own migration. */
BS_API int bs_volume_migrate(char** out_json, bs_engine* engine, const bs_context* context,
                             const char* volume_id, const char* host, int force_host_copy);
/* Changes the volume's type (name or id): in place when its backend serves the new type, else
 * (migration_policy "on-demand"; NULL means "never") by a migration. The answer is the volume
 * as retyped, or "maintenance" while it migrates. */
BS_API int bs_volume_retype(char** out_json, bs_engine* engine, const bs_context* context,
                            const char* volume_id, const char* new_type, const char* migration_policy);
BS_API int bs_volume_reset_status(char** out_json, bs_engine* engine, const bs_context* context,
                                  const char* volume_id, const char* status);
/* reset_json: {"status"?, "migration_status"? ("none" clears it)}, at least one. Admin only. */
BS_API int bs_volume_reset_status_v2(char** out_json, bs_engine* engine, const bs_context* context,
                                     const char* volume_id, const char* reset_json);
/* An available volume becomes read-only (readonly != 0) or read-write again. */
BS_API int bs_volume_update_readonly(char** out_json, bs_engine* engine, const bs_context* context,
                                     const char* volume_id, int readonly);
/* statuses: comma-separated Cinder statuses ("available,error"). */
BS_API int bs_volume_wait(char** out_json, bs_engine* engine, const bs_context* context,
                          const char* volume_id, const char* statuses, int64_t timeout_ms);
BS_API int bs_volume_wait_deleted(bs_engine* engine, const bs_context* context,
                                  const char* volume_id, int64_t timeout_ms);

/* ---- snapshots ---- */

/* request_json: {"volume_id", "name", "description", "force", "metadata"}. */
BS_API int bs_snapshot_create(char** out_json, bs_engine* engine, const bs_context* context,
                              const char* request_json);
BS_API int bs_snapshot_get(char** out_json, bs_engine* engine, const bs_context* context,
                           const char* snapshot_id);
BS_API int bs_snapshot_list(char** out_json, bs_engine* engine, const bs_context* context,
                            const char* query_json);
BS_API int bs_snapshot_update(char** out_json, bs_engine* engine, const bs_context* context,
                              const char* snapshot_id, const char* update_json);
BS_API int bs_snapshot_delete(char** out_json, bs_engine* engine, const bs_context* context,
                              const char* snapshot_id, int force);
BS_API int bs_snapshot_reset_status(char** out_json, bs_engine* engine,
                                    const bs_context* context, const char* snapshot_id,
                                    const char* status);
BS_API int bs_snapshot_wait(char** out_json, bs_engine* engine, const bs_context* context,
                            const char* snapshot_id, const char* statuses, int64_t timeout_ms);
BS_API int bs_snapshot_wait_deleted(bs_engine* engine, const bs_context* context,
                                    const char* snapshot_id, int64_t timeout_ms);

/* ---- backups ---- */

/* request_json: {"volume_id", "snapshot_id", "name", "description", "incremental", "force",
 * "metadata", "container"}. */
BS_API int bs_backup_create(char** out_json, bs_engine* engine, const bs_context* context,
                            const char* request_json);
BS_API int bs_backup_get(char** out_json, bs_engine* engine, const bs_context* context,
                         const char* backup_id);
/* query_json may be NULL: {"name", "status", "volume_id", "metadata", "sort", "limit",
 * "marker", "all_projects"}. Answers a JSON array. */
BS_API int bs_backup_list(char** out_json, bs_engine* engine, const bs_context* context,
                          const char* query_json);
/* update_json: {"name", "description", "metadata"}. */
BS_API int bs_backup_update(char** out_json, bs_engine* engine, const bs_context* context,
                            const char* backup_id, const char* update_json);
BS_API int bs_backup_delete(char** out_json, bs_engine* engine, const bs_context* context,
                            const char* backup_id, int force);
/* request_json may be NULL: {"volume_id", "name"}. Answers {"backup_id", "volume_id",
 * "volume_name"}. */
BS_API int bs_backup_restore(char** out_json, bs_engine* engine, const bs_context* context,
                             const char* backup_id, const char* request_json);
BS_API int bs_backup_reset_status(char** out_json, bs_engine* engine, const bs_context* context,
                                  const char* backup_id, const char* status);
/* Answers {"backup_service", "backup_url"}. */
BS_API int bs_backup_export_record(char** out_json, bs_engine* engine,
                                   const bs_context* context, const char* backup_id);
/* record_json: {"backup_service", "backup_url"} as exported. */
BS_API int bs_backup_import_record(char** out_json, bs_engine* engine,
                                   const bs_context* context, const char* record_json);
/* Reads and checks every object: BS_OK, or BS_EDATALOSS naming the damaged chunk. */
BS_API int bs_backup_verify(bs_engine* engine, const bs_context* context, const char* backup_id,
                            int64_t timeout_ms);
BS_API int bs_backup_wait(char** out_json, bs_engine* engine, const bs_context* context,
                          const char* backup_id, const char* statuses, int64_t timeout_ms);
BS_API int bs_backup_wait_deleted(bs_engine* engine, const bs_context* context,
                                  const char* backup_id, int64_t timeout_ms);

/* ---- attach: the attachments API (Cinder 3.27+) ----
 * A connector is os-brick's dict: {"host", "ip", "initiator", "multipath", "platform",
 * "os_type", "mode", "do_local_attach", "mountpoint"}. An attachment answers {"id",
 * "volume_id", "project_id", "instance", "attached_host", "mountpoint", "status",
 * "attach_mode", "connector", "connection_info", "attached_at", "detached_at", …};
 * connection_info is {"driver_volume_type", "data"} and carries secrets (CHAP). */

/* request_json: {"volume_id", "instance_uuid", "connector", "mode"}. */
BS_API int bs_attachment_create(char** out_json, bs_engine* engine, const bs_context* context,
                                const char* request_json);
BS_API int bs_attachment_update(char** out_json, bs_engine* engine, const bs_context* context,
                                const char* attachment_id, const char* connector_json);
BS_API int bs_attachment_complete(char** out_json, bs_engine* engine, const bs_context* context,
                                  const char* attachment_id);
/* Answers the volume's remaining attachments (a JSON array). */
BS_API int bs_attachment_delete(char** out_json, bs_engine* engine, const bs_context* context,
                                const char* attachment_id);
BS_API int bs_attachment_get(char** out_json, bs_engine* engine, const bs_context* context,
                             const char* attachment_id);
/* query_json may be NULL: {"volume_id", "instance_uuid", "status", "limit", "marker",
 * "all_projects"}. Answers a JSON array. */
BS_API int bs_attachment_list(char** out_json, bs_engine* engine, const bs_context* context,
                              const char* query_json);

/* ---- attach: the legacy volume actions ---- */
BS_API int bs_volume_reserve(char** out_json, bs_engine* engine, const bs_context* context,
                             const char* volume_id);
BS_API int bs_volume_unreserve(char** out_json, bs_engine* engine, const bs_context* context,
                               const char* volume_id);
/* Answers the connection info {"driver_volume_type", "data"}. */
BS_API int bs_volume_initialize_connection(char** out_json, bs_engine* engine,
                                           const bs_context* context, const char* volume_id,
                                           const char* connector_json);
/* request_json: {"instance_uuid" | "host_name", "mountpoint", "mode"}. Answers the attachment. */
BS_API int bs_volume_attach(char** out_json, bs_engine* engine, const bs_context* context,
                            const char* volume_id, const char* request_json);
BS_API int bs_volume_begin_detaching(char** out_json, bs_engine* engine,
                                     const bs_context* context, const char* volume_id);
BS_API int bs_volume_roll_detaching(char** out_json, bs_engine* engine,
                                    const bs_context* context, const char* volume_id);
BS_API int bs_volume_terminate_connection(bs_engine* engine, const bs_context* context,
                                          const char* volume_id, const char* connector_json);
/* attachment_id may be NULL when the volume has one attachment. Answers the volume. */
BS_API int bs_volume_detach(char** out_json, bs_engine* engine, const bs_context* context,
                            const char* volume_id, const char* attachment_id);
/* Admin only. attachment_id NULL: every attachment. Answers the volume. */
BS_API int bs_volume_force_detach(char** out_json, bs_engine* engine, const bs_context* context,
                                  const char* volume_id, const char* attachment_id);

/* ---- attach: the host side (connector) ----
 * A bs_device is an attached volume opened on this host: positional reads and writes. One
 * thread at a time per device. */
typedef struct bs_device bs_device;

/* This host's connector dict. ip and initiator may be NULL (127.0.0.1; the host's own name). */
BS_API int bs_host_connector(char** out_json, const char* ip, const char* initiator);
/* Opens what connection_info_json ({"driver_volume_type", "data"}) describes. options_json
 * may be NULL: {"initiator" (required for iscsi), "use_loop_device", "timeout_ms", "ceph_conf",
 * "ceph_keyring" (rbd: this host's Ceph files, when the connection carries no keyring)}. */
BS_API int bs_device_open(bs_device** out, const char* connection_info_json,
                          const char* options_json);
BS_API uint64_t bs_device_size(const bs_device* device);
/* Reads up to len bytes at offset into buf; *done gets the count (short only at the end). */
BS_API int bs_device_read(bs_device* device, uint64_t offset, void* buf, size_t len,
                          size_t* done);
BS_API int bs_device_write(bs_device* device, uint64_t offset, const void* buf, size_t len);
BS_API int bs_device_flush(bs_device* device);
/* Closes the session (logs out, detaches a loop device). NULL is ignored. */
BS_API void bs_device_close(bs_device* device);

/* ---- REST: Cinder's v3 API as a handler the host mounts in its own HTTP server ---- */
typedef struct bs_rest bs_rest;

/* options_json may be NULL: {"auth_strategy": "noauth" | "tokens", "tokens": {"<token>":
 * {"user_id", "project_id", "roles": [..]}}, "public_url", "max_body_bytes"}. The engine must
 * outlive the handler. */
BS_API int bs_rest_new(bs_rest** out, bs_engine* engine, const char* options_json);
/* One request: headers_json is {"name": "value", …} or NULL; body may be NULL. Answers the
 * status, the response headers as a JSON object and the body (both for bs_free). */
BS_API int bs_rest_handle(bs_rest* rest, const char* method, const char* target,
                          const char* headers_json, const char* body, size_t body_len,
                          int* status, char** headers_json_out, char** body_out);
/* NULL is ignored. */
BS_API void bs_rest_free(bs_rest* rest);

/* ---- volume types ---- */

/* request_json: {"name", "description", "is_public", "extra_specs"}. */
BS_API int bs_type_create(char** out_json, bs_engine* engine, const bs_context* context,
                          const char* request_json);
BS_API int bs_type_get(char** out_json, bs_engine* engine, const bs_context* context,
                       const char* id_or_name);
BS_API int bs_type_get_default(char** out_json, bs_engine* engine, const bs_context* context);
BS_API int bs_type_list(char** out_json, bs_engine* engine, const bs_context* context);
BS_API int bs_type_update(char** out_json, bs_engine* engine, const bs_context* context,
                          const char* type_id, const char* update_json);
BS_API int bs_type_delete(bs_engine* engine, const bs_context* context, const char* type_id);
BS_API int bs_type_set_extra_specs(char** out_json, bs_engine* engine, const bs_context* context,
                                   const char* type_id, const char* specs_json);
BS_API int bs_type_unset_extra_spec(char** out_json, bs_engine* engine,
                                    const bs_context* context, const char* type_id,
                                    const char* key);
/* Admin only: the projects that may use a private type. The list answers a JSON array of
 * project ids. */
BS_API int bs_type_access_add(bs_engine* engine, const bs_context* context, const char* type_id,
                              const char* project_id);
BS_API int bs_type_access_remove(bs_engine* engine, const bs_context* context,
                                 const char* type_id, const char* project_id);
BS_API int bs_type_access_list(char** out_json, bs_engine* engine, const bs_context* context,
                               const char* type_id);

/* ---- QoS specs ---- */

/* request_json: {"name", "consumer", "specs"}. */
BS_API int bs_qos_create(char** out_json, bs_engine* engine, const bs_context* context,
                         const char* request_json);
BS_API int bs_qos_get(char** out_json, bs_engine* engine, const bs_context* context,
                      const char* qos_id);
BS_API int bs_qos_list(char** out_json, bs_engine* engine, const bs_context* context);
BS_API int bs_qos_delete(bs_engine* engine, const bs_context* context, const char* qos_id,
                         int force);
BS_API int bs_qos_set_keys(char** out_json, bs_engine* engine, const bs_context* context,
                           const char* qos_id, const char* specs_json);
BS_API int bs_qos_unset_key(char** out_json, bs_engine* engine, const bs_context* context,
                            const char* qos_id, const char* key);
BS_API int bs_qos_associate(bs_engine* engine, const bs_context* context, const char* qos_id,
                            const char* type_id);
BS_API int bs_qos_disassociate(bs_engine* engine, const bs_context* context, const char* qos_id,
                               const char* type_id);

/* ---- scheduling ---- */

/* A host filter: return 1 when the pool may take the request, 0 when not (and then, when
 * `why` is not NULL, write a short reason into it, at most why_len bytes with the NUL).
 * `pool_json` is the pool as bs_engine_pools shows one; `request_json` the request spec
 * ({"operation", "volume_id", "size", "availability_zone", "volume_type", "metadata", ...}).
 * Called from scheduler threads, concurrently; it must be quick and thread-safe. */
typedef int (*bs_filter_cb)(const char* pool_json, const char* request_json, char* why,
                            size_t why_len, void* payload);
/* A host weigher: the raw weight of the pool for the request (normalised across pools and
 * multiplied as configured). Same threading rules as a filter. */
typedef double (*bs_weigher_cb)(const char* pool_json, const char* request_json, void* payload);

BS_API int bs_scheduler_registry_new(bs_scheduler_registry** out);
BS_API void bs_scheduler_registry_free(bs_scheduler_registry* registry);
/* BS_EEXIST when the name is taken (built-in names included). `payload` must outlive every
 * engine opened with the registry. */
BS_API int bs_scheduler_registry_add_filter(bs_scheduler_registry* registry, const char* name,
                                            bs_filter_cb callback, void* payload);
BS_API int bs_scheduler_registry_add_weigher(bs_scheduler_registry* registry, const char* name,
                                             bs_weigher_cb callback, void* payload);

/* Admin only. How a volume created with `request_json` (the bs_volume_create shape, with
 * optional "scheduler_hints": {"same_host": [...], "different_host": [...], "query": "..."})
 * would be placed now, without placing it:
 *   {"pools": N, "stale": N, "filters": [{"filter", "before", "removed", "reasons": [...]}],
 *    "ranking": [{"pool", "weight", "raw": {"CapacityWeigher": ...}}], "chosen": "h@b#p"|null,
 *    "error": "No valid backend ..."|null} */
BS_API int bs_placement_explain(char** out_json, bs_engine* engine, const bs_context* context,
                                const char* request_json);

/* ---- user messages (Cinder's 3.3) ----
 * What failed asynchronous operations left their project: {"id", "project_id", "request_id",
 * "resource_type", "resource_uuid", "event_id", "message_level", "user_message", "created_at",
 * "expires_at"}. */
/* query_json may be NULL: {"limit": 1..1000, "marker": "<id>", "all_projects" (admin)}; newest first. */
BS_API int bs_message_list(char** out_json, bs_engine* engine, const bs_context* context,
                           const char* query_json);
BS_API int bs_message_get(char** out_json, bs_engine* engine, const bs_context* context,
                          const char* message_id);
BS_API int bs_message_delete(bs_engine* engine, const bs_context* context, const char* message_id);

/* ---- volume transfers ----
 * A volume offered to another project: {"id", "volume_id", "name", "source_project_id",
 * "destination_project_id" (null until accepted), "accepted", "no_snapshots", "created_at",
 * "updated_at"}. */
/* The caller's available volume, offered; request_json: {"volume_id", "name"?,
 * "no_snapshots"?}. The answer carries "auth_key" too: the only time it is shown. */
BS_API int bs_transfer_create(char** out_json, bs_engine* engine, const bs_context* context,
                              const char* request_json);
/* Into the caller's project; the accepted transfer. */
BS_API int bs_transfer_accept(char** out_json, bs_engine* engine, const bs_context* context,
                              const char* transfer_id, const char* auth_key);
BS_API int bs_transfer_get(char** out_json, bs_engine* engine, const bs_context* context,
                           const char* transfer_id);
/* Pending transfers of the caller's project (all_projects != 0: every project's, admin only). */
BS_API int bs_transfer_list(char** out_json, bs_engine* engine, const bs_context* context, int all_projects);
/* A pending transfer withdrawn: the volume is available to its owner again. */
BS_API int bs_transfer_delete(bs_engine* engine, const bs_context* context, const char* transfer_id);

/* ---- quotas ---- */

/* {"project_id", "resources": {"volumes": {"limit", "in_use", "reserved"}, …}} */
BS_API int bs_quota_get(char** out_json, bs_engine* engine, const bs_context* context,
                        const char* project_id);
BS_API int bs_quota_defaults(char** out_json, bs_engine* engine);
/* limits_json: {"volumes": 20, "gigabytes": -1, …}. */
BS_API int bs_quota_update(char** out_json, bs_engine* engine, const bs_context* context,
                           const char* project_id, const char* limits_json);
BS_API int bs_quota_reset(bs_engine* engine, const bs_context* context, const char* project_id);

#ifdef __cplusplus
}
#endif

#endif /* BLOCKSTORE_C_H */
