// Internal: Store over SQL, written once for SQLite and PostgreSQL (a Db of either).
//
// One connection, one mutex: the database takes a single writer at a time anyway (SQLite's
// lock; on PostgreSQL, the writer lock every write transaction takes), and keeping reads on
// the same connection means every read sees every committed write.
#ifndef BLOCKSTORE_LIB_STORE_SQL_STORE_HPP
#define BLOCKSTORE_LIB_STORE_SQL_STORE_HPP

#include <mutex>

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

class SqlStore final : public Store {
 public:
  SqlStore(std::unique_ptr<Db> db, SqlStoreOptions options);

  void Close() override;
  // Whether the last calls failed on a serialization failure or deadlock (Db::TakeConflict).
  bool TakeConflict();

  Result<Volume> CreateVolume(const Volume& v, const std::vector<QuotaCharge>& charges) override;
  Result<Volume> GetVolume(std::string_view id) override;
  Result<std::vector<Volume>> ListVolumes(const ListQuery& q,
                                          std::string_view project_scope) override;
  Result<Volume> UpdateVolume(std::string_view id, const VolumeUpdate& u) override;
  Result<Volume> TransitionVolume(std::string_view id, const VolumeTransition& t) override;
  Result<Volume> BeginVolumeDelete(std::string_view id, const std::vector<VolumeStatus>& allowed,
                                   bool cascade) override;
  Status FinishVolumeDelete(std::string_view id) override;
  Result<Volume> BeginVolumeExtend(std::string_view id, const std::vector<VolumeStatus>& allowed,
                                   uint64_t new_size_gb,
                                   const std::vector<std::string>& growth_resources) override;
  Result<uint64_t> PendingExtendSize(std::string_view id) override;
  Result<std::vector<Volume>> ListVolumesOnBackend(
      std::string_view backend, const std::vector<VolumeStatus>& statuses) override;
  Result<std::vector<Volume>> ListUnplacedVolumes(
      const std::vector<VolumeStatus>& statuses) override;
  Result<std::map<std::string, PoolUsage>> PoolUsages(std::string_view backend) override;

  Result<Snapshot> CreateSnapshot(const Snapshot& s,
                                  const std::vector<VolumeStatus>& volume_statuses,
                                  const std::vector<QuotaCharge>& charges) override;
  Result<Snapshot> GetSnapshot(std::string_view id) override;
  Result<std::vector<Snapshot>> ListSnapshots(const ListQuery& q,
                                              std::string_view project_scope) override;
  Result<Snapshot> UpdateSnapshot(std::string_view id, const SnapshotUpdate& u) override;
  Result<Snapshot> TransitionSnapshot(std::string_view id, const SnapshotTransition& t) override;
  Result<Snapshot> BeginSnapshotDelete(std::string_view id,
                                       const std::vector<SnapshotStatus>& allowed) override;
  Status FinishSnapshotDelete(std::string_view id) override;
  Result<std::vector<Snapshot>> ListSnapshotsOfVolume(std::string_view volume_id) override;
  Result<std::vector<Snapshot>> ListSnapshotsOnBackend(
      std::string_view backend, const std::vector<SnapshotStatus>& statuses) override;

  Result<Backup> CreateBackup(const Backup& b, const std::vector<VolumeStatus>& volume_statuses,
                              const std::vector<QuotaCharge>& charges) override;
  Result<Backup> GetBackup(std::string_view id) override;
  Result<std::vector<Backup>> ListBackups(const ListQuery& q,
                                          std::string_view project_scope) override;
  Result<Backup> UpdateBackup(std::string_view id, const BackupUpdate& u) override;
  Result<Backup> TransitionBackup(std::string_view id, const BackupTransition& t) override;
  Result<Backup> SetBackupProgress(std::string_view id, uint64_t done, uint64_t total) override;
  Result<Backup> BeginBackupDelete(std::string_view id,
                                   const std::vector<BackupStatus>& allowed) override;
  Status FinishBackupDelete(std::string_view id) override;
  Result<Backup> BeginBackupRestore(std::string_view id, std::string_view volume_id,
                                    bool volume_is_new) override;
  Result<std::vector<Backup>> ListBackupsOnHost(
      std::string_view host, const std::vector<BackupStatus>& statuses) override;

  Result<Attachment> CreateAttachment(const Attachment& a,
                                      const std::vector<VolumeStatus>& volume_statuses) override;
  Result<Attachment> GetAttachment(std::string_view id) override;
  Result<std::vector<Attachment>> ListAttachments(const AttachmentQuery& q,
                                                  std::string_view project_scope) override;
  Result<std::vector<Attachment>> ListAttachmentsOfVolume(std::string_view volume_id) override;
  Result<Attachment> UpdateAttachment(std::string_view id, const AttachmentChange& c) override;
  Result<Volume> DeleteAttachment(std::string_view id) override;
  Result<Volume> SettleAttachState(std::string_view volume_id,
                                   const std::vector<VolumeStatus>& from) override;
  Result<std::optional<VolumeExport>> GetVolumeExport(std::string_view volume_id) override;
  Status SetVolumeExport(std::string_view volume_id, const VolumeExport& e) override;
  Status SaveLegacyConnector(std::string_view volume_id, const Connector& c) override;
  Status ForgetLegacyConnector(std::string_view volume_id,
                               const std::optional<Connector>& c) override;
  Result<std::vector<Connector>> ListLegacyConnectors(std::string_view volume_id) override;
  Result<std::vector<Volume>> ListConnectedVolumesOnBackend(std::string_view backend) override;

