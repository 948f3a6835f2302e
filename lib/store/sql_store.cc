// SqlStore, the repositories' destructors, and the store's defaults.
#include "lib/store/sql_store.hpp"

#include "lib/store/schema.hpp"

namespace blockstore {

Store::~Store() = default;
VolumeRepository::~VolumeRepository() = default;
SnapshotRepository::~SnapshotRepository() = default;
BackupRepository::~BackupRepository() = default;
AttachmentRepository::~AttachmentRepository() = default;
VolumeTypeRepository::~VolumeTypeRepository() = default;
QosRepository::~QosRepository() = default;
ServiceRepository::~ServiceRepository() = default;
MessageRepository::~MessageRepository() = default;
TransferRepository::~TransferRepository() = default;
IdempotencyRepository::~IdempotencyRepository() = default;
CapacityRepository::~CapacityRepository() = default;
QuotaRepository::~QuotaRepository() = default;

QuotaLimits DefaultQuotaLimits() {
  return {
      {std::string(kQuotaVolumes), 10},           {std::string(kQuotaSnapshots), 10},
      {std::string(kQuotaGigabytes), 1000},       {std::string(kQuotaBackups), 10},
      {std::string(kQuotaBackupGigabytes), 1000}, {std::string(kQuotaPerVolumeGigabytes), -1},
  };
}

int SqliteSchemaVersion() { return internal::LatestSchemaVersion(); }

namespace internal {

SqlStore::SqlStore(std::unique_ptr<SqlSessions> sessions, bool shared)
    : sessions_(std::move(sessions)), shared_(shared) {}

}  // namespace internal
}  // namespace blockstore
