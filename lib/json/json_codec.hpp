// Internal: records and requests to and from JSON (Boost.JSON). The same shapes cross the
// transport, the C ABI and (later) REST, so there is one place that defines them.
#ifndef BLOCKSTORE_LIB_JSON_JSON_CODEC_HPP
#define BLOCKSTORE_LIB_JSON_JSON_CODEC_HPP

#include <boost/json.hpp>

#include "blockstore/driver.hpp"
#include "blockstore/requests.hpp"
#include "blockstore/result.hpp"
#include "blockstore/types.hpp"
#include "blockstore/volume_service.hpp"
#include "lib/json/json_parse.hpp"

namespace blockstore::internal {

namespace json = boost::json;

json::object ToJson(const Volume& v);
json::object ToJson(const Snapshot& s);
json::object ToJson(const Backup& b);
json::object ToJson(const BackupProgress& p);
json::object ToJson(const VolumeType& t);
json::object ToJson(const QosSpec& q);
json::object ToJson(const UserMessage& m);
json::object ToJson(const VolumeTransfer& t);
json::object ToJson(const QuotaSet& q);
json::object ToJson(const Event& e);
json::object ToJson(const BackendStats& s);
json::object MetadataToJson(const Metadata& m);
// A JSON number as the shortest decimal text that reads back as it: 3, -1, 1.5, 1e+300.
std::string NumberText(const json::value& number);

Result<BackendStats> BackendStatsFromJson(const json::value& v);
Result<Metadata> MetadataFromJson(const json::value& v, std::string_view what);
Result<VolumeCreateRequest> VolumeCreateRequestFromJson(const json::value& v);
Result<VolumeUpdate> VolumeUpdateFromJson(const json::value& v);
// {"status"?, "migration_status"?}
Result<VolumeStatusReset> VolumeStatusResetFromJson(const json::value& v);
Result<SnapshotCreateRequest> SnapshotCreateRequestFromJson(const json::value& v);
Result<SnapshotUpdate> SnapshotUpdateFromJson(const json::value& v);
Result<BackupCreateRequest> BackupCreateRequestFromJson(const json::value& v);
Result<BackupRestoreRequest> BackupRestoreRequestFromJson(const json::value& v);
Result<BackupUpdate> BackupUpdateFromJson(const json::value& v);
// The fields of an exported record (ToJson(Backup)) that an import keeps. Unknown fields are
// ignored (a newer engine may write more); wrong types are errors.
Result<Backup> BackupFromRecordJson(const json::value& v);
Result<ListQuery> ListQueryFromJson(const json::value& v);
Result<VolumeTypeCreateRequest> VolumeTypeCreateRequestFromJson(const json::value& v);
Result<VolumeTypeUpdate> VolumeTypeUpdateFromJson(const json::value& v);
Result<QosSpecCreateRequest> QosSpecCreateRequestFromJson(const json::value& v);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_JSON_JSON_CODEC_HPP
