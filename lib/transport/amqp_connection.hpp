// Internal: one connection to an AMQP broker through rabbitmq-c, and what its replies mean.
//
// rabbitmq-c's connection is not thread-safe: an AmqpConnection belongs to one thread at a time
// (the transport's consumer thread, or a publisher slot under its mutex). Any failed step marks
// it broken; a broken connection is only ever destroyed and opened anew.
#ifndef BLOCKSTORE_LIB_TRANSPORT_AMQP_CONNECTION_HPP
#define BLOCKSTORE_LIB_TRANSPORT_AMQP_CONNECTION_HPP

#include <amqp.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "blockstore/amqp_transport.hpp"

namespace blockstore::internal {

struct AmqpSettings {
  AmqpUrl url;
  std::string ca_file;
  bool verify_peer = true;
  std::string process_name;
};

class AmqpConnection {
 public:
  // Connects to endpoint `index` of the URL (modulo their number), logs in with a heartbeat of
  // `heartbeat` seconds (0: none) and names the connection after `role`.
  static Result<std::unique_ptr<AmqpConnection>> Open(const AmqpSettings& settings, std::size_t index,
                                                      int heartbeat, std::string_view role);
  ~AmqpConnection();
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  amqp_connection_state_t get() const { return conn_; }
  int fd() const { return amqp_get_sockfd(conn_); }
  bool broken() const { return broken_; }
  void MarkBroken() { broken_ = true; }
  const std::string& peer() const { return peer_; }

  // The outcome of the last synchronous method on this connection: ok, or the broker's or the
  // library's error (the connection is then broken).
  Status Check(std::string_view what);
  Status Check(amqp_rpc_reply_t reply, std::string_view what);
  // A library status code (amqp_basic_publish's and friends').
  Status CheckCode(int rc, std::string_view what);
  Status OpenChannel(amqp_channel_t channel);

 private:
  AmqpConnection() = default;
  amqp_connection_state_t conn_ = nullptr;
  bool broken_ = false;
  std::string peer_;  // "host:port" for messages
};

inline amqp_bytes_t Bytes(std::string_view s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}
inline std::string Text(amqp_bytes_t b) { return std::string(static_cast<const char*>(b.bytes), b.len); }

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_TRANSPORT_AMQP_CONNECTION_HPP
