/* The C ABI, exercised from C the way a C host would use it. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blockstore/c.h"

static int passed = 0;
static int failed = 0;

#define CHECK(cond)                                                                   \
  do {                                                                                \
    if (cond) {                                                                       \
      ++passed;                                                                       \
    } else {                                                                          \
      ++failed;                                                                       \
      fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, \
              #cond, bs_last_error());                                               \
    }                                                                                 \
  } while (0)

/* Copies the string value of "key" in a flat JSON object into out (size n). */
static int field(const char* json, const char* key, char* out, size_t n) {
  char pattern[64];
  const char* p;
  size_t len = 0;
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  p = json ? strstr(json, pattern) : NULL;
  if (!p) return 0;
  p += strlen(pattern);
  while (p[len] && p[len] != '"' && len + 1 < n) ++len;
  memcpy(out, p, len);
  out[len] = '\0';
  return 1;
}

/* A snapshot of `volume` (named "s1"), then a volume from it, each waited for until available;
   their ids into snap_id and from_id (64 bytes each). The new volume's JSON (bs_free it), or NULL. */
static char* snapshot_then_volume(bs_engine* engine, const bs_context* ctx, const char* volume,
                                  char* snap_id, char* from_id, int64_t timeout_ms) {
  char request[256];
  char* out = NULL;
  snprintf(request, sizeof request, "{\"volume_id\": \"%s\", \"name\": \"s1\"}", volume);
  CHECK(bs_snapshot_create(&out, engine, ctx, request) == BS_OK);
  CHECK(field(out, "id", snap_id, 64));
  bs_free(out);
  CHECK(bs_snapshot_wait(&out, engine, ctx, snap_id, "available", timeout_ms) == BS_OK);
  bs_free(out);
  snprintf(request, sizeof request, "{\"snapshot_id\": \"%s\"}", snap_id);
  CHECK(bs_volume_create(&out, engine, ctx, request) == BS_OK);
  CHECK(field(out, "id", from_id, 64));
  bs_free(out);
  out = NULL;
  CHECK(bs_volume_wait(&out, engine, ctx, from_id, "available", timeout_ms) == BS_OK);
  return out;
}

static pthread_mutex_t events_mu = PTHREAD_MUTEX_INITIALIZER;
static int create_end_events = 0;

static void on_event(const char* event_json, void* payload) {
  int* total = (int*)payload;
  pthread_mutex_lock(&events_mu);
  ++*total;
  if (strstr(event_json, "\"type\":\"volume.create.end\"")) ++create_end_events;
  pthread_mutex_unlock(&events_mu);
}

static char* make_temp_dir(void) {
  const char* base = getenv("TMPDIR");
  char* path = malloc(512);
  snprintf(path, 512, "%s/blockstore-capi-XXXXXX", base && *base ? base : "/tmp");
  if (!mkdtemp(path)) abort();
  return path;
}

static void remove_tree(const char* path) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", path);
}

static void test_basics(void) {
  CHECK(strcmp(bs_version(), "0.1.0") == 0);
  CHECK(strcmp(bs_error_name(BS_ENOTFOUND), "not_found") == 0);
  CHECK(strcmp(bs_error_name(BS_EPERM), "permission_denied") == 0);
  CHECK(strcmp(bs_error_name(-999), "unknown") == 0);
  bs_free(NULL);
  bs_engine_free(NULL);
  bs_context_free(NULL);
  CHECK(bs_last_error() != NULL);
}

static void test_open_errors(const char* dir) {
  bs_engine* engine = NULL;
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  CHECK(bs_engine_open(&engine, NULL) == BS_EINVAL);
  CHECK(bs_engine_open(NULL, &options) == BS_EINVAL);
  CHECK(bs_engine_open(&engine, &options) == BS_EINVAL); /* no state_path */
  CHECK(strstr(bs_last_error(), "state_path") != NULL);
  options.state_path = dir;
  options.config_json = "{\"colour\": \"blue\"}";
  CHECK(bs_engine_open(&engine, &options) == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "colour") != NULL);
  options.config_json = "{not json";
  CHECK(bs_engine_open(&engine, &options) == BS_EINVAL);
  options.config_json = "{\"backends\": [{\"name\": \"x\", \"driver\": \"tape\"}]}";
  CHECK(bs_engine_open(&engine, &options) == BS_ENOTFOUND);
  options.version = 99;
  CHECK(bs_engine_open(&engine, &options) == BS_EINVAL);
  CHECK(engine == NULL);
}

