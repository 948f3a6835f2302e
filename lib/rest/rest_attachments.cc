// REST: /attachments (3.27+; os-complete 3.44; mode 3.54).
#include "lib/attach/attach_codec.hpp"
#include "lib/core/macros.hpp"
#include "lib/rest/rest_fields.hpp"
#include "lib/rest/rest_views.hpp"

namespace blockstore::rest {
namespace {

Result<RestResponse> ListAttachment(Call& c, bool detail) {
  AttachmentQuery q;
  for (const auto& [k, v] : c.query) {
    if (k == "volume_id") q.volume_id = v;
    else if (k == "instance_id" || k == "instance_uuid") q.instance_uuid = v;
    else if (k == "status" || k == "attach_status") {
      q.attach_status = ParseAttachStatus(v);
      if (!q.attach_status) return InvalidArgument("'" + v + "' is not an attach status");
    } else if (k == "limit") {
      char* end = nullptr;
      const long long n = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 1) return InvalidArgument("limit must be a positive integer");
      q.limit = std::min<long long>(n, 1000);
    } else if (k == "marker") {
      q.marker = v;
    } else if (k == "all_tenants") {
      BS_ASSIGN_OR_RETURN(bool all, BodyBool(json::value(v.empty() ? std::string("true") : v), k));
      q.all_projects = all && c.ctx.is_admin();
    } else if (k != "sort" && k != "sort_key" && k != "sort_dir") {
      return InvalidArgument("Invalid filter keys: " + k);
    }
  }
  BS_ASSIGN_OR_RETURN(auto rows, c.attachments().List(c.ctx, q));
  json::array items;
  for (const auto& a : rows) items.push_back(detail ? AttachmentDetail(a) : AttachmentSummary(a));
  json::object out{{"attachments", std::move(items)}};
  AddNextLink(c, out, "attachments", rows.size(), q.limit, rows.empty() ? "" : rows.back().id);
  return Json(200, out);
}

Result<Connector> ConnectorInAttachment(const json::object& a) {
  const auto* c = a.if_contains("connector");
  // `cinder attachment-create` without --connect sends {}: as Cinder, no connector at all.
  if (!c || c->is_null() || (c->is_object() && c->as_object().empty())) return NotFound("no connector");
  return internal::ConnectorFromJson(*c);
}

Result<RestResponse> CreateAttachment(Call& c) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object a, Member(body, "attachment"));
  AttachmentCreateRequest r;
  BS_ASSIGN_OR_RETURN(auto volume, Str(a, "volume_uuid"));
  BS_ASSIGN_OR_RETURN(auto instance, Str(a, "instance_uuid"));
  BS_ASSIGN_OR_RETURN(auto mode, Str(a, "mode"));
  if (!volume) return InvalidArgument("Missing required element 'volume_uuid' in request body.");
  if (mode && !c.Version(54)) return InvalidArgument("'mode' needs microversion 3.54");
  r.volume_id = *volume;
  r.instance_uuid = instance.value_or("");
  r.mode = mode.value_or("");
  auto conn = ConnectorInAttachment(a);
  if (conn.ok()) r.connector = *conn;
  else if (conn.status().code() != Code::kNotFound) return conn.status();
  BS_ASSIGN_OR_RETURN(Attachment made, c.attachments().Create(c.ctx, r));
  return Json(200, json::object{{"attachment", AttachmentDetail(made)}});
}

Result<RestResponse> UpdateAttachment(Call& c, const std::string& id) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object a, Member(body, "attachment"));
  auto conn = ConnectorInAttachment(a);
  if (!conn.ok() && conn.status().code() == Code::kNotFound) {
    return InvalidArgument("an attachment update needs a connector");
  }
  BS_RETURN_IF_ERROR(conn.status());
  BS_ASSIGN_OR_RETURN(Attachment updated, c.attachments().Update(c.ctx, id, *conn));
  return Json(200, json::object{{"attachment", AttachmentDetail(updated)}});
}

}  // namespace

std::optional<RestResponse> Attachments(Call& c) {
  if (c.path.empty() || c.path[0] != "attachments") return std::nullopt;
  if (!c.Version(27)) return Error(404, "The attachments API needs microversion 3.27 or later");
  auto answer = [](Result<RestResponse> r) { return r.ok() ? std::move(r).value() : Error(r.status()); };
  const auto& p = c.path;
  if (p.size() == 1 || (p.size() == 2 && p[1] == "detail")) {
    c.route = c.method + (p.size() == 1 ? " /attachments" : " /attachments/detail");
    if (c.method == "GET") return answer(ListAttachment(c, p.size() == 2));
    if (c.method == "POST" && p.size() == 1) return answer(CreateAttachment(c));
    return Error(405, "Method not allowed");
  }
  const std::string& id = p[1];
  if (p.size() == 2) {
    c.route = c.method + " /attachments/{id}";
    if (c.method == "GET") {
      auto a = c.attachments().Get(c.ctx, id);
      return a.ok() ? Json(200, json::object{{"attachment", AttachmentDetail(*a)}}) : Error(a.status());
    }
    if (c.method == "PUT") return answer(UpdateAttachment(c, id));
    if (c.method == "DELETE") {
      auto left = c.attachments().Delete(c.ctx, id);
      if (!left.ok()) return Error(left.status());
      json::array items;
      for (const auto& a : *left) items.push_back(AttachmentSummary(a));
      return Json(200, json::object{{"attachments", std::move(items)}});
    }
    return Error(405, "Method not allowed");
  }
  if (p.size() == 3 && p[2] == "action") {
    c.route = c.method + " /attachments/{id}/action";
    if (c.method != "POST") return Error(405, "Method not allowed");
    auto body = c.Body();
    if (!body.ok()) return Error(body.status());
    if (body->size() != 1 || body->begin()->key() != "os-complete") {
      return Error(400, "The only attachment action is os-complete");
    }
    if (!c.Version(44)) return Error(404, "os-complete needs microversion 3.44 or later");
    auto done = c.attachments().Complete(c.ctx, id);
    return done.ok() ? Empty(204) : Error(done.status());
  }
  return std::nullopt;
}

}  // namespace blockstore::rest
