// Internal: fan-out of Events to subscribers.
//
// Publish numbers each event and calls every subscriber on the publishing thread. Unsubscribe
// returns only once the subscriber's callback is not running and will not run again (unless it
// is called from inside that very callback).
#ifndef BLOCKSTORE_LIB_EVENTS_EVENT_BUS_HPP
#define BLOCKSTORE_LIB_EVENTS_EVENT_BUS_HPP

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "blockstore/types.hpp"

namespace blockstore::internal {

class EventBus {
 public:
  using Callback = std::function<void(const Event&)>;

  uint64_t Subscribe(Callback cb);
  void Unsubscribe(uint64_t token);
  // Fills in sequence; `at` must be set by the caller.
  void Publish(Event e);
  uint64_t last_sequence() const { return sequence_.load(); }

 private:
  struct Sub {
    std::recursive_mutex mu;
    Callback cb;
    bool active = true;
  };
  std::mutex mu_;
  std::map<uint64_t, std::shared_ptr<Sub>> subs_;
  uint64_t next_token_ = 1;
  std::atomic<uint64_t> sequence_{0};
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_EVENTS_EVENT_BUS_HPP
