/* A volume driver written in C: volumes as sparse files in one directory (the backend option
 * "path"), snapshots as sparse copies, clones as sparse copies of their source. Small on purpose:
 * it shows the whole bs_volume_driver table, and the driver conformance suite runs against it.
 *
 * Built as a shared object exporting bs_volume_driver_entry, so that a host loads it by path
 * (bs_driver_registry_load, or the daemon's `volume_driver = /path/to/it.so`). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "blockstore/c.h"

#define GIB (UINT64_C(1) << 30)

typedef struct {
  char path[PATH_MAX - 64];
  char pool[128];
} backend;

typedef struct {
  int fd;
  uint64_t size;
  int read_only;
} device;

static char* dup_text(const char* s) {
  char* p = malloc(strlen(s) + 1);
  if (p) strcpy(p, s);
  return p;
}

static int fail(char** error, int code, const char* what, const char* detail) {
  if (error) {
    size_t n = strlen(what) + strlen(detail) + 3;
    *error = malloc(n);
    if (*error) snprintf(*error, n, "%s: %s", what, detail);
  }
  return code;
}

static int fail_errno(char** error, const char* what) {
  const int e = errno;
  return fail(error, e == ENOENT ? BS_ENOTFOUND : e == ENOSPC ? BS_EEXHAUSTED : BS_EINTERNAL, what, strerror(e));
}

/* The string value of "key" in a flat JSON object (the first occurrence), unescaped enough for
 * ids, paths and names without quotes. 0 when found. */
static int json_string(const char* json, const char* key, char* out, size_t n) {
  char pattern[96];
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  const char* p = strstr(json, pattern);
  if (!p) return -1;
  p += strlen(pattern);
  const char* end = strchr(p, '"');
  if (!end || (size_t)(end - p) >= n) return -1;
  memcpy(out, p, (size_t)(end - p));
  out[end - p] = '\0';
  return 0;
}

static uint64_t json_u64(const char* json, const char* key) {
  char pattern[96];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char* p = strstr(json, pattern);
  return p ? strtoull(p + strlen(pattern), NULL, 10) : 0;
}

/* The record's "id" (or `key`), checked to be a UUID's characters: it becomes a file name. */
static int record_id(const char* json, const char* key, char* out, char** error) {
  if (json_string(json, key, out, 64) != 0 || out[0] == '\0') return fail(error, BS_EINVAL, "record", "no id");
  for (const char* c = out; *c; ++c) {
    if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f') || *c == '-')) {
      return fail(error, BS_EINVAL, "record", "an id must be a UUID");
    }
  }
  return 0;
}

/* The backend's path is short enough (create checks it) that every file name fits. */
static void file_of(const backend* b, const char* kind, const char* id, char* out) {
  if (snprintf(out, PATH_MAX, "%s/%s-%s", b->path, kind, id) >= PATH_MAX) out[0] = '\0';
}

/* Copies `from` into a new `to` of `size` bytes, leaving holes where `from` has them. */
static int sparse_copy(const char* from, const char* to, uint64_t size, char** error) {
  char tmp[PATH_MAX + 8];
  if (snprintf(tmp, sizeof tmp, "%s.part", to) >= (int)sizeof tmp) return fail(error, BS_EINVAL, to, "name too long");
  int in = open(from, O_RDONLY | O_CLOEXEC);
  if (in < 0) return fail_errno(error, from);
  int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) {
    close(in);
    return fail_errno(error, tmp);
  }
  int rc = 0;
  static __thread char buf[1 << 20];
  off_t data = lseek(in, 0, SEEK_DATA);
  while (rc == 0 && data >= 0) {
    off_t hole = lseek(in, data, SEEK_HOLE);
    for (off_t at = data; rc == 0 && at < hole;) {
      size_t want = (size_t)(hole - at) < sizeof buf ? (size_t)(hole - at) : sizeof buf;
      ssize_t n = pread(in, buf, want, at);
      if (n <= 0) {
        rc = fail_errno(error, from);
        break;
      }
      if (pwrite(out, buf, (size_t)n, at) != n) rc = fail_errno(error, tmp);
      at += n;
    }
    data = lseek(in, hole, SEEK_DATA);
  }
  if (rc == 0 && ftruncate(out, (off_t)size) != 0) rc = fail_errno(error, tmp);
  if (rc == 0 && fsync(out) != 0) rc = fail_errno(error, tmp);
  close(in);
  close(out);
  if (rc == 0 && rename(tmp, to) != 0) rc = fail_errno(error, to);
  if (rc != 0) unlink(tmp);
  return rc;
}

