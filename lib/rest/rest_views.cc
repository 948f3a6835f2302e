#include "lib/rest/rest_views.hpp"

namespace blockstore::rest {
namespace {

json::value OrNull(const std::string& s) { return s.empty() ? json::value() : json::value(s); }

json::object MetaObject(const Metadata& m) {
  json::object o;
  for (const auto& [k, v] : m) o.emplace(k, v);
  return o;
}

}  // namespace

json::array Links(const Call& c, const std::string& collection, const std::string& id) {
  const std::string self = c.Link(collection, id);
  return json::array{json::object{{"href", self}, {"rel", "self"}},
                     json::object{{"href", self}, {"rel", "bookmark"}}};
}

TypeNameMap TypeNames(Call& c) {
  TypeNameMap out;
  auto types = c.engine.types().List(RequestContext::Admin());
  if (types.ok()) {
    for (const auto& t : *types) out[t.id] = t.name;
  }
  return out;
}

namespace {

void WriteLinks(JsonOut& w, const Call& c, const std::string& collection, const std::string& id) {
  const std::string self = c.Link(collection, id);
  w.Key("links").BeginArray();
  w.BeginObject().Key("href").Str(self).Key("rel").Str("self").EndObject();
  w.BeginObject().Key("href").Str(self).Key("rel").Str("bookmark").EndObject();
  w.EndArray();
}

}  // namespace

void WriteVolumeSummary(JsonOut& w, const Call& c, const Volume& v) {
  w.BeginObject().Key("id").Str(v.id).Key("name").StrOrNull(v.name);
  WriteLinks(w, c, "volumes", v.id);
  w.EndObject();
}

void WriteVolumeDetail(JsonOut& w, Call& c, const Volume& v, const TypeNameMap& types) {
  w.BeginObject();
  w.Key("id").Str(v.id);
  w.Key("status").Str(ToString(v.status));
  w.Key("size").UInt(v.size_gb);
  w.Key("availability_zone").Str(v.availability_zone);
  w.Key("created_at").Str(FormatTime(v.created_at));
  w.Key("updated_at").Str(FormatTime(v.updated_at));
  w.Key("name").StrOrNull(v.name);
  w.Key("description").StrOrNull(v.description);
  auto t = types.find(v.volume_type_id);
  w.Key("volume_type");
  if (t == types.end()) w.Null(); else w.Str(t->second);
  w.Key("snapshot_id").StrOrNull(v.snapshot_id);
  w.Key("source_volid").StrOrNull(v.source_volid);
  w.Key("metadata").BeginObject();
  for (const auto& [k, value] : v.metadata) {
    if (v.readonly && k == "readonly") continue;
    w.Key(k).Str(value);
  }
  // Cinder shows the read-only flag, once set, among the metadata as "True" or "False".
  if (v.readonly) w.Key("readonly").Str(*v.readonly ? "True" : "False");
  w.EndObject();
  WriteLinks(w, c, "volumes", v.id);
  w.Key("user_id").Str(v.user_id);
  w.Key("bootable").Str(v.bootable ? "true" : "false");
  w.Key("encrypted").Bool(false);
  w.Key("replication_status").Null();
  w.Key("consistencygroup_id").Null();
  w.Key("multiattach").Bool(v.multiattach);
  w.Key("attachments").BeginArray();
  if (v.attach_status != AttachStatus::kDetached) {
    AttachmentQuery q;
    q.volume_id = v.id;
    q.all_projects = true;
    auto rows = c.engine.attachments().List(RequestContext::Admin(), q);
    if (rows.ok()) {
      for (const auto& a : *rows) {
        if (a.attach_status != AttachStatus::kAttached) continue;
        w.BeginObject();
        w.Key("id").Str(a.id).Key("attachment_id").Str(a.id).Key("volume_id").Str(v.id);
        w.Key("server_id").StrOrNull(a.instance_uuid);
        w.Key("device").StrOrNull(a.mountpoint);
        w.Key("attached_at");
        if (a.attach_time) w.Str(FormatTime(*a.attach_time)); else w.Null();
        if (c.ctx.is_admin()) w.Key("host_name").StrOrNull(a.attached_host);
        w.EndObject();
      }
    }
  }
  w.EndArray();
  if (!v.image_metadata.empty()) {
    w.Key("volume_image_metadata").BeginObject();
    for (const auto& [k, value] : v.image_metadata) w.Key(k).Str(value);
    w.EndObject();
  }
  if (c.ctx.is_admin()) {
    w.Key("migration_status").StrOrNull(v.migration_status);
    w.Key("os-vol-host-attr:host").StrOrNull(v.host);
    w.Key("os-vol-mig-status-attr:migstat").StrOrNull(v.migration_status);
    w.Key("os-vol-mig-status-attr:name_id").Null();
  }
  w.Key("os-vol-tenant-attr:tenant_id").Str(v.project_id);
  if (c.Version(13)) w.Key("group_id").Null();
  if (c.Version(21) && c.ctx.is_admin()) w.Key("provider_id").Null();
  if (c.Version(48)) w.Key("shared_targets").Bool(false).Key("service_uuid").Null();
  w.EndObject();
}

RestResponse VolumeResponse(int status, Call& c, const Volume& v) {
  std::string body;
  JsonOut w(body);
  w.BeginObject().Key("volume");
  // One volume names one type: read that one, not every type.
  TypeNameMap types;
  if (!v.volume_type_id.empty()) {
    if (auto t = c.engine.types().Get(RequestContext::Admin(), v.volume_type_id); t.ok()) types[t->id] = t->name;
  }
  WriteVolumeDetail(w, c, v, types);
  w.EndObject();
  return JsonText(status, std::move(body));
}

json::object SnapshotView(const Call& c, const Snapshot& s) {
  json::object o;
  o["id"] = s.id;
  o["created_at"] = FormatTime(s.created_at);
  o["updated_at"] = FormatTime(s.updated_at);
  o["name"] = OrNull(s.name);
  o["description"] = OrNull(s.description);
  o["volume_id"] = s.volume_id;
  o["status"] = ToString(s.status);
  o["size"] = s.size_gb;
  o["metadata"] = MetaObject(s.metadata);
  o["os-extended-snapshot-attributes:progress"] = s.progress;
  o["os-extended-snapshot-attributes:project_id"] = s.project_id;
  if (c.Version(14)) o["group_snapshot_id"] = nullptr;
  if (c.Version(41)) o["user_id"] = s.user_id;
  return o;
}

json::object BackupSummary(const Call& c, const Backup& b) {
  return {{"id", b.id}, {"name", OrNull(b.name)}, {"links", Links(c, "backups", b.id)}};
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
  o["name"] = OrNull(b.name);
  o["description"] = OrNull(b.description);
  o["fail_reason"] = OrNull(b.fail_reason);
  o["volume_id"] = b.volume_id;
  o["links"] = Links(c, "backups", b.id);
  o["is_incremental"] = b.is_incremental;
  o["has_dependent_backups"] = b.has_dependent_backups;
  o["snapshot_id"] = OrNull(b.snapshot_id);
  o["data_timestamp"] = FormatTime(b.data_timestamp);
  if (c.Version(18)) o["os-backup-project-attr:project_id"] = b.project_id;
  if (c.Version(43)) o["metadata"] = MetaObject(b.metadata);
  if (c.Version(56)) o["user_id"] = b.user_id;
  return o;
}

json::object TypeView(const VolumeType& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"description", t.description},
          {"is_public", t.is_public},
          {"os-volume-type-access:is_public", t.is_public},
          {"extra_specs", MetaObject(t.extra_specs)},
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
