#include "lib/events/event_bus.hpp"

#include <vector>

namespace blockstore::internal {

uint64_t EventBus::Subscribe(Callback cb) {
  auto sub = std::make_shared<Sub>();
  sub->cb = std::move(cb);
  std::lock_guard lock(mu_);
  const uint64_t token = next_token_++;
  subs_.emplace(token, std::move(sub));
  return token;
}

void EventBus::Unsubscribe(uint64_t token) {
  std::shared_ptr<Sub> sub;
  {
    std::lock_guard lock(mu_);
    auto it = subs_.find(token);
    if (it == subs_.end()) return;
    sub = std::move(it->second);
    subs_.erase(it);
  }
  std::lock_guard wait(sub->mu);  // waits out a running callback
  sub->active = false;
}

void EventBus::Publish(Event e) {
  std::vector<std::shared_ptr<Sub>> subs;
  {
    std::lock_guard lock(mu_);
    e.sequence = ++sequence_;
    subs.reserve(subs_.size());
    for (auto& [token, sub] : subs_) subs.push_back(sub);
  }
  for (auto& sub : subs) {
    std::lock_guard lock(sub->mu);
    if (!sub->active) continue;
    try {
      sub->cb(e);
    } catch (...) {
      // A subscriber's failure must not break the operation that published the event.
    }
  }
}

}  // namespace blockstore::internal
