// MessageService: the user messages of failed asynchronous operations.
#include "blockstore/message_service.hpp"

#include "lib/api/service_core.hpp"
#include "lib/api/validation.hpp"
#include "lib/core/macros.hpp"

namespace blockstore {

MessageService::MessageService(internal::ServiceCore& core) : core_(core) {}

Result<UserMessage> MessageService::Get(const RequestContext& ctx, const std::string& id) {
  BS_RETURN_IF_ERROR(core_.CheckContext(ctx));
  BS_RETURN_IF_ERROR(internal::CheckLookupId("message", id));
  BS_ASSIGN_OR_RETURN(UserMessage m, core_.store().messages().Get(id));
  BS_RETURN_IF_ERROR(core_.Visible(ctx, m.project_id, "message", id));
  if (m.expires_at < core_.env().Now()) return NotFound("message " + id + " could not be found");
  return m;
}

Result<std::vector<UserMessage>> MessageService::List(const RequestContext& ctx, std::optional<int64_t> limit,
                                                      const std::string& marker, bool all_projects) {
  BS_RETURN_IF_ERROR(core_.CheckContext(ctx));
  if (all_projects) BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "listing every project's messages"));
  if (limit && (*limit < 1 || *limit > 1000)) return InvalidArgument("limit must be from 1 to 1000");
  if (!marker.empty()) BS_RETURN_IF_ERROR(internal::CheckLookupId("marker message", marker));
  (void)core_.store().messages().DeleteExpired(core_.env().Now());
  return core_.store().messages().List(all_projects ? "" : ctx.project_id, limit.value_or(1000), marker);
}

Status MessageService::Delete(const RequestContext& ctx, const std::string& id) {
  BS_RETURN_IF_ERROR(Get(ctx, id).status());
  return core_.store().messages().Delete(id);
}

}  // namespace blockstore
