// Internal: reading fields of REST bodies, as Cinder does: null is "not given", a wrong type is
// 400 naming the field.
#ifndef BLOCKSTORE_LIB_REST_REST_FIELDS_HPP
#define BLOCKSTORE_LIB_REST_REST_FIELDS_HPP

#include <optional>
#include <set>
#include <string>

#include "lib/rest/rest_call.hpp"

namespace blockstore::rest {

Result<std::optional<std::string>> Str(const json::object& o, const char* key);
Result<std::optional<int64_t>> Int(const json::object& o, const char* key);
Result<std::optional<bool>> Bool(const json::object& o, const char* key);
Result<std::optional<Metadata>> Meta(const json::object& o, const char* key);
// invalid_argument naming the first key of `o` that is not in `known`.
Status OnlyKnown(const json::object& o, const std::set<std::string>& known, const char* what);

}  // namespace blockstore::rest

#endif  // BLOCKSTORE_LIB_REST_REST_FIELDS_HPP
