// One chunk's trip to a target and back: hashing, compression (stored raw when it does not
// help), and every kind of damage caught as data_loss naming the chunk.
#include <algorithm>
#include <cstring>
#include <random>

#include "lib/backup/chunk_codec.hpp"
#include "lib/core/macros.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;
using namespace blockstore::internal;

namespace {

std::vector<std::byte> Random(std::size_t n, uint64_t seed = 1) {
  std::vector<std::byte> out(n);
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i < n; i += 8) {
    const uint64_t w = rng();
    std::memcpy(out.data() + i, &w, std::min<std::size_t>(8, n - i));
  }
  return out;
}

// The encoder takes the caller's buffer; these tests keep theirs and encode a copy.
Result<EncodedChunk> Encode(const std::vector<std::byte>& data, Compression c,
                            const Sha256* known_sha256 = nullptr) {
  return EncodeChunk(std::vector<std::byte>(data), c, 0, known_sha256);
}

// Decodes into a buffer of the chunk's length, as a restore worker does.
Result<std::vector<std::byte>> Decode(std::span<const std::byte> stored, Compression stored_as,
                                      std::size_t length, const Sha256& sha256,
                                      const std::string& what) {
  std::vector<std::byte> out(length);
  BS_RETURN_IF_ERROR(DecodeChunkInto(stored, stored_as, out, sha256, what));
  return out;
}

std::vector<std::byte> Text(std::size_t n) {
  const std::string line = "blockstore backs volumes up in chunks; ";
  std::vector<std::byte> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>(line[i % line.size()]);
  return out;
}

}  // namespace

