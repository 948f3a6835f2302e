#include "lib/json/json_codec.hpp"

#include <charconv>
#include <set>

#include "lib/core/macros.hpp"
#include "lib/json/json_reader.hpp"

namespace blockstore::internal {
namespace {

json::value Capacity(const blockstore::Capacity& c) {
  switch (c.kind) {
    case blockstore::Capacity::Kind::kInfinite: return "infinite";
    case blockstore::Capacity::Kind::kUnknown: return "unknown";
    case blockstore::Capacity::Kind::kNumber: break;
  }
  return c.gb;
}

Result<blockstore::Capacity> CapacityFrom(const json::value* v) {
  if (!v) return blockstore::Capacity::Unknown();
  if (auto* s = v->if_string()) {
    if (*s == "infinite") return blockstore::Capacity::Infinite();
    if (*s == "unknown") return blockstore::Capacity::Unknown();
    return InvalidArgument("capacity must be a number, 'infinite' or 'unknown'");
  }
  if (v->is_number()) return blockstore::Capacity::Number(v->to_number<double>());
  return InvalidArgument("capacity must be a number, 'infinite' or 'unknown'");
}

}  // namespace

std::string NumberText(const json::value& number) {
  if (const auto* i = number.if_int64()) return std::to_string(*i);
  if (const auto* u = number.if_uint64()) return std::to_string(*u);
  char buf[64];
  const auto end = std::to_chars(buf, buf + sizeof buf, number.to_number<double>()).ptr;
  return std::string(buf, end);
}

json::object MetadataToJson(const Metadata& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

Result<Metadata> MetadataFromJson(const json::value& v, std::string_view what) {
  const auto* o = v.if_object();
  if (!o) return InvalidArgument("'" + std::string(what) + "' must be an object of strings");
  Metadata m;
  for (const auto& kv : *o) {
    const auto* s = kv.value().if_string();
    if (!s) {
      return InvalidArgument("'" + std::string(what) + "': the value of '" +
                             std::string(kv.key()) + "' must be a string");
    }
    m.emplace(std::string(kv.key()), std::string(s->data(), s->size()));
  }
  return m;
}

json::object ToJson(const Volume& v) {
  json::object o;
  o["id"] = v.id;
  o["project_id"] = v.project_id;
  o["user_id"] = v.user_id;
  o["name"] = v.name;
  o["description"] = v.description;
  o["size"] = v.size_gb;
  o["status"] = ToString(v.status);
  o["previous_status"] = v.previous_status ? json::value(ToString(*v.previous_status)) : nullptr;
  o["attach_status"] = ToString(v.attach_status);
  o["host"] = v.host;
  o["availability_zone"] = v.availability_zone;
  o["volume_type_id"] = v.volume_type_id;
  o["snapshot_id"] = v.snapshot_id.empty() ? json::value(nullptr) : json::value(v.snapshot_id);
  o["source_volid"] = v.source_volid.empty() ? json::value(nullptr) : json::value(v.source_volid);
  o["bootable"] = v.bootable;
  o["multiattach"] = v.multiattach;
  o["readonly"] = v.readonly ? json::value(*v.readonly) : json::value(nullptr);
  o["metadata"] = MetadataToJson(v.metadata);
  o["image_metadata"] = MetadataToJson(v.image_metadata);
  o["migration_status"] = v.migration_status.empty() ? json::value(nullptr) : json::value(v.migration_status);
  o["migration_host"] = v.migration_host.empty() ? json::value(nullptr) : json::value(v.migration_host);
  o["created_at"] = FormatTime(v.created_at);
  o["updated_at"] = FormatTime(v.updated_at);
  return o;
}

json::object ToJson(const Snapshot& s) {
  json::object o;
  o["id"] = s.id;
  o["project_id"] = s.project_id;
  o["user_id"] = s.user_id;
  o["volume_id"] = s.volume_id;
  o["name"] = s.name;
  o["description"] = s.description;
  o["size"] = s.size_gb;
  o["status"] = ToString(s.status);
  o["progress"] = s.progress;
  o["metadata"] = MetadataToJson(s.metadata);
  o["created_at"] = FormatTime(s.created_at);
  o["updated_at"] = FormatTime(s.updated_at);
  return o;
}

json::object ToJson(const Backup& b) {
  json::object o;
  o["id"] = b.id;
  o["project_id"] = b.project_id;
  o["user_id"] = b.user_id;
  o["volume_id"] = b.volume_id;
  o["snapshot_id"] = b.snapshot_id.empty() ? json::value(nullptr) : json::value(b.snapshot_id);
  o["name"] = b.name;
  o["description"] = b.description;
  o["size"] = b.size_gb;
  o["status"] = ToString(b.status);
  o["fail_reason"] = b.fail_reason.empty() ? json::value(nullptr) : json::value(b.fail_reason);
  o["is_incremental"] = b.is_incremental;
  o["parent_id"] = b.parent_id.empty() ? json::value(nullptr) : json::value(b.parent_id);
  o["has_dependent_backups"] = b.has_dependent_backups;
  o["availability_zone"] = b.availability_zone;
  o["host"] = b.host;
  o["container"] = b.container;
  o["object_count"] = b.object_count;
  o["stored_bytes"] = b.stored_bytes;
  o["progress_bytes"] = b.progress_bytes;
  o["progress_total"] = b.progress_total;
  o["restore_volume_id"] =
      b.restore_volume_id.empty() ? json::value(nullptr) : json::value(b.restore_volume_id);
  o["encrypted"] = b.encrypted;
  o["metadata"] = MetadataToJson(b.metadata);
  o["data_timestamp"] = FormatTime(b.data_timestamp);
  o["created_at"] = FormatTime(b.created_at);
  o["updated_at"] = FormatTime(b.updated_at);
  return o;
}

json::object ToJson(const BackupProgress& p) {
  return {{"backup_id", p.backup_id},       {"operation", p.operation},
          {"bytes_done", p.bytes_done},     {"bytes_total", p.bytes_total},
          {"bytes_stored", p.bytes_stored}, {"rate_bytes_per_s", p.rate_bytes_per_s},
          {"eta_seconds", p.eta_seconds}};
}

json::object ToJson(const VolumeType& t) {
  json::object o;
  o["id"] = t.id;
  o["name"] = t.name;
  o["description"] = t.description;
  o["is_public"] = t.is_public;
  o["qos_specs_id"] = t.qos_specs_id.empty() ? json::value(nullptr) : json::value(t.qos_specs_id);
  o["extra_specs"] = MetadataToJson(t.extra_specs);
  o["created_at"] = FormatTime(t.created_at);
  return o;
}

json::object ToJson(const UserMessage& m) {
  return {{"id", m.id},
          {"project_id", m.project_id},
          {"request_id", m.request_id},
          {"resource_type", m.resource_type},
          {"resource_uuid", m.resource_uuid},
          {"event_id", m.event_id},
          {"message_level", m.message_level},
          {"user_message", m.user_message},
          {"created_at", FormatTime(m.created_at)},
          {"expires_at", FormatTime(m.expires_at)}};
}

json::object ToJson(const VolumeTransfer& t) {
  // The salt and the key's hash stay in the store.
  return {{"id", t.id},
          {"volume_id", t.volume_id},
          {"name", t.name},
          {"source_project_id", t.source_project_id},
          {"destination_project_id", t.destination_project_id.empty() ? json::value(nullptr)
                                                                      : json::value(t.destination_project_id)},
          {"accepted", t.accepted},
          {"no_snapshots", t.no_snapshots},
          {"created_at", FormatTime(t.created_at)},
          {"updated_at", FormatTime(t.updated_at)}};
}

json::object ToJson(const QosSpec& q) {
  json::object o;
  o["id"] = q.id;
  o["name"] = q.name;
  o["consumer"] = q.consumer;
  o["specs"] = MetadataToJson(q.specs);
  o["created_at"] = FormatTime(q.created_at);
  return o;
}

json::object ToJson(const QuotaSet& q) {
  json::object o;
  o["project_id"] = q.project_id;
  json::object res;
  for (const auto& [name, u] : q.resources) {
    res[name] = json::object{{"limit", u.limit}, {"in_use", u.in_use}, {"reserved", u.reserved}};
  }
  o["resources"] = std::move(res);
  return o;
}

json::object ToJson(const Event& e) {
  return json::object{{"sequence", e.sequence},         {"type", e.type},
                      {"resource_type", e.resource_type}, {"resource_id", e.resource_id},
                      {"project_id", e.project_id},     {"status", e.status},
                      {"message", e.message},           {"at", FormatTime(e.at)}};
}

json::object ToJson(const BackendStats& s) {
  json::object o;
  o["volume_backend_name"] = s.volume_backend_name;
  o["vendor_name"] = s.vendor_name;
  o["driver_version"] = s.driver_version;
  o["storage_protocol"] = s.storage_protocol;
  json::array pools;
  for (const auto& p : s.pools) {
    json::object j;
    j["pool_name"] = p.pool_name;
    j["total_capacity_gb"] = Capacity(p.total_capacity_gb);
    j["free_capacity_gb"] = Capacity(p.free_capacity_gb);
    j["allocated_capacity_gb"] = p.allocated_capacity_gb;
    j["provisioned_capacity_gb"] = p.provisioned_capacity_gb;
    j["reserved_percentage"] = p.reserved_percentage;
    j["max_over_subscription_ratio"] = p.max_over_subscription_ratio;
    j["thin_provisioning_support"] = p.thin_provisioning_support;
    j["thick_provisioning_support"] = p.thick_provisioning_support;
    j["multiattach"] = p.multiattach;
    j["online_extend_support"] = p.online_extend_support;
    j["QoS_support"] = p.qos_support;
    j["filter_function"] = p.filter_function;
    j["goodness_function"] = p.goodness_function;
    j["total_volumes"] = p.total_volumes;
    j["capabilities"] = MetadataToJson(Metadata(p.capabilities.begin(), p.capabilities.end()));
    pools.push_back(std::move(j));
  }
  o["pools"] = std::move(pools);
  return o;
}

// A report a backend sends the scheduler: unknown fields are ignored (a newer backend may send
// more), a field of the wrong type is an error.
Result<BackendStats> BackendStatsFromJson(const json::value& v) {
  BackendStats s;
  Reader in(v, "backend stats", Reader::kIgnoreUnknown);
  in.String("volume_backend_name", s.volume_backend_name);
  in.String("vendor_name", s.vendor_name);
  in.String("driver_version", s.driver_version);
  in.String("storage_protocol", s.storage_protocol);
  in.Objects("pools", [&](Reader& p) {
    PoolStats ps;
    p.String("pool_name", ps.pool_name);
    for (auto [key, field] : {std::pair{"total_capacity_gb", &ps.total_capacity_gb},
                              std::pair{"free_capacity_gb", &ps.free_capacity_gb}}) {
      if (const auto* c = p.Find(key)) {
        auto capacity = CapacityFrom(c);
        if (capacity.ok()) *field = *capacity;
        else p.Error(InvalidArgument("backend stats: pools: '" + std::string(key) + "': " + capacity.status().message()));
      }
    }
    p.Number("allocated_capacity_gb", ps.allocated_capacity_gb);
    p.Number("provisioned_capacity_gb", ps.provisioned_capacity_gb);
    std::optional<int64_t> reserved;
    p.Int("reserved_percentage", reserved);
    if (reserved && (*reserved < 0 || *reserved > 100)) {
      p.Error(InvalidArgument("backend stats: pools: 'reserved_percentage' must be from 0 to 100"));
    } else if (reserved) {
      ps.reserved_percentage = static_cast<int>(*reserved);
    }
    // Cinder's drivers report the ratio as a number or as text ("20.0", "auto").
    if (const auto* r = p.Find("max_over_subscription_ratio")) {
      if (r->is_number()) ps.max_over_subscription_ratio = NumberText(*r);
      else if (const auto* t = r->if_string()) ps.max_over_subscription_ratio = std::string(*t);
      else p.Error(InvalidArgument("backend stats: pools: 'max_over_subscription_ratio' must be a number or text"));
    }
    if (ps.max_over_subscription_ratio.empty()) ps.max_over_subscription_ratio = "20.0";
    ps.thick_provisioning_support = true;
    ps.online_extend_support = true;
    p.Bool("thin_provisioning_support", ps.thin_provisioning_support);
    p.Bool("thick_provisioning_support", ps.thick_provisioning_support);
    p.Bool("multiattach", ps.multiattach);
    p.Bool("online_extend_support", ps.online_extend_support);
    p.Bool("QoS_support", ps.qos_support);
    p.String("filter_function", ps.filter_function);
    p.String("goodness_function", ps.goodness_function);
    p.Count("total_volumes", ps.total_volumes);
    p.Meta("capabilities", ps.capabilities);
    s.pools.push_back(std::move(ps));
  });
  BS_RETURN_IF_ERROR(in.Finish());
  return s;
}

Result<VolumeCreateRequest> VolumeCreateRequestFromJson(const json::value& v) {
  VolumeCreateRequest r;
  Reader in(v, "volume create request");
  in.Int("size", r.size_gb);
  in.String("name", r.name);
  in.String("description", r.description);
  in.String("volume_type", r.volume_type);
  in.String("availability_zone", r.availability_zone);
  in.String("snapshot_id", r.snapshot_id);
  in.String("source_volid", r.source_volid);
  in.String("backup_id", r.backup_id);
  in.Meta("metadata", r.metadata);
  in.Bool("bootable", r.bootable);
  in.Object("scheduler_hints", [&](Reader& hints) {
    hints.Strings("same_host", r.same_host);
    hints.Strings("different_host", r.different_host);
    hints.String("query", r.query);
  });
  if (Status s = in.Finish(); !s.ok()) return s;
  return r;
}

Result<VolumeUpdate> VolumeUpdateFromJson(const json::value& v) {
  VolumeUpdate u;
  Reader in(v, "volume update");
  in.String("name", u.name);
  in.String("description", u.description);
  in.Meta("metadata", u.metadata);
  in.Bool("bootable", u.bootable);
  in.Meta("image_metadata", u.image_metadata);
  if (Status s = in.Finish(); !s.ok()) return s;
  return u;
}

Result<VolumeStatusReset> VolumeStatusResetFromJson(const json::value& v) {
  VolumeStatusReset r;
  Reader in(v, "status reset");
  std::optional<std::string> status;
  in.String("status", status);
  in.String("migration_status", r.migration_status);
  if (Status s = in.Finish(); !s.ok()) return s;
  if (status) {
    r.status = ParseVolumeStatus(*status);
    if (!r.status) return InvalidArgument("'" + status->substr(0, 64) + "' is not a volume status");
  }
  return r;
}

Result<SnapshotCreateRequest> SnapshotCreateRequestFromJson(const json::value& v) {
  SnapshotCreateRequest r;
  Reader in(v, "snapshot create request");
  in.String("volume_id", r.volume_id);
  in.String("name", r.name);
  in.String("description", r.description);
  in.Bool("force", r.force);
  in.Meta("metadata", r.metadata);
  if (Status s = in.Finish(); !s.ok()) return s;
  return r;
}

Result<SnapshotUpdate> SnapshotUpdateFromJson(const json::value& v) {
  SnapshotUpdate u;
  Reader in(v, "snapshot update");
  in.String("name", u.name);
  in.String("description", u.description);
  in.Meta("metadata", u.metadata);
  if (Status s = in.Finish(); !s.ok()) return s;
  return u;
}

Result<BackupCreateRequest> BackupCreateRequestFromJson(const json::value& v) {
  BackupCreateRequest r;
  Reader in(v, "backup create request");
  in.String("volume_id", r.volume_id);
  in.String("snapshot_id", r.snapshot_id);
  in.String("name", r.name);
  in.String("description", r.description);
  in.Bool("incremental", r.incremental);
  in.Bool("force", r.force);
  in.Meta("metadata", r.metadata);
  in.String("container", r.container);
  if (Status s = in.Finish(); !s.ok()) return s;
  return r;
}

Result<BackupRestoreRequest> BackupRestoreRequestFromJson(const json::value& v) {
  BackupRestoreRequest r;
  Reader in(v, "backup restore request");
  in.String("volume_id", r.volume_id);
  in.String("name", r.name);
  if (Status s = in.Finish(); !s.ok()) return s;
  return r;
}

Result<BackupUpdate> BackupUpdateFromJson(const json::value& v) {
  BackupUpdate u;
  Reader in(v, "backup update");
  in.String("name", u.name);
  in.String("description", u.description);
  in.Meta("metadata", u.metadata);
  if (Status s = in.Finish(); !s.ok()) return s;
  return u;
}

Result<Backup> BackupFromRecordJson(const json::value& v) {
  Backup b;
  Reader in(v, "backup record");
  std::optional<int64_t> size;
  std::optional<std::string> created, data_ts;
  in.String("id", b.id);
  in.String("name", b.name);
  in.String("description", b.description);
  in.Int("size", size);
  in.Bool("is_incremental", b.is_incremental);
  in.String("parent_id", b.parent_id);
  in.String("availability_zone", b.availability_zone);
  in.String("created_at", created);
  in.String("data_timestamp", data_ts);
  in.Meta("metadata", b.metadata);
  // Ignore the rest: a record is read as far as this engine understands it.
  if (const auto* o = v.if_object()) {
    for (const auto& kv : *o) (void)in.Find(kv.key());
  }
  if (Status s = in.Finish(); !s.ok()) return s;
  if (b.id.empty()) return InvalidArgument("backup record: 'id' is required");
  if (!size) return InvalidArgument("backup record: 'size' is required");
  if (*size < 1) return InvalidArgument("backup record: 'size' must be at least 1");
  b.size_gb = static_cast<uint64_t>(*size);
  if (created) {
    auto t = ParseTime(*created);
    if (!t) return InvalidArgument("backup record: 'created_at' is not a time");
    b.created_at = *t;
  }
  if (data_ts) {
    auto t = ParseTime(*data_ts);
    if (!t) return InvalidArgument("backup record: 'data_timestamp' is not a time");
    b.data_timestamp = *t;
  }
  return b;
}

Result<ListQuery> ListQueryFromJson(const json::value& v) {
  ListQuery q;
  Reader in(v, "list query");
  in.String("name", q.name);
  in.String("status", q.status);
  in.String("volume_id", q.volume_id);
  in.String("availability_zone", q.availability_zone);
  in.Bool("bootable", q.bootable);
  in.Meta("metadata", q.metadata);
  in.Meta("image_metadata", q.image_metadata);
  in.Meta("like", q.like);
  in.String("project_id", q.project_id);
  in.Int("size", q.size);
  in.Int("limit", q.limit);
  in.String("marker", q.marker);
  in.Bool("all_projects", q.all_projects);
  std::optional<std::string> sort;
  in.String("sort", sort);  // "key[:asc|desc],…" as in Cinder's REST API
  if (Status s = in.Finish(); !s.ok()) return s;
  if (sort) {
    std::string_view rest = *sort;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      SortKey k;
      const auto colon = item.find(':');
      k.key = std::string(item.substr(0, colon));
      if (colon != std::string_view::npos) {
        const auto dir = item.substr(colon + 1);
        if (dir == "asc") k.descending = false;
        else if (dir != "desc") return InvalidArgument("sort direction must be asc or desc, not '" + std::string(dir) + "'");
      }
      if (k.key.empty()) return InvalidArgument("empty sort key in '" + *sort + "'");
      q.sort.push_back(std::move(k));
    }
  }
  return q;
}

Result<VolumeTypeCreateRequest> VolumeTypeCreateRequestFromJson(const json::value& v) {
  VolumeTypeCreateRequest r;
  Reader in(v, "volume type create request");
  in.String("name", r.name);
  in.String("description", r.description);
  in.Bool("is_public", r.is_public);
  in.Meta("extra_specs", r.extra_specs);
  if (Status s = in.Finish(); !s.ok()) return s;
  return r;
}

Result<VolumeTypeUpdate> VolumeTypeUpdateFromJson(const json::value& v) {
  VolumeTypeUpdate u;
  Reader in(v, "volume type update");
  in.String("name", u.name);
  in.String("description", u.description);
  in.Bool("is_public", u.is_public);
  if (Status s = in.Finish(); !s.ok()) return s;
  return u;
}

Result<QosSpecCreateRequest> QosSpecCreateRequestFromJson(const json::value& v) {
  QosSpecCreateRequest r;
  Reader in(v, "QoS spec create request");
  in.String("name", r.name);
  in.String("consumer", r.consumer);
  in.Meta("specs", r.specs);
  if (Status s = in.Finish(); !s.ok()) return s;
  return r;
}

}  // namespace blockstore::internal