static void test_lifecycle(const char* dir) {
  bs_engine* engine = NULL;
  bs_context* alice = NULL;
  bs_context* bob = NULL;
  bs_context* admin = NULL;
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  char* out = NULL;
  char id[64], snap_id[64], clone_id[64], nowhere_id[64], status[32], type_id[64], qos_id[64];
  uint64_t token = 0;
  int events = 0;

  options.state_path = dir;
  options.config_json = "{\"host\": \"ctest\", \"quota_defaults\": {\"volumes\": 5}}";
  CHECK(bs_engine_open(&engine, &options) == BS_OK);
  CHECK(strcmp(bs_last_error(), "") == 0);
  CHECK(bs_context_new(&alice, "alice", "u1", 0) == BS_OK);
  CHECK(bs_context_new(&admin, "admin", "root", 1) == BS_OK);
  CHECK(bs_context_new(&bob, "", "x", 0) == BS_EINVAL);
  CHECK(bob == NULL);
  CHECK(bs_context_new(&bob, "bob", "u2", 0) == BS_OK);
  CHECK(bs_engine_subscribe(&token, engine, on_event, &events) == BS_OK);

  /* create → creating at once, then available */
  CHECK(bs_volume_create(&out, engine, alice,
                         "{\"size\": 2, \"name\": \"c-vol\", \"metadata\": {\"k\": \"v\"}}") == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "creating") == 0);
  CHECK(field(out, "id", id, sizeof id));
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, alice, id, "available,error", 10000) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  CHECK(strstr(out, "\"host\":\"ctest@file#file\"") != NULL);
  bs_free(out);

  /* isolation */
  CHECK(bs_volume_get(&out, engine, bob, id) == BS_ENOTFOUND);
  CHECK(out == NULL);
  CHECK(bs_volume_list(&out, engine, bob, NULL) == BS_OK);
  CHECK(strcmp(out, "[]") == 0);
  bs_free(out);
  CHECK(bs_volume_list(&out, engine, alice, "{\"name\": \"c-vol\", \"sort\": \"size:asc\"}") == BS_OK);
  CHECK(strstr(out, id) != NULL);
  bs_free(out);

  /* update, extend */
  CHECK(bs_volume_update(&out, engine, alice, id, "{\"name\": \"renamed\"}") == BS_OK);
  CHECK(strstr(out, "\"name\":\"renamed\"") != NULL);
  bs_free(out);
  CHECK(bs_volume_extend(&out, engine, alice, id, 3) == BS_OK);
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, alice, id, "available", 10000) == BS_OK);
  CHECK(strstr(out, "\"size\":3") != NULL);
  bs_free(out);

  /* snapshot and a volume from it */
  {
    out = snapshot_then_volume(engine, alice, id, snap_id, clone_id, 10000);
    CHECK(out && strstr(out, "\"size\":3") != NULL);
    bs_free(out);
    CHECK(bs_snapshot_list(&out, engine, alice, NULL) == BS_OK);
    CHECK(strstr(out, snap_id) != NULL);
    bs_free(out);
  }

  /* bad input: a clear error, nothing written to *out */
  CHECK(bs_volume_create(&out, engine, alice, "{\"size\": 0}") == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "size") != NULL);
  CHECK(out == NULL);
  CHECK(bs_volume_create(&out, engine, alice, "{\"size\": 1, \"sise\": 2}") == BS_EINVAL);
  CHECK(bs_volume_create(&out, engine, alice, "{\"size\": \"big\"}") == BS_EINVAL);
  CHECK(bs_volume_create(&out, engine, alice, "{\"size\": 1, \"size\": 2}") == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "appears twice") != NULL);
  CHECK(out == NULL);
  CHECK(bs_volume_create(&out, engine, alice, "[") == BS_EINVAL);
  CHECK(bs_volume_create(&out, engine, alice, NULL) == BS_EINVAL);
  CHECK(bs_volume_create(&out, NULL, alice, "{\"size\": 1}") == BS_EINVAL);
  CHECK(bs_volume_create(&out, engine, NULL, "{\"size\": 1}") == BS_EINVAL);
  CHECK(bs_volume_get(&out, engine, alice, "nope") == BS_ENOTFOUND);
  CHECK(bs_volume_delete(&out, engine, alice, id, 0, 0) == BS_EPRECONDITION); /* has a snapshot */
  CHECK(bs_volume_delete(&out, engine, alice, id, 0, 1) == BS_EPERM);          /* force: admin */
  CHECK(bs_volume_extend(&out, engine, alice, id, 1) == BS_EINVAL);
  CHECK(bs_volume_wait(&out, engine, alice, id, "sideways", 10) == BS_EINVAL);
  CHECK(bs_volume_reset_status(&out, engine, alice, id, "error") == BS_EPERM);
  CHECK(bs_volume_reset_status_v2(&out, engine, alice, id, "{\"migration_status\": \"error\"}") == BS_EPERM);
  CHECK(bs_volume_reset_status_v2(&out, engine, admin, id, "{}") == BS_EINVAL);
  CHECK(bs_volume_reset_status_v2(&out, engine, admin, id, "{\"status\": \"sideways\"}") == BS_EINVAL);
  CHECK(bs_volume_reset_status_v2(&out, engine, admin, id, "{\"migration_status\": \"error\"}") == BS_OK);
  CHECK(strstr(out, "\"migration_status\":\"error\"") != NULL);
  CHECK(strstr(out, "\"status\":\"available\"") != NULL);
  bs_free(out);
  CHECK(bs_volume_reset_status_v2(&out, engine, admin, id, "{\"migration_status\": \"none\"}") == BS_OK);
  CHECK(strstr(out, "\"migration_status\":null") != NULL);
  bs_free(out);
  /* image properties: set through an update, found by the list's image_metadata filter */
  CHECK(bs_volume_update(&out, engine, alice, id, "{\"image_metadata\": {\"os_distro\": \"debian\"}}") == BS_OK);
  CHECK(strstr(out, "\"image_metadata\":{\"os_distro\":\"debian\"}") != NULL);
  bs_free(out);
  CHECK(bs_volume_list(&out, engine, alice, "{\"image_metadata\": {\"os_distro\": \"debian\"}}") == BS_OK);
  CHECK(strstr(out, id) != NULL);
  bs_free(out);
  CHECK(bs_volume_list(&out, engine, alice, "{\"like\": {\"name\": \"NAME\"}, \"sort\": \"display_name:asc\"}") == BS_OK);
  CHECK(strstr(out, id) != NULL);
  bs_free(out);
  CHECK(bs_volume_list(&out, engine, alice, "{\"like\": {\"host\": \"x\"}}") == BS_EINVAL);
  CHECK(bs_volume_list(&out, engine, alice, "{\"marker\": \"not-an-id\"}") == BS_ENOTFOUND);
  CHECK(bs_volume_create(&out, engine, alice, "{\"size\": 5000}") == BS_EEXHAUSTED);

  /* types, QoS, quotas */
  CHECK(bs_type_create(&out, engine, alice, "{\"name\": \"gold\"}") == BS_EPERM);
  CHECK(bs_type_create(&out, engine, admin,
                       "{\"name\": \"gold\", \"extra_specs\": {\"volume_backend_name\": \"file\"}}") == BS_OK);
  CHECK(field(out, "id", type_id, sizeof type_id));
  bs_free(out);
  CHECK(bs_type_set_extra_specs(&out, engine, admin, type_id, "{\"tier\": \"1\"}") == BS_OK);
  CHECK(strstr(out, "\"tier\":\"1\"") != NULL);
  bs_free(out);
  CHECK(bs_type_unset_extra_spec(&out, engine, admin, type_id, "tier") == BS_OK);
  bs_free(out);
  CHECK(bs_type_get(&out, engine, alice, "gold") == BS_OK);
  CHECK(strstr(out, "volume_backend_name") == NULL); /* users do not see backend pinning */
  bs_free(out);
  CHECK(bs_type_get_default(&out, engine, alice) == BS_OK);
  CHECK(strstr(out, "__DEFAULT__") != NULL);
  bs_free(out);
  CHECK(bs_type_list(&out, engine, alice) == BS_OK);
  bs_free(out);
  CHECK(bs_type_update(&out, engine, admin, type_id, "{\"description\": \"shiny\"}") == BS_OK);
  bs_free(out);
  /* a private type and its access list */
  {
    char vip_id[64];
    CHECK(bs_type_create(&out, engine, admin, "{\"name\": \"vip\", \"is_public\": false}") == BS_OK);
    CHECK(field(out, "id", vip_id, sizeof vip_id));
    bs_free(out);
    CHECK(bs_type_get(&out, engine, alice, "vip") == BS_ENOTFOUND);
    CHECK(bs_type_access_add(engine, alice, vip_id, "alice") == BS_EPERM);
    CHECK(bs_type_access_add(engine, admin, vip_id, "alice") == BS_OK);
    CHECK(bs_type_access_add(engine, admin, vip_id, "alice") == BS_EEXIST);
    CHECK(bs_type_access_add(engine, admin, vip_id, NULL) == BS_EINVAL);
    CHECK(bs_type_access_list(&out, engine, admin, vip_id) == BS_OK);
    CHECK(strcmp(out, "[\"alice\"]") == 0);
    bs_free(out);
    CHECK(bs_type_get(&out, engine, alice, "vip") == BS_OK);
    bs_free(out);
    CHECK(bs_type_access_remove(engine, admin, vip_id, "alice") == BS_OK);
    CHECK(bs_type_access_remove(engine, admin, vip_id, "alice") == BS_ENOTFOUND);
    CHECK(bs_type_get(&out, engine, alice, "vip") == BS_ENOTFOUND);
    CHECK(bs_type_access_list(&out, engine, admin, type_id) == BS_EINVAL); /* a public type */
    CHECK(bs_type_delete(engine, admin, vip_id) == BS_OK);
  }
  /* the read-only flag */
  CHECK(bs_volume_update_readonly(&out, engine, alice, id, 1) == BS_OK);
  CHECK(strstr(out, "\"readonly\":true") != NULL);
  bs_free(out);
  CHECK(bs_volume_update_readonly(&out, engine, alice, id, 0) == BS_OK);
  CHECK(strstr(out, "\"readonly\":false") != NULL);
  bs_free(out);
  CHECK(bs_volume_update_readonly(&out, engine, alice, "nope", 1) == BS_ENOTFOUND);
  CHECK(out == NULL);
  CHECK(bs_qos_create(&out, engine, admin, "{\"name\": \"q\", \"specs\": {\"total_iops_sec\": \"100\"}}") == BS_OK);
  CHECK(field(out, "id", qos_id, sizeof qos_id));
  bs_free(out);
  CHECK(bs_qos_associate(engine, admin, qos_id, type_id) == BS_OK);
  CHECK(bs_qos_set_keys(&out, engine, admin, qos_id, "{\"read_iops_sec\": \"50\"}") == BS_OK);
  bs_free(out);
  CHECK(bs_qos_unset_key(&out, engine, admin, qos_id, "read_iops_sec") == BS_OK);
  bs_free(out);
  CHECK(bs_qos_get(&out, engine, admin, qos_id) == BS_OK);
  bs_free(out);
  CHECK(bs_qos_list(&out, engine, admin) == BS_OK);
  bs_free(out);
  CHECK(bs_qos_delete(engine, admin, qos_id, 0) == BS_EPRECONDITION);
  CHECK(bs_qos_disassociate(engine, admin, qos_id, type_id) == BS_OK);
  CHECK(bs_qos_delete(engine, admin, qos_id, 0) == BS_OK);
  CHECK(bs_type_delete(engine, admin, type_id) == BS_OK);
  CHECK(bs_quota_defaults(&out, engine) == BS_OK);
  CHECK(strstr(out, "\"volumes\":{\"limit\":5") != NULL);
  bs_free(out);
  CHECK(bs_quota_update(&out, engine, admin, "alice", "{\"volumes\": 20}") == BS_OK);
  bs_free(out);
  CHECK(bs_quota_update(&out, engine, admin, "alice", "{\"volumes\": \"many\"}") == BS_EINVAL);
  CHECK(bs_quota_get(&out, engine, alice, "alice") == BS_OK);
  CHECK(strstr(out, "\"volumes\":{\"limit\":20,\"in_use\":2") != NULL);
  bs_free(out);
  CHECK(bs_quota_get(&out, engine, alice, "bob") == BS_EPERM);
  CHECK(bs_quota_reset(engine, admin, "alice") == BS_OK);
  CHECK(bs_engine_pools(&out, engine) == BS_OK);
  CHECK(strstr(out, "ctest@file#file") != NULL);
  bs_free(out);

  /* services: every role reported; a disabled volume service is placed on no more */
  CHECK(bs_engine_services(&out, engine) == BS_OK);
  CHECK(strstr(out, "\"binary\":\"cinder-volume\",\"host\":\"ctest@file\"") != NULL);
  CHECK(strstr(out, "\"binary\":\"cinder-scheduler\",\"host\":\"ctest\"") != NULL);
  CHECK(strstr(out, "\"state\":\"down\"") == NULL);
  bs_free(out);
  CHECK(bs_engine_set_service_disabled(&out, engine, "ctest@file", "cinder-volume", 1, "swap") == BS_OK);
  CHECK(strstr(out, "\"status\":\"disabled\"") != NULL);
  CHECK(strstr(out, "\"disabled_reason\":\"swap\"") != NULL);
  bs_free(out);
  CHECK(bs_volume_create(&out, engine, alice, "{\"size\": 1, \"name\": \"nowhere\"}") == BS_OK);
  CHECK(field(out, "id", nowhere_id, sizeof nowhere_id));
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, alice, nowhere_id, "available,error", 10000) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "error") == 0);
  bs_free(out);
  CHECK(bs_engine_set_service_disabled(&out, engine, "ctest@file", "cinder-volume", 0, NULL) == BS_OK);
  CHECK(strstr(out, "\"status\":\"enabled\"") != NULL);
  bs_free(out);
  CHECK(bs_engine_set_service_disabled(&out, engine, "nohost@x", "cinder-volume", 1, NULL) == BS_ENOTFOUND);
  CHECK(bs_engine_set_service_disabled(&out, engine, NULL, "cinder-volume", 1, NULL) == BS_EINVAL);
  CHECK(bs_engine_services(NULL, engine) == BS_EINVAL);
  CHECK(bs_volume_delete(&out, engine, alice, nowhere_id, 0, 0) == BS_OK);
  bs_free(out);
  CHECK(bs_volume_wait_deleted(engine, alice, nowhere_id, 10000) == BS_OK);

  /* delete everything: cascade takes the snapshot along */
  CHECK(bs_volume_delete(&out, engine, alice, clone_id, 0, 0) == BS_OK);
  bs_free(out);
  CHECK(bs_volume_delete(&out, engine, alice, id, 1, 0) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "deleting") == 0);
  bs_free(out);
  CHECK(bs_volume_wait_deleted(engine, alice, id, 10000) == BS_OK);
  CHECK(bs_volume_wait_deleted(engine, alice, clone_id, 10000) == BS_OK);
  CHECK(bs_snapshot_get(&out, engine, alice, snap_id) == BS_ENOTFOUND);

  CHECK(bs_engine_unsubscribe(engine, token) == BS_OK);
  pthread_mutex_lock(&events_mu);
  CHECK(create_end_events == 2);
  CHECK(events >= 8);
  pthread_mutex_unlock(&events_mu);

  CHECK(bs_engine_close(engine) == BS_OK);
  CHECK(bs_volume_list(&out, engine, alice, NULL) == BS_EUNAVAILABLE);
  bs_engine_free(engine);
  bs_context_free(alice);
  bs_context_free(bob);
  bs_context_free(admin);
}

/* A host filter: only pools of backend "b"; counts its calls through the payload. */
static int only_backend_b(const char* pool_json, const char* request_json, char* why,
                          size_t why_len, void* payload) {
  int* calls = (int*)payload;
  __atomic_add_fetch(calls, 1, __ATOMIC_SEQ_CST);
  if (!strstr(request_json, "\"operation\":\"create\"")) return 0;
  if (strstr(pool_json, "\"backend\":\"h@b\"")) return 1;
  if (why) snprintf(why, why_len, "not backend b");
  return 0;
}

static double prefer_a(const char* pool_json, const char* request_json, void* payload) {
  (void)request_json;
  (void)payload;
  return strstr(pool_json, "\"backend\":\"h@a\"") ? 10.0 : 0.0;
}

static void test_scheduling(const char* dir) {
  bs_engine* engine = NULL;
  bs_context* admin = NULL;
  bs_context* alice = NULL;
  bs_scheduler_registry* registry = NULL;
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  char config[2048];
  char* out = NULL;
  char id[64], host[128];
  int calls = 0;
  CHECK(bs_scheduler_registry_new(&registry) == BS_OK);
  CHECK(bs_scheduler_registry_add_filter(registry, "OnlyB", only_backend_b, &calls) == BS_OK);
  CHECK(bs_scheduler_registry_add_filter(registry, "OnlyB", only_backend_b, &calls) == BS_EEXIST);
  CHECK(bs_scheduler_registry_add_filter(registry, "CapacityFilter", only_backend_b, &calls) == BS_EEXIST);
  CHECK(bs_scheduler_registry_add_filter(registry, "NoCallback", NULL, NULL) == BS_EINVAL);
  CHECK(bs_scheduler_registry_add_weigher(registry, "PreferA", prefer_a, NULL) == BS_OK);
  snprintf(config, sizeof config,
           "{\"host\": \"h\", \"backends\": ["
           "{\"name\": \"a\", \"driver\": \"file\", \"options\": {\"volumes_dir\": \"%s/a\"}},"
           "{\"name\": \"b\", \"driver\": \"file\", \"goodness_function\": \"volume.size < 5 ? 90 : 10\","
           " \"options\": {\"volumes_dir\": \"%s/b\"}}],"
           " \"scheduler\": {\"filters\": [\"CapacityFilter\", \"OnlyB\"],"
           " \"weighers\": {\"PreferA\": 1.0, \"GoodnessWeigher\": 1.0}, \"max_attempts\": 2}}",
           dir, dir);
  options.state_path = dir;
  options.config_json = config;
  options.scheduler_registry = registry;
  CHECK(bs_engine_open(&engine, &options) == BS_OK);
  bs_scheduler_registry_free(registry); /* the engine keeps what it needs */
  CHECK(bs_context_new(&admin, "admin", "root", 1) == BS_OK);
  CHECK(bs_context_new(&alice, "alice", "u1", 0) == BS_OK);

  CHECK(bs_placement_explain(&out, engine, admin, "{\"size\": 1}") == BS_OK);
  CHECK(out && strstr(out, "\"chosen\":\"h@b#b\""));
  CHECK(out && strstr(out, "\"filter\":\"OnlyB\""));
  CHECK(out && strstr(out, "pool h@a#a: not backend b"));
  CHECK(out && strstr(out, "\"GoodnessWeigher\":9E1"));
  bs_free(out);
  out = NULL;
  CHECK(bs_placement_explain(&out, engine, alice, "{\"size\": 1}") == BS_EPERM);
  CHECK(out == NULL);
  CHECK(bs_placement_explain(&out, engine, admin, "{\"size\": 1, \"scheduler_hints\": {\"bogus\": 1}}") == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "bogus") != NULL);
  CHECK(bs_placement_explain(&out, engine, admin, "{\"size\": 1, \"scheduler_hints\": {\"query\": \"[1]\"}}") == BS_EINVAL);

  CHECK(bs_volume_create(&out, engine, alice, "{\"size\": 1}") == BS_OK);
  CHECK(field(out, "id", id, sizeof id));
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, alice, id, "available,error", 10000) == BS_OK);
  CHECK(field(out, "host", host, sizeof host) && strcmp(host, "h@b#b") == 0);
  bs_free(out);
  CHECK(__atomic_load_n(&calls, __ATOMIC_SEQ_CST) >= 4);

  /* Configuration mistakes are named. */
  bs_engine_close(engine);
  bs_engine_free(engine);
  engine = NULL;
  options.scheduler_registry = NULL;
  CHECK(bs_engine_open(&engine, &options) == BS_EINVAL); /* OnlyB is not registered now */
  CHECK(strstr(bs_last_error(), "OnlyB") != NULL);
  options.config_json = "{\"scheduler\": {\"weight_handler\": \"Dice\"}}";
  CHECK(bs_engine_open(&engine, &options) == BS_EINVAL);
  options.config_json = "{\"scheduler\": {\"colour\": 1}}";
  CHECK(bs_engine_open(&engine, &options) == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "colour") != NULL);
  options.config_json = "{\"backends\": [{\"name\": \"x\", \"driver\": \"file\", \"filter_function\": \"1 +\", \"options\": {\"volumes_dir\": \"/tmp\"}}]}";
  CHECK(bs_engine_open(&engine, &options) == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "filter_function") != NULL);
  CHECK(engine == NULL);
  bs_context_free(admin);
  bs_context_free(alice);
}

