// Internal: a Store over several SqlStores on one PostgreSQL database, a connection each.
//
// A call takes an idle store (connecting another while fewer than max_size exist, else
// waiting for one), runs on it and gives it back, so calls from several threads run side by
// side on the server. A call that failed on a serialization failure or deadlock (SqlStore's
// every call is one transaction, rolled back whole) is made again, a bounded number of times,
// after a short random pause.
#ifndef BLOCKSTORE_LIB_STORE_STORE_POOL_HPP
#define BLOCKSTORE_LIB_STORE_STORE_POOL_HPP

#include <condition_variable>
#include <functional>
#include <mutex>

#include "lib/store/sql_store.hpp"

namespace blockstore::internal {

class StorePool final : public Store {
 public:
  // `connect` opens one more store (a connection of its own) on the same database.
  using Connect = std::function<Result<std::unique_ptr<SqlStore>>()>;
  StorePool(std::unique_ptr<SqlStore> first, Connect connect, int max_size);

  // How many times a conflicting call is made in all.
  static constexpr int kMaxAttempts = 10;

  void Close() override;
  bool Shared() const override { return true; }

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
  const QuotaLimits& quota_defaults() const override;

 private:
  // Runs `call` on an idle store, again while it fails on a conflict.
  template <typename Call>
  auto Run(Call&& call) -> decltype(call(std::declval<SqlStore&>()));
  Result<SqlStore*> Acquire();
  void Release(SqlStore* s);

  const Connect connect_;
  const int max_size_;
  std::mutex mu_;
  std::condition_variable idle_cv_;
  std::vector<std::unique_ptr<SqlStore>> stores_;  // never shrinks until Close; [0] always set
  std::vector<SqlStore*> idle_;
  int connecting_ = 0;
  bool closed_ = false;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_STORE_POOL_HPP
