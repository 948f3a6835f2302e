#include "lib/backup/read_turnstile.hpp"

#include <algorithm>

namespace blockstore::internal {

ReadTurnstile::ReadTurnstile(int streams) : streams_(std::max(1, streams)) {}

void ReadTurnstile::Enter(std::size_t index) {
  std::unique_lock lock(mu_);
  turn_.wait(lock, [&] { return next_ == index && running_ < streams_; });
  next_ = index + 1;
  ++running_;
  turn_.notify_all();
}

void ReadTurnstile::Leave() {
  std::lock_guard lock(mu_);
  --running_;
  turn_.notify_all();
}

void ReadTurnstile::Skip(std::size_t index) {
  std::unique_lock lock(mu_);
  turn_.wait(lock, [&] { return next_ == index; });
  next_ = index + 1;
  turn_.notify_all();
}

}  // namespace blockstore::internal