static int progress_calls = 0;

static void on_progress(const char* progress_json, void* payload) {
  (void)payload;
  pthread_mutex_lock(&events_mu);
  if (strstr(progress_json, "\"bytes_total\":1073741824")) ++progress_calls;
  pthread_mutex_unlock(&events_mu);
}

/* Writes n bytes of a pattern at `offset` of the file, leaving the rest sparse. */
static void write_pattern(const char* path, long offset, size_t n, int seed) {
  FILE* f = fopen(path, "r+b");
  size_t i;
  CHECK(f != NULL);
  if (!f) return;
  fseek(f, offset, SEEK_SET);
  for (i = 0; i < n; ++i) fputc((int)((i * 131u + (unsigned)seed * 7u) % 251u), f);
  fclose(f);
}

static int same_bytes(const char* a, const char* b, long offset, size_t n) {
  FILE* fa = fopen(a, "rb");
  FILE* fb = fopen(b, "rb");
  size_t i;
  int same = fa && fb;
  if (same) {
    fseek(fa, offset, SEEK_SET);
    fseek(fb, offset, SEEK_SET);
    for (i = 0; i < n && same; ++i) same = fgetc(fa) == fgetc(fb);
  }
  if (fa) fclose(fa);
  if (fb) fclose(fb);
  return same;
}

static int give_key(const char* key_id, unsigned char key_out[32], void* payload) {
  (void)payload;
  if (strcmp(key_id, "c-key") != 0) return 1;
  memset(key_out, 0x5c, 32);
  return 0;
}

static void test_backups(const char* dir) {
  bs_engine* engine = NULL;
  bs_context* admin = NULL;
  bs_context* bob = NULL;
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  char* out = NULL;
  char config[1024], vol[64], backup[64], inc[64], own[64], restored[64], status[32], path_a[600],
      path_b[600], record[4096];
  char* url_start;

  snprintf(config, sizeof config,
           "{\"host\": \"ctest\", \"backup\": {\"target\": {\"type\": \"posix\", "
           "\"root\": \"%s/target\", \"sync\": \"false\"}, \"compression\": \"zlib\", "
           "\"workers\": 3, \"read_streams\": 1, \"progress_interval_ms\": 0, "
           "\"encryption_key_id\": \"c-key\"}}",
           dir);
  options.state_path = dir;
  options.config_json = "{\"backup\": {\"target\": {\"type\": \"tape\"}}}";
  CHECK(bs_engine_open(&engine, &options) == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "tape") != NULL);
  options.config_json = "{\"backup\": {\"chunk_size\": 1000}}";
  CHECK(bs_engine_open(&engine, &options) == BS_EINVAL);
  options.config_json = "{\"backup\": {\"read_streams\": 0}}";
  CHECK(bs_engine_open(&engine, &options) == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "read_streams") != NULL);
  options.config_json = "{\"backup\": {\"read_streams\": \"two\"}}";
  CHECK(bs_engine_open(&engine, &options) == BS_EINVAL);
  options.config_json = config;
  options.backup_progress = on_progress;
  CHECK(bs_engine_open(&engine, &options) == BS_EINVAL); /* a key id, but no keys */
  options.backup_key = give_key;
  CHECK(bs_engine_open(&engine, &options) == BS_OK);
  CHECK(bs_context_new(&admin, "admin", "root", 1) == BS_OK);
  CHECK(bs_context_new(&bob, "bob", "u2", 0) == BS_OK);

  CHECK(bs_volume_create(&out, engine, admin, "{\"size\": 1}") == BS_OK);
  CHECK(field(out, "id", vol, sizeof vol));
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, admin, vol, "available", 10000) == BS_OK);
  bs_free(out);
  snprintf(path_a, sizeof path_a, "%s/volumes/volume-%s", dir, vol);
  write_pattern(path_a, 0, 300000, 1);

  /* full, then incremental */
  CHECK(bs_backup_create(&out, engine, admin, "{\"volume_id\": 42}") == BS_EINVAL);
  CHECK(out == NULL);
  CHECK(bs_backup_create(&out, engine, admin, "{\"volume_id\": \"x\", \"colour\": 1}") == BS_EINVAL);
  CHECK(bs_backup_create(&out, engine, admin, "{\"volume_id\": \"") == BS_EINVAL);
  CHECK(bs_backup_create(&out, engine, admin, "{\"volume_id\": \"x\"}") == BS_ENOTFOUND);
  snprintf(config, sizeof config, "{\"volume_id\": \"%s\", \"name\": \"c-full\"}", vol);
  CHECK(bs_backup_create(&out, engine, admin, config) == BS_OK);
  CHECK(field(out, "id", backup, sizeof backup));
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "creating") == 0);
  bs_free(out);
  CHECK(bs_backup_wait(&out, engine, admin, backup, "available,error", 10000) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  CHECK(strstr(out, "\"encrypted\":true") != NULL);
  bs_free(out);
  CHECK(progress_calls == 256);
  CHECK(bs_backup_get(&out, engine, bob, backup) == BS_ENOTFOUND);
  write_pattern(path_a, 8 << 20, 5000, 2);
  snprintf(config, sizeof config, "{\"volume_id\": \"%s\", \"incremental\": true}", vol);
  CHECK(bs_backup_create(&out, engine, admin, config) == BS_OK);
  CHECK(field(out, "id", inc, sizeof inc));
  bs_free(out);
  CHECK(bs_backup_wait(&out, engine, admin, inc, "available,error", 10000) == BS_OK);
  CHECK(strstr(out, "\"is_incremental\":true") != NULL);
  CHECK(strstr(out, backup) != NULL); /* its parent */
  CHECK(strstr(out, "\"object_count\":1") != NULL);
  bs_free(out);
  CHECK(bs_backup_list(&out, engine, admin, "{\"sort\": \"created_at:asc\"}") == BS_OK);
  CHECK(strstr(out, backup) != NULL && strstr(out, inc) != NULL);
  bs_free(out);
  CHECK(bs_backup_verify(engine, admin, inc, 60000) == BS_OK);
  CHECK(bs_backup_update(&out, engine, admin, inc, "{\"name\": \"c-inc\"}") == BS_OK);
  CHECK(strstr(out, "\"name\":\"c-inc\"") != NULL);
  bs_free(out);

  /* a backup in a container of its own, and a volume created from it */
  snprintf(config, sizeof config, "{\"volume_id\": \"%s\", \"container\": \"c-weekly\"}", vol);
  CHECK(bs_backup_create(&out, engine, admin, config) == BS_OK);
  CHECK(field(out, "id", own, sizeof own));
  bs_free(out);
  CHECK(bs_backup_wait(&out, engine, admin, own, "available,error", 10000) == BS_OK);
  CHECK(strstr(out, "\"container\":\"c-weekly\"") != NULL);
  bs_free(out);
  snprintf(config, sizeof config, "{\"volume_id\": \"%s\", \"container\": \"../up\"}", vol);
  CHECK(bs_backup_create(&out, engine, admin, config) == BS_EINVAL);
  snprintf(config, sizeof config, "{\"backup_id\": \"%s\", \"name\": \"c-from-backup\"}", own);
  CHECK(bs_volume_create(&out, engine, admin, config) == BS_OK);
  CHECK(field(out, "id", restored, sizeof restored));
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, admin, restored, "available,error,error_restoring", 10000) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  bs_free(out);
  snprintf(path_b, sizeof path_b, "%s/volumes/volume-%s", dir, restored);
  CHECK(same_bytes(path_a, path_b, 0, 300000));
  CHECK(bs_backup_wait(&out, engine, admin, own, "available", 10000) == BS_OK);
  bs_free(out);
  CHECK(bs_backup_delete(&out, engine, admin, own, 0) == BS_OK);
  bs_free(out);
  CHECK(bs_backup_wait_deleted(engine, admin, own, 10000) == BS_OK);

  /* restore to a new volume */
  CHECK(bs_backup_restore(&out, engine, admin, inc, NULL) == BS_OK);
  CHECK(field(out, "volume_id", restored, sizeof restored));
  bs_free(out);
  CHECK(bs_backup_wait(&out, engine, admin, inc, "available", 10000) == BS_OK);
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, admin, restored, "available,error_restoring", 10000) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  bs_free(out);
  snprintf(path_b, sizeof path_b, "%s/volumes/volume-%s", dir, restored);
  CHECK(same_bytes(path_a, path_b, 0, 300000));
  CHECK(same_bytes(path_a, path_b, 8 << 20, 5000));

  /* export / import round trip on the same engine after deleting the record */
  CHECK(bs_backup_export_record(&out, engine, bob, inc) == BS_EPERM);
  CHECK(bs_backup_export_record(&out, engine, admin, backup) == BS_OK);
  CHECK(strstr(out, "\"backup_service\":\"blockstore.backup\"") != NULL);
  snprintf(record, sizeof record, "%s", out);
  bs_free(out);
  CHECK(bs_backup_import_record(&out, engine, admin, record) == BS_EPRECONDITION);
  url_start = strstr(record, "\"backup_url\":\"");
  CHECK(url_start != NULL);
  CHECK(bs_backup_import_record(&out, engine, admin, "{\"backup_service\": 1}") == BS_EINVAL);
  CHECK(bs_backup_import_record(&out, engine, admin,
                                "{\"backup_service\": \"blockstore.backup\", \"backup_url\": \"%%%\"}") == BS_EINVAL);

  /* delete: the full one only after its incremental */
  CHECK(bs_backup_delete(&out, engine, admin, backup, 0) == BS_EPRECONDITION);
  CHECK(bs_backup_delete(&out, engine, admin, inc, 0) == BS_OK);
  bs_free(out);
  CHECK(bs_backup_wait_deleted(engine, admin, inc, 10000) == BS_OK);
  CHECK(bs_backup_reset_status(&out, engine, admin, backup, "restoring") == BS_EINVAL);
  CHECK(bs_backup_reset_status(&out, engine, admin, backup, "error") == BS_OK);
  bs_free(out);
  CHECK(bs_backup_delete(&out, engine, admin, backup, 0) == BS_OK);
  bs_free(out);
  CHECK(bs_backup_wait_deleted(engine, admin, backup, 10000) == BS_OK);

  bs_engine_free(engine);
  bs_context_free(admin);
  bs_context_free(bob);
}

