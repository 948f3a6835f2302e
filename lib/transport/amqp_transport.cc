// The AMQP transport: one consuming connection served by a thread of its own, worker threads per
// topic, and a publisher any thread may use.
//
// The consumer thread alone touches the consuming connection: it declares and consumes the
// queues, hands deliveries to the topics' workers, completes calls from the reply queue, and
// sends the acknowledgements the workers leave it once their handler has returned. It sleeps in
// poll() on the socket and an eventfd the other threads write to wake it.
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <tuple>
#include <vector>

#include "blockstore/amqp_transport.hpp"
#include "lib/transport/amqp_connection.hpp"
#include "lib/core/macros.hpp"
#include "lib/transport/amqp_publisher.hpp"

namespace blockstore {

namespace amqp_transport {

using SteadyClock = std::chrono::steady_clock;
using internal::AmqpConnection;
using internal::AmqpMessage;
using internal::Bytes;
using internal::Text;

constexpr amqp_channel_t kReplyChannel = 1;

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

std::string RandomSuffix() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 12; ++i) s += kHex[rd() % 16];
  return s;
}

struct Delivery {
  uint64_t generation = 0;  // the connection it came on: an ack is only good on that one
  amqp_channel_t channel = 0;
  uint64_t tag = 0;
  std::string body;
  std::string reply_to;
  std::string correlation_id;
};

struct Topic {
  std::string name;
  MessageHandler handler;
  int workers = 1;
  amqp_channel_t channel = 0;
  std::deque<Delivery> queue;
  std::condition_variable wake;
  std::vector<std::thread> threads;
  uint64_t subscribed = 0;                 // the generation consuming it (0: none yet)
  std::vector<std::string> consumer_tags;  // the consumer thread's alone
};

class AmqpTransport final : public Transport {
 public:
  AmqpTransport(AmqpTransportOptions options, internal::AmqpSettings settings)
      : options_(std::move(options)),
        settings_(std::move(settings)),
        publisher_(internal::AmqpPublisher::Options{settings_, options_.exchange, 4, options_.reconnect_min,
                                                    options_.reconnect_max}),
        call_prefix_(settings_.process_name + "." + RandomSuffix() + ".") {}

  ~AmqpTransport() override {
    Shutdown();
    if (wake_fd_ >= 0) ::close(wake_fd_);
  }

