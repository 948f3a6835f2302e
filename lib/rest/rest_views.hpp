// Internal: records as Cinder's v3 API shows them, by microversion.
#ifndef BLOCKSTORE_LIB_REST_REST_VIEWS_HPP
#define BLOCKSTORE_LIB_REST_REST_VIEWS_HPP

#include <map>

#include "lib/rest/json_out.hpp"
#include "lib/rest/rest_call.hpp"

namespace blockstore::rest {

// Type id → name, read once per request for volume views.
using TypeNameMap = std::map<std::string, std::string>;
TypeNameMap TypeNames(Call& c);

// Volumes are written straight as text: a list of a thousand is the API's largest answer.
void WriteVolumeSummary(JsonOut& w, const Call& c, const Volume& v);
void WriteVolumeDetail(JsonOut& w, Call& c, const Volume& v, const TypeNameMap& types);
// {"volume": detail}.
RestResponse VolumeResponse(int status, Call& c, const Volume& v);
// A record's links, as Cinder gives them: self and bookmark.
json::array Links(const Call& c, const std::string& collection, const std::string& id);
json::object SnapshotView(const Call& c, const Snapshot& s);
json::object BackupSummary(const Call& c, const Backup& b);
json::object BackupDetail(const Call& c, const Backup& b);
json::object TypeView(const VolumeType& t);
json::object AttachmentSummary(const Attachment& a);
json::object AttachmentDetail(const Attachment& a);
// Cinder's flattened form for the attachments API: data keys next to driver_volume_type and
// attachment_id.
json::object FlatConnectionInfo(const ConnectionInfo& info, const std::string& attachment_id);

}  // namespace blockstore::rest

#endif  // BLOCKSTORE_LIB_REST_REST_VIEWS_HPP
