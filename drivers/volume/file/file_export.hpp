// FileExporter: how the file driver hands its volumes to hosts.
//
// `local`: the host opens the file itself (it runs on this machine). `iscsi`: the file is a
// LUN on a tgtd (TgtAdmin), one target per volume with its own CHAP account; the connection
// info is os-brick's `iscsi` shape. A connector with do_local_attach gets `local` either way.
#ifndef BLOCKSTORE_DRIVERS_VOLUME_FILE_FILE_EXPORT_HPP
#define BLOCKSTORE_DRIVERS_VOLUME_FILE_FILE_EXPORT_HPP

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "blockstore/driver.hpp"
#include "drivers/volume/tgt/tgt_admin.hpp"

namespace blockstore::file_driver {

struct ExportOptions {
  std::string protocol = "local";  // local | iscsi
  tgt::TgtOptions tgt;
};

// Reads the export options out of a backend's options (removing the ones it takes):
// target_protocol, target_ip_address, target_port, target_prefix, tgt_control_port,
// tgt_manage.
Result<ExportOptions> TakeExportOptions(const std::string& backend,
                                        std::map<std::string, std::string>& options);

class FileExporter {
 public:
  explicit FileExporter(ExportOptions o) : o_(std::move(o)) {}
  // Reaches (or starts) the tgtd for iscsi.
  Status Initialize();
  Result<ConnectionResult> Connect(const Volume& v, const std::string& path,
                                   const std::optional<VolumeExport>& existing,
                                   const Connector& c);
  Status Disconnect(const Volume& v, const VolumeExport& e, const Connector& c, bool revoke_host,
                    bool remove_export);
  Status Restore(const std::vector<ExportedVolume>& exported,
                 const std::function<std::string(const std::string&)>& path_of);
  // After a resize: hosts see the new size.
  Status Refresh(const std::string& volume_id);
  // The volume is going: its target too.
  Status Forget(const std::string& volume_id);
  const std::string& protocol() const { return o_.protocol; }

 private:
  ExportOptions o_;
  std::unique_ptr<tgt::TgtAdmin> tgt_;
};

}  // namespace blockstore::file_driver

#endif  // BLOCKSTORE_DRIVERS_VOLUME_FILE_FILE_EXPORT_HPP
