// The in-process transport: casts, calls, ordering, shutdown.
#include <atomic>
#include <future>
#include <mutex>
#include <vector>

#include "blockstore/transport.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;

TEST_SUITE("transport") {
  TEST_CASE("call gets the handler's reply; casts are all delivered before shutdown returns") {
    auto t = NewInProcessTransport();
    std::atomic<int> handled{0};
    REQUIRE(t->Listen("echo", [&](const std::string& m) -> Result<std::string> {
                ++handled;
                return "re:" + m;
              }, 3).ok());
    auto r = t->Call("echo", "hi", std::chrono::seconds(5));
    BS_REQUIRE_OK(r);
    CHECK(*r == "re:hi");
    for (int i = 0; i < 1000; ++i) REQUIRE(t->Cast("echo", "x").ok());
    t->Shutdown();
    CHECK(handled == 1001);
    BS_CHECK_CODE(t->Cast("echo", "late"), Code::kUnavailable);
  }

  TEST_CASE("one worker keeps a topic in order, including casts made by handlers") {
    auto t = NewInProcessTransport();
    std::mutex mu;
    std::vector<std::string> seen;
    REQUIRE(t->Listen("second", [&](const std::string& m) -> Result<std::string> {
                std::lock_guard lock(mu);
                seen.push_back("2:" + m);
                return std::string();
              }, 1).ok());
    REQUIRE(t->Listen("first", [&](const std::string& m) -> Result<std::string> {
                (void)t->Cast("second", m);
                return std::string();
              }, 1).ok());
    for (int i = 0; i < 100; ++i) REQUIRE(t->Cast("first", std::to_string(i)).ok());
    t->Shutdown();  // drains what handlers cast too
    REQUIRE(seen.size() == 100);
    for (int i = 0; i < 100; ++i) CHECK(seen[static_cast<std::size_t>(i)] == "2:" + std::to_string(i));
  }

  TEST_CASE("errors: unknown topic, duplicate listener, timeout, throwing handler") {
    auto t = NewInProcessTransport();
    BS_CHECK_CODE(t->Cast("nobody", "x"), Code::kUnavailable);
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    REQUIRE(t->Listen("slow", [released](const std::string&) -> Result<std::string> {
                released.wait();  // held until the caller has given up
                return std::string();
              }, 1).ok());
    BS_CHECK_CODE(t->Listen("slow", [](const std::string&) -> Result<std::string> {
                    return std::string();
                  }, 1), Code::kAlreadyExists);
    BS_CHECK_CODE(t->Call("slow", "x", std::chrono::milliseconds(10)), Code::kDeadlineExceeded);
    release.set_value();
    REQUIRE(t->Listen("boom", [](const std::string&) -> Result<std::string> {
                throw std::runtime_error("kaput");
              }, 1).ok());
    auto r = t->Call("boom", "x", std::chrono::seconds(5));
    BS_CHECK_CODE(r, Code::kInternal);
    CHECK(r.status().message().find("kaput") != std::string::npos);
  }
}

#include "blockstore/amqp_transport.hpp"

TEST_SUITE("amqp url") {
  TEST_CASE("cinder.conf's transport_url: credentials, several hosts, vhost, TLS") {
    auto u = ParseAmqpUrl("rabbit://user:p%40ss@broker:5673/blockstore");
    BS_REQUIRE_OK(u);
    REQUIRE(u->endpoints.size() == 1);
    CHECK(u->endpoints[0].host == "broker");
    CHECK(u->endpoints[0].port == 5673);
    CHECK(u->endpoints[0].user == "user");
    CHECK(u->endpoints[0].password == "p@ss");
    CHECK(u->vhost == "blockstore");
    CHECK_FALSE(u->tls);

    u = ParseAmqpUrl("rabbit://a:b@h1:5672,c:d@h2/%2F");
    BS_REQUIRE_OK(u);
    REQUIRE(u->endpoints.size() == 2);
    CHECK(u->endpoints[1].host == "h2");
    CHECK(u->endpoints[1].port == 5672);
    CHECK(u->endpoints[1].user == "c");
    CHECK(u->vhost == "/");

    u = ParseAmqpUrl("amqps://localhost");
    BS_REQUIRE_OK(u);
    CHECK(u->tls);
    CHECK(u->endpoints[0].port == 5671);
    CHECK(u->endpoints[0].user == "guest");
    CHECK(u->vhost == "/");

    u = ParseAmqpUrl("rabbit://[::1]:5999/?ssl=1");
    BS_REQUIRE_OK(u);
    CHECK(u->endpoints[0].host == "::1");
    CHECK(u->endpoints[0].port == 5999);
    CHECK(u->tls);
  }

  TEST_CASE("a bad URL is refused with the reason, never echoing the password") {
    for (const char* bad : {"", "broker:5672", "http://h/", "rabbit://", "rabbit://h:0/", "rabbit://h:99999/",
                            "rabbit://h:x/", "rabbit://u:secret@:5672/", "rabbit://h/%zz", "rabbit://h/?tls=1",
                            "rabbit://[::1/"}) {
      auto u = ParseAmqpUrl(bad);
      CAPTURE(bad);
      BS_CHECK_CODE(u, Code::kInvalidArgument);
      CHECK(u.status().message().find("secret") == std::string::npos);
    }
  }
}
