// blockstore — a Transport over an AMQP 0-9-1 broker (RabbitMQ), for roles in separate processes.
//
// Every process that opens one connects to the same broker and exchange:
//   Listen(topic)   a durable queue named after the topic, bound to the topic exchange: every
//                   process listening on "scheduler" (or "backup") takes messages from the one
//                   queue — competing consumers —, "volume.<host@backend>" has one listener;
//                   plus a queue of this process's own bound to the "<topic>_fanout" exchange.
//   Cast            a persistent message, published with a confirm: Cast returns once the broker
//                   has it. unavailable when no queue is bound to the topic (nobody ever
//                   listened) or the broker stayed unreachable for publish_timeout.
//   Fanout          to every process listening on the topic, once each (stats reports reach
//                   every scheduler); nobody listening is not an error.
//   Call            a transient message carrying a reply queue of this process, a correlation id
//                   and an expiration equal to the timeout (a call nobody took in time is
//                   dropped by the broker, never run late); the handler's error comes back with
//                   its code. deadline_exceeded after the timeout.
//   Notify          Cinder-shaped notifications on routing key "notifications.<priority>" of the
//                   exchange, for consumers outside the system (they bind their own queue).
// A message is acknowledged only after its handler has returned (and a call's reply is sent):
// a message whose process dies first is delivered again, to this process after it restarts or
// to another listener. Handlers are therefore written to run twice safely. At most `workers`
// unacknowledged messages per topic are in this process at once (the prefetch bound).
//
// A lost connection (broker restart, network) is reopened with exponential backoff between
// reconnect_min and reconnect_max, cycling through the URL's hosts; queues are declared and
// consumers started again. A Cast during an outage waits (up to publish_timeout) for the broker.
//
// Shutdown stops taking messages, lets the handlers that run finish and acknowledges them, then
// closes; messages still queued stay in the broker for the other listeners or the next start.
//
// Thread-safety: every method may be called from any thread, including from inside a handler.
#ifndef BLOCKSTORE_AMQP_TRANSPORT_HPP
#define BLOCKSTORE_AMQP_TRANSPORT_HPP

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "blockstore/export.h"
#include "blockstore/result.hpp"
#include "blockstore/transport.hpp"

namespace blockstore {

// One broker address of a transport URL.
struct AmqpEndpoint {
  std::string host;
  int port = 5672;
  std::string user = "guest";
  std::string password = "guest";
};

// A transport URL as cinder.conf spells it:
//   rabbit://user:pass@host:port/vhost           plain TCP (port 5672 by default)
//   rabbit://u:p@h1:5672,u:p@h2:5672/vhost       several brokers, tried in turn
//   amqps://user:pass@host:5671/vhost            TLS (also rabbit://…?ssl=1)
// amqp:// is accepted for rabbit://. An empty path is the vhost "/"; "%2F" and other escapes
// are decoded in every part.
struct AmqpUrl {
  std::vector<AmqpEndpoint> endpoints;
  std::string vhost = "/";
  bool tls = false;
};
// invalid_argument naming what is wrong (the password never appears in the message).
BS_API Result<AmqpUrl> ParseAmqpUrl(const std::string& url);

struct AmqpTransportOptions {
  std::string url;  // required: ParseAmqpUrl's syntax
  // The topic exchange every process of one deployment shares.
  std::string exchange = "blockstore";
  // TLS: the CA bundle to verify the broker with (empty: the system's); verification of the
  // certificate and the host name is on unless turned off here.
  std::string ca_file;
  bool verify_peer = true;
  // Heartbeat period proposed to the broker; a connection silent for two periods is dead.
  std::chrono::seconds heartbeat{30};
  // How long a Cast or Fanout waits for the broker (outage included) before unavailable.
  std::chrono::milliseconds publish_timeout{30000};
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  // Names this process in its reply and fanout queues and in the broker's connection list.
  // Default: "<hostname>.<pid>".
  std::string process_name;
};

// Connects once (so a wrong URL, credentials or vhost fail here, clearly) and returns the
// transport. invalid_argument for a bad URL or options; unavailable when no broker answers;
// permission_denied for refused credentials or vhost.
BS_API Result<std::unique_ptr<Transport>> NewAmqpTransport(AmqpTransportOptions options);

}  // namespace blockstore

#endif  // BLOCKSTORE_AMQP_TRANSPORT_HPP
