#include "lib/backup/chunk_fingerprint.hpp"

#include <blake3.h>

namespace blockstore::internal {

Fingerprint FingerprintOf(std::span<const std::byte> data) {
  blake3_hasher h;
  blake3_hasher_init(&h);
  blake3_hasher_update(&h, data.data(), data.size());
  Fingerprint out{};
  blake3_hasher_finalize(&h, out.data(), out.size());
  return out;
}

}  // namespace blockstore::internal
