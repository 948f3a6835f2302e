#include "lib/domain/migration_state.hpp"

namespace blockstore::internal {
namespace {

// What ends a migration either way: the status before it, nothing pending.
VolumeTransition Ended(const Volume& v, std::string migration_status) {
  VolumeTransition t;
  t.from = {VolumeStatus::kMaintenance};
  t.to = VolumeStatus::kAvailable;
  t.restore_previous_status = true;
  t.expect_host = v.host;
  t.migration_status = std::move(migration_status);
  t.migration_host = "";
  t.migration_type_id = "";
  return t;
}

}  // namespace

VolumeTransition MigrationStart(const Volume& v, const std::string& destination, const std::string& type_id) {
  VolumeTransition t;
  t.from = {VolumeStatus::kAvailable};
  t.to = VolumeStatus::kMaintenance;
  t.save_previous_status = true;
  t.expect_host = v.host;
  t.migration_status = "starting";
  t.migration_host = destination;
  t.migration_type_id = type_id;
  return t;
}

VolumeTransition MigrationDone(const Volume& v, const std::string& destination) {
  VolumeTransition t = Ended(v, "success");
  t.host = destination;
  return t;
}

VolumeTransition MigrationRollback(const Volume& v) { return Ended(v, "error"); }

}  // namespace blockstore::internal