TEST_SUITE("chunk codec") {
  TEST_CASE("compressible data shrinks and round-trips with each algorithm") {
    const auto data = Text(1 << 20);
    for (Compression c : {Compression::kZstd, Compression::kZlib}) {
      CAPTURE(ToString(c));
      auto enc = Encode(data, c);
      BS_REQUIRE_OK(enc);
      CHECK(enc->stored_as == c);
      CHECK(enc->bytes.size() < data.size() / 10);
      auto dec = Decode(enc->bytes, enc->stored_as, data.size(), enc->sha256, "chunk 0");
      BS_REQUIRE_OK(dec);
      CHECK(*dec == data);
    }
  }

  TEST_CASE("incompressible data is stored raw; none stores raw") {
    const auto data = Random(1 << 20);
    auto enc = Encode(data, Compression::kZstd);
    BS_REQUIRE_OK(enc);
    CHECK(enc->stored_as == Compression::kNone);
    CHECK(enc->bytes == data);
    auto plain = Encode(Text(4096), Compression::kNone);
    BS_REQUIRE_OK(plain);
    CHECK(plain->stored_as == Compression::kNone);
    CHECK(Hex(enc->sha256) == Hex(Sha256Of(data)));
  }

  TEST_CASE("sampling spares compressing random chunks but still compresses mixed ones") {
    // 4 MiB alternating 4 KiB of random bytes and 4 KiB of zeros: half compressible.
    auto data = Random(4 << 20, 9);
    for (std::size_t i = 0; i < data.size(); i += 8192) {
      std::fill(data.begin() + static_cast<std::ptrdiff_t>(i),
                data.begin() + static_cast<std::ptrdiff_t>(i + 4096), std::byte{0});
    }
    auto mixed = Encode(data, Compression::kZstd);
    BS_REQUIRE_OK(mixed);
    CHECK(mixed->stored_as == Compression::kZstd);
    CHECK(mixed->bytes.size() < data.size() * 6 / 10);
    const auto noise = Random(4 << 20, 10);
    const Sha256 known = Sha256Of(noise);
    auto raw = Encode(noise, Compression::kZlib, &known);
    BS_REQUIRE_OK(raw);
    CHECK(raw->stored_as == Compression::kNone);
    CHECK(raw->sha256 == known);
    auto back = Decode(mixed->bytes, mixed->stored_as, data.size(), mixed->sha256, "c");
    BS_REQUIRE_OK(back);
    CHECK(*back == data);
  }

  TEST_CASE("damage of every kind is data_loss naming the chunk") {
    const auto data = Text(65536);
    auto enc = Encode(data, Compression::kZstd);
    BS_REQUIRE_OK(enc);
    auto flipped = enc->bytes;
    flipped[flipped.size() / 2] ^= std::byte{0x40};
    auto a = Decode(flipped, Compression::kZstd, data.size(), enc->sha256, "chunk 7 at offset 458752");
    BS_CHECK_CODE(a, Code::kDataLoss);
    CHECK(a.status().message().find("chunk 7 at offset 458752") != std::string::npos);
    auto truncated = std::span(enc->bytes).first(enc->bytes.size() / 2);
    BS_CHECK_CODE(Decode(truncated, Compression::kZstd, data.size(), enc->sha256, "c"), Code::kDataLoss);
    BS_CHECK_CODE(Decode(enc->bytes, Compression::kZlib, data.size(), enc->sha256, "c"), Code::kDataLoss);
    Sha256 wrong = enc->sha256;
    wrong[0] ^= 1;
    auto b = Decode(enc->bytes, Compression::kZstd, data.size(), wrong, "c");
    BS_CHECK_CODE(b, Code::kDataLoss);
    CHECK(b.status().message().find("SHA-256 mismatch") != std::string::npos);
    auto raw = Encode(Random(1000), Compression::kNone);
    BS_REQUIRE_OK(raw);
    raw->bytes.pop_back();
    BS_CHECK_CODE(Decode(raw->bytes, Compression::kNone, 1000, raw->sha256, "c"), Code::kDataLoss);
  }

  TEST_CASE("encoding a buffer it may take: a raw chunk moves it, a compressed one leaves it") {
    std::vector<std::byte> noise = Random(1 << 20);
    const std::vector<std::byte> copy = noise;
    const std::byte* where = noise.data();
    auto raw = EncodeChunk(std::move(noise), Compression::kZstd);
    BS_REQUIRE_OK(raw);
    CHECK(raw->stored_as == Compression::kNone);
    CHECK(raw->bytes.data() == where);  // the caller's buffer, not a copy
    CHECK(raw->bytes == copy);
    CHECK(raw->sha256 == Sha256Of(copy));
    std::vector<std::byte> zeros_and_text(1 << 20, std::byte{0});
    for (std::size_t i = 0; i < zeros_and_text.size(); i += 64) zeros_and_text[i] = std::byte{'a'};
    const std::vector<std::byte> before = zeros_and_text;
    auto packed = EncodeChunk(std::move(zeros_and_text), Compression::kZstd);
    BS_REQUIRE_OK(packed);
    CHECK(packed->stored_as == Compression::kZstd);
    CHECK(zeros_and_text == before);  // untouched: the caller reuses it
    auto back = Decode(packed->bytes, packed->stored_as, before.size(), packed->sha256, "c");
    BS_REQUIRE_OK(back);
    CHECK(*back == before);
  }

  TEST_CASE("decoding into a caller's buffer: every form checked, the buffer reused") {
    const auto noise = Random(5000);
    std::vector<std::byte> text(8192, std::byte{7});
    auto raw = Encode(noise, Compression::kNone);
    auto packed = Encode(text, Compression::kZstd);
    auto deflated = Encode(text, Compression::kZlib);
    BS_REQUIRE_OK(raw);
    BS_REQUIRE_OK(packed);
    BS_REQUIRE_OK(deflated);
    REQUIRE(packed->stored_as == Compression::kZstd);
    REQUIRE(deflated->stored_as == Compression::kZlib);
    std::vector<std::byte> out(8192);
    BS_REQUIRE_OK(DecodeChunkInto(raw->bytes, Compression::kNone, std::span(out).first(5000),
                                  raw->sha256, "c"));
    CHECK(std::equal(noise.begin(), noise.end(), out.begin()));
    BS_REQUIRE_OK(DecodeChunkInto(packed->bytes, Compression::kZstd, out, packed->sha256, "c"));
    CHECK(out == text);
    std::fill(out.begin(), out.end(), std::byte{0});
    BS_REQUIRE_OK(DecodeChunkInto(deflated->bytes, Compression::kZlib, out, deflated->sha256, "c"));
    CHECK(out == text);
    // Damage of every kind is data_loss, naming the chunk.
    std::vector<std::byte> flipped = raw->bytes;
    flipped[4999] ^= std::byte{1};
    Status s = DecodeChunkInto(flipped, Compression::kNone, std::span(out).first(5000), raw->sha256,
                               "chunk 3 at offset 12582912");
    CHECK(s.code() == Code::kDataLoss);
    CHECK(s.message().find("chunk 3 at offset 12582912") != std::string::npos);
    CHECK(DecodeChunkInto(raw->bytes, Compression::kNone, std::span(out).first(4999), raw->sha256,
                          "c").code() == Code::kDataLoss);  // the wrong length
    CHECK(DecodeChunkInto(packed->bytes, Compression::kZstd, std::span(out).first(8191),
                          packed->sha256, "c").code() == Code::kDataLoss);
    CHECK(DecodeChunkInto(packed->bytes, Compression::kZlib, out, packed->sha256, "c").code() ==
          Code::kDataLoss);
  }

  TEST_CASE("zero detection, hex and compression names") {
    std::vector<std::byte> zeros(4099);
    CHECK(AllZero(zeros));
    zeros[4098] = std::byte{1};
    CHECK_FALSE(AllZero(zeros));
    CHECK(AllZero({}));
    const Sha256 h = Sha256Of({});
    CHECK(Hex(h) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(*ParseHex(Hex(h)) == h);
    BS_CHECK_CODE(ParseHex("xyz"), Code::kInvalidArgument);
    BS_CHECK_CODE(ParseHex(std::string(64, 'G')), Code::kInvalidArgument);
    CHECK(*ParseCompression("gzip") == Compression::kZlib);
    CHECK(*ParseCompression("off") == Compression::kNone);
    BS_CHECK_CODE(ParseCompression("lzma"), Code::kInvalidArgument);
  }
}
