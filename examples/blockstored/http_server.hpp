// blockstored's HTTP server (Boost.Beast): keep-alive connections served by a pool of I/O
// threads; request size and time limits; /healthz and /metrics of its own; everything else
// goes to the RestHandler; HTTPS when given a certificate and key. Stop() stops accepting, lets
// requests in flight finish and closes idle connections. A failed accept (out of file
// descriptors, say) is logged and tried again after a backoff; it never stops the server.
#ifndef BLOCKSTORE_EXAMPLES_BLOCKSTORED_HTTP_SERVER_HPP
#define BLOCKSTORE_EXAMPLES_BLOCKSTORED_HTTP_SERVER_HPP

#include <blockstore/rest.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "metrics.hpp"

namespace blockstored {

struct ServerOptions {
  std::string listen = "127.0.0.1";
  int port = 8776;  // 0: any free port
  int workers = 4;
  std::size_t max_body_bytes = 1 << 20;
  std::chrono::seconds request_timeout{60};
  std::string tls_cert_file;  // both set: HTTPS (TLS 1.2+)
  std::string tls_key_file;
  // Open connections at most; one more is answered 503 (with Retry-After) and closed. 0: the
  // open-file limit less 128 descriptors kept for the engine (its database, volumes, exports).
  int max_connections = 0;
};

class HttpServer {
 public:
  HttpServer(blockstore::RestHandler& rest, Metrics& metrics, ServerOptions options);
  ~HttpServer();
  // Binds and listens; the port it got (useful with port 0).
  blockstore::Result<int> Start();
  // Serves until Stop (from any thread, e.g. a signal handler's thread) drains it.
  void Run();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace blockstored

#endif  // BLOCKSTORE_EXAMPLES_BLOCKSTORED_HTTP_SERVER_HPP
