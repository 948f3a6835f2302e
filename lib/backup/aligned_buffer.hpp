// Internal: a chunk buffer aligned to 4 KiB, kept by a restore worker from chunk to chunk. A
// file volume writes an aligned buffer with direct I/O as it is; any other it copies first.
//
// Thread-safety: one owner.
#ifndef BLOCKSTORE_LIB_BACKUP_ALIGNED_BUFFER_HPP
#define BLOCKSTORE_LIB_BACKUP_ALIGNED_BUFFER_HPP

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <span>

#include "lib/io/direct_io.hpp"

namespace blockstore::internal {

class AlignedBuffer {
 public:
  static constexpr std::size_t kAlign = io::kDirectAlign;

  // `n` bytes (their contents unspecified), in the allocation already held when it is large
  // enough; empty when the memory cannot be had.
  std::span<std::byte> Span(std::size_t n) {
    if (n > capacity_) {
      const std::size_t rounded = (n + kAlign - 1) / kAlign * kAlign;
      data_.reset(static_cast<std::byte*>(std::aligned_alloc(kAlign, rounded)));
      capacity_ = data_ ? rounded : 0;
      if (!data_) return {};
    }
    return {data_.get(), n};
  }

 private:
  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::unique_ptr<std::byte, Free> data_;
  std::size_t capacity_ = 0;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_BACKUP_ALIGNED_BUFFER_HPP
