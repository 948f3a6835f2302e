// Internal: publishing to the broker from any thread.
//
// A few connections, each behind its own mutex, opened when first needed and again after a
// failure. Each has two channels: 1 in confirm mode (a publish there returns once the broker
// has the message: persisted, for a persistent message to a durable queue), 2 without (call
// replies and notifications, whose loss costs only a retry or a missed event). A publish that
// fails on a dead connection is retried on a new one, with backoff, until its deadline: the
// same message may then reach the broker twice, which handlers tolerate.
#ifndef BLOCKSTORE_LIB_TRANSPORT_AMQP_PUBLISHER_HPP
#define BLOCKSTORE_LIB_TRANSPORT_AMQP_PUBLISHER_HPP

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lib/transport/amqp_connection.hpp"

namespace blockstore::internal {

struct AmqpMessage {
  std::string exchange;     // "" is the default exchange (routing key = queue name)
  std::string fanout;       // when set, the fanout exchange to declare (if new) and publish to
  std::string routing_key;
  std::string body;
  bool persistent = false;
  bool confirm = false;     // wait for the broker's ack; unroutable → unavailable
  std::string reply_to;
  std::string correlation_id;
  std::string type;         // a reply's outcome: "ok" or "error.<code>"
  std::optional<std::chrono::milliseconds> expiration;
};

class AmqpPublisher {
 public:
  struct Options {
    AmqpSettings settings;
    std::string exchange;  // declared on every new connection (topic, durable)
    int connections = 4;
    std::chrono::milliseconds reconnect_min{100};
    std::chrono::milliseconds reconnect_max{5000};
  };
  explicit AmqpPublisher(Options options);
  ~AmqpPublisher();

  // unavailable when the message is unroutable (confirm only) or the broker did not take it
  // before `deadline`.
  Status Publish(const AmqpMessage& m, std::chrono::steady_clock::time_point deadline);
  // Opens one connection now: a wrong URL or credentials fail here.
  Status Probe();
  // Closes every connection; later publishes fail with unavailable.
  void Close();

 private:
  struct Slot {
    std::mutex mu;
    std::unique_ptr<AmqpConnection> conn;
    std::set<std::string> fanouts;  // fanout exchanges declared on this connection
    uint64_t next_tag = 1;          // the confirm channel's next delivery tag
  };
  Status Connect(Slot& slot);
  // One attempt on a connected slot: ok, unroutable (unavailable, not retried) or broken.
  Status PublishOn(Slot& slot, const AmqpMessage& m, std::chrono::steady_clock::time_point deadline,
                   bool* retry);

  const Options options_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::atomic<std::size_t> next_slot_{0};
  std::atomic<std::size_t> endpoint_{0};
  std::atomic<bool> closed_{false};
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_TRANSPORT_AMQP_PUBLISHER_HPP
