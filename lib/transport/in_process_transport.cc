// The in-process transport: one queue and a few worker threads per topic.
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "blockstore/transport.hpp"

namespace blockstore {

Transport::~Transport() = default;

Status Transport::Fanout(const std::string& topic, std::string message) {
  Status s = Cast(topic, std::move(message));
  // Nobody listening is no error for a fanout; a closed transport still is.
  if (s.code() == Code::kUnavailable && s.message().rfind("nobody listens", 0) == 0) return Status::Ok();
  return s;
}

Status Transport::Notify(const std::string&, std::string) { return Status::Ok(); }

namespace {

class InProcessTransport final : public Transport {
 public:
  ~InProcessTransport() override { Shutdown(); }

  Status Listen(const std::string& topic, MessageHandler handler, int workers) override {
    if (!handler || workers < 1) return InvalidArgument("Listen needs a handler and workers ≥ 1");
    std::lock_guard lock(mu_);
    if (closed_) return Unavailable("transport is shut down");
    if (topics_.count(topic)) return AlreadyExists("topic '" + topic + "' already has a handler");
    auto& t = topics_[topic];
    t.handler = std::move(handler);
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this, &t] { Serve(t); });
    return Status::Ok();
  }

  Status Cast(const std::string& topic, std::string message) override {
    return Enqueue(topic, Item{std::move(message), nullptr});
  }

  Result<std::string> Call(const std::string& topic, std::string message,
                           std::chrono::milliseconds timeout) override {
    auto reply = std::make_shared<std::promise<Result<std::string>>>();
    auto future = reply->get_future();
    if (Status s = Enqueue(topic, Item{std::move(message), reply}); !s.ok()) return s;
    if (future.wait_for(timeout) != std::future_status::ready) {
      return DeadlineExceeded("no reply on topic '" + topic + "' within " +
                              std::to_string(timeout.count()) + " ms");
    }
    return future.get();
  }

  void Shutdown() override {
    std::unique_lock lock(mu_);
    idle_.wait(lock, [this] { return pending_ == 0; });
    closed_ = true;
    for (auto& [name, t] : topics_) t.wake.notify_all();
    std::vector<std::thread> threads = std::move(threads_);
    threads_.clear();
    lock.unlock();
    for (auto& th : threads) th.join();
  }

 private:
  struct Item {
    std::string message;
    std::shared_ptr<std::promise<Result<std::string>>> reply;
  };
  struct Topic {
    MessageHandler handler;
    std::deque<Item> queue;
    std::condition_variable wake;
  };

  Status Enqueue(const std::string& topic, Item item) {
    std::lock_guard lock(mu_);
    if (closed_) return Unavailable("transport is shut down");
    auto it = topics_.find(topic);
    if (it == topics_.end()) return Unavailable("nobody listens on topic '" + topic + "'");
    it->second.queue.push_back(std::move(item));
    ++pending_;
    it->second.wake.notify_one();
    return Status::Ok();
  }

  void Serve(Topic& t) {
    std::unique_lock lock(mu_);
    while (true) {
      t.wake.wait(lock, [&] { return closed_ || !t.queue.empty(); });
      if (t.queue.empty()) return;  // closed and drained
      Item item = std::move(t.queue.front());
      t.queue.pop_front();
      lock.unlock();
      Result<std::string> out = Internal("handler threw");
      try {
        out = t.handler(item.message);
      } catch (const std::exception& e) {
        out = Internal(std::string("handler threw: ") + e.what());
      }
      if (item.reply) item.reply->set_value(std::move(out));
      lock.lock();
      if (--pending_ == 0) idle_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable idle_;
  std::map<std::string, Topic> topics_;
  std::vector<std::thread> threads_;
  std::size_t pending_ = 0;  // queued or running messages, over all topics
  bool closed_ = false;
};

}  // namespace

std::unique_ptr<Transport> NewInProcessTransport() {
  return std::make_unique<InProcessTransport>();
}

}  // namespace blockstore