  Status Start() {
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) return Internal("amqp: eventfd failed");
    if (Status s = publisher_.Probe(); !s.ok()) return s;
    io_ = std::thread([this] { IoLoop(); });
    std::unique_lock lock(mu_);
    state_cv_.wait_for(lock, std::chrono::seconds(15), [this] { return connected_ || first_attempt_done_; });
    if (connected_) return Status::Ok();
    const Status failed = first_error_.ok() ? Unavailable("amqp: no connection to the broker in 15 s") : first_error_;
    lock.unlock();
    Shutdown();
    return failed;
  }

  Status Listen(const std::string& topic, MessageHandler handler, int workers) override {
    if (!handler || workers < 1) return InvalidArgument("Listen needs a handler and workers ≥ 1");
    if (topic.empty() || topic.size() > 200) return InvalidArgument("a topic is 1 to 200 characters");
    std::unique_lock lock(mu_);
    if (stopping_) return Unavailable("transport is shut down");
    if (topics_.count(topic)) return AlreadyExists("topic '" + topic + "' already has a handler");
    auto owned = std::make_unique<Topic>();
    Topic& t = *owned;
    t.name = topic;
    t.handler = std::move(handler);
    t.workers = workers;
    t.channel = next_channel_++;
    by_channel_[t.channel] = &t;
    for (int i = 0; i < workers; ++i) t.threads.emplace_back([this, &t] { Serve(t); });
    topics_[topic] = std::move(owned);
    lock.unlock();
    Wake();
    lock.lock();
    // While connected, the queue is bound before Listen returns, so a Cast right after it
    // reaches this listener; while reconnecting, the subscription follows the reconnect.
    const bool done = state_cv_.wait_for(lock, std::chrono::seconds(15), [&] {
      return !connected_ || t.subscribed == generation_ || stopping_;
    });
    if (!done) return Unavailable("amqp: could not subscribe to '" + topic + "': " + last_error_);
    return Status::Ok();
  }

  Status Cast(const std::string& topic, std::string message) override {
    if (closed_) return Unavailable("transport is shut down");
    AmqpMessage m;
    m.exchange = options_.exchange;
    m.routing_key = topic;
    m.body = std::move(message);
    m.persistent = true;
    m.confirm = true;
    return publisher_.Publish(m, SteadyClock::now() + options_.publish_timeout);
  }

  Status Fanout(const std::string& topic, std::string message) override {
    if (closed_) return Unavailable("transport is shut down");
    AmqpMessage m;
    m.fanout = topic + "_fanout";
    m.body = std::move(message);
    m.confirm = true;
    return publisher_.Publish(m, SteadyClock::now() + options_.publish_timeout);
  }

  Status Notify(const std::string& priority, std::string message) override {
    if (closed_) return Unavailable("transport is shut down");
    AmqpMessage m;
    m.exchange = options_.exchange;
    m.routing_key = "notifications." + priority;
    m.body = std::move(message);
    m.persistent = true;
    return publisher_.Publish(m, SteadyClock::now() + options_.publish_timeout);
  }

  Result<std::string> Call(const std::string& topic, std::string message,
                           std::chrono::milliseconds timeout) override {
    const auto deadline = SteadyClock::now() + timeout;
    auto slot = std::make_shared<std::promise<Result<std::string>>>();
    auto reply = slot->get_future();
    const std::string id = call_prefix_ + std::to_string(++next_call_);
    std::string reply_to;
    {
      std::unique_lock lock(mu_);
      if (closed_) return Unavailable("transport is shut down");
      state_cv_.wait_until(lock, deadline, [this] { return connected_ || closed_; });
      if (!connected_) {
        return Unavailable("amqp: no connection to the broker for a call to '" + topic + "': " + last_error_);
      }
      reply_to = reply_queue_;
      calls_[id] = slot;
    }
    AmqpMessage m;
    m.exchange = options_.exchange;
    m.routing_key = topic;
    m.body = std::move(message);
    m.reply_to = reply_to;
    m.correlation_id = id;
    m.expiration = timeout;  // not taken in time: dropped by the broker, never run late
    if (Status s = publisher_.Publish(m, deadline); !s.ok()) {
      std::lock_guard lock(mu_);
      calls_.erase(id);
      return s;
    }
    if (reply.wait_until(deadline) != std::future_status::ready) {
      std::lock_guard lock(mu_);
      calls_.erase(id);
      return DeadlineExceeded("no reply on topic '" + topic + "' within " + std::to_string(timeout.count()) +
                              " ms");
    }
    return reply.get();
  }

  void Shutdown() override {
    std::unique_lock lock(mu_);
    if (stopping_) {
      state_cv_.wait(lock, [this] { return shut_; });
      return;
    }
    stopping_ = true;
    cancel_requested_ = true;
    lock.unlock();
    Wake();
    lock.lock();
    // Take nothing more, then let what was taken run (as the in-process transport drains).
    state_cv_.wait_for(lock, std::chrono::seconds(15), [this] { return cancelled_ || !connected_ || !io_.joinable(); });
    state_cv_.wait(lock, [this] {
      if (running_ > 0) return false;
      for (auto& [name, t] : topics_) {
        if (!t->queue.empty()) return false;
      }
      return true;
    });
    closed_ = true;
    io_stop_ = true;
    for (auto& [name, t] : topics_) t->wake.notify_all();
    lock.unlock();
    Wake();
    if (io_.joinable()) io_.join();
    for (auto& [name, t] : topics_) {
      for (auto& th : t->threads) th.join();
      t->threads.clear();
    }
    publisher_.Close();
    lock.lock();
    FailCalls(Unavailable("transport is shut down"));
    shut_ = true;
    state_cv_.notify_all();
  }

 private:
  void Wake() {
    if (wake_fd_ < 0) return;
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
  }

  // Caller holds mu_.
  void FailCalls(const Status& why) {
    for (auto& [id, slot] : calls_) slot->set_value(why);
    calls_.clear();
  }

  // The consumer thread: connects, subscribes, reads, acknowledges, until told to stop.
  void IoLoop() {
    std::chrono::milliseconds backoff = options_.reconnect_min;
    std::size_t endpoint = 0;
    while (true) {
      std::vector<std::tuple<uint64_t, amqp_channel_t, uint64_t>> acks;
      std::vector<Topic*> fresh;
      bool stop, cancel;
      uint64_t generation;
      {
        std::lock_guard lock(mu_);
        acks.swap(acks_);
        stop = io_stop_;
        cancel = cancel_requested_ && !cancelled_;
        generation = generation_;
        if (!stopping_) {
          for (auto& [name, t] : topics_) {
            if (t->subscribed != generation_) fresh.push_back(t.get());
          }
        }
      }
      if (conn_) {
        for (const auto& [gen, channel, tag] : acks) {
          // An ack for a delivery of an earlier connection means nothing on this one: the
          // broker has put that message back already.
          if (gen != generation) continue;
          if (!conn_->CheckCode(amqp_basic_ack(conn_->get(), channel, tag, 0), "basic.ack").ok()) break;
        }
      }
      if (stop) break;
      if (!conn_) {
        Status s = ConnectConsumer(endpoint);
        if (!s.ok()) {
          conn_.reset();
          ++endpoint;
          std::unique_lock lock(mu_);
          last_error_ = s.message();
          if (!first_attempt_done_) first_error_ = s;
          first_attempt_done_ = true;
          if (stopping_) cancelled_ = true;
          state_cv_.notify_all();
          state_cv_.wait_for(lock, backoff, [this] { return io_stop_; });
          backoff = std::min(backoff * 2, options_.reconnect_max);
          continue;
        }
        backoff = options_.reconnect_min;
        continue;  // subscribe the topics on the next turn
      }
      for (Topic* t : fresh) {
        if (!Subscribe(*t).ok()) break;
        std::lock_guard lock(mu_);
        t->subscribed = generation;
        state_cv_.notify_all();
      }
      if (cancel && !conn_->broken()) CancelConsumers();
      if (!conn_->broken()) Read();
      if (conn_->broken()) Lost();
    }
    conn_.reset();
    std::lock_guard lock(mu_);
    connected_ = false;
    state_cv_.notify_all();
  }

  Status ConnectConsumer(std::size_t endpoint) {
    BS_ASSIGN_OR_RETURN(conn_, AmqpConnection::Open(settings_, endpoint,
                                                          static_cast<int>(options_.heartbeat.count()), "consumer"));
    amqp_connection_state_t c = conn_->get();
    if (Status s = conn_->OpenChannel(kReplyChannel); !s.ok()) return s;
    const std::string reply_queue = "reply." + settings_.process_name + "." + RandomSuffix();
    amqp_queue_declare(c, kReplyChannel, Bytes(reply_queue), 0, 0, 1, 1, amqp_empty_table);
    if (Status s = conn_->Check("queue.declare " + reply_queue); !s.ok()) return s;
    amqp_basic_consume(c, kReplyChannel, Bytes(reply_queue), amqp_empty_bytes, 0, 1, 1, amqp_empty_table);
    if (Status s = conn_->Check("basic.consume " + reply_queue); !s.ok()) return s;
    amqp_exchange_declare(c, kReplyChannel, Bytes(options_.exchange), amqp_cstring_bytes("topic"), 0, 1, 0, 0,
                          amqp_empty_table);
    if (Status s = conn_->Check("exchange.declare " + options_.exchange); !s.ok()) return s;
    std::lock_guard lock(mu_);
    ++generation_;
    reply_queue_ = reply_queue;
    connected_ = true;
    first_attempt_done_ = true;
    state_cv_.notify_all();
    return Status::Ok();
  }

  // Declares the topic's shared queue and this process's fanout queue and consumes both.
  Status Subscribe(Topic& t) {
    amqp_connection_state_t c = conn_->get();
    t.consumer_tags.clear();
    if (Status s = conn_->OpenChannel(t.channel); !s.ok()) return s;
    amqp_basic_qos(c, t.channel, 0, static_cast<uint16_t>(std::min(t.workers, 65535)), 0);
    if (Status s = conn_->Check("basic.qos"); !s.ok()) return s;
    amqp_queue_declare(c, t.channel, Bytes(t.name), 0, 1, 0, 0, amqp_empty_table);
    if (Status s = conn_->Check("queue.declare " + t.name); !s.ok()) return s;
    amqp_queue_bind(c, t.channel, Bytes(t.name), Bytes(options_.exchange), Bytes(t.name), amqp_empty_table);
    if (Status s = conn_->Check("queue.bind " + t.name); !s.ok()) return s;
    const std::string fanout = t.name + "_fanout";
    const std::string mine = fanout + "." + settings_.process_name + "." + RandomSuffix();
    amqp_exchange_declare(c, t.channel, Bytes(fanout), amqp_cstring_bytes("fanout"), 0, 1, 0, 0, amqp_empty_table);
    if (Status s = conn_->Check("exchange.declare " + fanout); !s.ok()) return s;
    amqp_queue_declare(c, t.channel, Bytes(mine), 0, 0, 1, 1, amqp_empty_table);
    if (Status s = conn_->Check("queue.declare " + mine); !s.ok()) return s;
    amqp_queue_bind(c, t.channel, Bytes(mine), Bytes(fanout), amqp_empty_bytes, amqp_empty_table);
    if (Status s = conn_->Check("queue.bind " + mine); !s.ok()) return s;
    for (const std::string* q : {static_cast<const std::string*>(&t.name), &mine}) {
      auto* ok = amqp_basic_consume(c, t.channel, Bytes(*q), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
      if (Status s = conn_->Check("basic.consume " + *q); !s.ok()) return s;
      t.consumer_tags.push_back(Text(ok->consumer_tag));
    }
    return Status::Ok();
  }

  void CancelConsumers() {
    std::vector<Topic*> topics;
    {
      std::lock_guard lock(mu_);
      for (auto& [name, t] : topics_) topics.push_back(t.get());
    }
    for (Topic* t : topics) {
      for (const std::string& tag : t->consumer_tags) {
        amqp_basic_cancel(conn_->get(), t->channel, Bytes(tag));
        if (!conn_->Check("basic.cancel").ok()) return;
      }
    }
    std::lock_guard lock(mu_);
    cancelled_ = true;
    state_cv_.notify_all();
  }

  // Waits for input (or a wake-up) and takes every frame there is.
  void Read() {
    amqp_connection_state_t c = conn_->get();
    if (!amqp_frames_enqueued(c) && !amqp_data_in_buffer(c)) {
      pollfd fds[2] = {{conn_->fd(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
      // At most half a heartbeat asleep, so rabbitmq-c beats in time on a quiet connection.
      const int ms = static_cast<int>(std::clamp<int64_t>(options_.heartbeat.count() * 500, 50, 1000));
      (void)::poll(fds, 2, ms);
      if (fds[1].revents & POLLIN) {
        uint64_t n;
        (void)!::read(wake_fd_, &n, sizeof n);
      }
    }
    for (int i = 0; i < 256; ++i) {
      amqp_maybe_release_buffers(c);
      timeval now{0, 0};
      amqp_envelope_t env;
      amqp_rpc_reply_t r = amqp_consume_message(c, &env, &now, 0);
      if (r.reply_type == AMQP_RESPONSE_NORMAL) {
        Dispatch(env);
        amqp_destroy_envelope(&env);
        continue;
      }
      if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) return;
      if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
        amqp_frame_t f;
        if (!conn_->CheckCode(amqp_simple_wait_frame_noblock(c, &f, &now), "reading a frame").ok()) return;
        if (f.frame_type != AMQP_FRAME_METHOD) continue;
        switch (f.payload.method.id) {
          case AMQP_CHANNEL_CLOSE_METHOD:
          case AMQP_CONNECTION_CLOSE_METHOD: {
            amqp_rpc_reply_t closed{};
            closed.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
            closed.reply = f.payload.method;
            (void)conn_->Check(closed, "consuming");
            return;
          }
          case AMQP_BASIC_CANCEL_METHOD:  // the broker dropped a consumer (its queue was deleted)
            conn_->MarkBroken();
            return;
          default:
            continue;
        }
      }
      (void)conn_->Check(r, "consuming");
      return;
    }
  }

  void Dispatch(const amqp_envelope_t& env) {
    const amqp_basic_properties_t& p = env.message.properties;
    auto prop = [&](amqp_flags_t flag, amqp_bytes_t b) { return (p._flags & flag) ? Text(b) : std::string(); };
    if (env.channel == kReplyChannel) {
      const std::string id = prop(AMQP_BASIC_CORRELATION_ID_FLAG, p.correlation_id);
      const std::string type = prop(AMQP_BASIC_TYPE_FLAG, p.type);
      std::shared_ptr<std::promise<Result<std::string>>> slot;
      {
        std::lock_guard lock(mu_);
        auto it = calls_.find(id);
        if (it == calls_.end()) return;  // a caller that gave up, or a handler run twice
        slot = std::move(it->second);
        calls_.erase(it);
      }
      slot->set_value(DecodeReply(type, Text(env.message.body)));
      return;
    }
    std::lock_guard lock(mu_);
    auto it = by_channel_.find(env.channel);
    if (it == by_channel_.end()) return;
    Topic& t = *it->second;
    t.queue.push_back(Delivery{generation_, env.channel, env.delivery_tag, Text(env.message.body),
                               prop(AMQP_BASIC_REPLY_TO_FLAG, p.reply_to),
                               prop(AMQP_BASIC_CORRELATION_ID_FLAG, p.correlation_id)});
    t.wake.notify_one();
  }

  static Result<std::string> DecodeReply(const std::string& type, std::string body) {
    if (type == "ok") return body;
    if (type.rfind("error.", 0) == 0) {
      const int code = std::atoi(type.c_str() + 6);
      if (code >= static_cast<int>(Code::kInvalidArgument) && code <= static_cast<int>(Code::kPermissionDenied)) {
        return Status(static_cast<Code>(code), std::move(body));
      }
    }
    return Internal("amqp: a reply of unknown type '" + type.substr(0, 32) + "'");
  }

  // The connection is gone: what it delivered and nobody started goes back to the broker
  // (unacknowledged), and calls waiting for replies on its reply queue fail now.
  void Lost() {
    const std::string why = conn_ ? "lost the connection to " + conn_->peer() : "lost the connection";
    conn_.reset();
    std::lock_guard lock(mu_);
    connected_ = false;
    last_error_ = why;
    for (auto& [name, t] : topics_) t->queue.clear();
    FailCalls(Unavailable("amqp: " + why + " while waiting for a reply (the call may have run)"));
    if (stopping_) cancelled_ = true;
    state_cv_.notify_all();
  }

  void Serve(Topic& t) {
    std::unique_lock lock(mu_);
    while (true) {
      t.wake.wait(lock, [&] { return closed_ || !t.queue.empty(); });
      if (t.queue.empty()) return;  // closed and drained
      Delivery d = std::move(t.queue.front());
      t.queue.pop_front();
      ++running_;
      lock.unlock();
      Result<std::string> out = Internal("handler threw");
      try {
        out = t.handler(d.body);
      } catch (const std::exception& e) {
        out = Internal(std::string("handler threw: ") + e.what());
      }
      if (!d.reply_to.empty()) {
        AmqpMessage reply;
        reply.routing_key = d.reply_to;  // the default exchange routes by queue name
        reply.correlation_id = d.correlation_id;
        reply.type = out.ok() ? "ok" : "error." + std::to_string(static_cast<int>(out.status().code()));
        reply.body = out.ok() ? std::move(out).value() : out.status().message();
        (void)publisher_.Publish(reply, SteadyClock::now() + options_.publish_timeout);
      }
      lock.lock();
      acks_.emplace_back(d.generation, d.channel, d.tag);
      --running_;
      state_cv_.notify_all();
      lock.unlock();
      Wake();
      lock.lock();
    }
  }

  const AmqpTransportOptions options_;
  const internal::AmqpSettings settings_;
  internal::AmqpPublisher publisher_;
  const std::string call_prefix_;
  std::atomic<uint64_t> next_call_{0};
  std::atomic<bool> closed_{false};
  int wake_fd_ = -1;
  std::thread io_;
  std::unique_ptr<AmqpConnection> conn_;  // the consumer thread's

  std::mutex mu_;
  std::condition_variable state_cv_;
  std::map<std::string, std::unique_ptr<Topic>> topics_;
  std::map<amqp_channel_t, Topic*> by_channel_;
  amqp_channel_t next_channel_ = kReplyChannel + 1;
  std::vector<std::tuple<uint64_t, amqp_channel_t, uint64_t>> acks_;
  std::map<std::string, std::shared_ptr<std::promise<Result<std::string>>>> calls_;
  std::string reply_queue_;
  uint64_t generation_ = 0;
  bool connected_ = false;
  bool first_attempt_done_ = false;
  Status first_error_;
  std::string last_error_ = "not connected yet";
  int running_ = 0;
  bool stopping_ = false;
  bool cancel_requested_ = false;
  bool cancelled_ = false;
  bool io_stop_ = false;
  bool shut_ = false;
};

}  // namespace amqp_transport

