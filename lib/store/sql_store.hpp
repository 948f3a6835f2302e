// Internal: Store over SQL, written once for SQLite and PostgreSQL: its sessions (one
// connection for a SQLite file, a pool of them on PostgreSQL) and a repository per aggregate
// over them.
#ifndef BLOCKSTORE_LIB_STORE_SQL_STORE_HPP
#define BLOCKSTORE_LIB_STORE_SQL_STORE_HPP

#include <memory>

#include "blockstore/store.hpp"
#include "lib/store/sql_repositories.hpp"
#include "lib/store/sql_sessions.hpp"

namespace blockstore::internal {

class SqlStore final : public Store {
 public:
  // `shared`: whether other engines may use the database at the same time (Store::Shared).
  SqlStore(std::unique_ptr<SqlSessions> sessions, bool shared);

  void Close() override { sessions_->Close(); }
  bool Shared() const override { return shared_; }

  VolumeRepository& volumes() override { return volumes_; }
  SnapshotRepository& snapshots() override { return snapshots_; }
  BackupRepository& backups() override { return backups_; }
  AttachmentRepository& attachments() override { return attachments_; }
  VolumeTypeRepository& volume_types() override { return volume_types_; }
  QosRepository& qos_specs() override { return qos_specs_; }
  ServiceRepository& services() override { return services_; }
  CapacityRepository& capacity() override { return capacity_; }
  QuotaRepository& quotas() override { return quotas_; }
  MessageRepository& messages() override { return messages_; }
  TransferRepository& transfers() override { return transfers_; }
  IdempotencyRepository& idempotency() override { return idempotency_; }

 private:
  const std::unique_ptr<SqlSessions> sessions_;
  const bool shared_;
  SqlVolumes volumes_{*sessions_};
  SqlSnapshots snapshots_{*sessions_};
  SqlBackups backups_{*sessions_};
  SqlAttachments attachments_{*sessions_};
  SqlVolumeTypes volume_types_{*sessions_};
  SqlQosSpecs qos_specs_{*sessions_};
  SqlServices services_{*sessions_};
  SqlCapacity capacity_{*sessions_};
  SqlQuotas quotas_{*sessions_};
  SqlMessages messages_{*sessions_};
  SqlTransfers transfers_{*sessions_};
  SqlIdempotency idempotency_{*sessions_};
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_SQL_STORE_HPP
