// AmqpPublisher: confirmed and plain publishes over a few connections, retried across outages.
#include "lib/transport/amqp_publisher.hpp"

#include <cstring>
#include <thread>

namespace blockstore::internal {

namespace amqp_publisher {

constexpr amqp_channel_t kConfirmChannel = 1;
constexpr amqp_channel_t kPlainChannel = 2;

timeval Until(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::max(std::chrono::microseconds(0), std::chrono::duration_cast<std::chrono::microseconds>(
                                                               deadline - std::chrono::steady_clock::now()));
  return timeval{static_cast<time_t>(left.count() / 1000000), static_cast<suseconds_t>(left.count() % 1000000)};
}

}  // namespace amqp_publisher

using namespace amqp_publisher;

AmqpPublisher::AmqpPublisher(Options options) : options_(std::move(options)) {
  for (int i = 0; i < std::max(1, options_.connections); ++i) slots_.push_back(std::make_unique<Slot>());
}

AmqpPublisher::~AmqpPublisher() { Close(); }

void AmqpPublisher::Close() {
  closed_ = true;
  for (auto& slot : slots_) {
    std::lock_guard lock(slot->mu);
    slot->conn.reset();
  }
}

Status AmqpPublisher::Connect(Slot& slot) {
  slot.conn.reset();
  slot.fanouts.clear();
  const std::size_t endpoint = endpoint_.load();
  // No heartbeat on publishing connections: they idle between bursts, and a dead one shows
  // itself on the next publish (a failed write or a confirm that never comes), which retries.
  auto opened = AmqpConnection::Open(options_.settings, endpoint, 0, "publisher");
  if (!opened.ok()) {
    std::size_t expected = endpoint;  // the next attempt tries the next broker of the URL
    endpoint_.compare_exchange_strong(expected, endpoint + 1);
    return opened.status();
  }
  auto conn = std::move(opened).value();
  if (Status s = conn->OpenChannel(kConfirmChannel); !s.ok()) return s;
  amqp_confirm_select(conn->get(), kConfirmChannel);
  if (Status s = conn->Check("confirm.select"); !s.ok()) return s;
  if (Status s = conn->OpenChannel(kPlainChannel); !s.ok()) return s;
  amqp_exchange_declare(conn->get(), kConfirmChannel, Bytes(options_.exchange), amqp_cstring_bytes("topic"), 0,
                        1, 0, 0, amqp_empty_table);
  if (Status s = conn->Check("exchange.declare " + options_.exchange); !s.ok()) return s;
  slot.conn = std::move(conn);
  slot.next_tag = 1;
  return Status::Ok();
}

Status AmqpPublisher::Probe() {
  Slot& slot = *slots_[0];
  std::lock_guard lock(slot.mu);
  return Connect(slot);
}

Status AmqpPublisher::PublishOn(Slot& slot, const AmqpMessage& m,
                                std::chrono::steady_clock::time_point deadline, bool* retry) {
  AmqpConnection& conn = *slot.conn;
  amqp_connection_state_t c = conn.get();
  *retry = true;  // a failure below is the connection's: another one may do better
  if (!m.fanout.empty() && !slot.fanouts.count(m.fanout)) {
    amqp_exchange_declare(c, kConfirmChannel, Bytes(m.fanout), amqp_cstring_bytes("fanout"), 0, 1, 0, 0,
                          amqp_empty_table);
    if (Status s = conn.Check("exchange.declare " + m.fanout); !s.ok()) return s;
    slot.fanouts.insert(m.fanout);
  }
  amqp_basic_properties_t p;
  std::memset(&p, 0, sizeof p);
  p._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
  p.content_type = amqp_cstring_bytes("application/json");
  p.delivery_mode = m.persistent ? 2 : 1;
  if (!m.reply_to.empty()) {
    p._flags |= AMQP_BASIC_REPLY_TO_FLAG;
    p.reply_to = Bytes(m.reply_to);
  }
  if (!m.correlation_id.empty()) {
    p._flags |= AMQP_BASIC_CORRELATION_ID_FLAG;
    p.correlation_id = Bytes(m.correlation_id);
  }
  if (!m.type.empty()) {
    p._flags |= AMQP_BASIC_TYPE_FLAG;
    p.type = Bytes(m.type);
  }
  std::string expiration;
  if (m.expiration) {
    expiration = std::to_string(std::max<int64_t>(1, m.expiration->count()));
    p._flags |= AMQP_BASIC_EXPIRATION_FLAG;
    p.expiration = Bytes(expiration);
  }
  const amqp_channel_t channel = m.confirm ? kConfirmChannel : kPlainChannel;
  const std::string& exchange = m.fanout.empty() ? m.exchange : m.fanout;
  const bool mandatory = m.confirm && m.fanout.empty();
  amqp_maybe_release_buffers(c);
  int rc = amqp_basic_publish(c, channel, Bytes(exchange), Bytes(m.routing_key), mandatory ? 1 : 0, 0, &p,
                              Bytes(m.body));
  if (Status s = conn.CheckCode(rc, "basic.publish"); !s.ok()) return s;
  if (!m.confirm) return Status::Ok();

  const uint64_t tag = slot.next_tag++;
  bool returned = false;
  while (true) {
    amqp_frame_t f;
    timeval left = Until(deadline);
    rc = amqp_simple_wait_frame_noblock(c, &f, &left);
    if (rc == AMQP_STATUS_TIMEOUT) {
      conn.MarkBroken();
      *retry = false;
      return Unavailable("amqp " + conn.peer() + ": the broker did not confirm a message to '" + m.routing_key +
                         "' in time");
    }
    if (Status s = conn.CheckCode(rc, "waiting for a confirm"); !s.ok()) return s;
    if (f.frame_type != AMQP_FRAME_METHOD) continue;
    switch (f.payload.method.id) {
      case AMQP_BASIC_RETURN_METHOD: {
        amqp_message_t msg;
        amqp_rpc_reply_t r = amqp_read_message(c, f.channel, &msg, 0);
        if (Status s = conn.Check(r, "reading a returned message"); !s.ok()) return s;
        amqp_destroy_message(&msg);
        if (f.channel == kConfirmChannel) returned = true;
        break;
      }
      case AMQP_BASIC_ACK_METHOD: {
        const auto* a = static_cast<amqp_basic_ack_t*>(f.payload.method.decoded);
        if (f.channel != kConfirmChannel || a->delivery_tag < tag) break;
        *retry = false;
        if (returned) return Unavailable("nobody listens on topic '" + m.routing_key + "'");
        return Status::Ok();
      }
      case AMQP_BASIC_NACK_METHOD: {
        const auto* n = static_cast<amqp_basic_nack_t*>(f.payload.method.decoded);
        if (f.channel != kConfirmChannel || n->delivery_tag < tag) break;
        return Unavailable("amqp " + conn.peer() + ": the broker refused a message to '" + m.routing_key + "'");
      }
      case AMQP_CHANNEL_CLOSE_METHOD:
      case AMQP_CONNECTION_CLOSE_METHOD: {
        amqp_rpc_reply_t r{};
        r.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
        r.reply = f.payload.method;
        return conn.Check(r, "publishing to '" + m.routing_key + "'");
      }
      default:
        break;
    }
  }
}

Status AmqpPublisher::Publish(const AmqpMessage& m, std::chrono::steady_clock::time_point deadline) {
  std::chrono::milliseconds backoff = options_.reconnect_min;
  Status last = Unavailable("amqp: the transport is closed");
  while (!closed_) {
    const std::size_t start = next_slot_.fetch_add(1);
    Slot* slot = nullptr;
    std::unique_lock<std::mutex> lock;
    for (std::size_t i = 0; i < slots_.size() && !slot; ++i) {
      Slot* s = slots_[(start + i) % slots_.size()].get();
      std::unique_lock<std::mutex> l(s->mu, std::try_to_lock);
      if (l.owns_lock()) {
        slot = s;
        lock = std::move(l);
      }
    }
    if (!slot) {
      slot = slots_[start % slots_.size()].get();
      lock = std::unique_lock<std::mutex>(slot->mu);
    }
    if (closed_) break;
    if (!slot->conn || slot->conn->broken()) last = Connect(*slot);
    if (slot->conn && !slot->conn->broken()) {
      bool retry = false;
      Status s = PublishOn(*slot, m, deadline, &retry);
      if (slot->conn->broken()) slot->conn.reset();
      if (s.ok() || !retry) return s;
      last = s;
    } else if (last.code() == Code::kPermissionDenied || last.code() == Code::kInvalidArgument) {
      return last;
    }
    lock.unlock();
    if (std::chrono::steady_clock::now() + backoff > deadline) break;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, options_.reconnect_max);
  }
  return Unavailable("cannot publish to '" + m.routing_key + "': " + last.message());
}

}  // namespace blockstore::internal
