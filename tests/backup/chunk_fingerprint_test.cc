// A chunk's fingerprint is BLAKE3: the published digests, and the same digest whichever of the
// library's code paths (one large update spread over the vector units, or byte by byte) made it.
#include <cstring>
#include <random>

#include "lib/backup/chunk_codec.hpp"
#include "lib/backup/chunk_fingerprint.hpp"
#include "tests/support/test_support.hpp"

#include <blake3.h>

using namespace blockstore::internal;

namespace {

std::span<const std::byte> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

}  // namespace

TEST_SUITE("chunk fingerprint") {
  TEST_CASE("BLAKE3's published digests") {
    CHECK(Hex(FingerprintOf({})) == "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
    CHECK(Hex(FingerprintOf(Bytes("abc"))) ==
          "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85");
  }

  TEST_CASE("a chunk hashed at once matches the same bytes fed one at a time, and any change shows") {
    std::vector<std::byte> data((1 << 20) + 123);  // many 1 KiB BLAKE3 chunks, and a tail
    std::mt19937_64 rng(7);
    for (auto& b : data) b = static_cast<std::byte>(rng());
    blake3_hasher h;
    blake3_hasher_init(&h);
    for (std::byte b : data) blake3_hasher_update(&h, &b, 1);
    Fingerprint slow{};
    blake3_hasher_finalize(&h, slow.data(), slow.size());
    const Fingerprint fast = FingerprintOf(data);
    CHECK(fast == slow);
    data[data.size() / 2] ^= std::byte{1};
    CHECK(FingerprintOf(data) != fast);
    CHECK(FingerprintOf(std::span(data).first(data.size() - 1)) != FingerprintOf(data));
  }
}
