// blockstore — MessageService: the user messages failed asynchronous operations leave (Cinder's
// /messages, 3.3): what failed, on which resource, and why — a create no backend could take
// keeps the scheduler's reason per filter, which Cinder only logs.
//
// A project sees its own messages; an admin sees any one, and lists every project's with
// all_projects. Messages expire after the engine's
// message_ttl (30 days by default) and go when they are listed after that.
//
// Thread-safety: every method may be called from any thread concurrently.
#ifndef BLOCKSTORE_MESSAGE_SERVICE_HPP
#define BLOCKSTORE_MESSAGE_SERVICE_HPP

#include <optional>
#include <string>
#include <vector>

#include "blockstore/context.hpp"
#include "blockstore/export.h"
#include "blockstore/result.hpp"
#include "blockstore/types.hpp"

namespace blockstore {

namespace internal {
class ServiceCore;
}  // namespace internal

class BS_API MessageService {
 public:
  explicit MessageService(internal::ServiceCore& core);
  MessageService(const MessageService&) = delete;
  MessageService& operator=(const MessageService&) = delete;

  Result<UserMessage> Get(const RequestContext& ctx, const std::string& id);
  // Newest first: up to `limit` (1..1000, default 1000) after the message `marker`; the
  // caller's project's, or (admin only) every project's.
  Result<std::vector<UserMessage>> List(const RequestContext& ctx, std::optional<int64_t> limit = std::nullopt,
                                        const std::string& marker = {}, bool all_projects = false);
  Status Delete(const RequestContext& ctx, const std::string& id);

 private:
  internal::ServiceCore& core_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_MESSAGE_SERVICE_HPP
