// StorePool: leasing connections, and making conflicting calls again.
#include "lib/store/store_pool.hpp"

#include <chrono>
#include <random>
#include <thread>

namespace blockstore::internal {

StorePool::StorePool(std::unique_ptr<SqlStore> first, Connect connect, int max_size)
    : connect_(std::move(connect)), max_size_(std::max(1, max_size)) {
  idle_.push_back(first.get());
  stores_.push_back(std::move(first));
}

Result<SqlStore*> StorePool::Acquire() {
  std::unique_lock lock(mu_);
  while (true) {
    if (closed_) return Unavailable("the store is closed");
    if (!idle_.empty()) {
      SqlStore* s = idle_.back();
      idle_.pop_back();
      return s;
    }
    if (static_cast<int>(stores_.size()) + connecting_ < max_size_) break;
    idle_cv_.wait(lock);
  }
  ++connecting_;
  lock.unlock();
  auto fresh = connect_();
  lock.lock();
  --connecting_;
  if (!fresh.ok()) {
    // The server takes no more connections (or is gone): wait for one we have.
    idle_cv_.notify_all();
    while (idle_.empty() && !closed_) idle_cv_.wait(lock);
    if (closed_) return Unavailable("the store is closed");
    SqlStore* s = idle_.back();
    idle_.pop_back();
    return s;
  }
  SqlStore* s = fresh->get();
  stores_.push_back(std::move(fresh).value());
  return s;
}

void StorePool::Release(SqlStore* s) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(s);
  }
  idle_cv_.notify_one();
}

template <typename Call>
auto StorePool::Run(Call&& call) -> decltype(call(std::declval<SqlStore&>())) {
  thread_local std::minstd_rand jitter(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    auto s = Acquire();
    if (!s.ok()) return s.status();
    auto out = call(**s);
    const bool conflict = (*s)->TakeConflict();
    Release(*s);
    if (out.ok() || !conflict || attempt == kMaxAttempts) return out;
    // Up to 1, 2, 4, … 32 ms, at random, so that the two sides of a conflict part.
    const int ceiling_us = 1000 << std::min(attempt - 1, 5);
    std::this_thread::sleep_for(std::chrono::microseconds(
        std::uniform_int_distribution<int>(ceiling_us / 4, ceiling_us)(jitter)));
  }
}

void StorePool::Close() {
  std::unique_lock lock(mu_);
  closed_ = true;
  idle_cv_.notify_all();
  // The engine closes after its last worker stopped; a call still running finishes first.
  idle_cv_.wait(lock, [&] { return idle_.size() == stores_.size() && connecting_ == 0; });
  for (auto& s : stores_) s->Close();
}

const QuotaLimits& StorePool::quota_defaults() const { return stores_[0]->quota_defaults(); }

Result<Volume> StorePool::CreateVolume(const Volume& v, const std::vector<QuotaCharge>& charges) {
  return Run([&](SqlStore& store) { return store.CreateVolume(v, charges); });
}

Result<Volume> StorePool::GetVolume(std::string_view id) {
  return Run([&](SqlStore& store) { return store.GetVolume(id); });
}

Result<std::vector<Volume>> StorePool::ListVolumes(const ListQuery& q, std::string_view project_scope) {
  return Run([&](SqlStore& store) { return store.ListVolumes(q, project_scope); });
}

Result<Volume> StorePool::UpdateVolume(std::string_view id, const VolumeUpdate& u) {
  return Run([&](SqlStore& store) { return store.UpdateVolume(id, u); });
}

Result<Volume> StorePool::TransitionVolume(std::string_view id, const VolumeTransition& t) {
  return Run([&](SqlStore& store) { return store.TransitionVolume(id, t); });
}

Result<Volume> StorePool::BeginVolumeDelete(std::string_view id, const std::vector<VolumeStatus>& allowed, bool cascade) {
  return Run([&](SqlStore& store) { return store.BeginVolumeDelete(id, allowed, cascade); });
}

Status StorePool::FinishVolumeDelete(std::string_view id) {
  return Run([&](SqlStore& store) { return store.FinishVolumeDelete(id); });
}

Result<Volume> StorePool::BeginVolumeExtend(std::string_view id, const std::vector<VolumeStatus>& allowed, uint64_t new_size_gb, const std::vector<std::string>& growth_resources) {
  return Run([&](SqlStore& store) { return store.BeginVolumeExtend(id, allowed, new_size_gb, growth_resources); });
}

