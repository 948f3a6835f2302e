// Internal: a dictionary of strings given in a query parameter, as the clients send it.
//
// python-cinderclient puts a Python dict into the query string as Python writes it
// (`metadata={'k': 'v'}`), and Cinder reads it back as a Python literal; other clients send
// JSON. Both forms are read here, and nothing else: no expressions, only string keys with
// string (or number, or boolean) values.
#ifndef BLOCKSTORE_LIB_REST_QUERY_DICT_HPP
#define BLOCKSTORE_LIB_REST_QUERY_DICT_HPP

#include <string_view>

#include "blockstore/result.hpp"
#include "blockstore/types.hpp"

namespace blockstore::rest {

// `{"k": "v", …}` or `{'k': 'v', …}`; invalid_argument naming `what` otherwise.
Result<Metadata> ParseQueryDict(std::string_view text, std::string_view what);

}  // namespace blockstore::rest

#endif  // BLOCKSTORE_LIB_REST_QUERY_DICT_HPP