/* Reads KEY=VALUE from the file scripts/swift-aio wrote. */
static int store_value(const char* key, char* out, size_t n) {
  const char* path = getenv("BS_OBJECT_STORE_ENV");
  char line[512];
  size_t klen = strlen(key);
  int found = 0;
  FILE* f = path ? fopen(path, "r") : NULL;
  if (!f) return 0;
  while (!found && fgets(line, sizeof line, f)) {
    if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
      snprintf(out, n, "%s", line + klen + 1);
      out[strcspn(out, "\r\n")] = '\0';
      found = 1;
    }
  }
  fclose(f);
  return found;
}

/* A backup to a real Swift store over one API, restored and deleted again. */
static void backup_round_trip(const char* dir, const char* target_json) {
  bs_engine* engine = NULL;
  bs_context* admin = NULL;
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  char config[2048], request[256], vol[64], backup[64], restored[64], status[32], a[600], b[600];
  char* out = NULL;

  snprintf(config, sizeof config, "{\"host\": \"cstore\", \"backup\": {\"target\": %s, "
           "\"chunk_size\": 1048576}}", target_json);
  options.state_path = dir;
  options.config_json = config;
  CHECK(bs_engine_open(&engine, &options) == BS_OK);
  if (!engine) return;
  CHECK(bs_context_new(&admin, "admin", "root", 1) == BS_OK);
  CHECK(bs_volume_create(&out, engine, admin, "{\"size\": 1}") == BS_OK);
  CHECK(field(out, "id", vol, sizeof vol));
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, admin, vol, "available", 10000) == BS_OK);
  bs_free(out);
  snprintf(a, sizeof a, "%s/volumes/volume-%s", dir, vol);
  write_pattern(a, 1 << 20, 2500000, 3);
  snprintf(request, sizeof request, "{\"volume_id\": \"%s\"}", vol);
  CHECK(bs_backup_create(&out, engine, admin, request) == BS_OK);
  CHECK(field(out, "id", backup, sizeof backup));
  bs_free(out);
  CHECK(bs_backup_wait(&out, engine, admin, backup, "available,error", 30000) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  bs_free(out);
  CHECK(bs_backup_verify(engine, admin, backup, 60000) == BS_OK);
  CHECK(bs_backup_restore(&out, engine, admin, backup, NULL) == BS_OK);
  CHECK(field(out, "volume_id", restored, sizeof restored));
  bs_free(out);
  CHECK(bs_backup_wait(&out, engine, admin, backup, "available", 30000) == BS_OK);
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, admin, restored, "available,error_restoring", 30000) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  bs_free(out);
  snprintf(b, sizeof b, "%s/volumes/volume-%s", dir, restored);
  CHECK(same_bytes(a, b, 1 << 20, 2500000));
  CHECK(bs_backup_delete(&out, engine, admin, backup, 0) == BS_OK);
  bs_free(out);
  CHECK(bs_backup_wait_deleted(engine, admin, backup, 30000) == BS_OK);
  bs_engine_free(engine);
  bs_context_free(admin);
}

static void test_object_stores(void) {
  char auth[256], user[64], key[64], endpoint[256], access[64], secret[64], region[64];
  char target[1024];
  char* d1 = make_temp_dir();
  char* d2 = make_temp_dir();
  CHECK(store_value("SWIFT_AUTH_URL", auth, sizeof auth));
  CHECK(store_value("SWIFT_USER", user, sizeof user));
  CHECK(store_value("SWIFT_KEY", key, sizeof key));
  CHECK(store_value("S3_ENDPOINT", endpoint, sizeof endpoint));
  CHECK(store_value("S3_ACCESS_KEY", access, sizeof access));
  CHECK(store_value("S3_SECRET_KEY", secret, sizeof secret));
  CHECK(store_value("S3_REGION", region, sizeof region));
  snprintf(target, sizeof target, "{\"type\": \"swift\", \"auth_url\": \"%s\", \"user\": \"%s\", "
           "\"key\": \"%s\", \"container\": \"c-api\"}", auth, user, key);
  backup_round_trip(d1, target);
  snprintf(target, sizeof target, "{\"type\": \"s3\", \"endpoint\": \"%s\", \"access_key\": \"%s\", "
           "\"secret_key\": \"%s\", \"region\": \"%s\", \"bucket\": \"c-api\"}",
           endpoint, access, secret, region);
  backup_round_trip(d2, target);
  remove_tree(d1);
  remove_tree(d2);
  free(d1);
  free(d2);
}

/* Copies the JSON object value of "key" (balanced braces) into out. */
static int object_field(const char* json, const char* key, char* out, size_t n) {
  char pattern[64];
  const char* p;
  size_t len = 0;
  int depth = 0;
  snprintf(pattern, sizeof pattern, "\"%s\":{", key);
  p = json ? strstr(json, pattern) : NULL;
  if (!p) return 0;
  p += strlen(pattern) - 1;
  do {
    if (p[len] == '{') ++depth;
    if (p[len] == '}') --depth;
    ++len;
  } while (p[len] && depth > 0 && len + 1 < n);
  memcpy(out, p, len);
  out[len] = '\0';
  return depth == 0;
}

/* The attach workflow from C: attachment with this host's connector, the device it opens,
 * data both ways, detach. backend_options_json configures the file backend's export. */
static void attach_round_trip(const char* dir, const char* backend_options_json,
                              const char* initiator) {
  bs_engine* engine = NULL;
  bs_context* alice = NULL;
  bs_context* admin = NULL;
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  bs_device* dev = NULL;
  char config[2048], request[2048], vol[64], att[64], status[32], path[600];
  char connector[1024], info[4096], open_options[256];
  char* out = NULL;
  unsigned char wrote[65536], got[65536];
  size_t done = 0;

  snprintf(config, sizeof config, "{\"host\": \"cattach\", \"backends\": [{\"name\": \"file\", "
           "\"driver\": \"file\", \"options\": {\"volumes_dir\": \"%s/volumes\"%s}}]}", dir,
           backend_options_json);
  options.state_path = dir;
  options.config_json = config;
  CHECK(bs_engine_open(&engine, &options) == BS_OK);
  if (!engine) return;
  CHECK(bs_context_new(&alice, "alice", "u1", 0) == BS_OK);
  CHECK(bs_context_new(&admin, "admin", "root", 1) == BS_OK);
  CHECK(bs_volume_create(&out, engine, alice, "{\"size\": 1}") == BS_OK);
  CHECK(field(out, "id", vol, sizeof vol));
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, alice, vol, "available", 10000) == BS_OK);
  bs_free(out);

  CHECK(bs_host_connector(&out, "127.0.0.1", initiator) == BS_OK);
  snprintf(connector, sizeof connector, "%s", out ? out : "{}");
  bs_free(out);
  CHECK(strstr(connector, initiator) != NULL);

  /* Garbage gets a clear error and nothing changes. */
  snprintf(request, sizeof request, "{\"volume_id\": \"%s\", \"connector\": {\"host\": \"h\", "
           "\"initiator\": \"not an iqn\"}}", vol);
  CHECK(bs_attachment_create(&out, engine, alice, request) == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "initiator") != NULL);
  CHECK(bs_attachment_create(&out, engine, alice, "{\"volume_id\": 5}") == BS_EINVAL);
  CHECK(bs_attachment_create(&out, engine, alice, "{not json") == BS_EINVAL);
  snprintf(request, sizeof request, "{\"volume_id\": \"%s\", \"connector\": {\"host\": \"h\", "
           "\"wat\": 1}}", vol);
  CHECK(bs_attachment_create(&out, engine, alice, request) == BS_EINVAL);
  CHECK(bs_volume_get(&out, engine, alice, vol) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  bs_free(out);

  /* Reserve, connect, complete. */
  snprintf(request, sizeof request, "{\"volume_id\": \"%s\"}", vol);
  CHECK(bs_attachment_create(&out, engine, alice, request) == BS_OK);
  CHECK(field(out, "id", att, sizeof att));
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "reserved") == 0);
  bs_free(out);
  CHECK(bs_attachment_update(&out, engine, alice, att, connector) == BS_OK);
  CHECK(object_field(out, "connection_info", info, sizeof info));
  bs_free(out);
  CHECK(bs_attachment_complete(&out, engine, alice, att) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "attached") == 0);
  bs_free(out);
  CHECK(bs_volume_get(&out, engine, alice, vol) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "in-use") == 0);
  bs_free(out);
  CHECK(bs_attachment_list(&out, engine, alice, NULL) == BS_OK);
  CHECK(out && strstr(out, att) != NULL);
  bs_free(out);

  /* The host opens the volume and writes; the file holds it, and reads come back. */
  snprintf(open_options, sizeof open_options, "{\"initiator\": \"%s\", \"timeout_ms\": 5000}",
           initiator);
  CHECK(bs_device_open(&dev, info, open_options) == BS_OK);
  if (dev) {
    CHECK(bs_device_size(dev) == 1073741824ull);
    for (size_t i = 0; i < sizeof wrote; ++i) wrote[i] = (unsigned char)(i * 7 + 3);
    CHECK(bs_device_write(dev, 1 << 20, wrote, sizeof wrote) == BS_OK);
    CHECK(bs_device_flush(dev) == BS_OK);
    CHECK(bs_device_read(dev, 1 << 20, got, sizeof got, &done) == BS_OK);
    CHECK(done == sizeof got && memcmp(wrote, got, sizeof got) == 0);
    CHECK(bs_device_write(dev, 1073741824ull, wrote, 1) == BS_EINVAL);
    bs_device_close(dev);
    snprintf(path, sizeof path, "%s/volumes/volume-%s", dir, vol);
    {
      FILE* f = fopen(path, "rb");
      CHECK(f != NULL);
      if (f) {
        CHECK(fseek(f, 1 << 20, SEEK_SET) == 0);
        CHECK(fread(got, 1, sizeof got, f) == sizeof got);
        CHECK(memcmp(wrote, got, sizeof got) == 0);
        fclose(f);
      }
    }
  }
  CHECK(bs_device_open(&dev, "{\"driver_volume_type\": \"nvme\", \"data\": {}}", NULL) ==
        BS_EUNIMPLEMENTED);
  CHECK(dev == NULL);

  /* Deleting the attached volume is refused; detaching frees it. */
  CHECK(bs_volume_delete(&out, engine, alice, vol, 0, 0) == BS_EPRECONDITION);
  CHECK(bs_volume_force_detach(&out, engine, alice, vol, NULL) == BS_EPERM);
  CHECK(bs_attachment_delete(&out, engine, alice, att) == BS_OK);
  CHECK(out && strcmp(out, "[]") == 0);
  bs_free(out);

  /* The legacy actions. */
  CHECK(bs_volume_reserve(&out, engine, alice, vol) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "attaching") == 0);
  bs_free(out);
  CHECK(bs_volume_initialize_connection(&out, engine, alice, vol, connector) == BS_OK);
  CHECK(out && strstr(out, "driver_volume_type") != NULL);
  bs_free(out);
  CHECK(bs_volume_attach(&out, engine, alice, vol, "{\"host_name\": \"c-host\", \"mountpoint\": \"/dev/vdb\"}") == BS_OK);
  bs_free(out);
  CHECK(bs_volume_begin_detaching(&out, engine, alice, vol) == BS_OK);
  bs_free(out);
  CHECK(bs_volume_roll_detaching(&out, engine, alice, vol) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "in-use") == 0);
  bs_free(out);
  CHECK(bs_volume_terminate_connection(engine, alice, vol, connector) == BS_OK);
  CHECK(bs_volume_detach(&out, engine, alice, vol, NULL) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  bs_free(out);
  CHECK(bs_volume_reserve(&out, engine, alice, vol) == BS_OK);
  bs_free(out);
  CHECK(bs_volume_unreserve(&out, engine, alice, vol) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  bs_free(out);
  CHECK(bs_volume_force_detach(&out, engine, admin, vol, NULL) == BS_OK);
  bs_free(out);
  bs_engine_free(engine);
  bs_context_free(alice);
  bs_context_free(admin);
}

/* Cinder's REST API through the C handler: a request in, a response out. */
static void test_rest(const char* dir) {
  bs_engine* engine = NULL;
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  bs_rest* rest = NULL;
  int status = 0;
  char* headers = NULL;
  char* body = NULL;
  const char* create = "{\"volume\": {\"size\": 1, \"name\": \"c-rest\"}}";
  options.state_path = dir;
  options.config_json = "{\"host\": \"crest\"}";
  CHECK(bs_engine_open(&engine, &options) == BS_OK);
  if (!engine) return;
  CHECK(bs_rest_new(&rest, engine, "{\"auth_strategy\": \"bogus\"}") == BS_EINVAL);
  CHECK(rest == NULL);
  CHECK(bs_rest_new(&rest, engine, "{\"auth_strategy\": \"tokens\", \"tokens\": {\"t1\": "
                    "{\"user_id\": \"u1\", \"project_id\": \"p1\"}}}") == BS_OK);
  CHECK(bs_rest_handle(rest, "POST", "/v3/p1/volumes", "{\"X-Auth-Token\": \"t1\"}", create,
                       strlen(create), &status, &headers, &body) == BS_OK);
  CHECK(status == 202);
  CHECK(body && strstr(body, "\"name\":\"c-rest\"") != NULL);
  CHECK(headers && strstr(headers, "x-openstack-request-id") != NULL);
  bs_free(headers);
  bs_free(body);
  CHECK(bs_rest_handle(rest, "GET", "/v3/p1/volumes", "{\"X-Auth-Token\": \"wrong\"}", NULL, 0,
                       &status, &headers, &body) == BS_OK);
  CHECK(status == 401);
  CHECK(body && strstr(body, "unauthorized") != NULL);
  bs_free(headers);
  bs_free(body);
  CHECK(bs_rest_handle(rest, "GET", "/v3/p1/volumes", "[1]", NULL, 0, &status, &headers, &body) ==
        BS_EINVAL);
  bs_rest_free(rest);
  bs_rest_free(NULL);
  bs_engine_free(engine);
}

/* The attach workflow through the tgtd the suite started (BS_TGT_ENV). */
static void test_iscsi(void) {
  const char* path = getenv("BS_TGT_ENV");
  char line[256], cp[256] = "", port[256] = "", backend[1024];
  char* d = make_temp_dir();
  FILE* f = path ? fopen(path, "r") : NULL;
  CHECK(f != NULL);
  while (f && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (strncmp(line, "TGT_CONTROL_PORT=", 17) == 0) snprintf(cp, sizeof cp, "%s", line + 17);
    if (strncmp(line, "TGT_PORTAL_PORT=", 16) == 0) snprintf(port, sizeof port, "%s", line + 16);
  }
  if (f) fclose(f);
  CHECK(cp[0] && port[0]);
  snprintf(backend, sizeof backend, ", \"target_protocol\": \"iscsi\", \"tgt_control_port\": "
           "\"%s\", \"target_port\": \"%s\", \"target_prefix\": \"iqn.2026-11.org.blockstore.capi\"",
           cp, port);
  attach_round_trip(d, backend, "iqn.2026-11.org.blockstore.capi:host");
  remove_tree(d);
  free(d);
}

/* The value of KEY in the KEY=VALUE file env var `env_var` names, into out (size n). */
static int env_file_value(const char* env_var, const char* key, char* out, size_t n) {
  const char* path = getenv(env_var);
  char line[1024];
  const size_t klen = strlen(key);
  int found = 0;
  FILE* f = path ? fopen(path, "r") : NULL;
  while (f && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
      snprintf(out, n, "%s", line + klen + 1);
      found = 1;
    }
  }
  if (f) fclose(f);
  return found;
}

