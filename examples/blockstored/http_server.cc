#include "http_server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace blockstored {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Steady = std::chrono::steady_clock;

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // From Stop: an idle connection closes now; a busy one after its response.
  virtual void CloseIfIdle() = 0;
  virtual std::shared_ptr<SessionBase> Lock() = 0;
};

struct Shared {
  blockstore::RestHandler& rest;
  Metrics& metrics;
  ServerOptions options;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::set<SessionBase*> sessions;
  std::optional<asio::ssl::context> tls;  // set when the server speaks HTTPS
};

// One access-log line per request: no header or body is ever logged, only the path.
void AccessLog(const std::string& remote, const std::string& method, const std::string& target,
               int status, double seconds, const std::string& request_id) {
  const std::string path = target.substr(0, target.find('?'));
  char when[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::fprintf(stderr, "%s %s \"%s %s\" %d %.1fms %s\n", when, remote.c_str(), method.c_str(),
               path.c_str(), status, seconds * 1000, request_id.c_str());
}

// One connection, plain (kTls false) or TLS.
template <bool kTls>
class Session : public SessionBase, public std::enable_shared_from_this<Session<kTls>> {
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

 public:
  Session(tcp::socket socket, Shared& shared) : stream_(Make(std::move(socket), shared)), shared_(shared) {
    beast::error_code ec;
    auto ep = Lowest().socket().remote_endpoint(ec);
    remote_ = ec ? "-" : ep.address().to_string();
  }
  std::shared_ptr<SessionBase> Lock() override { return this->weak_from_this().lock(); }
  ~Session() override {
    std::lock_guard lock(shared_.mu);
    shared_.sessions.erase(this);
  }

  void Start() {
    {
      std::lock_guard lock(shared_.mu);
      shared_.sessions.insert(this);
    }
    if constexpr (kTls) {
      Lowest().expires_after(shared_.options.request_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->Read();
                              });
    } else {
      Read();
    }
  }

  void CloseIfIdle() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->busy_) self->Lowest().socket().close();
    });
  }

 private:
  static Stream Make(tcp::socket socket, Shared& shared) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *shared.tls);
    } else {
      (void)shared;
      return Stream(std::move(socket));
    }
  }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void Read() {
    parser_.emplace();
    parser_->body_limit(shared_.options.max_body_bytes);
    parser_->header_limit(16 * 1024);
    Lowest().expires_after(shared_.options.request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::ssl::error::stream_truncated) {
      return Close();
    }
    if (ec == http::error::body_limit) return Reply(413, R"({"overLimit": {"code": 413, "message": "Request is too large."}})", false);
    if (ec) return Reply(400, R"({"badRequest": {"code": 400, "message": "Malformed HTTP request."}})", false);
    busy_ = true;
    auto req = parser_->release();
    const auto start = Steady::now();
    const std::string method(req.method_string());
    const std::string target(req.target());
    http::response<http::string_body> res;
    res.version(req.version());
    std::string route, request_id;
    if (target == "/healthz") {
      res.result(200);
      res.set(http::field::content_type, "text/plain");
      res.body() = "ok\n";
      route = "GET /healthz";
    } else if (target == "/metrics") {
      res.result(200);
      res.set(http::field::content_type, "text/plain; version=0.0.4");
      res.body() = shared_.metrics.Render();
      route = "GET /metrics";
    } else {
      blockstore::RestRequest r;
      r.method = method;
      r.target = target;
      for (const auto& f : req) r.headers[std::string(f.name_string())] = std::string(f.value());
      r.body = std::move(req.body());
      blockstore::RestOutcome outcome;
      blockstore::RestResponse out = shared_.rest.Handle(r, &outcome);
      res.result(static_cast<unsigned>(out.status));
      for (const auto& [k, v] : out.headers) res.set(k, v);
      res.body() = std::move(out.body);
      route = outcome.route;
      request_id = outcome.request_id;
    }
    const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
    shared_.metrics.Request(route, static_cast<int>(res.result_int()), seconds);
    AccessLog(remote_, method, target, static_cast<int>(res.result_int()), seconds, request_id);
    res.keep_alive(req.keep_alive() && !shared_.stopping);
    res.prepare_payload();
    Send(std::move(res));
  }

  void Reply(int status, const char* body, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "application/json");
    res.body() = body;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    Send(std::move(res));
  }

  void Send(http::response<http::string_body>&& res) {
    auto sp = std::make_shared<http::response<http::string_body>>(std::move(res));
    const bool close = !sp->keep_alive();
    Lowest().expires_after(shared_.options.request_timeout);
    http::async_write(stream_, *sp, [self = this->shared_from_this(), sp, close](beast::error_code ec, std::size_t) {
      self->busy_ = false;
      if (ec || close || self->shared_.stopping) return self->Close();
      self->Read();
    });
  }

  void Close() {
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    Lowest().socket().close(ec);
  }

  Stream stream_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  std::atomic<bool> busy_{false};
};

