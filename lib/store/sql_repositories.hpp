// Internal: the SQL store's repositories, one per aggregate, each running its calls on a
// session that SqlSessions lends (sql_volumes.cc, sql_snapshots.cc, …).
#ifndef BLOCKSTORE_LIB_STORE_SQL_REPOSITORIES_HPP
#define BLOCKSTORE_LIB_STORE_SQL_REPOSITORIES_HPP

#include "blockstore/repositories.hpp"
#include "lib/store/sql_sessions.hpp"

namespace blockstore::internal {

class SqlVolumes final : public VolumeRepository {
 public:
  explicit SqlVolumes(SqlSessions& sessions) : sessions_(sessions) {}
  Result<Volume> Create(const Volume& v, const std::vector<QuotaCharge>& charges) override;
  Result<Volume> Get(std::string_view id) override;
  Result<std::vector<Volume>> List(const ListQuery& q, std::string_view project_scope) override;
  Result<Volume> Update(std::string_view id, const VolumeUpdate& u) override;
  Result<Volume> Transition(std::string_view id, const VolumeTransition& t) override;
  Result<Volume> BeginDelete(std::string_view id, const std::vector<VolumeStatus>& allowed,
                             bool cascade) override;
  Status FinishDelete(std::string_view id) override;
  Result<Volume> BeginExtend(std::string_view id, const std::vector<VolumeStatus>& allowed,
                             uint64_t new_size_gb,
                             const std::vector<std::string>& growth_resources) override;
  Result<Volume> ChangeType(std::string_view id, const VolumeTransition& t, std::string_view type_id) override;
  Result<uint64_t> PendingExtendSize(std::string_view id) override;
  Result<std::vector<Volume>> ListOnBackend(std::string_view backend,
                                            const std::vector<VolumeStatus>& statuses) override;
  Result<std::vector<Volume>> ListUnplaced(const std::vector<VolumeStatus>& statuses) override;
  Result<std::map<std::string, PoolUsage>> PoolUsages(std::string_view backend) override;
  Status CompareAndSet(std::string_view id, const VolumeTransition& t) override;

 private:
  // Transition on a session; without `record`, the moved volume comes back with its id only.
  static Result<Volume> TransitionIn(SqlSession& session, std::string_view id,
                                     const VolumeTransition& t, bool record);

  SqlSessions& sessions_;
};

class SqlSnapshots final : public SnapshotRepository {
 public:
  explicit SqlSnapshots(SqlSessions& sessions) : sessions_(sessions) {}
  Result<Snapshot> Create(const Snapshot& s, const std::vector<VolumeStatus>& volume_statuses,
                          const std::vector<QuotaCharge>& charges) override;
  Result<Snapshot> Get(std::string_view id) override;
  Result<std::vector<Snapshot>> List(const ListQuery& q, std::string_view project_scope) override;
  Result<Snapshot> Update(std::string_view id, const SnapshotUpdate& u) override;
  Result<Snapshot> Transition(std::string_view id, const SnapshotTransition& t) override;
  Result<Snapshot> BeginDelete(std::string_view id,
                               const std::vector<SnapshotStatus>& allowed) override;
  Status FinishDelete(std::string_view id) override;
  Result<std::vector<Snapshot>> ListOfVolume(std::string_view volume_id) override;
  Result<std::vector<Snapshot>> ListOnBackend(std::string_view backend,
                                              const std::vector<SnapshotStatus>& statuses) override;

 private:
  SqlSessions& sessions_;
};

class SqlBackups final : public BackupRepository {
 public:
  explicit SqlBackups(SqlSessions& sessions) : sessions_(sessions) {}
  Result<Backup> Create(const Backup& b, const std::vector<VolumeStatus>& volume_statuses,
                        const std::vector<QuotaCharge>& charges) override;
  Result<Backup> Get(std::string_view id) override;
  Result<std::vector<Backup>> List(const ListQuery& q, std::string_view project_scope) override;
  Result<Backup> Update(std::string_view id, const BackupUpdate& u) override;
  Result<Backup> Transition(std::string_view id, const BackupTransition& t) override;
  Result<Backup> SetProgress(std::string_view id, uint64_t done, uint64_t total) override;
  Result<Backup> BeginDelete(std::string_view id,
                             const std::vector<BackupStatus>& allowed) override;
  Status FinishDelete(std::string_view id) override;
  Result<Backup> BeginRestore(std::string_view id, std::string_view volume_id,
                              bool volume_is_new) override;
  Result<std::vector<Backup>> ListOnHost(std::string_view host,
                                         const std::vector<BackupStatus>& statuses) override;

 private:
  SqlSessions& sessions_;
};

class SqlAttachments final : public AttachmentRepository {
 public:
  explicit SqlAttachments(SqlSessions& sessions) : sessions_(sessions) {}
  Result<Attachment> Create(const Attachment& a,
                            const std::vector<VolumeStatus>& volume_statuses) override;
  Result<Attachment> Get(std::string_view id) override;
  Result<std::vector<Attachment>> List(const AttachmentQuery& q,
                                       std::string_view project_scope) override;
  Result<std::vector<Attachment>> ListOfVolume(std::string_view volume_id) override;
  Result<Attachment> Update(std::string_view id, const AttachmentChange& c) override;
  Result<Volume> Delete(std::string_view id) override;
  Result<Volume> SettleVolume(std::string_view volume_id,
                              const std::vector<VolumeStatus>& from) override;
  Result<std::optional<VolumeExport>> GetExport(std::string_view volume_id) override;
  Status SetExport(std::string_view volume_id, const VolumeExport& e) override;
  Status SaveLegacyConnector(std::string_view volume_id, const Connector& c) override;
  Status ForgetLegacyConnector(std::string_view volume_id,
                               const std::optional<Connector>& c) override;
  Result<std::vector<Connector>> ListLegacyConnectors(std::string_view volume_id) override;
  Result<std::vector<Volume>> ListConnectedVolumes(std::string_view backend) override;

