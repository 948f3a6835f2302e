#include "lib/backup/backup_rpc.hpp"

#include "lib/core/macros.hpp"
#include "lib/json/json_reader.hpp"

namespace blockstore::internal {

namespace json = boost::json;

BackupClient::BackupClient(Transport& transport)
    : client_(transport, kBackupTopic, kBackupRpcVersion) {}

Status BackupClient::CreateBackup(const std::string& id, const std::string& request_id) const {
  return client_.Cast("create_backup", id, request_id);
}
Status BackupClient::RestoreBackup(const std::string& id, bool volume_is_new,
                                   const std::string& request_id) const {
  return client_.Cast("restore_backup", id, request_id, {{"volume_is_new", volume_is_new}});
}
Status BackupClient::DeleteBackup(const std::string& id, const std::string& request_id) const {
  return client_.Cast("delete_backup", id, request_id);
}
Status BackupClient::ImportBackup(const std::string& id, const std::string& request_id) const {
  return client_.Cast("import_backup", id, request_id);
}
Status BackupClient::VerifyBackup(const std::string& id, std::chrono::milliseconds timeout,
                                  const std::string& request_id) const {
  return client_.Call("verify_backup", id, request_id, {}, timeout).status();
}

rpc::Dispatcher BackupDispatcher(BackupHandler& h) {
  rpc::Dispatcher d("backup", kBackupRpcVersion);
  auto done = [] { return Result<json::value>(json::object()); };
  d.Add("create_backup", [&h, done](const rpc::Envelope& e) {
    h.CreateBackup(e.id);
    return done();
  });
  d.Add("restore_backup", [&h, done](const rpc::Envelope& e) -> Result<json::value> {
    bool is_new = false;
    Reader in(e.args, "restore_backup", Reader::kIgnoreUnknown);
    in.Bool("volume_is_new", is_new);
    BS_RETURN_IF_ERROR(in.Finish());
    h.RestoreBackup(e.id, is_new);
    return done();
  });
  d.Add("delete_backup", [&h, done](const rpc::Envelope& e) {
    h.DeleteBackup(e.id);
    return done();
  });
  d.Add("import_backup", [&h, done](const rpc::Envelope& e) {
    h.ImportBackup(e.id);
    return done();
  });
  d.Add("verify_backup", [&h, done](const rpc::Envelope& e) -> Result<json::value> {
    BS_RETURN_IF_ERROR(h.VerifyBackup(e.id));
    return done();
  });
  return d;
}

}  // namespace blockstore::internal