Result<uint64_t> StorePool::PendingExtendSize(std::string_view id) {
  return Run([&](SqlStore& store) { return store.PendingExtendSize(id); });
}

Result<std::vector<Volume>> StorePool::ListVolumesOnBackend( std::string_view backend, const std::vector<VolumeStatus>& statuses) {
  return Run([&](SqlStore& store) { return store.ListVolumesOnBackend(backend, statuses); });
}

Result<std::vector<Volume>> StorePool::ListUnplacedVolumes( const std::vector<VolumeStatus>& statuses) {
  return Run([&](SqlStore& store) { return store.ListUnplacedVolumes(statuses); });
}

Result<std::map<std::string, Store::PoolUsage>> StorePool::PoolUsages(std::string_view backend) {
  return Run([&](SqlStore& store) { return store.PoolUsages(backend); });
}

Result<Snapshot> StorePool::CreateSnapshot(const Snapshot& s, const std::vector<VolumeStatus>& volume_statuses, const std::vector<QuotaCharge>& charges) {
  return Run([&](SqlStore& store) { return store.CreateSnapshot(s, volume_statuses, charges); });
}

Result<Snapshot> StorePool::GetSnapshot(std::string_view id) {
  return Run([&](SqlStore& store) { return store.GetSnapshot(id); });
}

Result<std::vector<Snapshot>> StorePool::ListSnapshots(const ListQuery& q, std::string_view project_scope) {
  return Run([&](SqlStore& store) { return store.ListSnapshots(q, project_scope); });
}

Result<Snapshot> StorePool::UpdateSnapshot(std::string_view id, const SnapshotUpdate& u) {
  return Run([&](SqlStore& store) { return store.UpdateSnapshot(id, u); });
}

Result<Snapshot> StorePool::TransitionSnapshot(std::string_view id, const SnapshotTransition& t) {
  return Run([&](SqlStore& store) { return store.TransitionSnapshot(id, t); });
}

Result<Snapshot> StorePool::BeginSnapshotDelete(std::string_view id, const std::vector<SnapshotStatus>& allowed) {
  return Run([&](SqlStore& store) { return store.BeginSnapshotDelete(id, allowed); });
}

Status StorePool::FinishSnapshotDelete(std::string_view id) {
  return Run([&](SqlStore& store) { return store.FinishSnapshotDelete(id); });
}

Result<std::vector<Snapshot>> StorePool::ListSnapshotsOfVolume(std::string_view volume_id) {
  return Run([&](SqlStore& store) { return store.ListSnapshotsOfVolume(volume_id); });
}

Result<std::vector<Snapshot>> StorePool::ListSnapshotsOnBackend( std::string_view backend, const std::vector<SnapshotStatus>& statuses) {
  return Run([&](SqlStore& store) { return store.ListSnapshotsOnBackend(backend, statuses); });
}

Result<Backup> StorePool::CreateBackup(const Backup& b, const std::vector<VolumeStatus>& volume_statuses, const std::vector<QuotaCharge>& charges) {
  return Run([&](SqlStore& store) { return store.CreateBackup(b, volume_statuses, charges); });
}

Result<Backup> StorePool::GetBackup(std::string_view id) {
  return Run([&](SqlStore& store) { return store.GetBackup(id); });
}

Result<std::vector<Backup>> StorePool::ListBackups(const ListQuery& q, std::string_view project_scope) {
  return Run([&](SqlStore& store) { return store.ListBackups(q, project_scope); });
}

Result<Backup> StorePool::UpdateBackup(std::string_view id, const BackupUpdate& u) {
  return Run([&](SqlStore& store) { return store.UpdateBackup(id, u); });
}

Result<Backup> StorePool::TransitionBackup(std::string_view id, const BackupTransition& t) {
  return Run([&](SqlStore& store) { return store.TransitionBackup(id, t); });
}

Result<Backup> StorePool::SetBackupProgress(std::string_view id, uint64_t done, uint64_t total) {
  return Run([&](SqlStore& store) { return store.SetBackupProgress(id, done, total); });
}

Result<Backup> StorePool::BeginBackupDelete(std::string_view id, const std::vector<BackupStatus>& allowed) {
  return Run([&](SqlStore& store) { return store.BeginBackupDelete(id, allowed); });
}

