// Internal: one connection of the SQL store, and what every repository's SQL shares on it —
// reading a volume, snapshot, backup, attachment, type or QoS spec by id or by query; the
// compare-and-sets of volumes and snapshots that other aggregates' transactions carry along;
// metadata pairs; quota bookkeeping. Written once for SQLite and PostgreSQL (a Db of either).
//
// A session is used by one call at a time (SqlSessions leases it); the *Locked helpers run
// inside the caller's transaction when it has one.
#ifndef BLOCKSTORE_LIB_STORE_SQL_SESSION_HPP
#define BLOCKSTORE_LIB_STORE_SQL_SESSION_HPP

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blockstore/store.hpp"
#include "lib/store/sql_db.hpp"

namespace blockstore::internal {

// The metadata of a record read as one JSON object column (json_group_object): empty when the
// column is NULL or not an object.
Metadata MetadataFromColumn(const Stmt& st, int col);

struct SqlStoreOptions {
  QuotaLimits quota_defaults;
  std::shared_ptr<Env> env;
};

class SqlSession {
 public:
  SqlSession(std::unique_ptr<Db> db, SqlStoreOptions options);
  SqlSession(const SqlSession&) = delete;
  SqlSession& operator=(const SqlSession&) = delete;

  Db& db() { return *db_; }
  const SqlStoreOptions& options() const { return options_; }
  void Close();
  // Whether the last call failed on a serialization failure or deadlock (Db::TakeConflict).
  bool TakeConflict();

  std::string NowText() const;
  // What a read in a write transaction ends with, so that the rows it read stay as read until
  // the transaction ends: " FOR UPDATE OF t" on a database whose writers run side by side
  // (Db::LocksRows), inside a transaction; "" otherwise. `t` is the read's alias.
  const char* RowLock() const;

  Status DropExpiredHoldsLocked(const std::string& pool, TimePoint expired_before);
  Result<Volume> GetVolumeLocked(std::string_view id);
  // `tail` follows "SELECT … FROM volumes t". Fixed tails are prepared once and cached;
  // per-call tails (list queries) pass cache=false.
  Result<std::vector<Volume>> QueryVolumesLocked(const std::string& tail,
                                                 const std::vector<std::string>& binds,
                                                 bool cache = true);
  Result<Snapshot> GetSnapshotLocked(std::string_view id);
  Result<std::vector<Snapshot>> QuerySnapshotsLocked(const std::string& tail,
                                                     const std::vector<std::string>& binds,
                                                     bool cache = true);
  Result<Volume> TransitionVolumeLocked(std::string_view id, const VolumeTransition& t);
  // Whether the volume's quota is committed (it counts in its project's in_use).
  Result<bool> VolumeQuotaCommittedLocked(std::string_view id);
  // A transition as one statement outside a transaction: the volume it moved (with `record`;
  // otherwise only its id), or nullopt when nothing matched (gone, or not in a status it moves
  // from). With `settle` (PostgreSQL only: SQLite has no writing WITH) the same statement
  // settles the volume's quota reservations as `t.quota` says; without, a quota to settle is
  // the caller's, in its transaction.
  Result<std::optional<Volume>> SetVolumeStatusLocked(std::string_view id,
                                                      const VolumeTransition& t, bool record,
                                                      bool settle = false);
  Result<Snapshot> TransitionSnapshotLocked(std::string_view id, const SnapshotTransition& t);
  Result<Backup> GetBackupLocked(std::string_view id);
  Result<std::vector<Backup>> QueryBackupsLocked(const std::string& tail,
                                                 const std::vector<std::string>& binds,
                                                 bool cache = true);
  Result<Attachment> GetAttachmentLocked(std::string_view id);
  Result<std::vector<Attachment>> QueryAttachmentsLocked(const std::string& tail,
                                                         const std::vector<std::string>& binds,
                                                         bool cache = true);
  // Derives the volume's attach_status (and status) from its attachments (attach_state.hpp).
  Result<Volume> DeriveAttachStateLocked(std::string_view volume_id);
  Result<VolumeType> GetVolumeTypeLocked(std::string_view id);
  Result<QosSpec> GetQosSpecLocked(std::string_view id);
  Result<Metadata> LoadPairsLocked(const char* table, const char* id_col, std::string_view id);
  Status ReplacePairsLocked(const char* table, const char* id_col, std::string_view id,
                            const Metadata& pairs);
  Status UpsertPairsLocked(const char* table, const char* id_col, std::string_view id,
                           const Metadata& pairs);
  // What a snapshot's or backup's update may change — its name, description and metadata
  // (`pairs_table`, keyed by `id_col`) — applied to the row of `table` and to `record`, in the
  // caller's transaction. Its updated_at becomes now.
  template <typename Record, typename Update>
  Status UpdateNamedLocked(const char* table, const char* pairs_table, const char* id_col,
                           Record& record, const Update& u) {
    if (u.name) record.name = *u.name;
    if (u.description) record.description = *u.description;
    record.updated_at = options_.env->Now();
    if (Status s = WriteNamedLocked(table, record.id, record.name, record.description,
                                    record.updated_at);
        !s.ok()) {
      return s;
    }
    if (!u.metadata) return Status::Ok();
    record.metadata = *u.metadata;
    return ReplacePairsLocked(pairs_table, id_col, record.id, *u.metadata);
  }

  // Quota bookkeeping.
  Status ReserveLocked(std::string_view project, std::string_view owner,
                       const std::vector<QuotaCharge>& charges);
  Status SettleLocked(std::string_view owner, QuotaAction action);
  Status ReleaseLocked(std::string_view project, const std::vector<QuotaCharge>& charges);

 private:
  Status WriteNamedLocked(const char* table, std::string_view id, std::string_view name,
                          std::string_view description, TimePoint updated_at);

  std::unique_ptr<Db> db_;
  SqlStoreOptions options_;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_SQL_SESSION_HPP