static int create(void* payload, const char* backend_json, void** instance, char** error) {
  (void)payload;
  backend* b = calloc(1, sizeof *b);
  if (!b) return fail(error, BS_EINTERNAL, "create", "out of memory");
  if (json_string(backend_json, "path", b->path, sizeof b->path) != 0 || b->path[0] != '/') {
    free(b);
    return fail(error, BS_EINVAL, "sparse_dir", "the option 'path' must be an absolute directory");
  }
  if (json_string(backend_json, "pool_name", b->pool, sizeof b->pool) != 0) strcpy(b->pool, "sparse");
  *instance = b;
  return 0;
}

static void destroy(void* instance) { free(instance); }

static int initialize(void* instance, char** error) {
  backend* b = instance;
  if (mkdir(b->path, 0700) != 0 && errno != EEXIST) return fail_errno(error, b->path);
  /* What a crash left: half-made copies (*.part), never a volume's or snapshot's file. */
  DIR* dir = opendir(b->path);
  if (!dir) return fail_errno(error, b->path);
  struct dirent* e;
  while ((e = readdir(dir)) != NULL) {
    const size_t n = strlen(e->d_name);
    if (n > 5 && strcmp(e->d_name + n - 5, ".part") == 0) unlinkat(dirfd(dir), e->d_name, 0);
  }
  closedir(dir);
  return 0;
}

static char* default_pool(void* instance) { return dup_text(((backend*)instance)->pool); }

static int make_file(const char* path, uint64_t size, char** error) {
  int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return fail_errno(error, path);
  struct stat st;
  int rc = fstat(fd, &st) == 0 && (uint64_t)st.st_size < size && ftruncate(fd, (off_t)size) != 0
               ? fail_errno(error, path) : 0;
  close(fd);
  return rc;
}

static int create_volume(void* instance, const char* v, char** error) {
  char id[64], path[PATH_MAX];
  if (record_id(v, "id", id, error)) return BS_EINVAL;
  file_of(instance, "volume", id, path);
  return make_file(path, json_u64(v, "size") * GIB, error);
}

static int copy_into_volume(backend* b, const char* v, const char* kind, const char* src_json, char** error) {
  char id[64], src[64], from[PATH_MAX], to[PATH_MAX];
  if (record_id(v, "id", id, error) || record_id(src_json, "id", src, error)) return BS_EINVAL;
  file_of(b, kind, src, from);
  file_of(b, "volume", id, to);
  return sparse_copy(from, to, json_u64(v, "size") * GIB, error);
}

static int create_volume_from_snapshot(void* instance, const char* v, const char* s, char** error) {
  return copy_into_volume(instance, v, "snapshot", s, error);
}

static int create_cloned_volume(void* instance, const char* v, const char* src, char** error) {
  return copy_into_volume(instance, v, "volume", src, error);
}

static int remove_file(backend* b, const char* kind, const char* json, char** error) {
  char id[64], path[PATH_MAX];
  if (record_id(json, "id", id, error)) return BS_EINVAL;
  file_of(b, kind, id, path);
  if (unlink(path) != 0 && errno != ENOENT) return fail_errno(error, path);
  return 0;
}

static int delete_volume(void* instance, const char* v, char** error) {
  return remove_file(instance, "volume", v, error);
}

static int extend_volume(void* instance, const char* v, uint64_t gb, char** error) {
  char id[64], path[PATH_MAX];
  if (record_id(v, "id", id, error)) return BS_EINVAL;
  file_of(instance, "volume", id, path);
  struct stat st;
  if (stat(path, &st) != 0) return fail_errno(error, path);
  if ((uint64_t)st.st_size > gb * GIB) return fail(error, BS_EINVAL, "extend", "would shrink the volume");
  if (truncate(path, (off_t)(gb * GIB)) != 0) return fail_errno(error, path);
  return 0;
}

static int create_snapshot(void* instance, const char* s, const char* v, char** error) {
  char sid[64], vid[64], from[PATH_MAX], to[PATH_MAX];
  if (record_id(s, "id", sid, error) || record_id(v, "id", vid, error)) return BS_EINVAL;
  file_of(instance, "volume", vid, from);
  file_of(instance, "snapshot", sid, to);
  struct stat st;
  if (stat(from, &st) != 0) return fail_errno(error, from);
  return sparse_copy(from, to, (uint64_t)st.st_size, error);
}