// A connection over the limit: told so in plain HTTP (no TLS handshake is spent on it) and
// closed. Cinder's clients retry a 503 that carries Retry-After.
void Refuse(tcp::socket socket) {
  static const std::string kBusy = [] {
    const std::string body =
        R"({"serviceUnavailable": {"code": 503, "message": "Too many connections; try again later."}})";
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
           "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  auto s = std::make_shared<tcp::socket>(std::move(socket));
  asio::async_write(*s, asio::buffer(kBusy), [s](beast::error_code, std::size_t) {
    beast::error_code ec;
    s->shutdown(tcp::socket::shutdown_send, ec);
    s->close(ec);
  });
}

int ConnectionLimit(int configured) {
  if (configured > 0) return configured;
  rlimit nofile{};
  if (::getrlimit(RLIMIT_NOFILE, &nofile) != 0 || nofile.rlim_cur == RLIM_INFINITY) return 65536;
  return static_cast<int>(std::max<rlim_t>(16, std::min<rlim_t>(nofile.rlim_cur, 1 << 20) - 128));
}

}  // namespace

struct HttpServer::Impl {
  Impl(blockstore::RestHandler& rest, Metrics& metrics, ServerOptions o)
      : shared{rest, metrics, std::move(o)}, acceptor(io), retry(io),
        max_connections(ConnectionLimit(shared.options.max_connections)) {}

  void Accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (shared.stopping || ec == asio::error::operation_aborted) return;  // closed by Stop
      if (ec) {
        // EMFILE, ENFILE, ENOBUFS, ECONNABORTED…: the listening socket is fine, and the
        // connection waits in the backlog. Say so once per episode, wait, try again.
        backoff = std::min(backoff == std::chrono::milliseconds(0) ? std::chrono::milliseconds(10)
                                                                  : backoff * 2,
                           std::chrono::milliseconds(1000));
        if (!accept_failing) {
          std::fprintf(stderr, "blockstored: accept failed: %s; retrying with backoff\n",
                       ec.message().c_str());
          accept_failing = true;
        }
        retry.expires_after(backoff);
        retry.async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec && !shared.stopping) Accept();
        });
        return;
      }
      if (accept_failing) {
        std::fprintf(stderr, "blockstored: accepting again\n");
        accept_failing = false;
      }
      backoff = std::chrono::milliseconds(0);
      std::size_t open;
      {
        std::lock_guard lock(shared.mu);
        open = shared.sessions.size();
      }
      if (open >= static_cast<std::size_t>(max_connections)) {
        shared.metrics.Request("refused: too many connections", 503, 0);
        Refuse(std::move(socket));
      } else if (shared.tls) {
        std::make_shared<Session<true>>(std::move(socket), shared)->Start();
      } else {
        std::make_shared<Session<false>>(std::move(socket), shared)->Start();
      }
      Accept();
    });
  }

  asio::io_context io;
  Shared shared;
  tcp::acceptor acceptor;
  asio::steady_timer retry;
  const int max_connections;
  // Touched only by the accept chain, one step at a time.
  std::chrono::milliseconds backoff{0};
  bool accept_failing = false;
};

HttpServer::HttpServer(blockstore::RestHandler& rest, Metrics& metrics, ServerOptions options)
    : impl_(std::make_unique<Impl>(rest, metrics, std::move(options))) {}
HttpServer::~HttpServer() = default;

blockstore::Result<int> HttpServer::Start() {
  beast::error_code ec;
  const auto& o = impl_->shared.options;
  if (!o.tls_cert_file.empty() || !o.tls_key_file.empty()) {
    if (o.tls_cert_file.empty() || o.tls_key_file.empty()) {
      return blockstore::InvalidArgument("TLS needs both tls_cert_file and tls_key_file");
    }
    auto& tls = impl_->shared.tls.emplace(asio::ssl::context::tls_server);
    tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
    tls.use_certificate_chain_file(o.tls_cert_file, ec);
    if (!ec) tls.use_private_key_file(o.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) {
      impl_->shared.tls.reset();
      return blockstore::InvalidArgument("TLS: " + ec.message() + " (" + o.tls_cert_file + ", " +
                                         o.tls_key_file + ")");
    }
  }
  const auto address = asio::ip::make_address(impl_->shared.options.listen, ec);
  if (ec) return blockstore::InvalidArgument("listen: '" + impl_->shared.options.listen + "' is not an address");
  tcp::endpoint ep{address, static_cast<unsigned short>(impl_->shared.options.port)};
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return blockstore::Unavailable("cannot listen on " + impl_->shared.options.listen + ":" +
                                         std::to_string(ep.port()) + ": " + ec.message());
  impl_->Accept();
  return static_cast<int>(impl_->acceptor.local_endpoint().port());
}

void HttpServer::Run() {
  std::vector<std::thread> threads;
  for (int i = 1; i < impl_->shared.options.workers; ++i) threads.emplace_back([this] { impl_->io.run(); });
  impl_->io.run();
  for (auto& t : threads) t.join();
}

void HttpServer::Stop() {
  asio::post(impl_->io, [this] {
    impl_->shared.stopping = true;
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->retry.cancel();
    // Collected under the lock, closed (and possibly destroyed, which takes the lock) after.
    std::vector<std::shared_ptr<SessionBase>> alive;
    {
      std::lock_guard lock(impl_->shared.mu);
      for (SessionBase* s : impl_->shared.sessions) {
        if (auto sp = s->Lock()) alive.push_back(std::move(sp));
      }
    }
    for (auto& s : alive) s->CloseIfIdle();
  });
}

}  // namespace blockstored
