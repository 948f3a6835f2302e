// Internal: lowercase hexadecimal text of bytes (digests, MACs).
#ifndef BLOCKSTORE_LIB_ENCODING_HEX_HPP
#define BLOCKSTORE_LIB_ENCODING_HEX_HPP

#include <cstddef>
#include <string>

namespace blockstore::internal {

std::string HexEncode(const unsigned char* data, std::size_t size);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_ENCODING_HEX_HPP
