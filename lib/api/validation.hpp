// Internal: checks on caller-supplied values, each with a message that names the field.
#ifndef BLOCKSTORE_LIB_API_VALIDATION_HPP
#define BLOCKSTORE_LIB_API_VALIDATION_HPP

#include <cstdint>
#include <string_view>

#include "blockstore/status.hpp"
#include "blockstore/types.hpp"

namespace blockstore::internal {

inline constexpr std::size_t kMaxNameLength = 255;
inline constexpr std::size_t kMaxMetadataItems = 128;
inline constexpr int64_t kMaxVolumeGb = int64_t{1} << 20;  // 1 PiB: beyond any real volume

// Valid UTF-8 with no control characters, at most `max` bytes.
Status CheckText(std::string_view field, std::string_view value, std::size_t max = kMaxNameLength);
// Keys 1..255 bytes, values ≤ 255 bytes, both CheckText-clean; at most kMaxMetadataItems pairs.
Status CheckMetadata(std::string_view field, const Metadata& m);
Status CheckId(std::string_view kind, std::string_view id);
// An id that names a record to look up: not_found (as Cinder answers) when it cannot be one.
Status CheckLookupId(std::string_view kind, std::string_view id);
Status CheckSize(std::string_view field, int64_t gb);
// A connector dict: host required (a host name), ip an IPv4/IPv6 address, initiator an iSCSI
// name, platform and os_type short words, mode rw|ro, mountpoint clean text.
Status CheckConnector(const Connector& c);
// Extra specs (of a type, or a QoS spec) are text like metadata, and those the scheduler reads
// must be well formed: a type whose spec the scheduler cannot read would fail every volume
// later.
Status CheckSpecs(std::string_view field, const Metadata& specs);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_API_VALIDATION_HPP
