// Internal: the one place a volume create that failed is settled, whichever role saw it fail —
// the api (the scheduler could not be told), the scheduler (no backend could take it, or the
// attempts ran out) or a volume service (the driver failed and no reschedule is allowed).
//
// The volume goes creating → error with its quota reservation rolled back, in one
// compare-and-set (a volume that already left creating — deleted, reset, rescheduled — is left
// alone; with `unplaced_only`, so is one a scheduler placed meanwhile — what a role that
// places volumes says of a volume it may have been told about twice); "volume.create.error"
// says why. A restore waiting for the volume is given up: its
// backup is available again, naming the reason.
#ifndef BLOCKSTORE_LIB_VOLUME_CREATE_FAILURE_HPP
#define BLOCKSTORE_LIB_VOLUME_CREATE_FAILURE_HPP

#include <string>

#include "blockstore/store.hpp"
#include "lib/events/notifier.hpp"

namespace blockstore::internal {

void FailVolumeCreate(Store& store, const Notifier& notifier, const std::string& volume_id,
                      const Status& why, const std::string& restore_backup_id = {},
                      bool unplaced_only = false);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_VOLUME_CREATE_FAILURE_HPP