static int delete_snapshot(void* instance, const char* s, char** error) {
  return remove_file(instance, "snapshot", s, error);
}

static int volume_size(void* instance, const char* v, uint64_t* bytes, char** error) {
  char id[64], path[PATH_MAX];
  if (record_id(v, "id", id, error)) return BS_EINVAL;
  file_of(instance, "volume", id, path);
  struct stat st;
  if (stat(path, &st) != 0) return fail_errno(error, path);
  *bytes = (uint64_t)st.st_size;
  return 0;
}

static int get_stats(void* instance, char** out_json, char** error) {
  backend* b = instance;
  struct statvfs fs;
  if (statvfs(b->path, &fs) != 0) return fail_errno(error, b->path);
  const double total = (double)fs.f_blocks * (double)fs.f_frsize / (double)GIB;
  const double free_gb = (double)fs.f_bavail * (double)fs.f_frsize / (double)GIB;
  char text[1024];
  snprintf(text, sizeof text,
           "{\"vendor_name\":\"example\",\"driver_version\":\"1.0\",\"storage_protocol\":\"file\","
           "\"pools\":[{\"pool_name\":\"%s\",\"total_capacity_gb\":%.2f,\"free_capacity_gb\":%.2f,"
           "\"thin_provisioning_support\":true,\"thick_provisioning_support\":false}]}",
           b->pool, total, free_gb);
  *out_json = dup_text(text);
  return *out_json ? 0 : fail(error, BS_EINTERNAL, "get_stats", "out of memory");
}

static int open_file(backend* b, const char* kind, const char* json, int read_only, void** out, char** error) {
  char id[64], path[PATH_MAX];
  if (record_id(json, "id", id, error)) return BS_EINVAL;
  file_of(b, kind, id, path);
  device* d = calloc(1, sizeof *d);
  if (!d) return fail(error, BS_EINTERNAL, "open", "out of memory");
  d->fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
  if (d->fd < 0) {
    free(d);
    return fail_errno(error, path);
  }
  struct stat st;
  fstat(d->fd, &st);
  d->size = (uint64_t)st.st_size;
  d->read_only = read_only;
  *out = d;
  return 0;
}

static int open_volume(void* instance, const char* v, void** out, char** error) {
  return open_file(instance, "volume", v, 0, out, error);
}

static int open_snapshot(void* instance, const char* s, void** out, char** error) {
  return open_file(instance, "snapshot", s, 1, out, error);
}