/* Whether the RBD image exists in the suite's Ceph (the rbd CLI, as an operator would look). */
static int rbd_image_exists(const char* conf, const char* user, const char* keyring, const char* pool,
                            const char* image) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "rbd -c '%s' -n 'client.%s' -k '%s' info '%s/%s' >/dev/null 2>&1", conf, user,
           keyring, pool, image);
  return system(cmd) == 0;
}

/* A volume, its snapshot and a volume from it on the RBD backend of the suite's Ceph (BS_CEPH_ENV). */
static void test_rbd(void) {
  char conf[512] = "", user[64] = "", keyring[512] = "", pool[64] = "", config[4096];
  char vol[64], snap[64], from[64], image[128], status[32];
  char* out = NULL;
  bs_engine* engine = NULL;
  bs_context* alice = NULL;
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  char* d = make_temp_dir();
  CHECK(env_file_value("BS_CEPH_ENV", "BS_CEPH_CONF", conf, sizeof conf));
  CHECK(env_file_value("BS_CEPH_ENV", "BS_CEPH_USER", user, sizeof user));
  CHECK(env_file_value("BS_CEPH_ENV", "BS_CEPH_KEYRING", keyring, sizeof keyring));
  CHECK(env_file_value("BS_CEPH_ENV", "BS_CEPH_POOL", pool, sizeof pool));
  snprintf(config, sizeof config,
           "{\"host\": \"crbd\", \"backends\": [{\"name\": \"ceph\", \"driver\": \"rbd\", \"options\": "
           "{\"rbd_pool\": \"%s\", \"rbd_user\": \"%s\", \"rbd_ceph_conf\": \"%s\", \"rbd_keyring_conf\": \"%s\"}}]}",
           pool, user, conf, keyring);
  options.state_path = d;
  options.config_json = config;
  CHECK(bs_engine_open(&engine, &options) == BS_OK);
  if (!engine) {
    printf("  %s\n", bs_last_error());
    remove_tree(d);
    free(d);
    return;
  }
  CHECK(bs_context_new(&alice, "alice", "u1", 0) == BS_OK);
  CHECK(bs_volume_create(&out, engine, alice, "{\"size\": 1}") == BS_OK);
  CHECK(field(out, "id", vol, sizeof vol));
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, alice, vol, "available", 30000) == BS_OK);
  CHECK(field(out, "host", status, sizeof status) && strstr(status, "crbd@ceph#") == status);
  bs_free(out);
  snprintf(image, sizeof image, "volume-%s", vol);
  CHECK(rbd_image_exists(conf, user, keyring, pool, image));
  CHECK(bs_volume_extend(&out, engine, alice, vol, 2) == BS_OK);
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, alice, vol, "available", 30000) == BS_OK);
  CHECK(out && strstr(out, "\"size\":2") != NULL);
  bs_free(out);

  out = snapshot_then_volume(engine, alice, vol, snap, from, 30000);
  CHECK(out && strstr(out, "\"size\":2") != NULL);
  bs_free(out);
  snprintf(image, sizeof image, "volume-%s", from);
  CHECK(rbd_image_exists(conf, user, keyring, pool, image));

  /* Attach: the attachment's rbd connection, opened and written by this host. */
  {
    char request[2048], att[64];
    char* connector = NULL;
    bs_device* dev = NULL;
    unsigned char wrote[8192], got[8192];
    size_t done = 0;
    for (size_t i = 0; i < sizeof wrote; ++i) wrote[i] = (unsigned char)(i * 7 + 3);
    CHECK(bs_host_connector(&connector, "127.0.0.1", "iqn.2026-12.org.blockstore.capi:rbd") == BS_OK);
    snprintf(request, sizeof request, "{\"volume_id\": \"%s\", \"connector\": %s}", vol, connector ? connector : "{}");
    bs_free(connector);
    CHECK(bs_attachment_create(&out, engine, alice, request) == BS_OK);
    CHECK(field(out, "id", att, sizeof att));
    char ci[4096] = "";
    CHECK(object_field(out, "connection_info", ci, sizeof ci));
    CHECK(strstr(ci, "\"driver_volume_type\":\"rbd\"") != NULL);
    CHECK(bs_device_open(&dev, ci, NULL) == BS_OK);
    bs_free(out);
    if (dev) {
      CHECK(bs_device_write(dev, 1 << 20, wrote, sizeof wrote) == BS_OK);
      CHECK(bs_device_flush(dev) == BS_OK);
      CHECK(bs_device_read(dev, 1 << 20, got, sizeof got, &done) == BS_OK);
      CHECK(done == sizeof got && memcmp(wrote, got, sizeof got) == 0);
      bs_device_close(dev);
    }
    CHECK(bs_attachment_complete(&out, engine, alice, att) == BS_OK);
    bs_free(out);
    CHECK(bs_attachment_delete(&out, engine, alice, att) == BS_OK);
    bs_free(out);
  }

  /* A backup of the snapshot (read through its rbd connection), restored to a new image. */
  char backup[64], restored[64], request[256];
  snprintf(request, sizeof request, "{\"volume_id\": \"%s\", \"snapshot_id\": \"%s\"}", vol, snap);
  CHECK(bs_backup_create(&out, engine, alice, request) == BS_OK);
  CHECK(field(out, "id", backup, sizeof backup));
  bs_free(out);
  CHECK(bs_backup_wait(&out, engine, alice, backup, "available,error", 60000) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  bs_free(out);
  CHECK(bs_backup_restore(&out, engine, alice, backup, NULL) == BS_OK);
  CHECK(field(out, "volume_id", restored, sizeof restored));
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, alice, restored, "available,error_restoring", 60000) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  bs_free(out);
  snprintf(image, sizeof image, "volume-%s", restored);
  CHECK(rbd_image_exists(conf, user, keyring, pool, image));
  CHECK(bs_volume_delete(&out, engine, alice, restored, 0, 0) == BS_OK);
  bs_free(out);
  CHECK(bs_volume_wait_deleted(engine, alice, restored, 30000) == BS_OK);
  CHECK(bs_backup_delete(&out, engine, alice, backup, 0) == BS_OK);
  bs_free(out);
  CHECK(bs_backup_wait_deleted(engine, alice, backup, 30000) == BS_OK);
  snprintf(image, sizeof image, "volume-%s", from);

  /* Everything goes, and the images with it. */
  CHECK(bs_volume_delete(&out, engine, alice, from, 0, 0) == BS_OK);
  bs_free(out);
  CHECK(bs_volume_wait_deleted(engine, alice, from, 30000) == BS_OK);
  CHECK(!rbd_image_exists(conf, user, keyring, pool, image));
  CHECK(bs_snapshot_delete(&out, engine, alice, snap, 0) == BS_OK);
  bs_free(out);
  CHECK(bs_snapshot_wait_deleted(engine, alice, snap, 30000) == BS_OK);
  CHECK(bs_volume_delete(&out, engine, alice, vol, 0, 0) == BS_OK);
  bs_free(out);
  CHECK(bs_volume_wait_deleted(engine, alice, vol, 30000) == BS_OK);
  snprintf(image, sizeof image, "volume-%s", vol);
  CHECK(!rbd_image_exists(conf, user, keyring, pool, image));
  bs_context_free(alice);
  bs_engine_close(engine);
  bs_engine_free(engine);
  remove_tree(d);
  free(d);
}

