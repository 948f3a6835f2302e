// Internal: the backup service's RPC API, version 2.0 (its major follows Cinder's backup API).
//
// | method          | kind | args              | reply |
// |-----------------|------|-------------------|-------|
// | create_backup   | cast | —                 |       |
// | restore_backup  | cast | volume_is_new     |       |
// | delete_backup   | cast | —                 |       |
// | import_backup   | cast | —                 |       |
// | verify_backup   | call | —                 | {}    |
//
// The id of each is the backup's. Every backup service listens on the one "backup" topic
// (competing consumers): whichever takes a message does the job.
#ifndef BLOCKSTORE_LIB_BACKUP_BACKUP_RPC_HPP
#define BLOCKSTORE_LIB_BACKUP_BACKUP_RPC_HPP

#include <chrono>
#include <string>

#include "lib/rpc/endpoint.hpp"

namespace blockstore::internal {

inline constexpr rpc::Version kBackupRpcVersion{2, 0};
inline constexpr const char* kBackupTopic = "backup";

class BackupClient {
 public:
  explicit BackupClient(Transport& transport);
  Status CreateBackup(const std::string& id, const std::string& request_id = {}) const;
  Status RestoreBackup(const std::string& id, bool volume_is_new,
                       const std::string& request_id = {}) const;
  Status DeleteBackup(const std::string& id, const std::string& request_id = {}) const;
  Status ImportBackup(const std::string& id, const std::string& request_id = {}) const;
  // OK, or the first damaged chunk (data_loss), or deadline_exceeded.
  Status VerifyBackup(const std::string& id, std::chrono::milliseconds timeout,
                      const std::string& request_id = {}) const;

 private:
  rpc::Client client_;
};

// What the backup service does with each method.
class BackupHandler {
 public:
  virtual ~BackupHandler() = default;
  virtual void CreateBackup(const std::string& id) = 0;
  virtual void RestoreBackup(const std::string& id, bool volume_is_new) = 0;
  virtual void DeleteBackup(const std::string& id) = 0;
  virtual void ImportBackup(const std::string& id) = 0;
  virtual Status VerifyBackup(const std::string& id) = 0;
};

// The dispatcher for `handler`, which must outlive it.
rpc::Dispatcher BackupDispatcher(BackupHandler& handler);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_BACKUP_BACKUP_RPC_HPP