using namespace amqp_transport;

Result<std::unique_ptr<Transport>> NewAmqpTransport(AmqpTransportOptions options) {
  if (options.url.empty()) return InvalidArgument("transport_url is required for the AMQP transport");
  auto url = ParseAmqpUrl(options.url);
  if (!url.ok()) return url.status();
  if (options.exchange.empty()) return InvalidArgument("the AMQP exchange name must not be empty");
  if (options.heartbeat.count() < 0 || options.heartbeat.count() > 3600) {
    return InvalidArgument("the AMQP heartbeat must be from 0 to 3600 s");
  }
  if (options.publish_timeout.count() < 1) return InvalidArgument("the AMQP publish_timeout must be positive");
  if (options.reconnect_min.count() < 1 || options.reconnect_max < options.reconnect_min) {
    return InvalidArgument("the AMQP reconnect backoff needs 1 ms ≤ reconnect_min ≤ reconnect_max");
  }
  internal::AmqpSettings settings;
  settings.url = std::move(url).value();
  settings.ca_file = options.ca_file;
  settings.verify_peer = options.verify_peer;
  settings.process_name = options.process_name.empty() ? HostName() + "." + std::to_string(::getpid())
                                                       : options.process_name;
  auto transport = std::make_unique<AmqpTransport>(std::move(options), std::move(settings));
  if (Status s = transport->Start(); !s.ok()) return s;
  return std::unique_ptr<Transport>(std::move(transport));
}

}  // namespace blockstore