/* ---- user messages: what a failed create leaves its project ---- */

static void test_messages(const char* dir) {
  bs_engine* engine = NULL;
  bs_context* alice = NULL;
  bs_context* bob = NULL;
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  char vol[64], msg[64], status[32];
  char* out = NULL;
  options.state_path = dir;
  options.config_json = "{\"quota_defaults\": {\"gigabytes\": -1}}";
  CHECK(bs_engine_open(&engine, &options) == BS_OK);
  if (!engine) return;
  CHECK(bs_context_new(&alice, "alice", "u1", 0) == BS_OK);
  CHECK(bs_context_new(&bob, "bob", "u2", 0) == BS_OK);
  CHECK(bs_volume_create(&out, engine, alice, "{\"size\": 1000000}") == BS_OK);
  CHECK(field(out, "id", vol, sizeof vol));
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, alice, vol, "available,error", 10000) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "error") == 0);
  bs_free(out);
  /* The message follows the failure: it is written as the failure is reported. */
  for (int i = 0; i < 1000; ++i) {
    CHECK(bs_message_list(&out, engine, alice, NULL) == BS_OK);
    if (!out || strcmp(out, "[]") != 0) break;
    bs_free(out);
    out = NULL;
    struct timespec pause = {0, 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  CHECK(out && strstr(out, "\"user_message\":\"create volume: No valid backend") != NULL);
  CHECK(out && strstr(out, "CapacityFilter") != NULL && strstr(out, vol) != NULL);
  CHECK(field(out, "id", msg, sizeof msg));
  bs_free(out);
  CHECK(bs_message_list(&out, engine, bob, "{\"limit\": 10}") == BS_OK);
  CHECK(out && strcmp(out, "[]") == 0);
  bs_free(out);
  CHECK(bs_message_list(&out, engine, alice, "{\"limit\": 0}") == BS_EINVAL);
  CHECK(bs_message_list(&out, engine, alice, "{\"colour\": 1}") == BS_EINVAL);
  CHECK(bs_message_list(&out, engine, alice, "{\"all_projects\": true}") == BS_EPERM);
  CHECK(bs_message_get(&out, engine, bob, msg) == BS_ENOTFOUND);
  CHECK(bs_message_get(&out, engine, alice, msg) == BS_OK);
  CHECK(out && strstr(out, "\"event_id\":\"VOLUME_VOLUME_001_003\"") != NULL);
  bs_free(out);
  CHECK(bs_message_delete(engine, bob, msg) == BS_ENOTFOUND);
  CHECK(bs_message_delete(engine, alice, msg) == BS_OK);
  CHECK(bs_message_get(&out, engine, alice, msg) == BS_ENOTFOUND);
  bs_context_free(alice);
  bs_context_free(bob);
  bs_engine_free(engine);
}

/* ---- volume transfers: offered by alice, accepted by bob with the key ---- */

static void test_transfers(const char* dir) {
  bs_engine* engine = NULL;
  bs_context* alice = NULL;
  bs_context* bob = NULL;
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  char vol[64], xfer[64], key[64], status[32], request[256], project[64];
  char* out = NULL;
  options.state_path = dir;
  CHECK(bs_engine_open(&engine, &options) == BS_OK);
  if (!engine) return;
  CHECK(bs_context_new(&alice, "alice", "u1", 0) == BS_OK);
  CHECK(bs_context_new(&bob, "bob", "u2", 0) == BS_OK);
  CHECK(bs_volume_create(&out, engine, alice, "{\"size\": 2}") == BS_OK);
  CHECK(field(out, "id", vol, sizeof vol));
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, alice, vol, "available,error", 30000) == BS_OK);
  bs_free(out);
  /* Bad requests first: nothing changes. */
  CHECK(bs_transfer_create(&out, engine, alice, "{}") == BS_EINVAL);
  CHECK(bs_transfer_create(&out, engine, alice, "{\"volume_id\": 7}") == BS_EINVAL);
  snprintf(request, sizeof request, "{\"volume_id\": \"%s\"}", vol);
  CHECK(bs_transfer_create(&out, engine, bob, request) == BS_ENOTFOUND);
  snprintf(request, sizeof request, "{\"volume_id\": \"%s\", \"name\": \"gift\"}", vol);
  CHECK(bs_transfer_create(&out, engine, alice, request) == BS_OK);
  CHECK(field(out, "id", xfer, sizeof xfer));
  CHECK(field(out, "auth_key", key, sizeof key) && strlen(key) == 16);
  CHECK(out && strstr(out, "\"salt\"") == NULL && strstr(out, "crypt_hash") == NULL);
  bs_free(out);
  CHECK(bs_volume_get(&out, engine, alice, vol) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "awaiting-transfer") == 0);
  bs_free(out);
  CHECK(bs_transfer_list(&out, engine, alice, 0) == BS_OK);
  CHECK(out && strstr(out, xfer) != NULL && strstr(out, "auth_key") == NULL);
  bs_free(out);
  CHECK(bs_transfer_list(&out, engine, bob, 1) == BS_EPERM);
  CHECK(bs_transfer_get(&out, engine, bob, xfer) == BS_ENOTFOUND);
  CHECK(bs_transfer_accept(&out, engine, bob, xfer, "wrongwrongwrong!") == BS_EINVAL);
  CHECK(bs_transfer_accept(&out, engine, bob, xfer, NULL) == BS_EINVAL);
  CHECK(bs_transfer_accept(&out, engine, bob, xfer, key) == BS_OK);
  CHECK(out && strstr(out, "\"accepted\":true") != NULL && strstr(out, "\"destination_project_id\":\"bob\"") != NULL);
  bs_free(out);
  CHECK(bs_volume_get(&out, engine, bob, vol) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  CHECK(field(out, "project_id", project, sizeof project) && strcmp(project, "bob") == 0);
  bs_free(out);
  CHECK(bs_volume_get(&out, engine, alice, vol) == BS_ENOTFOUND);
  /* A create with an idempotency key, sent twice: one volume. */
  {
    char once[64], twice[64];
    CHECK(bs_context_set_idempotency_key(alice, "capi-once") == BS_OK);
    CHECK(bs_volume_create(&out, engine, alice, "{\"size\": 1}") == BS_OK);
    CHECK(field(out, "id", once, sizeof once));
    bs_free(out);
    CHECK(bs_volume_create(&out, engine, alice, "{\"size\": 1}") == BS_OK);
    CHECK(field(out, "id", twice, sizeof twice) && strcmp(once, twice) == 0);
    bs_free(out);
    CHECK(bs_volume_create(&out, engine, alice, "{\"size\": 2}") == BS_EINVAL);
    CHECK(bs_context_set_idempotency_key(NULL, "x") == BS_EINVAL);
    CHECK(bs_context_set_idempotency_key(alice, NULL) == BS_OK);
  }
  /* Offered again by bob, then withdrawn: his again, available. */
  CHECK(bs_transfer_create(&out, engine, bob, request) == BS_OK);
  CHECK(field(out, "id", xfer, sizeof xfer));
  bs_free(out);
  CHECK(bs_transfer_delete(engine, alice, xfer) == BS_ENOTFOUND);
  CHECK(bs_transfer_delete(engine, bob, xfer) == BS_OK);
  CHECK(bs_volume_get(&out, engine, bob, vol) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  bs_free(out);
  bs_context_free(alice);
  bs_context_free(bob);
  bs_engine_free(engine);
}

/* ---- migration between two file backends ---- */

static void test_migrate(const char* dir) {
  bs_engine* engine = NULL;
  bs_context* alice = NULL;
  bs_context* admin = NULL;
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  char config[1024], vol[64], host[128], to[128], status[32], path[1200];
  char* out = NULL;
  snprintf(config, sizeof config,
           "{\"host\": \"h\", \"backends\": ["
           "{\"name\": \"a\", \"driver\": \"file\", \"options\": {\"volumes_dir\": \"%s/a\"}},"
           "{\"name\": \"b\", \"driver\": \"file\", \"options\": {\"volumes_dir\": \"%s/b\"}}]}",
           dir, dir);
  options.state_path = dir;
  options.config_json = config;
  CHECK(bs_engine_open(&engine, &options) == BS_OK);
  if (!engine) return;
  CHECK(bs_context_new(&alice, "alice", "u1", 0) == BS_OK);
  CHECK(bs_context_new(&admin, "admin", "admin", 1) == BS_OK);
  CHECK(bs_volume_create(&out, engine, alice, "{\"size\": 1}") == BS_OK);
  CHECK(field(out, "id", vol, sizeof vol));
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, alice, vol, "available,error", 30000) == BS_OK);
  CHECK(field(out, "host", host, sizeof host));
  bs_free(out);
  snprintf(to, sizeof to, "%s", strcmp(host, "h@a#a") == 0 ? "h@b#b" : "h@a#a");
  /* Write a pattern into the source file; it must arrive. */
  snprintf(path, sizeof path, "%s/%c/volume-%s", dir, host[2], vol);
  FILE* f = fopen(path, "r+b");
  CHECK(f != NULL);
  if (f) {
    fseek(f, 3 << 20, SEEK_SET);
    fputs("migrated data", f);
    fclose(f);
  }
  CHECK(bs_volume_migrate(&out, engine, alice, vol, to, 0) == BS_EPERM);
  CHECK(bs_volume_migrate(&out, engine, admin, vol, host, 0) == BS_EINVAL);
  CHECK(bs_volume_migrate(&out, engine, admin, vol, NULL, 0) == BS_EINVAL);
  CHECK(bs_volume_migrate(&out, engine, admin, vol, to, 1) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "maintenance") == 0);
  CHECK(out && strstr(out, "\"migration_status\":\"starting\"") != NULL);
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, alice, vol, "available,error", 30000) == BS_OK);
  CHECK(field(out, "host", host, sizeof host) && strcmp(host, to) == 0);
  CHECK(out && strstr(out, "\"migration_status\":\"success\"") != NULL);
  bs_free(out);
  snprintf(path, sizeof path, "%s/%c/volume-%s", dir, to[2], vol);
  f = fopen(path, "rb");
  CHECK(f != NULL);
  if (f) {
    char got[32] = {0};
    fseek(f, 3 << 20, SEEK_SET);
    CHECK(fread(got, 1, 13, f) == 13 && strcmp(got, "migrated data") == 0);
    fclose(f);
  }
  /* Retype in place: both backends serve the new type. */
  CHECK(bs_type_create(&out, engine, admin, "{\"name\": \"silver\"}") == BS_OK);
  bs_free(out);
  CHECK(bs_volume_retype(&out, engine, alice, vol, "silver", "sometimes") == BS_EINVAL);
  CHECK(bs_volume_retype(&out, engine, alice, vol, "platinum", NULL) == BS_ENOTFOUND);
  CHECK(bs_volume_retype(&out, engine, alice, vol, "silver", NULL) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  bs_free(out);
  CHECK(bs_quota_get(&out, engine, admin, "alice") == BS_OK);
  CHECK(out && strstr(out, "\"volumes_silver\":{\"limit\":-1,\"in_use\":1") != NULL);
  bs_free(out);
  bs_context_free(alice);
  bs_context_free(admin);
  bs_engine_free(engine);
}

/* ---- a volume driver written in C, loaded from its shared object (examples/drivers) ---- */

