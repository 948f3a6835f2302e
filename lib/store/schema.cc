#include "lib/store/schema.hpp"

#include "lib/core/macros.hpp"

#include <string>
#include <vector>

namespace blockstore::internal {
namespace {

// Migration N (1-based) takes the schema from version N-1 to N. Append only; never edit a
// migration that has shipped.
const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> kMigrations = {
      // 1: the core model.
      R"sql(
CREATE TABLE volumes (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL,
  status TEXT NOT NULL,
  previous_status TEXT,
  attach_status TEXT NOT NULL DEFAULT 'detached',
  host TEXT NOT NULL DEFAULT '',
  availability_zone TEXT NOT NULL DEFAULT '',
  volume_type_id TEXT NOT NULL DEFAULT '',
  snapshot_id TEXT NOT NULL DEFAULT '',
  source_volid TEXT NOT NULL DEFAULT '',
  bootable INTEGER NOT NULL DEFAULT 0,
  multiattach INTEGER NOT NULL DEFAULT 0,
  pending_size INTEGER NOT NULL DEFAULT 0,
  quota_committed INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX volumes_project ON volumes(project_id, created_at);
CREATE INDEX volumes_host ON volumes(host, status);
CREATE INDEX volumes_type ON volumes(volume_type_id);
CREATE TABLE volume_metadata (
  volume_id TEXT NOT NULL REFERENCES volumes(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (volume_id, key)
) WITHOUT ROWID;
CREATE TABLE snapshots (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  volume_id TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL,
  status TEXT NOT NULL,
  progress TEXT NOT NULL DEFAULT '0%',
  quota_committed INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX snapshots_project ON snapshots(project_id, created_at);
CREATE INDEX snapshots_volume ON snapshots(volume_id);
CREATE TABLE snapshot_metadata (
  snapshot_id TEXT NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, key)
) WITHOUT ROWID;
CREATE TABLE volume_types (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  is_public INTEGER NOT NULL DEFAULT 1,
  qos_specs_id TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);
CREATE TABLE volume_type_extra_specs (
  type_id TEXT NOT NULL REFERENCES volume_types(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (type_id, key)
) WITHOUT ROWID;
CREATE TABLE qos_specs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  consumer TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE qos_spec_values (
  qos_id TEXT NOT NULL REFERENCES qos_specs(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (qos_id, key)
) WITHOUT ROWID;
CREATE TABLE quota_limits (
  project_id TEXT NOT NULL,
  resource TEXT NOT NULL,
  hard_limit INTEGER NOT NULL,
  PRIMARY KEY (project_id, resource)
) WITHOUT ROWID;
CREATE TABLE quota_usages (
  project_id TEXT NOT NULL,
  resource TEXT NOT NULL,
  in_use INTEGER NOT NULL DEFAULT 0,
  reserved INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, resource)
) WITHOUT ROWID;
CREATE TABLE reservations (
  owner TEXT NOT NULL,
  project_id TEXT NOT NULL,
  resource TEXT NOT NULL,
  delta INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (owner, resource)
) WITHOUT ROWID;
)sql",
      // 2: backups.
      R"sql(
CREATE TABLE backups (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  volume_id TEXT NOT NULL,
  snapshot_id TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL,
  status TEXT NOT NULL,
  fail_reason TEXT NOT NULL DEFAULT '',
  is_incremental INTEGER NOT NULL DEFAULT 0,
  parent_id TEXT NOT NULL DEFAULT '',
  availability_zone TEXT NOT NULL DEFAULT '',
  host TEXT NOT NULL DEFAULT '',
  container TEXT NOT NULL DEFAULT '',
  object_count INTEGER NOT NULL DEFAULT 0,
  stored_bytes INTEGER NOT NULL DEFAULT 0,
  progress_bytes INTEGER NOT NULL DEFAULT 0,
  progress_total INTEGER NOT NULL DEFAULT 0,
  restore_volume_id TEXT NOT NULL DEFAULT '',
  encrypted INTEGER NOT NULL DEFAULT 0,
  quota_committed INTEGER NOT NULL DEFAULT 0,
  data_timestamp TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX backups_project ON backups(project_id, created_at);
CREATE INDEX backups_volume ON backups(volume_id, status);
CREATE INDEX backups_parent ON backups(parent_id);
CREATE INDEX backups_host ON backups(host, status);
CREATE TABLE backup_metadata (
  backup_id TEXT NOT NULL REFERENCES backups(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (backup_id, key)
) WITHOUT ROWID;
)sql",
      // 3: attachments and the exports that serve them.
      R"sql(
CREATE TABLE volume_attachments (
  id TEXT PRIMARY KEY,
  volume_id TEXT NOT NULL REFERENCES volumes(id),
  project_id TEXT NOT NULL,
  instance_uuid TEXT NOT NULL DEFAULT '',
  attached_host TEXT NOT NULL DEFAULT '',
  mountpoint TEXT NOT NULL DEFAULT '',
  attach_status TEXT NOT NULL,
  attach_mode TEXT NOT NULL DEFAULT 'null',
  connector TEXT,
  connection_info TEXT,
  attach_time TEXT,
  detach_time TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX volume_attachments_volume ON volume_attachments(volume_id);
CREATE INDEX volume_attachments_project ON volume_attachments(project_id, created_at, id);
CREATE TABLE volume_exports (
  volume_id TEXT PRIMARY KEY REFERENCES volumes(id) ON DELETE CASCADE,
  location TEXT NOT NULL,
  auth TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
)sql",
      // 4: which projects may use a private volume type; the read-only flag of volumes
      // (NULL: never set).
      R"sql(
CREATE TABLE volume_type_projects (
  type_id TEXT NOT NULL REFERENCES volume_types(id) ON DELETE CASCADE,
  project_id TEXT NOT NULL,
  PRIMARY KEY (type_id, project_id)
) WITHOUT ROWID;
CREATE INDEX volume_type_projects_project ON volume_type_projects(project_id);
ALTER TABLE volumes ADD COLUMN readonly INTEGER;
)sql",
      // 5: hosts connected through the legacy initialize_connection, which records no
      // attachment; one per host, keyed by its initiator (or host name).
      R"sql(
CREATE TABLE volume_connectors (
  volume_id TEXT NOT NULL REFERENCES volumes(id) ON DELETE CASCADE,
  host_key TEXT NOT NULL,
  connector TEXT NOT NULL,
  PRIMARY KEY (volume_id, host_key)
) WITHOUT ROWID;
)sql",
      // 6: the services of every engine on the database, with their heartbeats.
      R"sql(
CREATE TABLE services (
  host TEXT NOT NULL,
  binary_name TEXT NOT NULL,
  availability_zone TEXT NOT NULL DEFAULT '',
  version TEXT NOT NULL DEFAULT '',
  disabled INTEGER NOT NULL DEFAULT 0,
  disabled_reason TEXT NOT NULL DEFAULT '',
  report_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (host, binary_name)
) WITHOUT ROWID;
)sql",
      // 7: a status change touches no index, so PostgreSQL rewrites the row in place (a
      // heap-only update, room left in each page for it); a host's volumes are still found by
      // the index, their status read from the rows.
      R"sql(
DROP INDEX volumes_host;
CREATE INDEX volumes_host ON volumes(host);
-- postgresql: ALTER TABLE volumes SET (fillfactor = 80);
)sql",
      // 8: capacity held by placements, shared by every scheduler on the database; a row per
      // pool that a hold locks first, so holds on one pool take turns.
      R"sql(
CREATE TABLE capacity_pools (
  pool TEXT PRIMARY KEY,
  holds INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE capacity_holds (
  hold_key TEXT PRIMARY KEY,
  pool TEXT NOT NULL,
  seq INTEGER NOT NULL,
  gb DOUBLE PRECISION NOT NULL,
  placed_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX capacity_holds_pool ON capacity_holds(pool, seq);
CREATE INDEX capacity_holds_age ON capacity_holds(pool, placed_at);
)sql",
      // 9: a volume's metadata also on its row, as one JSON object (NULL: none), so a record
      // reads without a second lookup; volume_metadata stays what list filters search.
      R"sql(
ALTER TABLE volumes ADD COLUMN metadata TEXT;
UPDATE volumes SET metadata = (SELECT json_group_object(m.key, m.value) FROM volume_metadata m
                               WHERE m.volume_id = volumes.id)
 WHERE id IN (SELECT volume_id FROM volume_metadata);
)sql",
      // 10: a volume's migration status ('' for none) and the properties of the image it holds,
      // on its row as JSON (NULL: none) and as pairs for the glance_metadata filter.
      R"sql(
ALTER TABLE volumes ADD COLUMN migration_status TEXT NOT NULL DEFAULT '';
ALTER TABLE volumes ADD COLUMN image_metadata TEXT;
CREATE TABLE volume_glance_metadata (
  volume_id TEXT NOT NULL REFERENCES volumes(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (volume_id, key)
) WITHOUT ROWID;
)sql",
      // 11: user messages: what failed, for the project it failed for, until it expires.
      R"sql(
CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  request_id TEXT NOT NULL DEFAULT '',
  resource_type TEXT NOT NULL,
  resource_uuid TEXT NOT NULL,
  event_id TEXT NOT NULL,
  message_level TEXT NOT NULL,
  user_message TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX messages_project ON messages(project_id, created_at);
CREATE INDEX messages_expiry ON messages(expires_at);
)sql",
      // 12: volume transfers: a volume offered to another project, with the hash of its key.
      R"sql(
CREATE TABLE transfers (
  id TEXT PRIMARY KEY,
  volume_id TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  source_project_id TEXT NOT NULL,
  destination_project_id TEXT NOT NULL DEFAULT '',
  accepted INTEGER NOT NULL DEFAULT 0,
  no_snapshots INTEGER NOT NULL DEFAULT 0,
  salt TEXT NOT NULL,
  crypt_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX transfers_volume ON transfers(volume_id);
CREATE INDEX transfers_project ON transfers(source_project_id, created_at);
)sql",
      // 13: where a running migration moves a volume, and the type a retype's migration gives it.
      R"sql(
ALTER TABLE volumes ADD COLUMN migration_host TEXT NOT NULL DEFAULT '';
ALTER TABLE volumes ADD COLUMN migration_type_id TEXT NOT NULL DEFAULT '';
)sql",
      // 14: idempotency keys: a request's key, what the request was, and the answer it got.
      R"sql(
CREATE TABLE idempotency_keys (
  project_id TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  answered INTEGER NOT NULL DEFAULT 0,
  status_code INTEGER NOT NULL DEFAULT 0,
  answer TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (project_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys(expires_at);
)sql",
  };
  return kMigrations;
}

}  // namespace

