// REST: /types — volume types and their extra specs.
#include "lib/core/macros.hpp"
#include "lib/rest/rest_fields.hpp"
#include "lib/rest/rest_views.hpp"

namespace blockstore::rest {
namespace {

Result<RestResponse> CreateType(Call& c) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object t, Member(body, "volume_type"));
  VolumeTypeCreateRequest r;
  BS_ASSIGN_OR_RETURN(auto name, Str(t, "name"));
  BS_ASSIGN_OR_RETURN(auto description, Str(t, "description"));
  BS_ASSIGN_OR_RETURN(auto is_public, Bool(t, "os-volume-type-access:is_public"));
  BS_ASSIGN_OR_RETURN(auto specs, Meta(t, "extra_specs"));
  if (!name) return InvalidArgument("Missing required element 'name' in request body.");
  r.name = *name;
  r.description = description.value_or("");
  r.is_public = is_public.value_or(true);
  r.extra_specs = specs.value_or(Metadata{});
  BS_ASSIGN_OR_RETURN(VolumeType made, c.types().Create(c.ctx, r));
  return Json(200, json::object{{"volume_type", TypeView(made)}});
}

Result<RestResponse> UpdateType(Call& c, const std::string& id) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object t, Member(body, "volume_type"));
  VolumeTypeUpdate u;
  BS_ASSIGN_OR_RETURN(u.name, Str(t, "name"));
  BS_ASSIGN_OR_RETURN(u.description, Str(t, "description"));
  BS_ASSIGN_OR_RETURN(u.is_public, Bool(t, "is_public"));
  BS_ASSIGN_OR_RETURN(VolumeType updated, c.types().Update(c.ctx, id, u));
  return Json(200, json::object{{"volume_type", TypeView(updated)}});
}

Result<RestResponse> ExtraSpecs(Call& c, const std::string& id) {
  if (c.path.size() == 3) {
    if (c.method == "GET") {
      BS_ASSIGN_OR_RETURN(VolumeType t, c.types().Get(c.ctx, id));
      return Json(200, json::object{{"extra_specs", TypeView(t)["extra_specs"]}});
    }
    if (c.method != "POST") return Error(405, "Method not allowed");
    BS_ASSIGN_OR_RETURN(json::object body, c.Body());
    BS_ASSIGN_OR_RETURN(auto specs, Meta(body, "extra_specs"));
    if (!specs) return InvalidArgument("Missing required element 'extra_specs' in request body.");
    BS_ASSIGN_OR_RETURN(VolumeType t, c.types().SetExtraSpecs(c.ctx, id, *specs));
    json::object out;
    for (const auto& [k, v] : *specs) out[k] = t.extra_specs[k];
    return Json(200, json::object{{"extra_specs", out}});
  }
  const std::string& key = c.path[3];
  if (c.method == "GET") {
    BS_ASSIGN_OR_RETURN(VolumeType t, c.types().Get(c.ctx, id));
    auto it = t.extra_specs.find(key);
    if (it == t.extra_specs.end()) return NotFound("extra spec '" + key + "' not found");
    return Json(200, json::object{{key, it->second}});
  }
  if (c.method == "DELETE") {
    BS_RETURN_IF_ERROR(c.types().UnsetExtraSpec(c.ctx, id, key).status());
    return Empty(202);
  }
  if (c.method != "PUT") return Error(405, "Method not allowed");
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  if (body.size() != 1 || body.begin()->key() != key || !body.begin()->value().is_string()) {
    return InvalidArgument("the body must be {\"" + key + "\": \"value\"}");
  }
  const std::string value(body.begin()->value().get_string());
  BS_RETURN_IF_ERROR(c.types().SetExtraSpecs(c.ctx, id, {{key, value}}).status());
  return Json(200, json::object{{key, value}});
}

// POST /types/{id}/action: addProjectAccess / removeProjectAccess, each {"project": id}.
Result<RestResponse> ActionType(Call& c, const std::string& id) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  if (body.size() != 1) return InvalidArgument("a volume type action body names exactly one action");
  const std::string name(body.begin()->key());
  if (name != "addProjectAccess" && name != "removeProjectAccess") {
    return InvalidArgument("unknown volume type action '" + name + "'");
  }
  BS_ASSIGN_OR_RETURN(json::object a, Member(body, name.c_str()));
  BS_RETURN_IF_ERROR(OnlyKnown(a, {"project"}, name.c_str()));
  BS_ASSIGN_OR_RETURN(auto project, Str(a, "project"));
  if (!project) return InvalidArgument(name + " needs project");
  if (name == "addProjectAccess") {
    BS_RETURN_IF_ERROR(c.types().AddAccess(c.ctx, id, *project));
  } else {
    BS_RETURN_IF_ERROR(c.types().RemoveAccess(c.ctx, id, *project));
  }
  return Empty(202);
}

Result<RestResponse> AccessList(Call& c, const std::string& id) {
  BS_ASSIGN_OR_RETURN(auto projects, c.types().ListAccess(c.ctx, id));
  json::array items;
  for (const auto& p : projects) {
    items.push_back(json::object{{"volume_type_id", id}, {"project_id", p}});
  }
  return Json(200, json::object{{"volume_type_access", std::move(items)}});
}

}  // namespace

std::optional<RestResponse> Types(Call& c) {
  if (c.path.empty() || c.path[0] != "types") return std::nullopt;
  auto answer = [](Result<RestResponse> r) { return r.ok() ? std::move(r).value() : Error(r.status()); };
  const auto& p = c.path;
  if (p.size() == 1) {
    c.route = c.method + " /types";
    if (c.method == "GET") {
      auto types = c.types().List(c.ctx);
      if (!types.ok()) return Error(types.status());
      json::array items;
      for (const auto& t : *types) items.push_back(TypeView(t));
      return Json(200, json::object{{"volume_types", std::move(items)}});
    }
    if (c.method == "POST") return answer(CreateType(c));
    return Error(405, "Method not allowed");
  }
  const std::string& id = p[1];
  if (p.size() == 2) {
    c.route = c.method + " /types/{id}";
    if (c.method == "GET") {
      auto t = id == "default" ? c.types().GetDefault(c.ctx) : c.types().Get(c.ctx, id);
      return t.ok() ? Json(200, json::object{{"volume_type", TypeView(*t)}}) : Error(t.status());
    }
    if (c.method == "PUT") return answer(UpdateType(c, id));
    if (c.method == "DELETE") {
      Status s = c.types().Delete(c.ctx, id);
      return s.ok() ? Empty(202) : Error(s);
    }
    return Error(405, "Method not allowed");
  }
  if (p[2] == "extra_specs" && p.size() <= 4) {
    c.route = c.method + (p.size() == 3 ? " /types/{id}/extra_specs" : " /types/{id}/extra_specs/{key}");
    return answer(ExtraSpecs(c, id));
  }
  if (p.size() == 3 && p[2] == "action") {
    c.route = c.method + " /types/{id}/action";
    if (c.method != "POST") return Error(405, "Method not allowed");
    return answer(ActionType(c, id));
  }
  if (p.size() == 3 && p[2] == "os-volume-type-access") {
    c.route = c.method + " /types/{id}/os-volume-type-access";
    if (c.method != "GET") return Error(405, "Method not allowed");
    return answer(AccessList(c, id));
  }
  return std::nullopt;
}

}  // namespace blockstore::rest
