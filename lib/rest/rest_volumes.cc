// REST: /volumes — list, detail, create, show, update, delete, metadata and actions.
#include <map>
#include <set>

#include "lib/attach/attach_codec.hpp"
#include "lib/core/macros.hpp"
#include "lib/rest/query_dict.hpp"
#include "lib/rest/rest_fields.hpp"
#include "lib/rest/rest_metadata.hpp"
#include "lib/rest/rest_views.hpp"

namespace blockstore::rest {
namespace {


// created_at / updated_at filters (3.60): "gt:2026-11-25T10:00:00", several ORed together as
// Cinder does, over the records a list would answer.
struct TimeFilter {
  bool updated = false;
  std::string op;
  TimePoint at{};
};

Result<std::vector<TimeFilter>> TakeTimeFilters(Call& c) {
  std::vector<TimeFilter> out;
  for (const char* key : {"created_at", "updated_at"}) {
    auto [lo, hi] = c.query.equal_range(key);
    for (auto it = lo; it != hi; ++it) {
      if (!c.Version(60)) return InvalidArgument(std::string("Invalid filter keys: ") + key);
      const auto colon = it->second.find(':');
      TimeFilter f;
      f.updated = std::string(key) == "updated_at";
      f.op = colon == std::string::npos ? "" : it->second.substr(0, colon);
      auto at = ParseTime(colon == std::string::npos ? "" : it->second.substr(colon + 1));
      static const std::set<std::string> kOps = {"gt", "gte", "lt", "lte", "eq", "neq"};
      if (!kOps.count(f.op) || !at) {
        return InvalidArgument(std::string(key) + " filters are <gt|gte|lt|lte|eq|neq>:<time>");
      }
      f.at = *at;
      out.push_back(f);
    }
  }
  return out;
}

bool Passes(const Volume& v, const std::vector<TimeFilter>& filters) {
  if (filters.empty()) return true;
  for (const auto& f : filters) {
    const TimePoint t = f.updated ? v.updated_at : v.created_at;
    const bool hit = f.op == "gt" ? t > f.at : f.op == "gte" ? t >= f.at : f.op == "lt" ? t < f.at
                   : f.op == "lte" ? t <= f.at : f.op == "eq" ? t == f.at : t != f.at;
    if (hit) return true;
  }
  return false;
}

Result<RestResponse> ListVolume(Call& c, bool detail) {
  BS_ASSIGN_OR_RETURN(auto times, TakeTimeFilters(c));
  BS_ASSIGN_OR_RETURN(ListQuery q, ListFrom(c, VolumeListFilters()));
  if (auto glance = c.Param("glance_metadata")) {
    BS_ASSIGN_OR_RETURN(q.image_metadata, ParseQueryDict(*glance, "glance_metadata"));
  }
  const auto limit = q.limit;
  if (!times.empty()) q.limit.reset();  // filtered here: the page is cut after
  BS_ASSIGN_OR_RETURN(auto vols, c.volumes().List(c.ctx, q));
  if (!times.empty()) {
    std::erase_if(vols, [&](const Volume& v) { return !Passes(v, times); });
    if (limit && vols.size() > static_cast<std::size_t>(*limit)) vols.resize(static_cast<std::size_t>(*limit));
    q.limit = limit;
  }
  BS_ASSIGN_OR_RETURN(auto count, CountIfAsked(c, q, [&](const ListQuery& all) {
    return c.volumes().List(c.ctx, all);
  }));
  std::string body;
  body.reserve(vols.size() * (detail ? 900 : 250) + 256);
  JsonOut w(body);
  w.BeginObject().Key("volumes").BeginArray();
  const TypeNameMap types = detail ? TypeNames(c) : TypeNameMap{};
  for (const auto& v : vols) {
    if (detail) WriteVolumeDetail(w, c, v, types); else WriteVolumeSummary(w, c, v);
  }
  w.EndArray();
  if (auto next = NextLink(c, vols.size(), q.limit, vols.empty() ? "" : vols.back().id)) {
    w.Key("volumes_links").BeginArray();
    w.BeginObject().Key("href").Str(*next).Key("rel").Str("next").EndObject();
    w.EndArray();
  }
  if (count) w.Key("count").UInt(*count);
  w.EndObject();
  return JsonText(200, std::move(body));
}

Result<std::vector<std::string>> Ids(const json::object& hints, const char* key) {
  std::vector<std::string> out;
  const auto* v = hints.if_contains(key);
  if (!v || v->is_null()) return out;
  if (v->is_string()) {
    out.emplace_back(v->get_string());
  } else if (v->is_array()) {
    for (const auto& e : v->as_array()) {
      if (!e.is_string()) return InvalidArgument(std::string("scheduler hint '") + key + "' must name volume ids");
      out.emplace_back(e.get_string());
    }
  } else {
    return InvalidArgument(std::string("scheduler hint '") + key + "' must name volume ids");
  }
  return out;
}

Result<RestResponse> CreateVolume(Call& c) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object v, Member(body, "volume"));
  if (c.Version(53)) {
    BS_RETURN_IF_ERROR(OnlyKnown(v, {"size", "name", "description", "volume_type", "availability_zone",
                                     "snapshot_id", "source_volid", "metadata", "imageRef",
                                     "image_id", "backup_id", "group_id", "consistencygroup_id",
                                     "multiattach", "source_replica", "scheduler_hints"},
                                 "volume"));
  }
  VolumeCreateRequest r;
  BS_ASSIGN_OR_RETURN(r.size_gb, Int(v, "size"));
  BS_ASSIGN_OR_RETURN(auto name, Str(v, "name"));
  BS_ASSIGN_OR_RETURN(auto description, Str(v, "description"));
  BS_ASSIGN_OR_RETURN(auto type, Str(v, "volume_type"));
  BS_ASSIGN_OR_RETURN(auto zone, Str(v, "availability_zone"));
  BS_ASSIGN_OR_RETURN(auto snapshot, Str(v, "snapshot_id"));
  BS_ASSIGN_OR_RETURN(auto source, Str(v, "source_volid"));
  BS_ASSIGN_OR_RETURN(auto meta, Meta(v, "metadata"));
  BS_ASSIGN_OR_RETURN(auto backup, Str(v, "backup_id"));
  if (backup && !c.Version(47)) return InvalidArgument("'backup_id' needs microversion 3.47");
  for (const char* unsupported : {"imageRef", "image_id", "group_id", "consistencygroup_id"}) {
    BS_ASSIGN_OR_RETURN(auto given, Str(v, unsupported));
    if (given) return InvalidArgument(std::string("'") + unsupported + "' is not supported by this service");
  }
  BS_ASSIGN_OR_RETURN(auto multiattach, Bool(v, "multiattach"));
  if (multiattach && *multiattach) {
    return InvalidArgument("multiattach comes from the volume type (multiattach='<is> True'), not the request");
  }
  r.name = name.value_or("");
  r.description = description.value_or("");
  r.volume_type = type.value_or("");
  r.availability_zone = zone.value_or("");
  r.snapshot_id = snapshot.value_or("");
  r.source_volid = source.value_or("");
  r.backup_id = backup.value_or("");
  r.metadata = meta.value_or(Metadata{});
  const json::value* hints = body.if_contains("OS-SCH-HNT:scheduler_hints");
  if (!hints || hints->is_null()) hints = v.if_contains("scheduler_hints");
  if (hints && !hints->is_null()) {
    if (!hints->is_object()) return InvalidArgument("scheduler hints must be an object");
    const auto& h = hints->as_object();
    BS_ASSIGN_OR_RETURN(r.same_host, Ids(h, "same_host"));
    BS_ASSIGN_OR_RETURN(r.different_host, Ids(h, "different_host"));
    BS_ASSIGN_OR_RETURN(auto query, Str(h, "query"));
    r.query = query.value_or("");
  }
  BS_ASSIGN_OR_RETURN(Volume created, c.volumes().Create(c.ctx, r));
  return VolumeResponse(202, c, created);
}

