#include "lib/volume/generic_revert.hpp"

#include <algorithm>
#include <vector>

#include "lib/core/macros.hpp"
#include "lib/volume/block_copy.hpp"

namespace blockstore::internal {

namespace {

// The union of two sorted lists of extents, clipped to `limit`.
std::vector<Extent> Union(std::vector<Extent> a, const std::vector<Extent>& b, uint64_t limit) {
  a.insert(a.end(), b.begin(), b.end());
  std::sort(a.begin(), a.end(), [](const Extent& x, const Extent& y) { return x.offset < y.offset; });
  std::vector<Extent> out;
  for (Extent e : a) {
    if (e.offset >= limit) continue;
    e.length = std::min(e.length, limit - e.offset);
    if (!out.empty() && out.back().offset + out.back().length >= e.offset) {
      out.back().length = std::max(out.back().offset + out.back().length, e.offset + e.length) - out.back().offset;
    } else {
      out.push_back(e);
    }
  }
  return out;
}

}  // namespace

Status GenericRevert(VolumeDriver& driver, const Volume& volume, const Snapshot& snapshot, bool* touched) {
  *touched = false;
  BS_ASSIGN_OR_RETURN(auto from, driver.OpenSnapshot(snapshot));
  BS_ASSIGN_OR_RETURN(auto to, driver.OpenVolume(volume));
  BS_ASSIGN_OR_RETURN(auto data, from->AllocatedRanges());
  BS_ASSIGN_OR_RETURN(auto old, to->AllocatedRanges());
  const uint64_t size = std::min(from->SizeBytes(), to->SizeBytes());
  uint64_t copied = 0;
  return CopyRanges(*from, *to, Union(std::move(data), old, size), size, touched, &copied);
}

}  // namespace blockstore::internal
