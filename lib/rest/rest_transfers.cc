// REST: volume transfers — /os-volume-transfer and, from 3.55, /volume-transfers (the same
// calls, with no_snapshots): create, list (summary and detail), show, accept, delete.
#include "lib/core/macros.hpp"
#include "lib/rest/rest_fields.hpp"
#include "lib/rest/rest_views.hpp"

namespace blockstore::rest {
namespace {

json::object Summary(const Call& c, const std::string& collection, const VolumeTransfer& t) {
  return {{"id", t.id}, {"name", t.name}, {"volume_id", t.volume_id}, {"links", Links(c, collection, t.id)}};
}

json::object Detail(const Call& c, const std::string& collection, const VolumeTransfer& t) {
  json::object o = Summary(c, collection, t);
  o["created_at"] = FormatTime(t.created_at);
  if (c.Version(57)) {
    o["source_project_id"] = t.source_project_id;
    o["destination_project_id"] =
        t.destination_project_id.empty() ? json::value(nullptr) : json::value(t.destination_project_id);
    o["accepted"] = t.accepted;
  }
  return o;
}

Result<RestResponse> Create(Call& c, const std::string& collection) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object t, Member(body, "transfer"));
  std::set<std::string> known = {"volume_id", "name"};
  if (collection == "volume-transfers") known.insert("no_snapshots");
  BS_RETURN_IF_ERROR(OnlyKnown(t, known, "transfer"));
  BS_ASSIGN_OR_RETURN(auto volume_id, Str(t, "volume_id"));
  if (!volume_id || volume_id->empty()) return InvalidArgument("Incorrect request body format: transfer needs volume_id");
  BS_ASSIGN_OR_RETURN(auto name, Str(t, "name"));
  bool no_snapshots = false;
  if (auto it = t.find("no_snapshots"); it != t.end() && !it->value().is_null()) {
    BS_ASSIGN_OR_RETURN(no_snapshots, BodyBool(it->value(), "no_snapshots"));
  }
  // Cinder strips the name it is given.
  std::string n = name.value_or("");
  while (!n.empty() && n.back() == ' ') n.pop_back();
  while (!n.empty() && n.front() == ' ') n.erase(n.begin());
  BS_ASSIGN_OR_RETURN(TransferCreated made, c.engine.transfers().Create(c.ctx, *volume_id, n, no_snapshots));
  json::object view = Detail(c, collection, made.transfer);
  view["auth_key"] = made.auth_key;
  return Json(202, json::object{{"transfer", std::move(view)}});
}

Result<RestResponse> Accept(Call& c, const std::string& collection, const std::string& id) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object a, Member(body, "accept"));
  BS_RETURN_IF_ERROR(OnlyKnown(a, {"auth_key"}, "accept"));
  BS_ASSIGN_OR_RETURN(auto key, Str(a, "auth_key"));
  if (!key) return InvalidArgument("Incorrect request body format: accept needs auth_key");
  BS_ASSIGN_OR_RETURN(VolumeTransfer t, c.engine.transfers().Accept(c.ctx, id, *key));
  return Json(202, json::object{{"transfer", Summary(c, collection, t)}});
}

Result<RestResponse> List(Call& c, const std::string& collection, bool detail) {
  BS_ASSIGN_OR_RETURN(bool all, BoolParam(c, "all_tenants", false));
  BS_ASSIGN_OR_RETURN(auto list, c.engine.transfers().List(c.ctx, all));
  json::array items;
  for (const auto& t : list) items.push_back(detail ? Detail(c, collection, t) : Summary(c, collection, t));
  return Json(200, json::object{{"transfers", std::move(items)}});
}

}  // namespace

std::optional<RestResponse> Transfers(Call& c) {
  if (c.path.empty() || (c.path[0] != "os-volume-transfer" && c.path[0] != "volume-transfers") || c.path.size() > 3) {
    return std::nullopt;
  }
  const std::string collection = c.path[0];
  if (collection == "volume-transfers" && !c.Version(55)) {
    return Error(404, "The resource could not be found (volume-transfers needs microversion 3.55).");
  }
  auto answer = [](Result<RestResponse> r) { return r.ok() ? std::move(r).value() : Error(r.status()); };
  if (c.path.size() == 1) {
    c.route = c.method + " /" + collection;
    if (c.method == "POST") return answer(Create(c, collection));
    if (c.method == "GET") return answer(List(c, collection, false));
    return Error(405, "Method not allowed");
  }
  const std::string& id = c.path[1];
  if (c.path.size() == 2 && id == "detail") {
    c.route = c.method + " /" + collection + "/detail";
    if (c.method == "GET") return answer(List(c, collection, true));
    return Error(405, "Method not allowed");
  }
  if (c.path.size() == 3) {
    if (c.path[2] != "accept") return std::nullopt;
    c.route = c.method + " /" + collection + "/{id}/accept";
    if (c.method == "POST") return answer(Accept(c, collection, id));
    return Error(405, "Method not allowed");
  }
  c.route = c.method + " /" + collection + "/{id}";
  if (c.method == "GET") {
    auto t = c.engine.transfers().Get(c.ctx, id);
    if (!t.ok()) return Error(t.status());
    return Json(200, json::object{{"transfer", Detail(c, collection, *t)}});
  }
  if (c.method == "DELETE") {
    if (Status s = c.engine.transfers().Delete(c.ctx, id); !s.ok()) return Error(s);
    return Empty(202);
  }
  return Error(405, "Method not allowed");
}

}  // namespace blockstore::rest
