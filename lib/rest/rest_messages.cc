// REST: /messages (3.3) — the user messages failed asynchronous operations leave: list, show,
// delete.
#include <cstdlib>

#include "lib/core/macros.hpp"
#include "lib/rest/rest_fields.hpp"

namespace blockstore::rest {
namespace {

json::object MessageView(const Call& c, const UserMessage& m) {
  return {{"id", m.id},
          {"message_level", m.message_level},
          {"event_id", m.event_id},
          {"user_message", m.user_message},
          {"resource_type", m.resource_type},
          {"resource_uuid", m.resource_uuid},
          {"request_id", m.request_id.empty() ? json::value(nullptr) : json::value(m.request_id)},
          {"created_at", FormatTime(m.created_at)},
          {"guaranteed_until", FormatTime(m.expires_at)},
          {"links", json::array{json::object{{"href", c.Link("messages", m.id)}, {"rel", "self"}}}}};
}

Result<RestResponse> ListMessages(Call& c) {
  std::optional<int64_t> limit;
  if (auto l = c.Param("limit")) {
    char* end = nullptr;
    const long long n = std::strtoll(l->c_str(), &end, 10);
    if (l->empty() || *end != '\0' || n < 1 || n > 1000) return InvalidArgument("limit must be from 1 to 1000");
    limit = n;
  }
  BS_ASSIGN_OR_RETURN(bool all, BoolParam(c, "all_tenants", false));
  BS_ASSIGN_OR_RETURN(auto list, c.engine.messages().List(c.ctx, limit, c.Param("marker").value_or(""), all));
  json::array items;
  for (const auto& m : list) items.push_back(MessageView(c, m));
  return Json(200, json::object{{"messages", std::move(items)}});
}

}  // namespace

std::optional<RestResponse> Messages(Call& c) {
  if (c.path.empty() || c.path[0] != "messages" || c.path.size() > 2) return std::nullopt;
  if (!c.Version(3)) return Error(404, "The resource could not be found (messages need microversion 3.3).");
  auto answer = [](Result<RestResponse> r) { return r.ok() ? std::move(r).value() : Error(r.status()); };
  if (c.path.size() == 1) {
    c.route = c.method + " /messages";
    if (c.method == "GET") return answer(ListMessages(c));
    return Error(405, "Method not allowed");
  }
  c.route = c.method + " /messages/{id}";
  const std::string& id = c.path[1];
  if (c.method == "GET") {
    auto m = c.engine.messages().Get(c.ctx, id);
    if (!m.ok()) return Error(m.status());
    return Json(200, json::object{{"message", MessageView(c, *m)}});
  }
  if (c.method == "DELETE") {
    if (Status s = c.engine.messages().Delete(c.ctx, id); !s.ok()) return Error(s);
    return Empty(204);
  }
  return Error(405, "Method not allowed");
}

}  // namespace blockstore::rest