static int no_create(void* payload, const char* backend_json, void** instance, char** error) {
  (void)payload;
  (void)backend_json;
  (void)instance;
  (void)error;
  return BS_EINTERNAL;
}

static void test_c_driver(const char* dir) {
  const char* so = getenv("BS_SPARSE_DIR_DRIVER");
  bs_driver_registry* reg = NULL;
  bs_engine* engine = NULL;
  bs_context* alice = NULL;
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  char config[2048], vol[64], snap[64], from[64], backup[64], status[32], path[1200];
  char* out = NULL;
  CHECK(so != NULL);
  if (!so) return;
  CHECK(bs_driver_registry_new(&reg) == BS_OK);
  /* Bad tables and names are refused, naming what is wrong. */
  bs_volume_driver partial;
  memset(&partial, 0, sizeof partial);
  partial.version = BS_VOLUME_DRIVER_VERSION;
  partial.create = no_create;
  CHECK(bs_driver_registry_add(reg, "partial", &partial) == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "create_volume") != NULL);
  partial.version = 99;
  CHECK(bs_driver_registry_add(reg, "partial", &partial) == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "version 99") != NULL);
  CHECK(bs_driver_registry_load(reg, "file", so) == BS_EEXIST);
  CHECK(bs_driver_registry_load(reg, "nowhere", "/nonexistent/driver.so") == BS_ENOTFOUND);
  CHECK(strstr(bs_last_error(), "/nonexistent/driver.so") != NULL);
  CHECK(bs_driver_registry_load(reg, "sparse_dir", so) == BS_OK);
  CHECK(bs_driver_registry_load(reg, "sparse_dir", so) == BS_EEXIST);

  /* An engine whose backend is the C driver: a bad option is the driver's clear error. */
  options.state_path = dir;
  options.driver_registry = reg;
  options.config_json = "{\"backends\": [{\"name\": \"c\", \"driver\": \"sparse_dir\", \"options\": {\"path\": \"rel\"}}]}";
  CHECK(bs_engine_open(&engine, &options) == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "'path'") != NULL);
  snprintf(config, sizeof config,
           "{\"host\": \"cdrv\", \"backends\": [{\"name\": \"c\", \"driver\": \"sparse_dir\", "
           "\"options\": {\"path\": \"%s/c-volumes\"}}]}", dir);
  options.config_json = config;
  CHECK(bs_engine_open(&engine, &options) == BS_OK);
  bs_driver_registry_free(reg); /* the engine keeps what it needs */
  if (!engine) return;
  CHECK(bs_context_new(&alice, "alice", "u1", 0) == BS_OK);
  CHECK(bs_volume_create(&out, engine, alice, "{\"size\": 1}") == BS_OK);
  CHECK(field(out, "id", vol, sizeof vol));
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, alice, vol, "available", 10000) == BS_OK);
  CHECK(field(out, "host", status, sizeof status) && strcmp(status, "cdrv@c#sparse") == 0);
  bs_free(out);
  snprintf(path, sizeof path, "%s/c-volumes/volume-%s", dir, vol);
  write_pattern(path, 4096, 200000, 7);
  out = snapshot_then_volume(engine, alice, vol, snap, from, 10000);
  CHECK(out != NULL);
  bs_free(out);
  snprintf(path, sizeof path, "%s/c-volumes/volume-%s", dir, from);
  char src[1200];
  snprintf(src, sizeof src, "%s/c-volumes/volume-%s", dir, vol);
  CHECK(same_bytes(src, path, 4096, 200000));
  /* Revert: the volume written after its snapshot gets the snapshot's data back (the driver's
   * revert_to_snapshot); the snapshot must be the latest, and the volume available. */
  write_pattern(src, 4096, 200000, 8);
  CHECK(!same_bytes(src, path, 4096, 200000));
  CHECK(bs_volume_revert_to_snapshot(&out, engine, alice, vol, "3e7c9b8e-1111-4222-8333-944455556666") == BS_ENOTFOUND);
  CHECK(bs_volume_revert_to_snapshot(&out, engine, alice, from, snap) == BS_EINVAL); /* not its snapshot */
  CHECK(bs_volume_revert_to_snapshot(&out, engine, alice, vol, snap) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "reverting") == 0);
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, alice, vol, "available,error", 10000) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  bs_free(out);
  CHECK(same_bytes(src, path, 4096, 200000));
  /* A backup reaches the volume through the driver's own local export. */
  snprintf(config, sizeof config, "{\"volume_id\": \"%s\"}", vol);
  CHECK(bs_backup_create(&out, engine, alice, config) == BS_OK);
  CHECK(field(out, "id", backup, sizeof backup));
  bs_free(out);
  CHECK(bs_backup_wait(&out, engine, alice, backup, "available,error", 20000) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  CHECK(out && strstr(out, "\"object_count\":1") != NULL); /* only the written chunk */
  bs_free(out);
  CHECK(bs_volume_delete(&out, engine, alice, from, 0, 0) == BS_OK);
  bs_free(out);
  CHECK(bs_volume_wait_deleted(engine, alice, from, 10000) == BS_OK);
  CHECK(access(path, F_OK) != 0);
  bs_context_free(alice);
  bs_engine_close(engine);
  bs_engine_free(engine);
}

/* ---- the configuration schema, against the table every surface runs (config_cases.tsv) ---- */

/* `text` with every "@DIR@" replaced by dir, into out (size n). */
static void expand_dir(const char* text, const char* dir, char* out, size_t n) {
  size_t used = 0;
  for (const char* p = text; *p && used + 1 < n;) {
    if (strncmp(p, "@DIR@", 5) == 0) {
      used += (size_t)snprintf(out + used, n - used, "%s", dir);
      p += 5;
    } else {
      out[used++] = *p++;
    }
  }
  out[used < n ? used : n - 1] = '\0';
}

/* The config_json a case describes: `value` (JSON) at `path`; backend cases in backend b1. */
static void case_json(const char* path, const char* value, char* out, size_t n) {
  const char* dot = strchr(path, '.');
  if (strncmp(path, "backends[].", 11) == 0) {
    const char* key = path + 11;
    if (strncmp(key, "options.", 8) == 0) {
      snprintf(out, n, "{\"backends\": [{\"name\": \"b1\", \"driver\": \"file\", \"options\": {\"%s\": %s}}]}",
               key + 8, value);
    } else if (strcmp(key, "name") == 0) {
      snprintf(out, n, "{\"backends\": [{\"name\": %s, \"driver\": \"file\"}]}", value);
    } else if (strcmp(key, "driver") == 0) {
      snprintf(out, n, "{\"backends\": [{\"name\": \"b1\", \"driver\": %s}]}", value);
    } else {
      snprintf(out, n, "{\"backends\": [{\"name\": \"b1\", \"driver\": \"file\", \"%s\": %s}]}", key, value);
    }
  } else if (dot) {
    snprintf(out, n, "{\"%.*s\": {\"%s\": %s}}", (int)(dot - path), path, dot + 1, value);
  } else {
    snprintf(out, n, "{\"%s\": %s}", path, value);
  }
}

static void test_config_table(const char* dir) {
  char keys[1024];
  snprintf(keys, sizeof keys, "%s/keys", dir);
  FILE* kf = fopen(keys, "w");
  CHECK(kf != NULL);
  if (!kf) return;
  fprintf(kf, "k1 ");
  for (int i = 0; i < 64; ++i) fputc('1', kf);
  fputc('\n', kf);
  fclose(kf);
  CHECK(chmod(keys, 0600) == 0);

  FILE* in = fopen(BS_CONFIG_CASES, "r");
  CHECK(in != NULL);
  if (!in) return;
  char line[2048], cfg[4096], value[2048], expect[1024];
  int cases = 0;
  while (fgets(line, sizeof line, in)) {
    line[strcspn(line, "\n")] = '\0';
    if (line[0] == '\0' || line[0] == '#') continue;
    char* cols[4] = {0};
    char* save = NULL;
    cols[0] = strtok_r(line, "\t", &save);
    for (int i = 1; i < 4; ++i) cols[i] = strtok_r(NULL, "\t", &save);
    CHECK(cols[3] != NULL);
    if (!cols[3]) continue;
    expand_dir(cols[1], dir, value, sizeof value);
    expand_dir(cols[3], dir, expect, sizeof expect);
    case_json(cols[0], value, cfg, sizeof cfg);
    char* key = NULL;
    const int rc = bs_config_validate(dir, cfg, &key);
    if (strcmp(expect, "ok") == 0) {
      if (rc != BS_OK) fprintf(stderr, "config case %s = %s: %s\n", cols[0], value, bs_last_error());
      CHECK(rc == BS_OK);
      CHECK(key == NULL);
    } else {
      CHECK(rc == BS_EINVAL);
      if (!strstr(bs_last_error(), expect)) {
        fprintf(stderr, "config case %s = %s: want '%s', got '%s'\n", cols[0], value, expect, bs_last_error());
      }
      CHECK(strstr(bs_last_error(), expect) != NULL);
      CHECK(key != NULL && key[0] != '\0');
    }
    bs_free(key);
    ++cases;
  }
  fclose(in);
  CHECK(cases > 50);

  /* The schema's table, and state_path kept out of config_json. */
  char* out = NULL;
  CHECK(bs_config_keys(&out) == BS_OK);
  CHECK(out && strstr(out, "\"path\":\"backup.workers\"") != NULL);
  CHECK(out && strstr(out, "\"path\":\"backends[].driver\"") != NULL);
  bs_free(out);
  char* key = NULL;
  CHECK(bs_config_validate(dir, "{\"state_path\": \"/elsewhere\"}", &key) == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "bs_engine_options.state_path") != NULL);
  bs_free(key);
  CHECK(bs_config_validate(NULL, "{}", NULL) == BS_EINVAL);

  /* The database tools: migrate a new SQLite file; a copy of a database onto itself, or from
   * something that is not a database URL, is refused with the reason. */
  char url[1200], copy[1200];
  snprintf(url, sizeof url, "sqlite://%s/manage.db", dir);
  snprintf(copy, sizeof copy, "sqlite://%s/copy.db", dir);
  CHECK(bs_database_migrate(url) == BS_OK);
  CHECK(bs_database_migrate("mysql://x@y/z") == BS_EINVAL);
  out = NULL;
  CHECK(bs_database_copy(&out, url, url) == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "same database") != NULL);
  CHECK(bs_database_copy(&out, url, copy) == BS_OK);
  CHECK(out && strstr(out, "\"table\":\"volumes\"") != NULL);
  bs_free(out);
  out = NULL;
  CHECK(bs_database_copy(&out, url, copy) == BS_OK); /* nothing in the source, nothing in the copy */
  bs_free(out);
  CHECK(bs_config_validate(dir, NULL, NULL) == BS_OK);
}

/* ---- PostgreSQL: two engines (two state directories) sharing one database ---- */

/* BS_PG_URL from the file BS_PG_ENV names (scripts/pg-aio's output), into url (size n). */
static int pg_url(char* url, size_t n) {
  const char* path = getenv("BS_PG_ENV");
  FILE* f = path ? fopen(path, "r") : NULL;
  if (!f) return 0;
  char line[1024];
  int found = 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "BS_PG_URL=", 10) == 0) {
      line[strcspn(line, "\n")] = '\0';
      snprintf(url, n, "%s", line + 10);
      found = 1;
    }
  }
  fclose(f);
  return found;
}

