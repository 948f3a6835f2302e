// Internal: a revert for drivers that offer none — the snapshot's data copied onto the volume
// through their block devices.
#ifndef BLOCKSTORE_LIB_VOLUME_GENERIC_REVERT_HPP
#define BLOCKSTORE_LIB_VOLUME_GENERIC_REVERT_HPP

#include "blockstore/driver.hpp"

namespace blockstore::internal {

// Makes `volume` read as `snapshot` over the snapshot's size: every range either holds data in
// is copied from the snapshot (zeros where the snapshot has a hole), nothing else read or
// written. `touched` says whether the volume may have changed (false: it failed before writing,
// so the volume is as it was).
Status GenericRevert(VolumeDriver& driver, const Volume& volume, const Snapshot& snapshot, bool* touched);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_VOLUME_GENERIC_REVERT_HPP