Result<RestResponse> UpdateVolume(Call& c, const std::string& id) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object v, Member(body, "volume"));
  BS_RETURN_IF_ERROR(OnlyKnown(v, {"name", "description", "metadata", "display_name",
                                   "display_description"}, "volume"));
  if (v.empty()) return InvalidArgument("the volume update names nothing to change");
  VolumeUpdate u;
  BS_ASSIGN_OR_RETURN(u.name, Str(v, "name"));
  BS_ASSIGN_OR_RETURN(u.description, Str(v, "description"));
  if (!u.name) {
    BS_ASSIGN_OR_RETURN(u.name, Str(v, "display_name"));
  }
  if (!u.description) {
    BS_ASSIGN_OR_RETURN(u.description, Str(v, "display_description"));
  }
  BS_ASSIGN_OR_RETURN(u.metadata, Meta(v, "metadata"));
  BS_ASSIGN_OR_RETURN(Volume updated, c.volumes().Update(c.ctx, id, u));
  return VolumeResponse(200, c, updated);
}

// os-reset_status: any of status, attach_status and migration_status, as Cinder takes them.
// attach_status "detached" force-detaches every attachment (the volume's attach status follows
// from its attachments); "attached" is accepted only where an attachment says so, since
// blockstore never records an attached volume that nothing is attached to.
Result<RestResponse> ResetVolumeStatus(Call& c, const std::string& id, const json::object& a) {
  BS_RETURN_IF_ERROR(OnlyKnown(a, {"status", "attach_status", "migration_status"}, "os-reset_status"));
  BS_ASSIGN_OR_RETURN(auto status, Str(a, "status"));
  BS_ASSIGN_OR_RETURN(auto attach, Str(a, "attach_status"));
  BS_ASSIGN_OR_RETURN(auto migration, Str(a, "migration_status"));
  if (!status && !attach && !migration) {
    return InvalidArgument("Must specify 'status', 'attach_status' or 'migration_status' for update.");
  }
  VolumeStatusReset reset;
  if (status) {
    reset.status = ParseVolumeStatus(*status);
    if (!reset.status) return InvalidArgument("'" + *status + "' is not a volume status");
  }
  reset.migration_status = migration;
  std::optional<AttachStatus> attach_status;
  if (attach) {
    attach_status = ParseAttachStatus(*attach);
    if (!attach_status || (*attach_status != AttachStatus::kAttached && *attach_status != AttachStatus::kDetached)) {
      return InvalidArgument("Must specify a valid attach status: attached or detached, not '" + *attach + "'");
    }
  }
  // Everything checked before anything changes.
  BS_ASSIGN_OR_RETURN(Volume v, c.volumes().Get(c.ctx, id));
  if (!c.ctx.is_admin()) return PermissionDenied("resetting a volume's status is an admin-only operation");
  if (attach_status == AttachStatus::kAttached && v.attach_status != AttachStatus::kAttached) {
    return InvalidArgument("volume " + id + " has no attachment; attach_status 'attached' needs one");
  }
  // The service checks its fields before it changes anything; the force-detach comes after.
  if (reset.status || reset.migration_status) {
    BS_RETURN_IF_ERROR(c.volumes().ResetStatus(c.ctx, id, reset).status());
  }
  if (attach_status == AttachStatus::kDetached && v.attach_status != AttachStatus::kDetached) {
    BS_RETURN_IF_ERROR(c.attachments().ForceDetach(c.ctx, id, "").status());
  }
  return Empty(202);
}

