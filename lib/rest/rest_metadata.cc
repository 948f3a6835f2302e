#include "lib/rest/rest_metadata.hpp"

#include "lib/core/macros.hpp"
#include "lib/rest/rest_fields.hpp"

namespace blockstore::rest {
namespace {

json::object Items(const Metadata& m) {
  json::object items;
  for (const auto& [k, v] : m) items[k] = v;
  return items;
}

}  // namespace

Result<RestResponse> ServeMetadata(Call& c, const MetadataAccess& access) {
  BS_ASSIGN_OR_RETURN(Metadata current, access.read());
  if (c.path.size() == 3) {
    if (c.method == "GET") return Json(200, json::object{{"metadata", Items(current)}});
    if (c.method != "POST" && c.method != "PUT") return Error(405, "Method not allowed");
    BS_ASSIGN_OR_RETURN(json::object body, c.Body());
    BS_ASSIGN_OR_RETURN(auto given, Meta(body, "metadata"));
    if (!given) return InvalidArgument("Missing required element 'metadata' in request body.");
    Metadata next = c.method == "PUT" ? Metadata{} : current;
    for (const auto& [k, v] : *given) next[k] = v;
    BS_ASSIGN_OR_RETURN(Metadata stored, access.replace(next));
    return Json(200, json::object{{"metadata", Items(stored)}});
  }
  const std::string& key = c.path[3];
  auto it = current.find(key);
  if (c.method == "GET") {
    if (it == current.end()) return NotFound("metadata key '" + key + "' not found");
    return Json(200, json::object{{"meta", json::object{{key, it->second}}}});
  }
  if (c.method == "DELETE") {
    if (it == current.end()) return NotFound("metadata key '" + key + "' not found");
    current.erase(it);
    BS_RETURN_IF_ERROR(access.replace(current).status());
    return Empty(200);
  }
  if (c.method != "PUT") return Error(405, "Method not allowed");
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(auto meta, Meta(body, "meta"));
  if (!meta || meta->size() != 1 || meta->begin()->first != key) {
    return InvalidArgument("the body must be {\"meta\": {\"" + key + "\": value}}");
  }
  current[key] = meta->begin()->second;
  BS_RETURN_IF_ERROR(access.replace(current).status());
  return Json(200, json::object{{"meta", json::object{{key, meta->begin()->second}}}});
}

}  // namespace blockstore::rest
