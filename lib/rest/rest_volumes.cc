// REST: /volumes — list, detail, create, show, update, delete, metadata and actions.
#include <set>

#include "lib/attach/attach_codec.hpp"
#include "lib/core/macros.hpp"
#include "lib/rest/rest_fields.hpp"
#include "lib/rest/rest_views.hpp"

namespace blockstore::rest {
namespace {

const std::vector<std::string> kVolumeFilters = {"name", "status", "metadata", "bootable",
                                                 "availability_zone"};

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
    c.query.erase(key);
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
  BS_ASSIGN_OR_RETURN(ListQuery q, ListFrom(c, kVolumeFilters));
  const auto limit = q.limit;
  if (!times.empty()) q.limit.reset();  // filtered here: the page is cut after
  BS_ASSIGN_OR_RETURN(auto vols, c.volumes().List(c.ctx, q));
  if (!times.empty()) {
    std::erase_if(vols, [&](const Volume& v) { return !Passes(v, times); });
    if (limit && vols.size() > static_cast<std::size_t>(*limit)) vols.resize(static_cast<std::size_t>(*limit));
    q.limit = limit;
  }
  std::optional<std::size_t> count;
  BS_ASSIGN_OR_RETURN(bool with_count, BoolParam(c, "with_count", false));
  if (with_count && c.Version(45)) {
    // Every match, not one page of them: the list's own limit caps each page at 1000.
    ListQuery all = q;
    all.limit = 1000;
    all.marker.clear();
    count = 0;
    while (true) {
      BS_ASSIGN_OR_RETURN(auto page, c.volumes().List(c.ctx, all));
      *count += page.size();
      if (page.size() < 1000) break;
      all.marker = page.back().id;
    }
  }
  std::string body;
  body.reserve(vols.size() * (detail ? 900 : 250) + 256);
  JsonOut w(body);
  w.BeginObject().Key("volumes").BeginArray();
  const TypeNameMap types = detail ? TypeNames(c) : TypeNameMap{};
  for (const auto& v : vols) {
    if (detail) WriteVolumeDetail(w, c, v, types); else WriteVolumeSummary(w, c, v);
  }
  w.EndArray();
  if (auto next = NextLink(c, "volumes", vols.size(), q.limit, vols.empty() ? "" : vols.back().id)) {
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
  for (const char* unsupported : {"imageRef", "image_id", "backup_id", "group_id", "consistencygroup_id"}) {
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

Result<RestResponse> MetadataRoute(Call& c, const std::string& id) {
  BS_ASSIGN_OR_RETURN(Volume v, c.volumes().Get(c.ctx, id));
  json::object items;
  if (c.path.size() == 3) {
    if (c.method == "GET") {
      for (const auto& [k, val] : v.metadata) items[k] = val;
      return Json(200, json::object{{"metadata", items}});
    }
    if (c.method != "POST" && c.method != "PUT") return Error(405, "Method not allowed");
    BS_ASSIGN_OR_RETURN(json::object body, c.Body());
    BS_ASSIGN_OR_RETURN(auto given, Meta(body, "metadata"));
    if (!given) return InvalidArgument("Missing required element 'metadata' in request body.");
    Metadata next = c.method == "PUT" ? Metadata{} : v.metadata;
    for (const auto& [k, val] : *given) next[k] = val;
    VolumeUpdate u;
    u.metadata = next;
    BS_ASSIGN_OR_RETURN(Volume updated, c.volumes().Update(c.ctx, id, u));
    for (const auto& [k, val] : updated.metadata) items[k] = val;
    return Json(200, json::object{{"metadata", items}});
  }
  const std::string& key = c.path[3];
  auto it = v.metadata.find(key);
  if (c.method == "GET") {
    if (it == v.metadata.end()) return NotFound("metadata key '" + key + "' not found");
    return Json(200, json::object{{"meta", json::object{{key, it->second}}}});
  }
  VolumeUpdate u;
  u.metadata = v.metadata;
  if (c.method == "DELETE") {
    if (it == v.metadata.end()) return NotFound("metadata key '" + key + "' not found");
    u.metadata->erase(key);
    BS_RETURN_IF_ERROR(c.volumes().Update(c.ctx, id, u).status());
    return Empty(200);
  }
  if (c.method != "PUT") return Error(405, "Method not allowed");
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(auto meta, Meta(body, "meta"));
  if (!meta || meta->size() != 1 || meta->begin()->first != key) {
    return InvalidArgument("the body must be {\"meta\": {\"" + key + "\": value}}");
  }
  (*u.metadata)[key] = meta->begin()->second;
  BS_RETURN_IF_ERROR(c.volumes().Update(c.ctx, id, u).status());
  return Json(200, json::object{{"meta", json::object{{key, meta->begin()->second}}}});
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
  if (name == "os-reset_status") {
    BS_ASSIGN_OR_RETURN(auto status, Str(a, "status"));
    if (!status) return InvalidArgument("os-reset_status needs status");
    auto parsed = ParseVolumeStatus(*status);
    if (!parsed) return InvalidArgument("'" + *status + "' is not a volume status");
    BS_RETURN_IF_ERROR(c.volumes().ResetStatus(c.ctx, id, *parsed).status());
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
    return answer(MetadataRoute(c, id));
  }
  return std::nullopt;
}

}  // namespace blockstore::rest
