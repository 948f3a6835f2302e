// Internal: what a volume's attachments make of its status — a rule of the domain, not of a
// database, so that every store derives it alike.
#ifndef BLOCKSTORE_LIB_DOMAIN_ATTACH_STATE_HPP
#define BLOCKSTORE_LIB_DOMAIN_ATTACH_STATE_HPP

#include <vector>

#include "blockstore/types.hpp"

namespace blockstore::internal {

struct AttachState {
  VolumeStatus status = VolumeStatus::kAvailable;
  AttachStatus attach_status = AttachStatus::kDetached;
};

// The volume's attach_status is the alphabetically first of its attachments' statuses that are
// not an error, detached or deleted (attached, attaching, reserved), or detached when none is
// left. Its status follows (attached → in-use, detached → available, otherwise the same word)
// while it is in an attach-related status (available, reserved, attaching, in-use, detaching);
// any other status (backing-up, extending, maintenance, …) is kept.
AttachState DeriveAttachState(VolumeStatus current, const std::vector<AttachStatus>& attachments);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_DOMAIN_ATTACH_STATE_HPP
