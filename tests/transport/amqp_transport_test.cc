// The AMQP transport against a real RabbitMQ (scripts/rabbitmq-aio; BS_AMQP_ENV names its
// KEY=VALUE file): calls and casts between separate connections, competing consumers, fanout,
// errors, redelivery after a listener dies, a broker restart, TLS.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <boost/json.hpp>

#include "blockstore/amqp_transport.hpp"
#include "blockstore/engine.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;
using namespace std::chrono_literals;

namespace {

std::string BrokerUrl() { return testing::EnvFileValue("BS_AMQP_ENV", "BS_AMQP_URL"); }

// A topic no other test (or earlier run on the same broker) has used.
std::string FreshTopic(const std::string& what) {
  static std::atomic<int> n{0};
  return "test." + what + "." + std::to_string(::getpid()) + "." + std::to_string(++n);
}

std::unique_ptr<Transport> Open(const std::string& url, std::string name = "",
                                std::chrono::milliseconds publish_timeout = 30s) {
  AmqpTransportOptions o;
  o.url = url;
  o.process_name = std::move(name);
  o.publish_timeout = publish_timeout;
  o.heartbeat = std::chrono::seconds(5);
  auto t = NewAmqpTransport(o);
  REQUIRE_MESSAGE(t.ok(), testing::Describe(t));
  return std::move(t).value();
}

// Counts what a handler saw, and waits for a number of them.
struct Seen {
  std::mutex mu;
  std::condition_variable cv;
  std::multiset<std::string> messages;
  void Add(const std::string& m) {
    std::lock_guard lock(mu);
    messages.insert(m);
    cv.notify_all();
  }
  bool WaitFor(std::size_t n, std::chrono::milliseconds timeout = 20s) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return messages.size() >= n; });
  }
  std::size_t size() {
    std::lock_guard lock(mu);
    return messages.size();
  }
};

MessageHandler Recorder(Seen& seen) {
  return [&seen](const std::string& m) -> Result<std::string> {
    seen.Add(m);
    return std::string();
  };
}

}  // namespace

