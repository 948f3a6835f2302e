// Internal: the one way text becomes JSON. Strict where Boost.JSON is lenient: an object that
// names a key twice is malformed (Boost.JSON would keep the last and drop the others without a
// word, so `{"size": 1, "size": 2}` would mean 2 to us and 1 to someone else).
//
// Thread-safety: free functions, no shared state.
#ifndef BLOCKSTORE_LIB_JSON_JSON_PARSE_HPP
#define BLOCKSTORE_LIB_JSON_JSON_PARSE_HPP

#include <boost/json.hpp>

#include <string_view>

#include "blockstore/result.hpp"

namespace blockstore::internal {

// invalid_argument "<what>: malformed JSON (…)" for text that is not one JSON value, or whose
// objects repeat a key (the message names the key), or that nests deeper than `max_depth`.
Result<boost::json::value> ParseJson(std::string_view text, std::string_view what,
                                     std::size_t max_depth = 32);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_JSON_JSON_PARSE_HPP
