#include "lib/rest/rest_views.hpp"

namespace blockstore::rest {
namespace {

json::value OrNull(const std::string& s) { return s.empty() ? json::value() : json::value(s); }

json::array Links(const Call& c, const std::string& collection, const std::string& id) {
  const std::string self = c.Link(collection, id);
  return json::array{json::object{{"href", self}, {"rel", "self"}},
                     json::object{{"href", self}, {"rel", "bookmark"}}};
}

json::object Meta(const Metadata& m) {
  json::object o;
  for (const auto& [k, v] : m) o.emplace(k, v);
  return o;
}

}  // namespace

std::map<std::string, std::string> TypeNames(Call& c) {
  std::map<std::string, std::string> out;
  auto types = c.engine.store().ListVolumeTypes(true, {});
  if (types.ok()) {
    for (const auto& t : *types) out[t.id] = t.name;
  }
  return out;
}

json::object VolumeSummary(const Call& c, const Volume& v) {
  return {{"id", v.id}, {"name", v.name}, {"links", Links(c, "volumes", v.id)}};
}

json::object VolumeDetail(Call& c, const Volume& v, const std::map<std::string, std::string>& types) {
  json::object o;
  o["id"] = v.id;
  o["status"] = ToString(v.status);
  o["size"] = v.size_gb;
  o["availability_zone"] = v.availability_zone;
  o["created_at"] = FormatTime(v.created_at);
  o["updated_at"] = FormatTime(v.updated_at);
  o["name"] = v.name;
  o["description"] = v.description;
  auto t = types.find(v.volume_type_id);
  o["volume_type"] = t == types.end() ? json::value() : json::value(t->second);
  o["snapshot_id"] = OrNull(v.snapshot_id);
  o["source_volid"] = OrNull(v.source_volid);
  json::object meta = Meta(v.metadata);
  // Cinder shows the read-only flag, once set, among the metadata as "True" or "False".
  if (v.readonly) meta["readonly"] = *v.readonly ? "True" : "False";
  o["metadata"] = std::move(meta);
  o["links"] = Links(c, "volumes", v.id);
  o["user_id"] = v.user_id;
  o["bootable"] = v.bootable ? "true" : "false";
  o["encrypted"] = false;
  o["replication_status"] = nullptr;
  o["consistencygroup_id"] = nullptr;
  o["multiattach"] = v.multiattach;
  json::array attachments;
  if (v.attach_status != AttachStatus::kDetached) {
    auto rows = c.engine.store().ListAttachmentsOfVolume(v.id);
    if (rows.ok()) {
      for (const auto& a : *rows) {
        if (a.attach_status != AttachStatus::kAttached) continue;
        json::object at{{"id", a.id},
                        {"attachment_id", a.id},
                        {"volume_id", v.id},
                        {"server_id", OrNull(a.instance_uuid)},
                        {"device", OrNull(a.mountpoint)},
                        {"attached_at", a.attach_time ? json::value(FormatTime(*a.attach_time))
                                                      : json::value()}};
        if (c.ctx.is_admin()) at["host_name"] = OrNull(a.attached_host);
        attachments.push_back(std::move(at));
      }
    }
  }
  o["attachments"] = std::move(attachments);
  if (c.ctx.is_admin()) {
    o["migration_status"] = nullptr;
    o["os-vol-host-attr:host"] = OrNull(v.host);
    o["os-vol-mig-status-attr:migstat"] = nullptr;
    o["os-vol-mig-status-attr:name_id"] = nullptr;
  }
  o["os-vol-tenant-attr:tenant_id"] = v.project_id;
  if (c.Version(13)) o["group_id"] = nullptr;
  if (c.Version(21) && c.ctx.is_admin()) o["provider_id"] = nullptr;
  if (c.Version(48)) {
    o["shared_targets"] = false;
    o["service_uuid"] = nullptr;
  }
  return o;
}

json::object SnapshotView(const Call& c, const Snapshot& s) {
  json::object o;
  o["id"] = s.id;
  o["created_at"] = FormatTime(s.created_at);
  o["updated_at"] = FormatTime(s.updated_at);
  o["name"] = s.name;
  o["description"] = s.description;
  o["volume_id"] = s.volume_id;
  o["status"] = ToString(s.status);
  o["size"] = s.size_gb;
  o["metadata"] = Meta(s.metadata);
  o["os-extended-snapshot-attributes:progress"] = s.progress;
  o["os-extended-snapshot-attributes:project_id"] = s.project_id;
  if (c.Version(14)) o["group_snapshot_id"] = nullptr;
  if (c.Version(41)) o["user_id"] = s.user_id;
  return o;
}

json::object BackupSummary(const Call& c, const Backup& b) {
  return {{"id", b.id}, {"name", b.name}, {"links", Links(c, "backups", b.id)}};
}

json::object BackupDetail(const Call& c, const Backup& b) {
  json::object o;
  o["id"] = b.id;
  o["status"] = ToString(b.status);
  o["size"] = b.size_gb;
  o["object_count"] = b.object_count;
  o["availability_zone"] = OrNull(b.availability_zone);
  o["container"] = OrNull(b.container);
  o["created_at"] = FormatTime(b.created_at);
  o["updated_at"] = FormatTime(b.updated_at);
  o["name"] = b.name;
  o["description"] = b.description;
  o["fail_reason"] = OrNull(b.fail_reason);
  o["volume_id"] = b.volume_id;
  o["links"] = Links(c, "backups", b.id);
  o["is_incremental"] = b.is_incremental;
  o["has_dependent_backups"] = b.has_dependent_backups;
  o["snapshot_id"] = OrNull(b.snapshot_id);
  o["data_timestamp"] = FormatTime(b.data_timestamp);
  if (c.Version(18)) o["os-backup-project-attr:project_id"] = b.project_id;
  if (c.Version(43)) o["metadata"] = Meta(b.metadata);
  if (c.Version(56)) o["user_id"] = b.user_id;
  return o;
}

json::object TypeView(const VolumeType& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"description", t.description},
          {"is_public", t.is_public},
          {"os-volume-type-access:is_public", t.is_public},
          {"extra_specs", Meta(t.extra_specs)},
          {"qos_specs_id", OrNull(t.qos_specs_id)}};
}

json::object AttachmentSummary(const Attachment& a) {
  return {{"id", a.id},
          {"status", ToString(a.attach_status)},
          {"instance", OrNull(a.instance_uuid)},
          {"volume_id", a.volume_id}};
}

json::object FlatConnectionInfo(const ConnectionInfo& info, const std::string& attachment_id) {
  json::object o;
  boost::system::error_code ec;
  json::value data = json::parse(info.data, ec);
  if (!ec && data.is_object()) o = data.as_object();
  o["driver_volume_type"] = info.driver_volume_type;
  o["attachment_id"] = attachment_id;
  return o;
}

json::object AttachmentDetail(const Attachment& a) {
  json::object o = AttachmentSummary(a);
  o["attached_at"] = a.attach_time ? json::value(FormatTime(*a.attach_time)) : json::value();
  o["detached_at"] = a.detach_time ? json::value(FormatTime(*a.detach_time)) : json::value();
  o["attach_mode"] = a.attach_mode;
  o["connection_info"] = a.connection_info ? json::value(FlatConnectionInfo(*a.connection_info, a.id))
                                           : json::value();
  return o;
}

}  // namespace blockstore::rest
