#include "lib/backup/chunk_codec.hpp"

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <memory>

#include "lib/core/macros.hpp"
#include "lib/encoding/hex.hpp"

namespace blockstore::internal {

const char* ToString(Compression c) {
  switch (c) {
    case Compression::kZlib: return "zlib";
    case Compression::kZstd: return "zstd";
    case Compression::kNone: break;
  }
  return "none";
}

Result<Compression> ParseCompression(std::string_view s) {
  if (s == "none" || s == "off" || s == "no") return Compression::kNone;
  if (s == "zlib" || s == "gzip") return Compression::kZlib;
  if (s == "zstd") return Compression::kZstd;
  return InvalidArgument("unknown compression '" + std::string(s.substr(0, 32)) +
                         "' (none, zlib, zstd)");
}

Sha256 Sha256Of(std::span<const std::byte> data) {
  Sha256 out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::string Hex(const Sha256& h) { return HexEncode(h.data(), h.size()); }

Result<Sha256> ParseHex(std::string_view hex) {
  if (hex.size() != 64) return InvalidArgument("a SHA-256 is 64 hex digits");
  Sha256 out{};
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgument("a SHA-256 is 64 lowercase hex digits");
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return out;
}

bool AllZero(std::span<const std::byte> data) {
  // Word at a time; the tail byte by byte.
  const std::byte* p = data.data();
  std::size_t n = data.size();
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    if (w != 0) return false;
    p += 8;
    n -= 8;
  }
  while (n--) {
    if (*p++ != std::byte{0}) return false;
  }
  return true;
}

namespace {

// One zstd compression context per thread, kept: making one per chunk costs more than
// compressing a small chunk.
ZSTD_CCtx* ThreadContext() {
  struct Context {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ~Context() { ZSTD_freeCCtx(cctx); }
  };
  thread_local Context ctx;
  return ctx.cctx;
}

// Whether compressing `data` is worth trying: three 32 KiB samples (start, middle, end)
// compressed with zstd -1 must shrink by at least 3 %. Random or already-compressed data
// fails this for a twentieth of the cost of compressing the whole chunk.
bool WorthCompressing(std::span<const std::byte> data) {
  constexpr std::size_t kSample = 32 << 10;
  if (data.size() < 8 * kSample) return true;
  std::vector<std::byte> sample;
  sample.reserve(3 * kSample);
  for (std::size_t at : {std::size_t{0}, data.size() / 2 - kSample / 2, data.size() - kSample}) {
    sample.insert(sample.end(), data.begin() + static_cast<std::ptrdiff_t>(at),
                  data.begin() + static_cast<std::ptrdiff_t>(at + kSample));
  }
  std::vector<std::byte> out(ZSTD_compressBound(sample.size()));
  const std::size_t n = ZSTD_compressCCtx(ThreadContext(), out.data(), out.size(), sample.data(),
                                          sample.size(), 1);
  return !ZSTD_isError(n) && n * 100 < sample.size() * 97;
}

// Compresses `data` when that helps; otherwise leaves `out.bytes` empty for the caller to fill
// with the raw data.
Status Compress(std::span<const std::byte> data, Compression want, int level, EncodedChunk& out) {
  out.stored_as = Compression::kNone;
  if (want != Compression::kNone && !WorthCompressing(data)) want = Compression::kNone;
  if (want == Compression::kZstd) {
    ZSTD_CCtx* cctx = ThreadContext();
    std::vector<std::byte> buf(ZSTD_compressBound(data.size()));
    const std::size_t n = ZSTD_compressCCtx(cctx, buf.data(), buf.size(), data.data(),
                                            data.size(), level > 0 ? level : 1);
    if (ZSTD_isError(n)) return Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
    if (n < data.size()) {
      buf.resize(n);
      out.bytes = std::move(buf);
      out.stored_as = Compression::kZstd;
      return Status::Ok();
    }
  } else if (want == Compression::kZlib) {
    uLongf n = compressBound(static_cast<uLong>(data.size()));
    std::vector<std::byte> buf(n);
    const int rc = compress2(reinterpret_cast<Bytef*>(buf.data()), &n,
                             reinterpret_cast<const Bytef*>(data.data()),
                             static_cast<uLong>(data.size()), level > 0 ? level : 1);
    if (rc != Z_OK) return Internal("zlib: compress2 failed (" + std::to_string(rc) + ")");
    if (n < data.size()) {
      buf.resize(n);
      out.bytes = std::move(buf);
      out.stored_as = Compression::kZlib;
      return Status::Ok();
    }
  }
  return Status::Ok();  // incompressible (or none asked): raw
}

}  // namespace

Result<EncodedChunk> EncodeChunk(std::vector<std::byte>&& data, Compression want, int level,
                                 const Sha256* known_sha256) {
  EncodedChunk out;
  out.sha256 = known_sha256 ? *known_sha256 : Sha256Of(data);
  BS_RETURN_IF_ERROR(Compress(data, want, level, out));
  if (out.stored_as == Compression::kNone) out.bytes = std::move(data);
  return out;
}

Status DecodeChunkInto(std::span<const std::byte> stored, Compression stored_as,
                       std::span<std::byte> out, const Sha256& sha256, const std::string& what) {
  const std::size_t length = out.size();
  switch (stored_as) {
    case Compression::kNone:
      if (stored.size() != length) {
        return DataLoss(what + ": stored " + std::to_string(stored.size()) + " bytes, expected " +
                        std::to_string(length));
      }
      std::memcpy(out.data(), stored.data(), length);
      break;
    case Compression::kZstd: {
      const std::size_t n = ZSTD_decompress(out.data(), length, stored.data(), stored.size());
      if (ZSTD_isError(n) || n != length) {
        return DataLoss(what + ": does not decompress (zstd: " +
                        (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "wrong length") + ")");
      }
      break;
    }
    case Compression::kZlib: {
      uLongf n = static_cast<uLongf>(length);
      const int rc = uncompress(reinterpret_cast<Bytef*>(out.data()), &n,
                                reinterpret_cast<const Bytef*>(stored.data()),
                                static_cast<uLong>(stored.size()));
      if (rc != Z_OK || n != length) {
        return DataLoss(what + ": does not decompress (zlib " + std::to_string(rc) + ")");
      }
      break;
    }
  }
  if (Sha256Of(out) != sha256) {
    return DataLoss(what + ": SHA-256 mismatch: the stored data is not what was backed up");
  }
  return Status::Ok();
}

}  // namespace blockstore::internal