// os-set_image_metadata {"metadata": {…}} merges, os-unset_image_metadata {"key": k} removes
// one, os-show_image_metadata answers them.
Result<RestResponse> ImageMetadataAction(Call& c, const std::string& id, const std::string& name,
                                         const json::object& a) {
  BS_ASSIGN_OR_RETURN(Volume v, c.volumes().Get(c.ctx, id));
  auto answer = [](const Metadata& m) {
    json::object items;
    for (const auto& [k, val] : m) items[k] = val;
    return Json(200, json::object{{"metadata", std::move(items)}});
  };
  if (name == "os-show_image_metadata") return answer(v.image_metadata);
  VolumeUpdate u;
  u.image_metadata = v.image_metadata;
  if (name == "os-set_image_metadata") {
    BS_ASSIGN_OR_RETURN(auto given, Meta(a, "metadata"));
    if (!given) return InvalidArgument("Missing required element 'metadata' in request body.");
    for (const auto& [k, val] : *given) (*u.image_metadata)[k] = val;
  } else {
    BS_ASSIGN_OR_RETURN(auto key, Str(a, "key"));
    if (!key) return InvalidArgument("Missing required element 'key' in request body.");
    if (!u.image_metadata->erase(*key)) return NotFound("Glance metadata for volume " + id + " with key " + *key + " not found");
  }
  BS_ASSIGN_OR_RETURN(Volume updated, c.volumes().Update(c.ctx, id, u));
  if (name == "os-unset_image_metadata") return Empty(200);
  return answer(updated.image_metadata);
}

