// Internal: reading fields of REST bodies, as Cinder does: null is "not given", a wrong type is
// 400 naming the field.
#ifndef BLOCKSTORE_LIB_REST_REST_FIELDS_HPP
#define BLOCKSTORE_LIB_REST_REST_FIELDS_HPP

#include <optional>
#include <set>
#include <string>

#include "lib/core/macros.hpp"
#include "lib/rest/rest_call.hpp"

namespace blockstore::rest {

Result<std::optional<std::string>> Str(const json::object& o, const char* key);
Result<std::optional<int64_t>> Int(const json::object& o, const char* key);
Result<std::optional<bool>> Bool(const json::object& o, const char* key);
Result<std::optional<Metadata>> Meta(const json::object& o, const char* key);
// invalid_argument naming the first key of `o` that is not in `known`.
Status OnlyKnown(const json::object& o, const std::set<std::string>& known, const char* what);

// The admin actions snapshots and backups share: {"os-reset_status": {"status": …}} (a status
// `parse` knows, handed to `reset`) and {"os-force_delete": {}} (`force_delete`). Both 202.
template <typename Parse, typename Reset, typename ForceDelete>
Result<RestResponse> StatusActions(const Call& c, const char* kind, Parse parse, Reset reset,
                                   ForceDelete force_delete) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  if (body.size() != 1) return InvalidArgument("an action body names exactly one action");
  const std::string name(body.begin()->key());
  if (name == "os-reset_status") {
    if (!body.begin()->value().is_object()) return InvalidArgument("os-reset_status needs status");
    BS_ASSIGN_OR_RETURN(auto status, Str(body.begin()->value().as_object(), "status"));
    auto parsed = status ? parse(*status) : std::nullopt;
    if (!parsed) return InvalidArgument(std::string("os-reset_status needs a ") + kind + " status");
    BS_RETURN_IF_ERROR(reset(*parsed));
    return Empty(202);
  }
  if (name == "os-force_delete") {
    BS_RETURN_IF_ERROR(force_delete());
    return Empty(202);
  }
  return Error(400, "There is no such action: " + name);
}

}  // namespace blockstore::rest

#endif  // BLOCKSTORE_LIB_REST_REST_FIELDS_HPP