Status StorePool::FinishBackupDelete(std::string_view id) {
  return Run([&](SqlStore& store) { return store.FinishBackupDelete(id); });
}

Result<Backup> StorePool::BeginBackupRestore(std::string_view id, std::string_view volume_id, bool volume_is_new) {
  return Run([&](SqlStore& store) { return store.BeginBackupRestore(id, volume_id, volume_is_new); });
}

Result<std::vector<Backup>> StorePool::ListBackupsOnHost( std::string_view host, const std::vector<BackupStatus>& statuses) {
  return Run([&](SqlStore& store) { return store.ListBackupsOnHost(host, statuses); });
}

Result<Attachment> StorePool::CreateAttachment(const Attachment& a, const std::vector<VolumeStatus>& volume_statuses) {
  return Run([&](SqlStore& store) { return store.CreateAttachment(a, volume_statuses); });
}

Result<Attachment> StorePool::GetAttachment(std::string_view id) {
  return Run([&](SqlStore& store) { return store.GetAttachment(id); });
}

Result<std::vector<Attachment>> StorePool::ListAttachments(const AttachmentQuery& q, std::string_view project_scope) {
  return Run([&](SqlStore& store) { return store.ListAttachments(q, project_scope); });
}

Result<std::vector<Attachment>> StorePool::ListAttachmentsOfVolume(std::string_view volume_id) {
  return Run([&](SqlStore& store) { return store.ListAttachmentsOfVolume(volume_id); });
}

Result<Attachment> StorePool::UpdateAttachment(std::string_view id, const AttachmentChange& c) {
  return Run([&](SqlStore& store) { return store.UpdateAttachment(id, c); });
}

Result<Volume> StorePool::DeleteAttachment(std::string_view id) {
  return Run([&](SqlStore& store) { return store.DeleteAttachment(id); });
}

Result<Volume> StorePool::SettleAttachState(std::string_view volume_id, const std::vector<VolumeStatus>& from) {
  return Run([&](SqlStore& store) { return store.SettleAttachState(volume_id, from); });
}

Result<std::optional<VolumeExport>> StorePool::GetVolumeExport(std::string_view volume_id) {
  return Run([&](SqlStore& store) { return store.GetVolumeExport(volume_id); });
}

Status StorePool::SetVolumeExport(std::string_view volume_id, const VolumeExport& e) {
  return Run([&](SqlStore& store) { return store.SetVolumeExport(volume_id, e); });
}

Status StorePool::SaveLegacyConnector(std::string_view volume_id, const Connector& c) {
  return Run([&](SqlStore& store) { return store.SaveLegacyConnector(volume_id, c); });
}

Status StorePool::ForgetLegacyConnector(std::string_view volume_id, const std::optional<Connector>& c) {
  return Run([&](SqlStore& store) { return store.ForgetLegacyConnector(volume_id, c); });
}

Result<std::vector<Connector>> StorePool::ListLegacyConnectors(std::string_view volume_id) {
  return Run([&](SqlStore& store) { return store.ListLegacyConnectors(volume_id); });
}

Result<std::vector<Volume>> StorePool::ListConnectedVolumesOnBackend(std::string_view backend) {
  return Run([&](SqlStore& store) { return store.ListConnectedVolumesOnBackend(backend); });
}

Result<VolumeType> StorePool::CreateVolumeType(const VolumeType& t) {
  return Run([&](SqlStore& store) { return store.CreateVolumeType(t); });
}

Result<VolumeType> StorePool::GetVolumeType(std::string_view id) {
  return Run([&](SqlStore& store) { return store.GetVolumeType(id); });
}

Result<VolumeType> StorePool::GetVolumeTypeByName(std::string_view name) {
  return Run([&](SqlStore& store) { return store.GetVolumeTypeByName(name); });
}

Result<std::vector<VolumeType>> StorePool::ListVolumeTypes(bool include_private, std::string_view access_project) {
  return Run([&](SqlStore& store) { return store.ListVolumeTypes(include_private, access_project); });
}

Result<VolumeType> StorePool::UpdateVolumeType(std::string_view id, const VolumeTypeUpdate& u) {
  return Run([&](SqlStore& store) { return store.UpdateVolumeType(id, u); });
}

