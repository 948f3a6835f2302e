#include "lib/backup/chunk_fingerprint.hpp"

#include <blake3.h>

namespace blockstore::internal {
namespace {

// BLAKE3's C code picks its SIMD routines on first use and records the choice in a plain
// global, which several backup workers hashing their first chunks at once would write
// together. Hashing once here, under the guarantee C++ gives a function-local static, makes
// the choice before any worker hashes, and every later reader of it ordered after that write.
bool DispatchReady() {
  static const bool ready = [] {
    blake3_hasher h;
    blake3_hasher_init(&h);
    const unsigned char one = 0;
    blake3_hasher_update(&h, &one, 1);
    unsigned char out[BLAKE3_OUT_LEN];
    blake3_hasher_finalize(&h, out, sizeof out);
    return true;
  }();
  return ready;
}

}  // namespace

Fingerprint FingerprintOf(std::span<const std::byte> data) {
  (void)DispatchReady();
  blake3_hasher h;
  blake3_hasher_init(&h);
  blake3_hasher_update(&h, data.data(), data.size());
  Fingerprint out{};
  blake3_hasher_finalize(&h, out.data(), out.size());
  return out;
}

}  // namespace blockstore::internal
