// Internal: identifiers.
#ifndef BLOCKSTORE_LIB_CORE_IDS_HPP
#define BLOCKSTORE_LIB_CORE_IDS_HPP

#include <string>
#include <string_view>

namespace blockstore::internal {

// A random UUID v4 ("1b4e28ba-2fa1-4d2e-883f-0016d3cca427") from OpenSSL's RNG.
std::string NewUuid();
// True for the canonical 8-4-4-4-12 hex form (either case).
bool IsUuid(std::string_view s);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_CORE_IDS_HPP