const std::vector<std::string>& StoreTables() {
  static const std::vector<std::string> kTables = {
      "volumes",         "volume_metadata",   "snapshots",       "snapshot_metadata",
      "volume_types",    "volume_type_extra_specs", "qos_specs", "qos_spec_values",
      "quota_limits",    "quota_usages",      "reservations",    "backups",
      "backup_metadata", "volume_attachments", "volume_exports", "volume_type_projects",
      "volume_connectors", "services", "capacity_pools", "capacity_holds",
      "volume_glance_metadata", "messages", "transfers", "idempotency_keys"};
  return kTables;
}

int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

Status MigrateSchema(Db& db) {
  BS_RETURN_IF_ERROR(db.LockMigrations());
  struct Unlock {
    Db& db;
    ~Unlock() { db.UnlockMigrations(); }
  } unlock{db};
  BS_ASSIGN_OR_RETURN(const int current, db.SchemaVersion());
  const int latest = LatestSchemaVersion();
  if (current > latest) {
    return FailedPrecondition("database schema version " + std::to_string(current) +
                              " is newer than this build supports (" + std::to_string(latest) +
                              "); upgrade blockstore");
  }
  for (int v = current; v < latest; ++v) {
    Transaction tx(db);
    BS_RETURN_IF_ERROR(tx.status());
    BS_RETURN_IF_ERROR(db.Exec(db.Ddl(Migrations()[static_cast<std::size_t>(v)])));
    BS_RETURN_IF_ERROR(db.SetSchemaVersion(v + 1));
    BS_RETURN_IF_ERROR(tx.Commit());
  }
  return Status::Ok();
}

}  // namespace blockstore::internal