// GET /volumes/summary (3.12): how many volumes and GB the caller has (every project's with
// all_tenants, for an admin), and from 3.36 each metadata key's values.
Result<RestResponse> VolumeSummary(Call& c) {
  if (!c.Version(12)) return NotFound("The resource could not be found.");
  ListQuery q;
  BS_ASSIGN_OR_RETURN(bool all, BoolParam(c, "all_tenants", false));
  q.all_projects = all && c.ctx.is_admin();
  q.limit = 1000;
  uint64_t total_size = 0, total_count = 0;
  std::map<std::string, std::set<std::string>> metadata;
  while (true) {
    BS_ASSIGN_OR_RETURN(auto page, c.volumes().List(c.ctx, q));
    for (const auto& v : page) {
      ++total_count;
      total_size += v.size_gb;
      for (const auto& [k, val] : v.metadata) metadata[k].insert(val);
    }
    if (page.size() < 1000) break;
    q.marker = page.back().id;
  }
  json::object summary{{"total_size", total_size}, {"total_count", total_count}};
  if (c.Version(36)) {
    json::object meta;
    for (const auto& [k, values] : metadata) {
      json::array list;
      for (const auto& val : values) list.emplace_back(val);
      meta[k] = std::move(list);
    }
    summary["metadata"] = std::move(meta);
  }
  return Json(200, json::object{{"volume-summary", std::move(summary)}});
}

Result<Connector> ConnectorInVolume(const json::object& args) {
  const auto* c = args.if_contains("connector");
  if (!c || !c->is_object()) return InvalidArgument("a connector object is required");
  return internal::ConnectorFromJson(*c);
}

