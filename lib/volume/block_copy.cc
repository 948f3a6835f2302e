#include "lib/volume/block_copy.hpp"

#include <algorithm>

#include "lib/core/macros.hpp"

namespace blockstore::internal {

Status CopyRanges(BlockDevice& from, BlockDevice& to, const std::vector<Extent>& ranges, uint64_t limit,
                  bool* wrote, uint64_t* copied) {
  *wrote = false;
  *copied = 0;
  constexpr uint64_t kPiece = 4 << 20;
  std::vector<std::byte> buf(kPiece);
  for (const Extent& e : ranges) {
    const uint64_t end = std::min(e.offset + e.length, limit);
    for (uint64_t at = e.offset; at < end; at += kPiece) {
      const uint64_t n = std::min(kPiece, end - at);
      BS_ASSIGN_OR_RETURN(std::size_t got, from.ReadAt(at, std::span(buf).first(n)));
      if (got != n) return DataLoss("the source read short at " + std::to_string(at));
      *wrote = true;
      BS_RETURN_IF_ERROR(to.WriteAt(at, std::span<const std::byte>(buf).first(n)));
      *copied += n;
    }
  }
  return to.Flush();
}

Status CopyAllocated(BlockDevice& from, BlockDevice& to, uint64_t* copied) {
  if (to.SizeBytes() < from.SizeBytes()) {
    return FailedPrecondition("the destination holds " + std::to_string(to.SizeBytes()) + " bytes, less than the " +
                              std::to_string(from.SizeBytes()) + " of the source");
  }
  BS_ASSIGN_OR_RETURN(auto ranges, from.AllocatedRanges());
  bool wrote = false;
  return CopyRanges(from, to, ranges, from.SizeBytes(), &wrote, copied);
}

}  // namespace blockstore::internal
