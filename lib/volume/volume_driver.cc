// The VolumeDriver's defaults: what a driver that does not offer a call answers.
#include "blockstore/driver.hpp"

namespace blockstore {

BlockDevice::~BlockDevice() = default;
VolumeDriver::~VolumeDriver() = default;

Result<std::unique_ptr<BlockDevice>> VolumeDriver::OpenSnapshot(const Snapshot& snapshot) {
  return Unimplemented("this driver cannot open snapshot " + snapshot.id);
}

Result<ConnectionResult> VolumeDriver::InitializeConnection(const Volume& volume,
                                                            const std::optional<VolumeExport>&,
                                                            const Connector&) {
  return Unimplemented("this driver cannot export volume " + volume.id);
}

Status VolumeDriver::TerminateConnection(const Volume&, const VolumeExport&, const Connector&,
                                         bool, bool) {
  return Status::Ok();
}

Status VolumeDriver::RestoreExports(const std::vector<ExportedVolume>&) { return Status::Ok(); }
Result<ConnectionInfo> VolumeDriver::InitializeSnapshotConnection(const Snapshot& snapshot,
                                                                  const Connector&) {
  return Unimplemented("this backend cannot export snapshot " + snapshot.id);
}
Status VolumeDriver::TerminateSnapshotConnection(const Snapshot&, const Connector&) {
  return Status::Ok();
}

Result<std::vector<Extent>> VolumeDriver::ChangedExtents(const Volume& volume, const Snapshot&,
                                                         const Snapshot*) {
  return Unimplemented("this driver does not track the changes of volume " + volume.id);
}

Status VolumeDriver::RevertToSnapshot(const Volume& volume, const Snapshot&) {
  return Unimplemented("this driver cannot revert volume " + volume.id + " to a snapshot");
}

Result<uint64_t> VolumeDriver::ManageExistingGetSize(const Volume&, const std::map<std::string, std::string>&) {
  return Unimplemented("this driver cannot manage existing volumes");
}

Status VolumeDriver::ManageExisting(const Volume&, const std::map<std::string, std::string>&) {
  return Unimplemented("this driver cannot manage existing volumes");
}

Status VolumeDriver::Unmanage(const Volume& volume) {
  return Unimplemented("this driver cannot unmanage volume " + volume.id);
}

Status VolumeDriver::Retype(const Volume& volume, const std::map<std::string, std::string>&) {
  return Unimplemented("this driver cannot retype volume " + volume.id + " in place");
}

Status VolumeDriver::MigrateVolume(const Volume& volume, const std::string&) {
  return Unimplemented("this driver cannot migrate volume " + volume.id + " itself");
}

}  // namespace blockstore