 private:
  SqlSessions& sessions_;
};

class SqlVolumeTypes final : public VolumeTypeRepository {
 public:
  explicit SqlVolumeTypes(SqlSessions& sessions) : sessions_(sessions) {}
  Result<VolumeType> Create(const VolumeType& t) override;
  Result<VolumeType> Get(std::string_view id) override;
  Result<VolumeType> GetByName(std::string_view name) override;
  Result<std::vector<VolumeType>> List(bool include_private,
                                       std::string_view access_project) override;
  Result<VolumeType> Update(std::string_view id, const VolumeTypeUpdate& u) override;
  Status Delete(std::string_view id) override;
  Result<VolumeType> SetExtraSpecs(std::string_view type_id, const Metadata& specs) override;
  Result<VolumeType> UnsetExtraSpec(std::string_view type_id, std::string_view key) override;
  Status AddAccess(std::string_view type_id, std::string_view project_id) override;
  Status RemoveAccess(std::string_view type_id, std::string_view project_id) override;
  Result<std::vector<std::string>> ListAccess(std::string_view type_id) override;

 private:
  SqlSessions& sessions_;
};

class SqlQosSpecs final : public QosRepository {
 public:
  explicit SqlQosSpecs(SqlSessions& sessions) : sessions_(sessions) {}
  Result<QosSpec> Create(const QosSpec& q) override;
  Result<QosSpec> Get(std::string_view id) override;
  Result<std::vector<QosSpec>> List() override;
  Status Delete(std::string_view id, bool force) override;
  Result<QosSpec> SetKeys(std::string_view id, const Metadata& specs) override;
  Result<QosSpec> UnsetKey(std::string_view id, std::string_view key) override;
  Status Associate(std::string_view qos_id, std::string_view type_id) override;
  Status Disassociate(std::string_view qos_id, std::string_view type_id) override;

 private:
  SqlSessions& sessions_;
};

class SqlMessages final : public MessageRepository {
 public:
  explicit SqlMessages(SqlSessions& sessions) : sessions_(sessions) {}
  Status Create(const UserMessage& m) override;
  Result<UserMessage> Get(std::string_view id) override;
  Result<std::vector<UserMessage>> List(std::string_view project_id, int64_t limit,
                                        std::string_view marker) override;
  Status Delete(std::string_view id) override;
  Result<int64_t> DeleteExpired(TimePoint now) override;

 private:
  SqlSessions& sessions_;
};

class SqlServices final : public ServiceRepository {
 public:
  explicit SqlServices(SqlSessions& sessions) : sessions_(sessions) {}
  Result<ServiceRecord> Report(const ServiceRecord& s) override;
  Result<std::vector<ServiceRecord>> List() override;
  Result<ServiceRecord> SetDisabled(std::string_view host, std::string_view binary, bool disabled,
                                    std::string_view reason) override;

 private:
  SqlSessions& sessions_;
};

class SqlCapacity final : public CapacityRepository {
 public:
  explicit SqlCapacity(SqlSessions& sessions) : sessions_(sessions) {}
  Result<CapacityHoldOutcome> Hold(
      const CapacityHold& hold, int64_t seen_seq, TimePoint counted_since, TimePoint expired_before,
      const std::function<bool(const std::vector<CapacityHold>&)>& fits) override;
  Status Release(std::string_view key) override;

 private:
  static Result<CapacityHoldOutcome> HoldBeside(
      SqlSession& session, const CapacityHold& hold, int64_t seen_seq, TimePoint counted_since,
      TimePoint expired_before, const std::function<bool(const std::vector<CapacityHold>&)>& fits);

  SqlSessions& sessions_;
};

class SqlTransfers final : public TransferRepository {
 public:
  explicit SqlTransfers(SqlSessions& sessions) : sessions_(sessions) {}
  Result<VolumeTransfer> Create(const VolumeTransfer& t) override;
  Result<VolumeTransfer> Get(std::string_view id) override;
  Result<std::vector<VolumeTransfer>> List(std::string_view project_id) override;
  Status Delete(std::string_view id) override;
  Result<VolumeTransfer> Accept(std::string_view id, std::string_view project_id,
                                std::string_view user_id) override;

 private:
  SqlSessions& sessions_;
};

class SqlIdempotency final : public IdempotencyRepository {
 public:
  explicit SqlIdempotency(SqlSessions& sessions) : sessions_(sessions) {}
  Result<std::optional<IdempotentRequest>> Claim(const IdempotentRequest& r, TimePoint now) override;
  Status Answer(std::string_view project_id, std::string_view key, int status_code,
                std::string_view answer) override;
  Status Release(std::string_view project_id, std::string_view key) override;
  Result<int64_t> DeleteExpired(TimePoint now) override;

 private:
  SqlSessions& sessions_;
};

class SqlQuotas final : public QuotaRepository {
 public:
  explicit SqlQuotas(SqlSessions& sessions) : sessions_(sessions) {}
  Result<QuotaSet> GetSet(std::string_view project_id) override;
  Status SetLimit(std::string_view project_id, std::string_view resource, int64_t limit) override;
  Status DeleteOverrides(std::string_view project_id) override;
  const QuotaLimits& defaults() const override { return sessions_.options().quota_defaults; }

 private:
  SqlSessions& sessions_;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_SQL_REPOSITORIES_HPP