TEST_SUITE("amqp transport") {
  TEST_CASE("a call crosses connections and carries the handler's reply or its error") {
    auto server = Open(BrokerUrl(), "server");
    auto client = Open(BrokerUrl(), "client");
    const std::string topic = FreshTopic("echo");
    REQUIRE(server->Listen(topic, [](const std::string& m) -> Result<std::string> {
                if (m == "missing") return NotFound("no volume 'missing'");
                return "re:" + m;
              }, 2).ok());
    auto r = client->Call(topic, "hi", 5s);
    BS_REQUIRE_OK(r);
    CHECK(*r == "re:hi");
    auto err = client->Call(topic, "missing", 5s);
    BS_CHECK_CODE(err, Code::kNotFound);
    CHECK(err.status().message() == "no volume 'missing'");
    // Many calls at once, each matched to its own reply.
    std::vector<std::future<Result<std::string>>> calls;
    for (int i = 0; i < 50; ++i) {
      calls.push_back(std::async(std::launch::async, [&, i] { return client->Call(topic, std::to_string(i), 10s); }));
    }
    for (int i = 0; i < 50; ++i) {
      auto got = calls[static_cast<std::size_t>(i)].get();
      BS_REQUIRE_OK(got);
      CHECK(*got == "re:" + std::to_string(i));
    }
  }

  TEST_CASE("errors: nobody listens, a call times out, a duplicate listener, after shutdown") {
    auto t = Open(BrokerUrl());
    BS_CHECK_CODE(t->Cast(FreshTopic("nobody"), "x"), Code::kUnavailable);
    BS_CHECK_OK(t->Fanout(FreshTopic("nobody"), "x"));  // no listener is no error for a fanout
    const auto start = std::chrono::steady_clock::now();
    BS_CHECK_CODE(t->Call(FreshTopic("nobody"), "x", 300ms), Code::kDeadlineExceeded);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    const std::string topic = FreshTopic("dup");
    REQUIRE(t->Listen(topic, [](const std::string&) -> Result<std::string> { return std::string(); }, 1).ok());
    BS_CHECK_CODE(t->Listen(topic, [](const std::string&) -> Result<std::string> { return std::string(); }, 1),
                  Code::kAlreadyExists);
    BS_CHECK_CODE(t->Listen(FreshTopic("x"), nullptr, 1), Code::kInvalidArgument);
    t->Shutdown();
    BS_CHECK_CODE(t->Cast(topic, "late"), Code::kUnavailable);
    BS_CHECK_CODE(t->Call(topic, "late", 1s), Code::kUnavailable);
  }

  TEST_CASE("refused credentials, an unknown vhost and no broker fail at open, clearly") {
    const std::string url = BrokerUrl();  // rabbit://guest:guest@127.0.0.1:PORT/
    const std::string hostport = url.substr(url.find('@') + 1, url.rfind('/') - url.find('@') - 1);
    AmqpTransportOptions o;
    o.url = "rabbit://guest:wrong-secret@" + hostport + "/";
    auto bad = NewAmqpTransport(o);
    BS_CHECK_CODE(bad, Code::kPermissionDenied);
    CHECK(bad.status().message().find("wrong-secret") == std::string::npos);
    o.url = "rabbit://guest:guest@" + hostport + "/no-such-vhost";
    BS_CHECK_CODE(NewAmqpTransport(o), Code::kPermissionDenied);
    o.url = "rabbit://guest:guest@127.0.0.1:1/";
    BS_CHECK_CODE(NewAmqpTransport(o), Code::kUnavailable);
    o.url = "http://nowhere";
    BS_CHECK_CODE(NewAmqpTransport(o), Code::kInvalidArgument);
  }

  TEST_CASE("listeners of one topic compete; a fanout reaches each of them once") {
    auto a = Open(BrokerUrl(), "a");
    auto b = Open(BrokerUrl(), "b");
    auto sender = Open(BrokerUrl(), "sender");
    const std::string topic = FreshTopic("work");
    Seen at_a, at_b;
    REQUIRE(a->Listen(topic, Recorder(at_a), 1).ok());
    REQUIRE(b->Listen(topic, Recorder(at_b), 1).ok());
    for (int i = 0; i < 200; ++i) REQUIRE(sender->Cast(topic, "cast" + std::to_string(i)).ok());
    REQUIRE(at_a.WaitFor(1));
    for (int i = 0; i < 200 && at_a.size() + at_b.size() < 200; ++i) std::this_thread::sleep_for(50ms);
    CHECK(at_a.size() + at_b.size() == 200);  // each cast ran exactly once, somewhere
    CHECK(at_b.size() > 0);
    for (int i = 0; i < 10; ++i) REQUIRE(sender->Fanout(topic, "stats" + std::to_string(i)).ok());
    auto fanouts = [](Seen& s) {
      std::lock_guard lock(s.mu);
      std::size_t n = 0;
      for (const auto& m : s.messages) n += m.starts_with("stats");
      return n;
    };
    for (int i = 0; i < 200 && (fanouts(at_a) < 10 || fanouts(at_b) < 10); ++i) std::this_thread::sleep_for(50ms);
    CHECK(fanouts(at_a) == 10);
    CHECK(fanouts(at_b) == 10);
  }

  TEST_CASE("a message whose listener dies before its handler returns is delivered again") {
    const std::string url = BrokerUrl();
    const std::string topic = FreshTopic("redeliver");
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {  // the listener that dies mid-handler
      AmqpTransportOptions o;
      o.url = url;
      auto t = NewAmqpTransport(o);
      if (!t.ok()) ::_exit(3);
      const int fd = ready[1];
      (void)(*t)->Listen(topic, [fd](const std::string&) -> Result<std::string> {
        (void)!::write(fd, "x", 1);
        ::pause();  // killed here
        return std::string();
      }, 1);
      ::pause();
      ::_exit(0);
    }
    ::close(ready[1]);
    // The queue exists once the child listens; the cast waits for it.
    auto sender = Open(url);
    Status cast = Unavailable("not yet");
    for (int i = 0; i < 100 && !cast.ok(); ++i) {
      cast = sender->Cast(topic, "the-job");
      if (!cast.ok()) std::this_thread::sleep_for(100ms);
    }
    BS_REQUIRE_OK(cast);
    char c;
    REQUIRE(::read(ready[0], &c, 1) == 1);  // the child's handler runs
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ::close(ready[0]);
    Seen again;
    REQUIRE(sender->Listen(topic, Recorder(again), 1).ok());
    REQUIRE(again.WaitFor(1));
    CHECK(*again.messages.begin() == "the-job");
  }

  TEST_CASE("TLS: the broker's certificate is verified against the given CA") {
    const std::string url = testing::EnvFileValue("BS_AMQP_ENV", "BS_AMQPS_URL");
    AmqpTransportOptions o;
    o.url = url;
    o.ca_file = testing::EnvFileValue("BS_AMQP_ENV", "BS_AMQP_CA");
    auto t = NewAmqpTransport(o);
    BS_REQUIRE_OK(t);
    const std::string topic = FreshTopic("tls");
    REQUIRE((*t)->Listen(topic, [](const std::string& m) -> Result<std::string> { return m + "!"; }, 1).ok());
    auto r = (*t)->Call(topic, "over tls", 5s);
    BS_REQUIRE_OK(r);
    CHECK(*r == "over tls!");
    o.ca_file.clear();  // the system's CAs do not know the test CA
    BS_CHECK_CODE(NewAmqpTransport(o), Code::kUnavailable);
  }

  TEST_CASE("a broker restart: persistent casts survive it, listeners and publishers reconnect") {
    // A broker of this test's own, so that its restart disturbs no other test.
    const char* script = std::getenv("BS_AMQP_SCRIPT");
    REQUIRE(script != nullptr);
    testing::TempDir dir;
    const std::string broker = dir.path() + "/broker";
    auto run = [&](const std::string& cmd) {
      const std::string line = std::string(script) + " " + cmd + " " + broker + " > " + broker + ".env";
      return std::system(line.c_str());
    };
    REQUIRE(run("start") == 0);
    struct Stop {
      std::function<int(const std::string&)> run;
      ~Stop() { run("stop"); }
    } stop{run};
    ::setenv("BS_AMQP_ENV_PRIVATE", (broker + ".env").c_str(), 1);
    const std::string url = testing::EnvFileValue("BS_AMQP_ENV_PRIVATE", "BS_AMQP_URL");
    const std::string topic = FreshTopic("restart");
    {  // declare the durable queue, then go away: casts wait in the broker
      auto first = Open(url);
      Seen none;
      REQUIRE(first->Listen(topic, Recorder(none), 1).ok());
      first->Shutdown();
    }
    auto sender = Open(url, "sender", 60s);
    for (int i = 0; i < 20; ++i) REQUIRE(sender->Cast(topic, "before" + std::to_string(i)).ok());
    Seen seen;
    auto listener = Open(url, "listener");
    // Restart while nothing consumes: the persistent casts are on disk.
    REQUIRE(run("restart") == 0);
    REQUIRE(listener->Listen(topic, Recorder(seen), 2).ok());
    // The sender's connections died with the broker: its next casts reconnect.
    for (int i = 0; i < 20; ++i) BS_REQUIRE_OK(sender->Cast(topic, "after" + std::to_string(i)));
    REQUIRE(seen.WaitFor(40, 30s));
    for (int i = 0; i < 20; ++i) {
      CHECK(seen.messages.count("before" + std::to_string(i)) == 1);
      CHECK(seen.messages.count("after" + std::to_string(i)) == 1);
    }
    // A restart under a running listener: it reconnects and serves calls again.
    REQUIRE(run("restart") == 0);
    Result<std::string> r = Unavailable("not yet");
    for (int i = 0; i < 100 && !r.ok(); ++i) {
      r = sender->Call(topic, "ping", 2s);
      if (!r.ok()) std::this_thread::sleep_for(200ms);
    }
    BS_CHECK_OK(r);
  }

  TEST_CASE("an engine with every role over the bus; its events reach an outside consumer as notifications") {
    // A vhost of this test's own: the engine's queues ("scheduler", "backup", …) meet no other's.
    const std::string ctl = testing::EnvFileValue("BS_AMQP_ENV", "BS_AMQP_CTL");
    const std::string vhost = "engine-" + std::to_string(::getpid());
    REQUIRE(std::system((ctl + " add_vhost " + vhost + " >/dev/null 2>&1").c_str()) == 0);
    REQUIRE(std::system((ctl + " set_permissions -p " + vhost + " guest '.*' '.*' '.*' >/dev/null 2>&1").c_str()) ==
            0);
    const std::string url = BrokerUrl() + vhost;
    testing::TempDir dir;
    EngineConfig config = testing::BasicConfig(dir.path());
    config.transport_url = url;
    config.bus_notifications = true;
    auto engine = Engine::Open(config);
    BS_REQUIRE_OK(engine);

    // The outside consumer: a queue of its own bound to the notifications of the exchange.
    const std::string hostport = url.substr(url.find('@') + 1, url.rfind('/') - url.find('@') - 1);
    amqp_connection_state_t c = amqp_new_connection();
    amqp_socket_t* socket = amqp_tcp_socket_new(c);
    REQUIRE(amqp_socket_open(socket, "127.0.0.1", std::stoi(hostport.substr(hostport.find(':') + 1))) ==
            AMQP_STATUS_OK);
    REQUIRE(amqp_login(c, vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest").reply_type ==
            AMQP_RESPONSE_NORMAL);
    amqp_channel_open(c, 1);
    amqp_queue_declare_ok_t* q = amqp_queue_declare(c, 1, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
    REQUIRE(q != nullptr);
    amqp_bytes_t queue = amqp_bytes_malloc_dup(q->queue);
    amqp_queue_bind(c, 1, queue, amqp_cstring_bytes("blockstore"), amqp_cstring_bytes("notifications.*"),
                    amqp_empty_table);
    REQUIRE(amqp_get_rpc_reply(c).reply_type == AMQP_RESPONSE_NORMAL);

    auto me = RequestContext::User("p1");
    VolumeCreateRequest r;
    r.size_gb = 1;
    r.name = "over-the-bus";
    auto v = (*engine)->volumes().Create(me, r);
    BS_REQUIRE_OK(v);
    BS_REQUIRE_OK((*engine)->WaitForVolume(me, v->id, {VolumeStatus::kAvailable}, 30s));
    BS_REQUIRE_OK((*engine)->volumes().Delete(me, v->id));
    BS_REQUIRE_OK((*engine)->WaitForVolumeDeleted(me, v->id, 30s));

    std::set<std::string> events;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!events.count("volume.delete.end") && std::chrono::steady_clock::now() < deadline) {
      amqp_maybe_release_buffers(c);
      amqp_rpc_reply_t got = amqp_basic_get(c, 1, queue, 1);
      REQUIRE(got.reply_type == AMQP_RESPONSE_NORMAL);
      if (got.reply.id != AMQP_BASIC_GET_OK_METHOD) {
        std::this_thread::sleep_for(50ms);
        continue;
      }
      amqp_message_t m;
      REQUIRE(amqp_read_message(c, 1, &m, 0).reply_type == AMQP_RESPONSE_NORMAL);
      const std::string body(static_cast<const char*>(m.body.bytes), m.body.len);
      amqp_destroy_message(&m);
      const auto envelope = boost::json::parse(body).as_object();
      CHECK(envelope.at("oslo.version").as_string() == "2.0");
      const auto inner = boost::json::parse(envelope.at("oslo.message").as_string()).as_object();
      const auto& payload = inner.at("payload").as_object();
      if (payload.contains("volume_id") && payload.at("volume_id").as_string() == v->id) {
        events.insert(std::string(inner.at("event_type").as_string()));
        CHECK(inner.at("publisher_id").as_string() == "volume.testhost");
        CHECK(payload.at("tenant_id").as_string() == "p1");
      }
    }
    CHECK(events.count("volume.create.start"));
    CHECK(events.count("volume.create.end"));
    CHECK(events.count("volume.delete.end"));
    amqp_bytes_free(queue);
    amqp_connection_close(c, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(c);
    (*engine)->Close();
    (void)std::system((ctl + " delete_vhost " + vhost + " >/dev/null 2>&1").c_str());
  }
}