Status StorePool::DeleteVolumeType(std::string_view id) {
  return Run([&](SqlStore& store) { return store.DeleteVolumeType(id); });
}

Result<VolumeType> StorePool::SetExtraSpecs(std::string_view type_id, const Metadata& specs) {
  return Run([&](SqlStore& store) { return store.SetExtraSpecs(type_id, specs); });
}

Result<VolumeType> StorePool::UnsetExtraSpec(std::string_view type_id, std::string_view key) {
  return Run([&](SqlStore& store) { return store.UnsetExtraSpec(type_id, key); });
}

Status StorePool::AddVolumeTypeAccess(std::string_view type_id, std::string_view project_id) {
  return Run([&](SqlStore& store) { return store.AddVolumeTypeAccess(type_id, project_id); });
}

Status StorePool::RemoveVolumeTypeAccess(std::string_view type_id, std::string_view project_id) {
  return Run([&](SqlStore& store) { return store.RemoveVolumeTypeAccess(type_id, project_id); });
}

Result<std::vector<std::string>> StorePool::ListVolumeTypeAccess(std::string_view type_id) {
  return Run([&](SqlStore& store) { return store.ListVolumeTypeAccess(type_id); });
}

Result<QosSpec> StorePool::CreateQosSpec(const QosSpec& q) {
  return Run([&](SqlStore& store) { return store.CreateQosSpec(q); });
}

Result<QosSpec> StorePool::GetQosSpec(std::string_view id) {
  return Run([&](SqlStore& store) { return store.GetQosSpec(id); });
}

Result<std::vector<QosSpec>> StorePool::ListQosSpecs() {
  return Run([&](SqlStore& store) { return store.ListQosSpecs(); });
}

Status StorePool::DeleteQosSpec(std::string_view id, bool force) {
  return Run([&](SqlStore& store) { return store.DeleteQosSpec(id, force); });
}

Result<QosSpec> StorePool::SetQosKeys(std::string_view id, const Metadata& specs) {
  return Run([&](SqlStore& store) { return store.SetQosKeys(id, specs); });
}

Result<QosSpec> StorePool::UnsetQosKey(std::string_view id, std::string_view key) {
  return Run([&](SqlStore& store) { return store.UnsetQosKey(id, key); });
}

Status StorePool::AssociateQos(std::string_view qos_id, std::string_view type_id) {
  return Run([&](SqlStore& store) { return store.AssociateQos(qos_id, type_id); });
}

Status StorePool::DisassociateQos(std::string_view qos_id, std::string_view type_id) {
  return Run([&](SqlStore& store) { return store.DisassociateQos(qos_id, type_id); });
}

Result<CapacityHoldOutcome> StorePool::HoldCapacity(
    const CapacityHold& hold, int64_t seen_seq, TimePoint counted_since, TimePoint expired_before,
    const std::function<bool(const std::vector<CapacityHold>&)>& fits) {
  return Run([&](SqlStore& store) { return store.HoldCapacity(hold, seen_seq, counted_since, expired_before, fits); });
}

Status StorePool::ReleaseCapacity(std::string_view key) {
  return Run([&](SqlStore& store) { return store.ReleaseCapacity(key); });
}

Result<ServiceRecord> StorePool::ReportService(const ServiceRecord& s) {
  return Run([&](SqlStore& store) { return store.ReportService(s); });
}

Result<std::vector<ServiceRecord>> StorePool::ListServices() {
  return Run([&](SqlStore& store) { return store.ListServices(); });
}

Result<ServiceRecord> StorePool::SetServiceDisabled(std::string_view host, std::string_view binary,
                                                    bool disabled, std::string_view reason) {
  return Run([&](SqlStore& store) { return store.SetServiceDisabled(host, binary, disabled, reason); });
}

Result<QuotaSet> StorePool::GetQuotaSet(std::string_view project_id) {
  return Run([&](SqlStore& store) { return store.GetQuotaSet(project_id); });
}

Status StorePool::SetQuotaLimit(std::string_view project_id, std::string_view resource, int64_t limit) {
  return Run([&](SqlStore& store) { return store.SetQuotaLimit(project_id, resource, limit); });
}

Status StorePool::DeleteQuotaOverrides(std::string_view project_id) {
  return Run([&](SqlStore& store) { return store.DeleteQuotaOverrides(project_id); });
}

}  // namespace blockstore::internal
