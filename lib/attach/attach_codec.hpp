// Internal: connectors, connection info, attachments and attach requests to and from JSON.
// The shapes are os-brick's and Cinder's, so REST, C and Python hand them over unchanged.
#ifndef BLOCKSTORE_LIB_ATTACH_ATTACH_CODEC_HPP
#define BLOCKSTORE_LIB_ATTACH_ATTACH_CODEC_HPP

#include "lib/json/json_codec.hpp"

namespace blockstore::internal {

json::object ToJson(const Connector& c);
// Who a connector is, as an export sees it: its initiator, else "host:<host name>". Two
// connectors with the same key are the same host.
std::string HostKey(const Connector& c);
// Reads os-brick's connector dict. Keys os-brick sends that blockstore does not use (wwpns,
// nqn, uuid, …) are accepted and dropped; any other key is invalid_argument.
Result<Connector> ConnectorFromJson(const json::value& v);

// {"driver_volume_type": …, "data": {…}}
json::object ToJson(const ConnectionInfo& c);
Result<ConnectionInfo> ConnectionInfoFromJson(const json::value& v);

json::object ToJson(const Attachment& a);
Result<AttachmentCreateRequest> AttachmentCreateRequestFromJson(const json::value& v);
Result<AttachmentQuery> AttachmentQueryFromJson(const json::value& v);
Result<LegacyAttachRequest> LegacyAttachRequestFromJson(const json::value& v);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_ATTACH_ATTACH_CODEC_HPP
