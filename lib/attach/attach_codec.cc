#include "lib/attach/attach_codec.hpp"

#include "lib/json/json_reader.hpp"

namespace blockstore::internal {
namespace {

// Connector keys os-brick may send that no blockstore driver reads.
constexpr std::string_view kIgnoredConnectorKeys[] = {
    "wwpns", "wwnns", "nqn", "uuid", "system uuid", "nvme_hostid", "nvme_native_multipath",
    "host_ips", "enforce_multipath", "found_dsc"};

}  // namespace

std::string HostKey(const Connector& c) {
  return c.initiator.empty() ? "host:" + c.host : c.initiator;
}

json::object ToJson(const Connector& c) {
  json::object o;
  o["host"] = c.host;
  if (!c.ip.empty()) o["ip"] = c.ip;
  if (!c.initiator.empty()) o["initiator"] = c.initiator;
  o["multipath"] = c.multipath;
  if (!c.platform.empty()) o["platform"] = c.platform;
  if (!c.os_type.empty()) o["os_type"] = c.os_type;
  if (!c.mode.empty()) o["mode"] = c.mode;
  o["do_local_attach"] = c.do_local_attach;
  if (!c.mountpoint.empty()) o["mountpoint"] = c.mountpoint;
  return o;
}

Result<Connector> ConnectorFromJson(const json::value& v) {
  Connector c;
  Reader in(v, "connector");
  in.String("host", c.host);
  in.String("ip", c.ip);
  in.String("initiator", c.initiator);
  in.Bool("multipath", c.multipath);
  in.String("platform", c.platform);
  in.String("os_type", c.os_type);
  in.String("mode", c.mode);
  in.Bool("do_local_attach", c.do_local_attach);
  in.String("mountpoint", c.mountpoint);
  for (auto key : kIgnoredConnectorKeys) (void)in.Find(key);
  if (Status s = in.Finish(); !s.ok()) return s;
  return c;
}

json::object ToJson(const ConnectionInfo& c) {
  json::object o;
  o["driver_volume_type"] = c.driver_volume_type;
  boost::system::error_code ec;
  json::value data = json::parse(c.data, ec);
  o["data"] = (!ec && data.is_object()) ? std::move(data) : json::value(json::object());
  return o;
}

Result<ConnectionInfo> ConnectionInfoFromJson(const json::value& v) {
  const auto* o = v.if_object();
  if (!o) return InvalidArgument("connection info must be a JSON object");
  ConnectionInfo c;
  const auto* type = o->if_contains("driver_volume_type");
  if (!type || !type->is_string() || type->get_string().empty()) {
    return InvalidArgument("connection info: 'driver_volume_type' must be a non-empty string");
  }
  c.driver_volume_type = std::string(type->get_string());
  if (const auto* data = o->if_contains("data")) {
    if (!data->is_object()) return InvalidArgument("connection info: 'data' must be an object");
    c.data = json::serialize(*data);
  }
  return c;
}

json::object ToJson(const Attachment& a) {
  json::object o;
  o["id"] = a.id;
  o["volume_id"] = a.volume_id;
  o["project_id"] = a.project_id;
  o["instance"] = a.instance_uuid.empty() ? json::value(nullptr) : json::value(a.instance_uuid);
  o["attached_host"] = a.attached_host;
  o["mountpoint"] = a.mountpoint;
  o["status"] = ToString(a.attach_status);
  o["attach_mode"] = a.attach_mode;
  o["connector"] = a.connector ? json::value(ToJson(*a.connector)) : json::value(nullptr);
  o["connection_info"] =
      a.connection_info ? json::value(ToJson(*a.connection_info)) : json::value(nullptr);
  o["attached_at"] = a.attach_time ? json::value(FormatTime(*a.attach_time)) : json::value(nullptr);
  o["detached_at"] = a.detach_time ? json::value(FormatTime(*a.detach_time)) : json::value(nullptr);
  o["created_at"] = FormatTime(a.created_at);
  o["updated_at"] = FormatTime(a.updated_at);
  return o;
}

Result<AttachmentCreateRequest> AttachmentCreateRequestFromJson(const json::value& v) {
  AttachmentCreateRequest r;
  Reader in(v, "attachment create request");
  in.String("volume_id", r.volume_id);
  in.String("volume_uuid", r.volume_id);  // Cinder's REST name
  in.String("instance_uuid", r.instance_uuid);
  in.String("mode", r.mode);
  if (const auto* c = in.Find("connector")) {
    auto conn = ConnectorFromJson(*c);
    if (!conn.ok()) return conn.status();
    r.connector = std::move(conn).value();
  }
  if (Status s = in.Finish(); !s.ok()) return s;
  return r;
}

Result<AttachmentQuery> AttachmentQueryFromJson(const json::value& v) {
  AttachmentQuery q;
  Reader in(v, "attachment query");
  in.String("volume_id", q.volume_id);
  in.String("instance_uuid", q.instance_uuid);
  std::optional<std::string> status;
  in.String("status", status);
  in.Int("limit", q.limit);
  in.String("marker", q.marker);
  in.Bool("all_projects", q.all_projects);
  if (Status s = in.Finish(); !s.ok()) return s;
  if (status) {
    q.attach_status = ParseAttachStatus(*status);
    if (!q.attach_status) return InvalidArgument("attachment query: unknown status '" + *status + "'");
  }
  return q;
}

Result<LegacyAttachRequest> LegacyAttachRequestFromJson(const json::value& v) {
  LegacyAttachRequest r;
  Reader in(v, "attach request");
  in.String("instance_uuid", r.instance_uuid);
  in.String("host_name", r.host_name);
  in.String("mountpoint", r.mountpoint);
  in.String("mode", r.mode);
  if (Status s = in.Finish(); !s.ok()) return s;
  return r;
}

}  // namespace blockstore::internal
