// Internal: one backup chunk on its way to and from a target: SHA-256 of the data, then
// compression (zstd, zlib or none; a chunk that does not shrink is stored raw), and back, with
// every byte checked against its hash before it is trusted.
//
// Thread-safety: free functions over their arguments; call them from any thread.
#ifndef BLOCKSTORE_LIB_BACKUP_CHUNK_CODEC_HPP
#define BLOCKSTORE_LIB_BACKUP_CHUNK_CODEC_HPP

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "blockstore/result.hpp"

namespace blockstore::internal {

enum class Compression { kNone, kZlib, kZstd };

// "none", "zlib", "zstd"; Parse also takes Cinder's spellings (off, no, gzip).
const char* ToString(Compression c);
Result<Compression> ParseCompression(std::string_view s);

using Sha256 = std::array<unsigned char, 32>;
Sha256 Sha256Of(std::span<const std::byte> data);
std::string Hex(const Sha256& h);
Result<Sha256> ParseHex(std::string_view hex);

// True when every byte is zero (such chunks are never stored).
bool AllZero(std::span<const std::byte> data);

struct EncodedChunk {
  Sha256 sha256{};            // of the data as given
  Compression stored_as = Compression::kNone;  // kNone when compression did not help
  std::vector<std::byte> bytes;
};

// `level`: the compressor's level (zstd 1..19, zlib 1..9); 0 = its default for speed.
// `known_sha256`: the data's hash when the caller has it already. Data that samples show to be
// incompressible is stored raw without compressing the whole of it.
// The caller's buffer is taken: a chunk stored raw moves `data` into the result rather than
// copying it (the caller may take the buffer back from `bytes` for its next chunk); one that
// compresses leaves `data` as it was.
Result<EncodedChunk> EncodeChunk(std::vector<std::byte>&& data, Compression want, int level = 0,
                                 const Sha256* known_sha256 = nullptr);

// The data back, into `out` (exactly the chunk's length; a caller's buffer, reused from chunk
// to chunk): decompressed and hashed; data_loss naming `what` (e.g. "chunk 12 at offset
// 50331648") when the bytes do not decompress to that length or do not hash to `sha256`. What
// `out` holds is only to be trusted when the status is ok.
Status DecodeChunkInto(std::span<const std::byte> stored, Compression stored_as,
                       std::span<std::byte> out, const Sha256& sha256, const std::string& what);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_BACKUP_CHUNK_CODEC_HPP
