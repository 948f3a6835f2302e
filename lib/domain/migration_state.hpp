// Internal: the status changes of a volume's migration, shared by the api role (which starts
// one) and the volume role (which finishes or rolls it back). Pure functions; any store applies
// them.
#ifndef BLOCKSTORE_LIB_DOMAIN_MIGRATION_STATE_HPP
#define BLOCKSTORE_LIB_DOMAIN_MIGRATION_STATE_HPP

#include <string>

#include "blockstore/repositories.hpp"

namespace blockstore::internal {

// available → maintenance (remembering available), migration_status starting, moving to
// `destination` (and, for a retype, to type `type_id` on arrival).
VolumeTransition MigrationStart(const Volume& v, const std::string& destination, const std::string& type_id);
// maintenance → the status before, on `destination`: migration_status success.
VolumeTransition MigrationDone(const Volume& v, const std::string& destination);
// maintenance → the status before, where it was: migration_status error.
VolumeTransition MigrationRollback(const Volume& v);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_DOMAIN_MIGRATION_STATE_HPP