Result<RestResponse> ActionVolume(Call& c, const std::string& id) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  if (body.size() != 1) return InvalidArgument("an action body names exactly one action");
  const std::string name(body.begin()->key());
  const json::value& arg = body.begin()->value();
  static const json::object kNone;
  if (!arg.is_null() && !arg.is_object()) return InvalidArgument("the arguments of " + name + " must be an object");
  const json::object& a = arg.is_object() ? arg.as_object() : kNone;
  c.route = "POST /volumes/{id}/action " + name;
  if (name == "os-extend") {
    BS_ASSIGN_OR_RETURN(auto size, Int(a, "new_size"));
    if (!size) return InvalidArgument("os-extend needs new_size");
    if (!c.Version(42)) {  // extending an attached volume needs 3.42
      BS_ASSIGN_OR_RETURN(Volume v, c.volumes().Get(c.ctx, id));
      if (v.status != VolumeStatus::kAvailable) {
        return InvalidArgument("volume " + id + " is '" + std::string(ToString(v.status)) +
                               "'; extending it needs microversion 3.42 or later");
      }
    }
    BS_RETURN_IF_ERROR(c.volumes().Extend(c.ctx, id, *size).status());
    return Empty(202);
  }
  if (name == "os-reset_status") return ResetVolumeStatus(c, id, a);
  if (name == "os-set_image_metadata" || name == "os-unset_image_metadata" ||
      name == "os-show_image_metadata") {
    return ImageMetadataAction(c, id, name, a);
  }
  if (name == "os-migrate_volume") {
    BS_RETURN_IF_ERROR(OnlyKnown(a, {"host", "cluster", "force_host_copy", "lock_volume"}, "os-migrate_volume"));
    BS_ASSIGN_OR_RETURN(auto host, Str(a, "host"));
    BS_ASSIGN_OR_RETURN(auto cluster, Str(a, "cluster"));
    if (cluster) return InvalidArgument("os-migrate_volume: clusters are not served; name the destination host");
    if (!host || host->empty()) return InvalidArgument("os-migrate_volume needs host");
    bool force_host_copy = false;
    if (auto it = a.find("force_host_copy"); it != a.end() && !it->value().is_null()) {
      BS_ASSIGN_OR_RETURN(force_host_copy, BodyBool(it->value(), "force_host_copy"));
    }
    if (auto it = a.find("lock_volume"); it != a.end() && !it->value().is_null()) {
      // A migrating volume is always locked (maintenance) here; the flag is read and checked.
      BS_RETURN_IF_ERROR(BodyBool(it->value(), "lock_volume").status());
    }
    BS_RETURN_IF_ERROR(c.volumes().Migrate(c.ctx, id, *host, force_host_copy).status());
    return Empty(202);
  }
  if (name == "os-retype") {
    BS_RETURN_IF_ERROR(OnlyKnown(a, {"new_type", "migration_policy"}, "os-retype"));
    BS_ASSIGN_OR_RETURN(auto type, Str(a, "new_type"));
    BS_ASSIGN_OR_RETURN(auto policy, Str(a, "migration_policy"));
    if (!type || type->empty()) return InvalidArgument("os-retype needs new_type");
    BS_RETURN_IF_ERROR(c.volumes().Retype(c.ctx, id, *type, policy.value_or("never")).status());
    return Empty(202);
  }
  if (name == "os-migrate_volume_completion") {
    return Unimplemented("'" + name + "' is not implemented by this service yet; the volume is unchanged");
  }
  if (name == "revert") {  // 3.40: to the volume's latest snapshot
    if (!c.Version(40)) return Error(404, "There is no such action: revert (it needs microversion 3.40)");
    BS_RETURN_IF_ERROR(OnlyKnown(a, {"snapshot_id"}, "revert"));
    BS_ASSIGN_OR_RETURN(auto snapshot, Str(a, "snapshot_id"));
    if (!snapshot || snapshot->empty()) return InvalidArgument("revert needs snapshot_id");
    BS_RETURN_IF_ERROR(c.volumes().RevertToSnapshot(c.ctx, id, *snapshot).status());
    return Empty(202);
  }
  if (name == "os-force_delete") {
    BS_RETURN_IF_ERROR(c.volumes().Delete(c.ctx, id, {.force = true}).status());
    return Empty(202);
  }
  if (name == "os-set_bootable") {
    BS_ASSIGN_OR_RETURN(auto bootable, Bool(a, "bootable"));
    if (!bootable) return InvalidArgument("os-set_bootable needs bootable");
    VolumeUpdate u;
    u.bootable = *bootable;
    BS_RETURN_IF_ERROR(c.volumes().Update(c.ctx, id, u).status());
    return Empty(200);
  }
  if (name == "os-update_readonly_flag") {
    BS_RETURN_IF_ERROR(OnlyKnown(a, {"readonly"}, "os-update_readonly_flag"));
    BS_ASSIGN_OR_RETURN(auto readonly, Bool(a, "readonly"));
    if (!readonly) return InvalidArgument("os-update_readonly_flag needs readonly");
    BS_RETURN_IF_ERROR(c.volumes().SetReadonly(c.ctx, id, *readonly).status());
    return Empty(202);
  }
  if (name == "os-reserve") {
    BS_RETURN_IF_ERROR(c.attachments().Reserve(c.ctx, id).status());
    return Empty(202);
  }
  if (name == "os-unreserve") {
    BS_RETURN_IF_ERROR(c.attachments().Unreserve(c.ctx, id).status());
    return Empty(202);
  }
  if (name == "os-begin_detaching") {
    BS_RETURN_IF_ERROR(c.attachments().BeginDetaching(c.ctx, id).status());
    return Empty(202);
  }
  if (name == "os-roll_detaching") {
    BS_RETURN_IF_ERROR(c.attachments().RollDetaching(c.ctx, id).status());
    return Empty(202);
  }
  if (name == "os-initialize_connection") {
    BS_ASSIGN_OR_RETURN(Connector conn, ConnectorInVolume(a));
    BS_ASSIGN_OR_RETURN(ConnectionInfo info, c.attachments().InitializeConnection(c.ctx, id, conn));
    return Json(200, json::object{{"connection_info", internal::ToJson(info)}});
  }
  if (name == "os-terminate_connection") {
    BS_ASSIGN_OR_RETURN(Connector conn, ConnectorInVolume(a));
    BS_RETURN_IF_ERROR(c.attachments().TerminateConnection(c.ctx, id, conn));
    return Empty(202);
  }
  if (name == "os-attach") {
    LegacyAttachRequest r;
    BS_ASSIGN_OR_RETURN(auto instance, Str(a, "instance_uuid"));
    BS_ASSIGN_OR_RETURN(auto host, Str(a, "host_name"));
    BS_ASSIGN_OR_RETURN(auto mountpoint, Str(a, "mountpoint"));
    BS_ASSIGN_OR_RETURN(auto mode, Str(a, "mode"));
    r.instance_uuid = instance.value_or("");
    r.host_name = host.value_or("");
    r.mountpoint = mountpoint.value_or("");
    r.mode = mode.value_or("rw");
    BS_RETURN_IF_ERROR(c.attachments().Attach(c.ctx, id, r).status());
    return Empty(202);
  }
  if (name == "os-detach" || name == "os-force_detach") {
    BS_ASSIGN_OR_RETURN(auto attachment, Str(a, "attachment_id"));
    if (name == "os-detach") {
      BS_RETURN_IF_ERROR(c.attachments().Detach(c.ctx, id, attachment.value_or("")).status());
    } else {
      BS_RETURN_IF_ERROR(c.attachments().ForceDetach(c.ctx, id, attachment.value_or("")).status());
    }
    return Empty(202);
  }
  return Error(400, "There is no such action: " + name);
}

}  // namespace

