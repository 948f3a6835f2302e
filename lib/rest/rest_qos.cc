// REST: /qos-specs (admin) — create, list, show, set and unset keys, delete, associations.
#include "lib/core/macros.hpp"
#include "lib/rest/rest_fields.hpp"

namespace blockstore::rest {
namespace {

json::object QosView(const QosSpec& q) {
  json::object specs;
  for (const auto& [k, v] : q.specs) specs[k] = v;
  return {{"id", q.id}, {"name", q.name}, {"consumer", q.consumer}, {"specs", std::move(specs)}};
}

Result<RestResponse> CreateQos(Call& c) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object q, Member(body, "qos_specs"));
  QosSpecCreateRequest r;
  for (const auto& kv : q) {
    const std::string k(kv.key());
    if (!kv.value().is_string()) return InvalidArgument("qos_specs: '" + k + "' must be a string");
    const std::string v(kv.value().get_string());
    if (k == "name") r.name = v;
    else if (k == "consumer") r.consumer = v;
    else r.specs[k] = v;
  }
  BS_ASSIGN_OR_RETURN(QosSpec made, c.qos().Create(c.ctx, r));
  return Json(200, json::object{{"qos_specs", QosView(made)}});
}

Result<RestResponse> Associations(Call& c, const std::string& id) {
  BS_RETURN_IF_ERROR(c.qos().Get(c.ctx, id).status());
  BS_ASSIGN_OR_RETURN(auto types, c.types().List(c.ctx));
  json::array out;
  for (const auto& t : types) {
    if (t.qos_specs_id != id) continue;
    out.push_back(json::object{{"association_type", "volume_type"}, {"name", t.name}, {"id", t.id}});
  }
  return Json(200, json::object{{"qos_associations", std::move(out)}});
}

Result<RestResponse> QosMember(Call& c, const std::string& id) {
  const auto& p = c.path;
  if (p.size() == 2) {
    if (c.method == "GET") {
      BS_ASSIGN_OR_RETURN(QosSpec q, c.qos().Get(c.ctx, id));
      return Json(200, json::object{{"qos_specs", QosView(q)}});
    }
    if (c.method == "DELETE") {
      BS_ASSIGN_OR_RETURN(bool force, BoolParam(c, "force", false));
      BS_RETURN_IF_ERROR(c.qos().Delete(c.ctx, id, force));
      return Empty(202);
    }
    if (c.method == "PUT") {
      BS_ASSIGN_OR_RETURN(json::object body, c.Body());
      BS_ASSIGN_OR_RETURN(auto specs, Meta(body, "qos_specs"));
      if (!specs) return InvalidArgument("Missing required element 'qos_specs' in request body.");
      BS_RETURN_IF_ERROR(c.qos().SetKeys(c.ctx, id, *specs).status());
      json::object out;
      for (const auto& [k, v] : *specs) out[k] = v;
      return Json(200, json::object{{"qos_specs", std::move(out)}});
    }
    return Error(405, "Method not allowed");
  }
  const std::string& what = p[2];
  if (what == "delete_keys" && c.method == "PUT") {
    BS_ASSIGN_OR_RETURN(json::object body, c.Body());
    const auto* keys = body.if_contains("keys");
    if (!keys || !keys->is_array()) return InvalidArgument("delete_keys needs a list of keys");
    for (const auto& k : keys->as_array()) {
      if (!k.is_string()) return InvalidArgument("delete_keys needs a list of keys");
      BS_RETURN_IF_ERROR(c.qos().UnsetKey(c.ctx, id, std::string(k.get_string())).status());
    }
    return Empty(202);
  }
  if (c.method != "GET") return Error(405, "Method not allowed");
  if (what == "associations") return Associations(c, id);
  if (what == "associate" || what == "disassociate") {
    auto type = c.Param("vol_type_id");
    if (!type) return InvalidArgument("vol_type_id is required");
    BS_RETURN_IF_ERROR(what == "associate" ? c.qos().Associate(c.ctx, id, *type)
                                           : c.qos().Disassociate(c.ctx, id, *type));
    return Empty(202);
  }
  if (what == "disassociate_all") {
    BS_ASSIGN_OR_RETURN(auto types, c.types().List(c.ctx));
    for (const auto& t : types) {
      if (t.qos_specs_id == id) BS_RETURN_IF_ERROR(c.qos().Disassociate(c.ctx, id, t.id));
    }
    return Empty(202);
  }
  return NotFound("The resource could not be found.");
}

}  // namespace

std::optional<RestResponse> Qos(Call& c) {
  if (c.path.empty() || c.path[0] != "qos-specs" || c.path.size() > 3) return std::nullopt;
  auto answer = [](Result<RestResponse> r) { return r.ok() ? std::move(r).value() : Error(r.status()); };
  if (c.path.size() == 1) {
    c.route = c.method + " /qos-specs";
    if (c.method == "GET") {
      auto all = c.qos().List(c.ctx);
      if (!all.ok()) return Error(all.status());
      json::array items;
      for (const auto& q : *all) items.push_back(QosView(q));
      return Json(200, json::object{{"qos_specs", std::move(items)}});
    }
    if (c.method == "POST") return answer(CreateQos(c));
    return Error(405, "Method not allowed");
  }
  c.route = c.method + (c.path.size() == 2 ? " /qos-specs/{id}" : " /qos-specs/{id}/" + c.path[2]);
  return answer(QosMember(c, c.path[1]));
}

}  // namespace blockstore::rest
