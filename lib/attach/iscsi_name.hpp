// Internal: iSCSI names (RFC 3720 §3.2.6): the iqn., eui. and naa. forms.
#ifndef BLOCKSTORE_LIB_ATTACH_ISCSI_NAME_HPP
#define BLOCKSTORE_LIB_ATTACH_ISCSI_NAME_HPP

#include <string_view>

namespace blockstore::internal {

inline constexpr std::size_t kMaxIscsiNameLength = 223;

// "iqn.YYYY-MM.<reversed domain>[:<anything in a-z 0-9 - . :>]", "eui.<16 hex>" or
// "naa.<16 or 32 hex>". Only the normalized (lower-case) iqn form is accepted, because targets
// compare names byte by byte.
bool IsIscsiName(std::string_view name);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_ATTACH_ISCSI_NAME_HPP
