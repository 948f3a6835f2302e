// libFuzzer target: backup manifests, as a restore reads them from a target it does not
// control. Any input must be refused with an error or read as a manifest that covers its
// volume in order; one that is read must write back to text that reads the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lib/backup/manifest.hpp"

using namespace blockstore::internal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto m = DecodeManifest(text);
  if (!m.ok()) return 0;
  if (!ValidChunkSize(m->chunk_size)) std::abort();
  uint64_t expect = 0;
  for (const auto& c : m->chunks) {
    if (c.offset != expect || c.length == 0 || c.length > m->chunk_size) std::abort();
    expect += c.length;
  }
  if (expect != m->size_bytes) std::abort();
  const std::string again = EncodeManifest(*m);
  auto back = DecodeManifest(again);
  if (!back.ok() || EncodeManifest(*back) != again) std::abort();
  return 0;
}
