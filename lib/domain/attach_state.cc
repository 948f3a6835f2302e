// DeriveAttachState: a volume's status from its attachments.
#include "lib/domain/attach_state.hpp"

#include <optional>
#include <string>

namespace blockstore::internal {
namespace {

bool AttachRelated(VolumeStatus s) {
  return s == VolumeStatus::kAvailable || s == VolumeStatus::kReserved ||
         s == VolumeStatus::kAttaching || s == VolumeStatus::kInUse || s == VolumeStatus::kDetaching;
}

VolumeStatus StatusFor(AttachStatus a) {
  switch (a) {
    case AttachStatus::kAttached: return VolumeStatus::kInUse;
    case AttachStatus::kAttaching: return VolumeStatus::kAttaching;
    case AttachStatus::kReserved: return VolumeStatus::kReserved;
    default: return VolumeStatus::kAvailable;
  }
}

}  // namespace

AttachState DeriveAttachState(VolumeStatus current, const std::vector<AttachStatus>& attachments) {
  std::optional<std::string> first;
  for (AttachStatus a : attachments) {
    const std::string word(ToString(a));
    if (word.starts_with("error_") || a == AttachStatus::kDetached || a == AttachStatus::kDeleted) continue;
    if (!first || word < *first) first = word;
  }
  AttachState out;
  out.attach_status = first ? ParseAttachStatus(*first).value_or(AttachStatus::kDetached) : AttachStatus::kDetached;
  out.status = AttachRelated(current) ? StatusFor(out.attach_status) : current;
  return out;
}

}  // namespace blockstore::internal