std::optional<RestResponse> Volumes(Call& c) {
  if (c.path.empty() || c.path[0] != "volumes") return std::nullopt;
  auto answer = [](Result<RestResponse> r) { return r.ok() ? std::move(r).value() : Error(r.status()); };
  const auto& p = c.path;
  if (p.size() == 1) {
    c.route = c.method + " /volumes";
    if (c.method == "GET") return answer(ListVolume(c, false));
    if (c.method == "POST") return answer(CreateVolume(c));
    return Error(405, "Method not allowed");
  }
  if (p.size() == 2 && p[1] == "detail") {
    c.route = c.method + " /volumes/detail";
    if (c.method == "GET") return answer(ListVolume(c, true));
    return Error(405, "Method not allowed");
  }
  if (p.size() == 2 && p[1] == "summary" && c.Version(12)) {
    c.route = c.method + " /volumes/summary";
    if (c.method == "GET") return answer(VolumeSummary(c));
    return Error(405, "Method not allowed");
  }
  const std::string& id = p[1];
  if (p.size() == 2) {
    c.route = c.method + " /volumes/{id}";
    if (c.method == "GET") {
      auto v = c.volumes().Get(c.ctx, id);
      if (!v.ok()) return Error(v.status());
      return VolumeResponse(200, c, *v);
    }
    if (c.method == "PUT") return answer(UpdateVolume(c, id));
    if (c.method == "DELETE") {
      auto cascade = BoolParam(c, "cascade", false);
      if (!cascade.ok()) return Error(cascade.status());
      auto force = BoolParam(c, "force", false);
      if (!force.ok()) return Error(force.status());
      auto d = c.volumes().Delete(c.ctx, id, {.cascade = *cascade, .force = *force});
      return d.ok() ? Empty(202) : Error(d.status());
    }
    return Error(405, "Method not allowed");
  }
  if (p.size() == 3 && p[2] == "action") {
    c.route = "POST /volumes/{id}/action";
    if (c.method != "POST") return Error(405, "Method not allowed");
    return answer(ActionVolume(c, id));
  }
  if (p[2] == "metadata" && p.size() <= 4) {
    c.route = c.method + (p.size() == 3 ? " /volumes/{id}/metadata" : " /volumes/{id}/metadata/{key}");
    return answer(ServeMetadataOf<VolumeUpdate>(c, c.volumes(), id));
  }
  return std::nullopt;
}

}  // namespace blockstore::rest
