// AmqpConnection: connect, log in, and turn rabbitmq-c's replies into Status.
#include "lib/transport/amqp_connection.hpp"

#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>

namespace blockstore::internal {

namespace amqp_connection {

constexpr char kSystemCaBundle[] = "/etc/ssl/certs/ca-certificates.crt";

// 403 ACCESS_REFUSED and 530 NOT_ALLOWED (an unknown vhost, or one the user may not use).
bool Refused(int code) { return code == 403 || code == 530; }

}  // namespace amqp_connection

using namespace amqp_connection;

Result<std::unique_ptr<AmqpConnection>> AmqpConnection::Open(const AmqpSettings& settings,
                                                             std::size_t index, int heartbeat,
                                                             std::string_view role) {
  const AmqpEndpoint& e = settings.url.endpoints[index % settings.url.endpoints.size()];
  auto c = std::unique_ptr<AmqpConnection>(new AmqpConnection());
  c->peer_ = e.host + ":" + std::to_string(e.port);
  c->conn_ = amqp_new_connection();
  if (!c->conn_) return Internal("amqp: out of memory");
  amqp_socket_t* socket = nullptr;
  if (settings.url.tls) {
    socket = amqp_ssl_socket_new(c->conn_);
    if (!socket) return Internal("amqp: cannot create a TLS socket");
    const std::string ca = settings.ca_file.empty() ? kSystemCaBundle : settings.ca_file;
    if (settings.verify_peer && amqp_ssl_socket_set_cacert(socket, ca.c_str()) != AMQP_STATUS_OK) {
      return InvalidArgument("amqp: cannot read the CA bundle " + ca);
    }
    amqp_ssl_socket_set_verify_peer(socket, settings.verify_peer ? 1 : 0);
    amqp_ssl_socket_set_verify_hostname(socket, settings.verify_peer ? 1 : 0);
  } else {
    socket = amqp_tcp_socket_new(c->conn_);
    if (!socket) return Internal("amqp: cannot create a socket");
  }
  timeval connect_timeout{5, 0};
  if (int rc = amqp_socket_open_noblock(socket, e.host.c_str(), e.port, &connect_timeout); rc != AMQP_STATUS_OK) {
    return Unavailable("amqp: cannot connect to " + c->peer_ + ": " + amqp_error_string2(rc));
  }
  timeval rpc_timeout{10, 0};
  amqp_set_rpc_timeout(c->conn_, &rpc_timeout);
  amqp_set_handshake_timeout(c->conn_, &rpc_timeout);

  const std::string name = settings.process_name + " " + std::string(role);
  amqp_table_entry_t entry;
  entry.key = amqp_cstring_bytes("connection_name");
  entry.value.kind = AMQP_FIELD_KIND_UTF8;
  entry.value.value.bytes = Bytes(name);
  amqp_table_t properties{1, &entry};
  amqp_rpc_reply_t r = amqp_login_with_properties(c->conn_, settings.url.vhost.c_str(), 0, 131072, heartbeat,
                                                  &properties, AMQP_SASL_METHOD_PLAIN, e.user.c_str(),
                                                  e.password.c_str());
  if (r.reply_type != AMQP_RESPONSE_NORMAL) {
    Status s = c->Check(r, "login as '" + e.user + "' to vhost '" + settings.url.vhost + "'");
    return s;
  }
  return c;
}

AmqpConnection::~AmqpConnection() {
  if (!conn_) return;
  if (!broken_) (void)amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(conn_);
}

Status AmqpConnection::Check(std::string_view what) { return Check(amqp_get_rpc_reply(conn_), what); }

Status AmqpConnection::Check(amqp_rpc_reply_t reply, std::string_view what) {
  const std::string where = "amqp " + peer_ + ": " + std::string(what) + ": ";
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return Status::Ok();
    case AMQP_RESPONSE_NONE:
      broken_ = true;
      return Unavailable(where + "no reply");
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      broken_ = true;
      return Unavailable(where + amqp_error_string2(reply.library_error));
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      break;
  }
  broken_ = true;
  int code = 0;
  std::string text;
  if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
    const auto* m = static_cast<amqp_connection_close_t*>(reply.reply.decoded);
    code = m->reply_code;
    text = Text(m->reply_text);
    amqp_connection_close_ok_t ok{};
    (void)amqp_send_method(conn_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
  } else if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
    const auto* m = static_cast<amqp_channel_close_t*>(reply.reply.decoded);
    code = m->reply_code;
    text = Text(m->reply_text);
  }
  const std::string message = where + "the broker said " + std::to_string(code) + " " + text;
  if (Refused(code)) return PermissionDenied(message);
  if (code == 404) return NotFound(message);
  return Unavailable(message);
}

Status AmqpConnection::CheckCode(int rc, std::string_view what) {
  if (rc == AMQP_STATUS_OK) return Status::Ok();
  broken_ = true;
  return Unavailable("amqp " + peer_ + ": " + std::string(what) + ": " + amqp_error_string2(rc));
}

Status AmqpConnection::OpenChannel(amqp_channel_t channel) {
  amqp_channel_open(conn_, channel);
  return Check("channel.open " + std::to_string(channel));
}

}  // namespace blockstore::internal
