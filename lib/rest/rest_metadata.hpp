// Internal: the metadata routes volumes and snapshots share —
//   GET  …/{id}/metadata            every pair
//   POST …/{id}/metadata            add or change the given pairs, keep the rest
//   PUT  …/{id}/metadata            the given pairs become all of them
//   GET  …/{id}/metadata/{key}      one pair, as {"meta": {key: value}}
//   PUT  …/{id}/metadata/{key}      set that pair, {"meta": {key: value}} naming the same key
//   DELETE …/{id}/metadata/{key}    remove it (404 when it is not there)
#ifndef BLOCKSTORE_LIB_REST_REST_METADATA_HPP
#define BLOCKSTORE_LIB_REST_REST_METADATA_HPP

#include <functional>

#include "lib/rest/rest_call.hpp"

namespace blockstore::rest {

struct MetadataAccess {
  std::function<Result<Metadata>()> read;
  // Stores `all` as the record's whole metadata and answers what the record now has.
  std::function<Result<Metadata>(const Metadata& all)> replace;
};

// Serves c.path = {collection, id, "metadata"[, key]}.
Result<RestResponse> ServeMetadata(Call& c, const MetadataAccess& access);

// The same through a service whose Get(ctx, id) answers a record with `metadata` and whose
// Update(ctx, id, UpdateT) takes an update whose `metadata` replaces it.
template <typename UpdateT, typename Service>
Result<RestResponse> ServeMetadataOf(Call& c, Service& service, const std::string& id) {
  MetadataAccess access{
      [&]() -> Result<Metadata> {
        auto record = service.Get(c.ctx, id);
        if (!record.ok()) return record.status();
        return record->metadata;
      },
      [&](const Metadata& all) -> Result<Metadata> {
        UpdateT u;
        u.metadata = all;
        auto record = service.Update(c.ctx, id, u);
        if (!record.ok()) return record.status();
        return record->metadata;
      }};
  return ServeMetadata(c, access);
}

}  // namespace blockstore::rest

#endif  // BLOCKSTORE_LIB_REST_REST_METADATA_HPP