static int device_read(void* dev, uint64_t offset, void* buf, size_t len, size_t* done, char** error) {
  device* d = dev;
  *done = 0;
  if (offset >= d->size) return 0;
  if (len > d->size - offset) len = (size_t)(d->size - offset);
  while (*done < len) {
    ssize_t n = pread(d->fd, (char*)buf + *done, len - *done, (off_t)(offset + *done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno(error, "read");
    if (n == 0) break;
    *done += (size_t)n;
  }
  return 0;
}

static int device_write(void* dev, uint64_t offset, const void* buf, size_t len, char** error) {
  device* d = dev;
  if (d->read_only) return fail(error, BS_EPERM, "write", "the snapshot is read-only");
  if (offset > d->size || len > d->size - offset) return fail(error, BS_EINVAL, "write", "past the end of the volume");
  size_t done = 0;
  while (done < len) {
    ssize_t n = pwrite(d->fd, (const char*)buf + done, len - done, (off_t)(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail_errno(error, "write");
    done += (size_t)n;
  }
  return 0;
}

static uint64_t device_size(void* dev) { return ((device*)dev)->size; }

static int device_flush(void* dev, char** error) {
  return fdatasync(((device*)dev)->fd) == 0 ? 0 : fail_errno(error, "flush");
}

static int device_allocated(void* dev, char** out_json, char** error) {
  device* d = dev;
  size_t cap = 256, used = 0;
  char* text = malloc(cap);
  if (!text) return fail(error, BS_EINTERNAL, "allocated", "out of memory");
  used += (size_t)snprintf(text, cap, "[");
  off_t data = lseek(d->fd, 0, SEEK_DATA);
  while (data >= 0 && (uint64_t)data < d->size) {
    off_t hole = lseek(d->fd, data, SEEK_HOLE);
    if (used + 64 > cap) {
      char* more = realloc(text, cap *= 2);
      if (!more) {
        free(text);
        return fail(error, BS_EINTERNAL, "allocated", "out of memory");
      }
      text = more;
    }
    used += (size_t)snprintf(text + used, cap - used, "%s[%lld,%lld]", used > 1 ? "," : "", (long long)data,
                             (long long)(hole - data));
    data = lseek(d->fd, hole, SEEK_DATA);
  }
  snprintf(text + used, cap - used, "]");
  *out_json = text;
  return 0;
}

static int device_concurrent(void* dev) {
  (void)dev;
  return 1; /* pread and pwrite on one descriptor */
}

static void device_close(void* dev) {
  device* d = dev;
  close(d->fd);
  free(d);
}

/* Rolls the volume back by copying the snapshot over it; a volume that grew keeps its size. */
static int revert_to_snapshot(void* instance, const char* v, const char* s, char** error) {
  char vid[64], sid[64], vol[PATH_MAX], snap[PATH_MAX];
  if (record_id(v, "id", vid, error) || record_id(s, "id", sid, error)) return BS_EINVAL;
  file_of(instance, "volume", vid, vol);
  file_of(instance, "snapshot", sid, snap);
  struct stat st;
  if (stat(vol, &st) != 0) return fail_errno(error, vol);
  return sparse_copy(snap, vol, (uint64_t)st.st_size, error);
}

/* A host on this machine opens the file itself: `local` connection info. */
static int initialize_connection(void* instance, const char* v, const char* existing, const char* connector,
                                 char** out_json, char** error) {
  (void)existing;
  (void)connector;
  char id[64], path[PATH_MAX], text[PATH_MAX * 2 + 128];
  if (record_id(v, "id", id, error)) return BS_EINVAL;
  file_of(instance, "volume", id, path);
  struct stat st;
  if (stat(path, &st) != 0) return fail_errno(error, path);
  snprintf(text, sizeof text,
           "{\"export\":{\"location\":\"%s\",\"auth\":\"\"},"
           "\"connection_info\":{\"driver_volume_type\":\"local\",\"data\":{\"device_path\":\"%s\"}}}",
           path, path);
  *out_json = dup_text(text);
  return *out_json ? 0 : fail(error, BS_EINTERNAL, "initialize_connection", "out of memory");
}

/* A snapshot's file, read-only. */
static int initialize_snapshot_connection(void* instance, const char* s, const char* connector, char** out_json,
                                          char** error) {
  (void)connector;
  char id[64], path[PATH_MAX], text[PATH_MAX + 128];
  if (record_id(s, "id", id, error)) return BS_EINVAL;
  file_of(instance, "snapshot", id, path);
  struct stat st;
  if (stat(path, &st) != 0) return fail_errno(error, path);
  snprintf(text, sizeof text,
           "{\"driver_volume_type\":\"local\",\"data\":{\"device_path\":\"%s\",\"access_mode\":\"ro\"}}",
           path);
  *out_json = dup_text(text);
  return *out_json ? 0 : fail(error, BS_EINTERNAL, "initialize_snapshot_connection", "out of memory");
}

static const bs_volume_driver kDriver = {
    .version = BS_VOLUME_DRIVER_VERSION,
    .payload = NULL,
    .create = create,
    .destroy = destroy,
    .initialize = initialize,
    .default_pool = default_pool,
    .create_volume = create_volume,
    .create_volume_from_snapshot = create_volume_from_snapshot,
    .create_cloned_volume = create_cloned_volume,
    .delete_volume = delete_volume,
    .extend_volume = extend_volume,
    .create_snapshot = create_snapshot,
    .delete_snapshot = delete_snapshot,
    .volume_size = volume_size,
    .get_stats = get_stats,
    .open_volume = open_volume,
    .open_snapshot = open_snapshot,
    .device_read = device_read,
    .device_write = device_write,
    .device_size = device_size,
    .device_flush = device_flush,
    .device_allocated = device_allocated,
    .device_concurrent = device_concurrent,
    .device_close = device_close,
    .initialize_connection = initialize_connection,
    .initialize_snapshot_connection = initialize_snapshot_connection,
    .revert_to_snapshot = revert_to_snapshot,
};

__attribute__((visibility("default"))) const bs_volume_driver* bs_volume_driver_entry(void) { return &kDriver; }