  Result<VolumeType> CreateVolumeType(const VolumeType& t) override;
  Result<VolumeType> GetVolumeType(std::string_view id) override;
  Result<VolumeType> GetVolumeTypeByName(std::string_view name) override;
  Result<std::vector<VolumeType>> ListVolumeTypes(bool include_private,
                                                  std::string_view access_project) override;
  Result<VolumeType> UpdateVolumeType(std::string_view id, const VolumeTypeUpdate& u) override;
  Status DeleteVolumeType(std::string_view id) override;
  Result<VolumeType> SetExtraSpecs(std::string_view type_id, const Metadata& specs) override;
  Result<VolumeType> UnsetExtraSpec(std::string_view type_id, std::string_view key) override;
  Status AddVolumeTypeAccess(std::string_view type_id, std::string_view project_id) override;
  Status RemoveVolumeTypeAccess(std::string_view type_id, std::string_view project_id) override;
  Result<std::vector<std::string>> ListVolumeTypeAccess(std::string_view type_id) override;

  Result<QosSpec> CreateQosSpec(const QosSpec& q) override;
  Result<QosSpec> GetQosSpec(std::string_view id) override;
  Result<std::vector<QosSpec>> ListQosSpecs() override;
  Status DeleteQosSpec(std::string_view id, bool force) override;
  Result<QosSpec> SetQosKeys(std::string_view id, const Metadata& specs) override;
  Result<QosSpec> UnsetQosKey(std::string_view id, std::string_view key) override;
  Status AssociateQos(std::string_view qos_id, std::string_view type_id) override;
  Status DisassociateQos(std::string_view qos_id, std::string_view type_id) override;

  Result<ServiceRecord> ReportService(const ServiceRecord& s) override;
  Result<std::vector<ServiceRecord>> ListServices() override;
  Result<ServiceRecord> SetServiceDisabled(std::string_view host, std::string_view binary,
                                           bool disabled, std::string_view reason) override;

  Result<CapacityHoldOutcome> HoldCapacity(const CapacityHold& hold, int64_t seen_seq, TimePoint counted_since,
                                           TimePoint expired_before,
                                           const std::function<bool(const std::vector<CapacityHold>&)>& fits) override;
  Status ReleaseCapacity(std::string_view key) override;

  Result<QuotaSet> GetQuotaSet(std::string_view project_id) override;
  Status SetQuotaLimit(std::string_view project_id, std::string_view resource,
                       int64_t limit) override;
  Status DeleteQuotaOverrides(std::string_view project_id) override;
  const QuotaLimits& quota_defaults() const override { return options_.quota_defaults; }

 private:
  // All *Locked helpers expect mu_ held (and, for writes, a transaction open).
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
  // A transition with no quota to settle, as one statement outside a transaction: the volume
  // it moved, or nullopt when nothing matched (gone, or not in a status it moves from).
  Result<std::optional<Volume>> SetVolumeStatusLocked(std::string_view id,
                                                      const VolumeTransition& t);
  Result<Snapshot> TransitionSnapshotLocked(std::string_view id, const SnapshotTransition& t);
  Result<Backup> GetBackupLocked(std::string_view id);
  Result<std::vector<Backup>> QueryBackupsLocked(const std::string& tail,
                                                 const std::vector<std::string>& binds,
                                                 bool cache = true);
  Result<Attachment> GetAttachmentLocked(std::string_view id);
  Result<std::vector<Attachment>> QueryAttachmentsLocked(const std::string& tail,
                                                         const std::vector<std::string>& binds,
                                                         bool cache = true);
  // Derives the volume's attach_status (and status) from its attachments (Store's rule).
  Result<Volume> DeriveAttachStateLocked(std::string_view volume_id);
  Result<VolumeType> GetVolumeTypeLocked(std::string_view id);
  Result<QosSpec> GetQosSpecLocked(std::string_view id);
  Result<Metadata> LoadPairsLocked(const char* table, const char* id_col, std::string_view id);
  Status ReplacePairsLocked(const char* table, const char* id_col, std::string_view id,
                            const Metadata& pairs);
  Status UpsertPairsLocked(const char* table, const char* id_col, std::string_view id,
                           const Metadata& pairs);

  // Quota bookkeeping.
  Status ReserveLocked(std::string_view project, std::string_view owner,
                       const std::vector<QuotaCharge>& charges);
  Status SettleLocked(std::string_view owner, QuotaAction action);
  Status ReleaseLocked(std::string_view project, const std::vector<QuotaCharge>& charges);

  std::mutex mu_;
  std::unique_ptr<Db> db_;
  SqlStoreOptions options_;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_SQL_STORE_HPP