static void test_postgres(const char* dir_a, const char* dir_b, const char* shared) {
  char url[1024], config[4096];
  CHECK(pg_url(url, sizeof url));
  snprintf(config, sizeof config,
           "{\"host\": \"cpg\", \"database\": {\"connection\": \"%s\"}, "
           "\"backends\": [{\"name\": \"file\", \"driver\": \"file\", \"options\": {\"volumes_dir\": \"%s\"}}]}",
           url, shared);
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  options.config_json = config;
  bs_engine* a = NULL;
  bs_engine* b = NULL;
  options.state_path = dir_a;
  CHECK(bs_engine_open(&a, &options) == BS_OK);
  options.state_path = dir_b;
  CHECK(bs_engine_open(&b, &options) == BS_OK); /* no exclusivity on a shared database */
  if (!a || !b) return;
  bs_context* alice = NULL;
  CHECK(bs_context_new(&alice, "cpg-alice", "u1", 0) == BS_OK);
  char* out = NULL;
  char id[64], status[32];
  CHECK(bs_volume_create(&out, a, alice, "{\"size\": 1, \"name\": \"shared\"}") == BS_OK);
  CHECK(field(out, "id", id, sizeof id));
  bs_free(out);
  CHECK(bs_volume_wait(&out, a, alice, id, "available,error", 10000) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  bs_free(out);
  /* The other engine sees it, and may delete it: the state is the database's. */
  CHECK(bs_volume_get(&out, b, alice, id) == BS_OK);
  CHECK(out && strstr(out, "\"name\":\"shared\"") != NULL);
  bs_free(out);
  CHECK(bs_volume_delete(&out, b, alice, id, 0, 0) == BS_OK);
  bs_free(out);
  CHECK(bs_volume_wait_deleted(a, alice, id, 10000) == BS_OK);
  /* A bad URL is a clear error at open. */
  bs_engine* bad = NULL;
  options.config_json = "{\"database\": {\"connection\": \"mysql://x@y/z\"}}";
  CHECK(bs_engine_open(&bad, &options) == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "unsupported database 'mysql'") != NULL);
  bs_context_free(alice);
  bs_engine_free(a);
  bs_engine_free(b);
}


/* ---- a transport written in C: queues and threads of the host's own ---- */

typedef struct c_message {
  char* text;
  struct c_call* call; /* NULL for a cast */
  struct c_message* next;
} c_message;

typedef struct c_call {
  int done, rc;
  char* reply;
} c_call;

typedef struct c_topic {
  char name[128];
  const bs_transport_handler* handler;
  c_message *head, *tail;
  pthread_t threads[8];
  int workers;
} c_topic;

typedef struct c_bus {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  c_topic topics[16];
  int ntopics, stopping, running, handled;
} c_bus;

static c_topic* c_find(c_bus* bus, const char* topic) {
  for (int i = 0; i < bus->ntopics; ++i) {
    if (strcmp(bus->topics[i].name, topic) == 0) return &bus->topics[i];
  }
  return NULL;
}

struct c_worker_arg {
  c_bus* bus;
  c_topic* topic;
};

static void* c_serve(void* p) {
  struct c_worker_arg* a = (struct c_worker_arg*)p;
  c_bus* bus = a->bus;
  c_topic* t = a->topic;
  free(a);
  pthread_mutex_lock(&bus->mu);
  for (;;) {
    while (!t->head && !bus->stopping) pthread_cond_wait(&bus->cv, &bus->mu);
    if (!t->head) break; /* stopping and drained */
    c_message* m = t->head;
    t->head = m->next;
    if (!t->head) t->tail = NULL;
    ++bus->running;
    pthread_mutex_unlock(&bus->mu);
    char* reply = NULL;
    const int rc = bs_transport_handle(t->handler, m->text, &reply);
    pthread_mutex_lock(&bus->mu);
    if (m->call) {
      m->call->rc = rc;
      m->call->reply = reply ? strdup(reply) : NULL;
      m->call->done = 1;
    }
    bs_free(reply);
    free(m->text);
    free(m);
    --bus->running;
    ++bus->handled;
    pthread_cond_broadcast(&bus->cv);
  }
  pthread_mutex_unlock(&bus->mu);
  return NULL;
}

static int c_listen(void* payload, const char* topic, const bs_transport_handler* handler, int workers) {
  c_bus* bus = (c_bus*)payload;
  pthread_mutex_lock(&bus->mu);
  if (c_find(bus, topic) || bus->ntopics == 16) {
    pthread_mutex_unlock(&bus->mu);
    return BS_EEXIST;
  }
  c_topic* t = &bus->topics[bus->ntopics++];
  snprintf(t->name, sizeof t->name, "%s", topic);
  t->handler = handler;
  t->workers = workers > 8 ? 8 : workers;
  for (int i = 0; i < t->workers; ++i) {
    struct c_worker_arg* a = malloc(sizeof *a);
    a->bus = bus;
    a->topic = t;
    pthread_create(&t->threads[i], NULL, c_serve, a);
  }
  pthread_mutex_unlock(&bus->mu);
  return BS_OK;
}

static int c_enqueue(c_bus* bus, const char* topic, const char* message, c_call* call) {
  c_topic* t = c_find(bus, topic);
  if (!t || bus->stopping) return BS_EUNAVAILABLE;
  c_message* m = calloc(1, sizeof *m);
  m->text = strdup(message);
  m->call = call;
  if (t->tail) t->tail->next = m; else t->head = m;
  t->tail = m;
  pthread_cond_broadcast(&bus->cv);
  return BS_OK;
}

static int c_cast(void* payload, const char* topic, const char* message) {
  c_bus* bus = (c_bus*)payload;
  pthread_mutex_lock(&bus->mu);
  const int rc = c_enqueue(bus, topic, message, NULL);
  pthread_mutex_unlock(&bus->mu);
  return rc;
}

static int c_call_fn(void* payload, const char* topic, const char* message, int64_t timeout_ms, char** reply_out) {
  c_bus* bus = (c_bus*)payload;
  c_call call = {0, 0, NULL};
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += timeout_ms / 1000;
  deadline.tv_nsec += (timeout_ms % 1000) * 1000000;
  if (deadline.tv_nsec >= 1000000000) {
    deadline.tv_sec += 1;
    deadline.tv_nsec -= 1000000000;
  }
  pthread_mutex_lock(&bus->mu);
  int rc = c_enqueue(bus, topic, message, &call);
  while (rc == BS_OK && !call.done) {
    if (pthread_cond_timedwait(&bus->cv, &bus->mu, &deadline) != 0 && !call.done) {
      /* A real bus would drop the late reply; this one waits for the handler, to free the slot. */
      while (!call.done) pthread_cond_wait(&bus->cv, &bus->mu);
      free(call.reply);
      call.reply = NULL;
      rc = BS_ETIMEDOUT;
    }
  }
  pthread_mutex_unlock(&bus->mu);
  if (rc != BS_OK) {
    *reply_out = NULL;
    return rc;
  }
  *reply_out = call.reply;
  return call.rc;
}

static void c_shutdown(void* payload) {
  c_bus* bus = (c_bus*)payload;
  pthread_mutex_lock(&bus->mu);
  for (;;) { /* drain: every queue empty and nothing running */
    int busy = bus->running > 0;
    for (int i = 0; i < bus->ntopics; ++i) busy = busy || bus->topics[i].head != NULL;
    if (!busy) break;
    pthread_cond_wait(&bus->cv, &bus->mu);
  }
  bus->stopping = 1;
  pthread_cond_broadcast(&bus->cv);
  pthread_mutex_unlock(&bus->mu);
  for (int i = 0; i < bus->ntopics; ++i) {
    for (int w = 0; w < bus->topics[i].workers; ++w) pthread_join(bus->topics[i].threads[w], NULL);
  }
}

static void test_host_transport(const char* dir) {
  c_bus bus;
  memset(&bus, 0, sizeof bus);
  pthread_mutex_init(&bus.mu, NULL);
  pthread_cond_init(&bus.cv, NULL);
  bs_transport transport = {BS_TRANSPORT_VERSION, &bus, c_listen, c_cast, c_call_fn, NULL, c_shutdown};
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  bs_engine* engine = NULL;
  bs_context* me = NULL;
  char* out = NULL;
  char id[64], status[32];
  options.state_path = dir;
  options.config_json = "{\"host\": \"cbus\"}";
  options.transport = &transport;

  /* A table without the functions every transport needs is refused. */
  bs_transport broken = transport;
  broken.call = NULL;
  options.transport = &broken;
  CHECK(bs_engine_open(&engine, &options) == BS_EINVAL);
  CHECK(strstr(bs_last_error(), "listen, cast and call") != NULL);
  options.transport = &transport;

  CHECK(bs_engine_open(&engine, &options) == BS_OK);
  CHECK(bus.ntopics == 3); /* scheduler, volume.cbus@file, backup */
  CHECK(c_find(&bus, "scheduler") != NULL && c_find(&bus, "volume.cbus@file") != NULL);
  CHECK(bs_context_new(&me, "p1", "u1", 0) == BS_OK);
  CHECK(bs_volume_create(&out, engine, me, "{\"size\": 1, \"name\": \"over-c\"}") == BS_OK);
  CHECK(field(out, "id", id, sizeof id));
  bs_free(out);
  CHECK(bs_volume_wait(&out, engine, me, id, "available,error", 10000) == BS_OK);
  CHECK(field(out, "status", status, sizeof status) && strcmp(status, "available") == 0);
  bs_free(out);
  /* stats, the scheduler's create, the volume service's create: the last handler may still be
   * returning when the volume reads available */
  int handled = 0;
  for (int i = 0; i < 500 && handled < 3; ++i) {
    pthread_mutex_lock(&bus.mu);
    handled = bus.handled;
    pthread_mutex_unlock(&bus.mu);
    if (handled < 3) {
      struct timespec pause = {0, 10000000};
      nanosleep(&pause, NULL);
    }
  }
  CHECK(handled >= 3);
  /* The handler's errors come back through the table with their codes. */
  char* reply = NULL;
  CHECK(bs_transport_handle(bus.topics[0].handler, "not json", &reply) == BS_EINVAL);
  CHECK(reply != NULL && strlen(reply) > 0);
  bs_free(reply);
  bs_context_free(me);
  CHECK(bs_engine_close(engine) == BS_OK);
  CHECK(bus.stopping == 1); /* the engine's close shut the host's bus down */
  bs_engine_free(engine);
  pthread_mutex_destroy(&bus.mu);
  pthread_cond_destroy(&bus.cv);
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "object-store") == 0) {
    test_object_stores();
    printf("capi object store: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
  }
  if (argc > 1 && strcmp(argv[1], "rbd") == 0) {
    test_rbd();
    printf("capi rbd: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
  }
  if (argc > 1 && strcmp(argv[1], "iscsi") == 0) {
    test_iscsi();
    printf("capi iscsi: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
  }
  if (argc > 1 && strcmp(argv[1], "postgresql") == 0) {
    char* a = make_temp_dir();
    char* b = make_temp_dir();
    char* shared = make_temp_dir();
    test_postgres(a, b, shared);
    remove_tree(a);
    remove_tree(b);
    remove_tree(shared);
    free(a);
    free(b);
    free(shared);
    printf("capi postgresql: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
  }
  char* dirs[11];
  for (int i = 0; i < 11; ++i) dirs[i] = make_temp_dir();
  test_basics();
  test_open_errors(dirs[1]);
  test_config_table(dirs[1]);
  test_lifecycle(dirs[0]);
  test_scheduling(dirs[2]);
  test_backups(dirs[3]);
  attach_round_trip(dirs[4], "", "iqn.2026-11.org.blockstore.capi:local");
  test_rest(dirs[5]);
  test_host_transport(dirs[6]);
  test_c_driver(dirs[7]);
  test_messages(dirs[8]);
  test_transfers(dirs[9]);
  test_migrate(dirs[10]);
  for (int i = 0; i < 11; ++i) {
    remove_tree(dirs[i]);
    free(dirs[i]);
  }
  printf("capi: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
