// Internal: standard base64 (RFC 4648, with padding), as Cinder's backup records use it.
#ifndef BLOCKSTORE_LIB_ENCODING_BASE64_HPP
#define BLOCKSTORE_LIB_ENCODING_BASE64_HPP

#include <string>
#include <string_view>

#include "blockstore/result.hpp"

namespace blockstore::internal {

std::string Base64Encode(std::string_view data);
// invalid_argument for text that is not base64 (whitespace is not accepted).
Result<std::string> Base64Decode(std::string_view text);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_ENCODING_BASE64_HPP
