// scaleout.rpc_call_p50_ms: one call between two processes' transports over RabbitMQ — the
// request published to the topic's queue, taken by the listener, handled, the reply published to
// the caller's reply queue, matched by correlation id — against the same round trip written
// directly on librabbitmq (a consumer thread that replies, a caller on its own connection), in
// the same run on the same broker. Both sides acknowledge after handling; neither waits for a
// publisher confirm (calls are transient, as the transport sends them).
//
//   rpc_bench --amqp-url rabbit://guest:guest@127.0.0.1:PORT/ [--calls N]
#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.hpp"
#include "blockstore/amqp_transport.hpp"

using namespace blockstore;
using Clock = std::chrono::steady_clock;

namespace {

struct Latencies {
  double p50_ms = 0, p99_ms = 0;
};

Latencies Summarise(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[ms.size() * 99 / 100]};
}

amqp_connection_state_t Connect(const AmqpEndpoint& e) {
  amqp_connection_state_t c = amqp_new_connection();
  amqp_socket_t* s = amqp_tcp_socket_new(c);
  if (amqp_socket_open(s, e.host.c_str(), e.port) != AMQP_STATUS_OK) std::abort();
  if (amqp_login(c, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, e.user.c_str(), e.password.c_str()).reply_type !=
      AMQP_RESPONSE_NORMAL) {
    std::abort();
  }
  amqp_channel_open(c, 1);
  return c;
}

Latencies Bare(const AmqpEndpoint& e, int calls) {
  const std::string queue = "bench.bare." + std::to_string(::getpid());
  std::atomic<bool> ready{false};
  std::thread server([&] {
    amqp_connection_state_t c = Connect(e);
    amqp_queue_declare(c, 1, amqp_cstring_bytes(queue.c_str()), 0, 0, 0, 1, amqp_empty_table);
    amqp_basic_qos(c, 1, 0, 1, 0);
    amqp_basic_consume(c, 1, amqp_cstring_bytes(queue.c_str()), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    ready = true;
    for (int i = 0; i < calls; ++i) {
      amqp_envelope_t env;
      amqp_maybe_release_buffers(c);
      if (amqp_consume_message(c, &env, nullptr, 0).reply_type != AMQP_RESPONSE_NORMAL) std::abort();
      amqp_basic_properties_t p;
      std::memset(&p, 0, sizeof p);
      p._flags = AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
      p.correlation_id = env.message.properties.correlation_id;
      p.content_type = amqp_cstring_bytes("application/json");
      amqp_basic_publish(c, 1, amqp_empty_bytes, env.message.properties.reply_to, 0, 0, &p, env.message.body);
      amqp_basic_ack(c, 1, env.delivery_tag, 0);
      amqp_destroy_envelope(&env);
    }
    amqp_connection_close(c, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(c);
  });
  while (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  amqp_connection_state_t c = Connect(e);
  auto* declared = amqp_queue_declare(c, 1, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
  amqp_bytes_t reply_queue = amqp_bytes_malloc_dup(declared->queue);
  amqp_basic_consume(c, 1, reply_queue, amqp_empty_bytes, 0, 1, 1, amqp_empty_table);
  const std::string body = R"({"method":"ping","version":"3.0","id":"","request_id":"","args":{}})";
  std::vector<double> ms;
  for (int i = 0; i < calls; ++i) {
    const std::string id = "call-" + std::to_string(i);
    amqp_basic_properties_t p;
    std::memset(&p, 0, sizeof p);
    p._flags = AMQP_BASIC_REPLY_TO_FLAG | AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
    p.reply_to = reply_queue;
    p.correlation_id = amqp_cstring_bytes(id.c_str());
    p.content_type = amqp_cstring_bytes("application/json");
    const auto start = Clock::now();
    amqp_basic_publish(c, 1, amqp_empty_bytes, amqp_cstring_bytes(queue.c_str()), 0, 0, &p,
                       amqp_cstring_bytes(body.c_str()));
    amqp_envelope_t env;
    amqp_maybe_release_buffers(c);
    if (amqp_consume_message(c, &env, nullptr, 0).reply_type != AMQP_RESPONSE_NORMAL) std::abort();
    ms.push_back(bench::Seconds(start) * 1000);
    amqp_destroy_envelope(&env);
  }
  server.join();
  amqp_bytes_free(reply_queue);
  amqp_connection_close(c, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(c);
  return Summarise(ms);
}

Latencies Ours(const std::string& url, int calls) {
  AmqpTransportOptions o;
  o.url = url;
  o.process_name = "bench-server";
  auto server = NewAmqpTransport(o);
  o.process_name = "bench-client";
  auto client = NewAmqpTransport(o);
  if (!server.ok() || !client.ok()) std::abort();
  const std::string topic = "bench.rpc." + std::to_string(::getpid());
  if (!(*server)->Listen(topic, [](const std::string& m) -> Result<std::string> { return m; }, 1).ok()) {
    std::abort();
  }
  const std::string body = R"({"method":"ping","version":"3.0","id":"","request_id":"","args":{}})";
  std::vector<double> ms;
  for (int i = 0; i < calls; ++i) {
    const auto start = Clock::now();
    auto r = (*client)->Call(topic, body, std::chrono::seconds(10));
    if (!r.ok()) std::abort();
    ms.push_back(bench::Seconds(start) * 1000);
  }
  (*client)->Shutdown();
  (*server)->Shutdown();
  return Summarise(ms);
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int calls = 5000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--amqp-url") == 0) url = argv[i + 1];
    if (std::strcmp(argv[i], "--calls") == 0) calls = std::atoi(argv[i + 1]);
  }
  auto parsed = ParseAmqpUrl(url);
  if (!parsed.ok()) {
    std::fprintf(stderr, "rpc_bench --amqp-url rabbit://user:pass@host:port/ [--calls N]\n");
    return 2;
  }
  (void)Bare(parsed->endpoints[0], 200);  // warm both paths up
  (void)Ours(url, 200);
  // Interleaved, twice each, so drift on a noisy machine falls on both.
  std::vector<Latencies> bare, ours;
  for (int round = 0; round < 2; ++round) {
    bare.push_back(Bare(parsed->endpoints[0], calls / 2));
    ours.push_back(Ours(url, calls / 2));
  }
  const double bare_p50 = (bare[0].p50_ms + bare[1].p50_ms) / 2;
  const double ours_p50 = (ours[0].p50_ms + ours[1].p50_ms) / 2;
  bench::Emit("scaleout.rpc_call_p50_ms", ours_p50, "ms",
              {{"ratio_to_bare", ours_p50 / bare_p50},
               {"bare_p50_ms", bare_p50},
               {"p99_ms", std::max(ours[0].p99_ms, ours[1].p99_ms)},
               {"bare_p99_ms", std::max(bare[0].p99_ms, bare[1].p99_ms)},
               {"calls", static_cast<double>(calls)}},
              {{"anchor", "the same call written on librabbitmq directly, same broker, same run"}});
  return 0;
}
