// REST: /snapshots — list, detail, create, show, update, delete and actions.
#include "lib/core/macros.hpp"
#include "lib/rest/rest_fields.hpp"
#include "lib/rest/rest_metadata.hpp"
#include "lib/rest/rest_views.hpp"

namespace blockstore::rest {
namespace {

Result<RestResponse> ListSnapshot(Call& c) {
  BS_ASSIGN_OR_RETURN(ListQuery q, ListFrom(c, SnapshotListFilters()));
  BS_ASSIGN_OR_RETURN(auto snaps, c.snapshots().List(c.ctx, q));
  json::array items;
  for (const auto& s : snaps) items.push_back(SnapshotView(c, s));
  json::object out{{"snapshots", std::move(items)}};
  AddNextLink(c, out, "snapshots", snaps.size(), q.limit, snaps.empty() ? "" : snaps.back().id);
  BS_ASSIGN_OR_RETURN(auto count, CountIfAsked(c, q, [&](const ListQuery& all) {
    return c.snapshots().List(c.ctx, all);
  }));
  if (count) out["count"] = *count;
  return Json(200, out);
}

Result<RestResponse> CreateSnapshot(Call& c) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object s, Member(body, "snapshot"));
  SnapshotCreateRequest r;
  BS_ASSIGN_OR_RETURN(auto volume, Str(s, "volume_id"));
  BS_ASSIGN_OR_RETURN(auto name, Str(s, "name"));
  BS_ASSIGN_OR_RETURN(auto description, Str(s, "description"));
  BS_ASSIGN_OR_RETURN(auto force, Bool(s, "force"));
  BS_ASSIGN_OR_RETURN(auto meta, Meta(s, "metadata"));
  if (!volume) return InvalidArgument("Missing required element 'volume_id' in request body.");
  r.volume_id = *volume;
  r.name = name.value_or("");
  r.description = description.value_or("");
  r.force = force.value_or(false);
  r.metadata = meta.value_or(Metadata{});
  BS_ASSIGN_OR_RETURN(Snapshot made, c.snapshots().Create(c.ctx, r));
  return Json(202, json::object{{"snapshot", SnapshotView(c, made)}});
}

Result<RestResponse> UpdateSnapshot(Call& c, const std::string& id) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object s, Member(body, "snapshot"));
  BS_RETURN_IF_ERROR(OnlyKnown(s, {"name", "description", "metadata", "display_name",
                                   "display_description"}, "snapshot"));
  SnapshotUpdate u;
  BS_ASSIGN_OR_RETURN(u.name, Str(s, "name"));
  BS_ASSIGN_OR_RETURN(u.description, Str(s, "description"));
  if (!u.name) {
    BS_ASSIGN_OR_RETURN(u.name, Str(s, "display_name"));
  }
  if (!u.description) {
    BS_ASSIGN_OR_RETURN(u.description, Str(s, "display_description"));
  }
  BS_ASSIGN_OR_RETURN(u.metadata, Meta(s, "metadata"));
  BS_ASSIGN_OR_RETURN(Snapshot updated, c.snapshots().Update(c.ctx, id, u));
  return Json(200, json::object{{"snapshot", SnapshotView(c, updated)}});
}

Result<RestResponse> ActionSnapshot(Call& c, const std::string& id) {
  return StatusActions(
      c, "snapshot", [](const std::string& s) { return ParseSnapshotStatus(s); },
      [&](auto status) { return c.snapshots().ResetStatus(c.ctx, id, status).status(); },
      [&] { return c.snapshots().Delete(c.ctx, id, true).status(); });
}

}  // namespace

std::optional<RestResponse> Snapshots(Call& c) {
  if (c.path.empty() || c.path[0] != "snapshots") return std::nullopt;
  auto answer = [](Result<RestResponse> r) { return r.ok() ? std::move(r).value() : Error(r.status()); };
  const auto& p = c.path;
  if (p.size() == 1 || (p.size() == 2 && p[1] == "detail")) {
    c.route = c.method + (p.size() == 1 ? " /snapshots" : " /snapshots/detail");
    if (c.method == "GET") return answer(ListSnapshot(c));
    if (c.method == "POST" && p.size() == 1) return answer(CreateSnapshot(c));
    return Error(405, "Method not allowed");
  }
  const std::string& id = p[1];
  if (p.size() == 2) {
    c.route = c.method + " /snapshots/{id}";
    if (c.method == "GET") {
      auto s = c.snapshots().Get(c.ctx, id);
      return s.ok() ? Json(200, json::object{{"snapshot", SnapshotView(c, *s)}}) : Error(s.status());
    }
    if (c.method == "PUT") return answer(UpdateSnapshot(c, id));
    if (c.method == "DELETE") {
      auto d = c.snapshots().Delete(c.ctx, id);
      return d.ok() ? Empty(202) : Error(d.status());
    }
    return Error(405, "Method not allowed");
  }
  if (p.size() == 3 && p[2] == "action" && c.method == "POST") {
    c.route = "POST /snapshots/{id}/action";
    return answer(ActionSnapshot(c, id));
  }
  if (p[2] == "metadata" && p.size() <= 4) {
    c.route = c.method + (p.size() == 3 ? " /snapshots/{id}/metadata" : " /snapshots/{id}/metadata/{key}");
    return answer(ServeMetadataOf<SnapshotUpdate>(c, c.snapshots(), id));
  }
  return std::nullopt;
}

}  // namespace blockstore::rest
