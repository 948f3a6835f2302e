/* blockstore in C: open an engine on a directory, create a volume, snapshot it, clone it.
 *
 *   quickstart_c [STATE_DIR]      (default: a new directory under /tmp)
 */
#define _POSIX_C_SOURCE 200809L
#include <blockstore/c.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int die(const char* what) {
  fprintf(stderr, "quickstart_c: %s: %s (%s)\n", what, bs_last_error(),
          bs_error_name(bs_last_error_code()));
  return 1;
}

/* The value of "id" in a record's JSON. */
static void id_of(const char* json, char out[64]) {
  const char* p = strstr(json, "\"id\":\"");
  out[0] = '\0';
  if (p) {
    p += 6;
    strncpy(out, p, 36);
    out[36] = '\0';
  }
}

int main(int argc, char** argv) {
  char tmpl[] = "/tmp/blockstore-quickstart-XXXXXX";
  const char* dir = argc > 1 ? argv[1] : mkdtemp(tmpl);
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  bs_engine* engine = NULL;
  bs_context* me = NULL;
  char* json = NULL;
  char volume_id[64], snapshot_id[64], clone_id[64], request[256];

  if (!dir) return 1;
  options.state_path = dir;
  if (bs_engine_open(&engine, &options) != BS_OK) return die("open");
  if (bs_context_new(&me, "demo", "demo-user", 0) != BS_OK) return die("context");

  if (bs_volume_create(&json, engine, me, "{\"size\": 1, \"name\": \"data\"}") != BS_OK) return die("create");
  id_of(json, volume_id);
  bs_free(json);
  if (bs_volume_wait(&json, engine, me, volume_id, "available,error", 30000) != BS_OK) return die("wait");
  printf("volume   %s\n", json);
  bs_free(json);

  snprintf(request, sizeof request, "{\"volume_id\": \"%s\", \"name\": \"data-snap\"}", volume_id);
  if (bs_snapshot_create(&json, engine, me, request) != BS_OK) return die("snapshot");
  id_of(json, snapshot_id);
  bs_free(json);
  if (bs_snapshot_wait(&json, engine, me, snapshot_id, "available,error", 30000) != BS_OK) return die("wait");
  printf("snapshot %s\n", json);
  bs_free(json);

  snprintf(request, sizeof request, "{\"source_volid\": \"%s\", \"name\": \"data-clone\"}", volume_id);
  if (bs_volume_create(&json, engine, me, request) != BS_OK) return die("clone");
  id_of(json, clone_id);
  bs_free(json);
  if (bs_volume_wait(&json, engine, me, clone_id, "available", 30000) != BS_OK) return die("wait");
  printf("clone    %s\n", json);
  bs_free(json);

  printf("state in %s\n", dir);
  bs_context_free(me);
  bs_engine_free(engine);
  return 0;
}
