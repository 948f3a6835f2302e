// Internal: parsing and checking a JsonFilter query hint once per request.
#ifndef BLOCKSTORE_LIB_SCHEDULER_JSON_QUERY_HPP
#define BLOCKSTORE_LIB_SCHEDULER_JSON_QUERY_HPP

#include <boost/json.hpp>
#include <string>

#include "blockstore/result.hpp"

namespace blockstore::internal {

// The query as a JSON array whose every list starts with a known operator, nested at most 32
// deep; invalid_argument naming the problem otherwise. Empty text is an empty query.
Result<boost::json::value> PrepareQuery(const std::string& text);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_SCHEDULER_JSON_QUERY_HPP
