// Internal: the user message an event of a failed asynchronous operation leaves (Cinder's user
// messages, 3.3), for the project it failed for.
#ifndef BLOCKSTORE_LIB_EVENTS_USER_MESSAGES_HPP
#define BLOCKSTORE_LIB_EVENTS_USER_MESSAGES_HPP

#include <chrono>
#include <optional>

#include "blockstore/types.hpp"

namespace blockstore::internal {

// The message for an `*.error` event of a volume, snapshot or backup (nothing for other
// events): what was being done and why it failed, the event's own reason kept whole (a create
// no backend could take keeps the scheduler's reason per filter). Expires `ttl` after `now`.
std::optional<UserMessage> MessageFor(const Event& e, TimePoint now, std::chrono::seconds ttl);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_EVENTS_USER_MESSAGES_HPP
