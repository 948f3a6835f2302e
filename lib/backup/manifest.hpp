// Internal: a backup's manifest — every chunk of the volume, where its bytes are and how to
// check them — and its JSON form (docs/backup-format.md).
//
// Every manifest is complete (a synthetic full): an incremental lists the chunks it shares
// with its parent by the parent's object names, so a restore reads one manifest, whatever the
// length of the chain.
#ifndef BLOCKSTORE_LIB_BACKUP_MANIFEST_HPP
#define BLOCKSTORE_LIB_BACKUP_MANIFEST_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "blockstore/types.hpp"
#include "lib/backup/chunk_codec.hpp"
#include "lib/backup/chunk_fingerprint.hpp"

namespace blockstore::internal {

inline constexpr int kManifestVersion = 1;
// A chunk size is a multiple of 4 KiB up to 256 MiB: what backups are cut in and manifests may
// say.
inline constexpr bool ValidChunkSize(uint64_t bytes) {
  return bytes > 0 && bytes % 4096 == 0 && bytes <= (256ull << 20);
}

struct ChunkRef {
  uint64_t offset = 0;
  uint64_t length = 0;
  bool zero = false;        // all zeros: no object, nothing stored
  std::string object;       // the object holding it (possibly an ancestor's)
  Sha256 sha256{};          // of the uncompressed bytes
  // BLAKE3 of the same bytes, what an incremental compares; absent (false) in chunks written
  // before fingerprints were kept, which are compared by sha256.
  bool has_fingerprint = false;
  Fingerprint fingerprint{};
  Compression stored_as = Compression::kNone;
  uint64_t stored_bytes = 0;
  bool encrypted = false;   // sealed with the manifest's key (AES-256-GCM), after compression
};

// What the source volume was called and carried when it was backed up; a restore gives it to
// the volume it fills, as Cinder does (the name and description only to a volume without a
// name of its own).
struct SourceVolumeMeta {
  std::string name;
  std::string description;
  Metadata metadata;
  Metadata image_metadata;
  bool bootable = false;
};

struct Manifest {
  int version = kManifestVersion;
  std::string backup_id;
  std::string volume_id;
  std::string parent_id;     // empty for a full backup
  uint64_t size_bytes = 0;   // the volume's size
  uint64_t chunk_size = 0;
  std::string key_id;        // the key its encrypted chunks (and its sealed form) use; empty: none
  std::vector<ChunkRef> chunks;  // in offset order, covering the whole volume
  // Absent in manifests written before it was kept (nothing is given to the restored volume).
  std::optional<SourceVolumeMeta> source;
};

std::string EncodeManifest(const Manifest& m);
// invalid_argument / data_loss for text that is not a manifest this build can read.
Result<Manifest> DecodeManifest(std::string_view text);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_BACKUP_MANIFEST_HPP
