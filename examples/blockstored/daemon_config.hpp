// blockstored's configuration: cinder.conf's INI style over the engine's schema
// (docs/configuration.md), so the daemon sets every key the library has.
//
//   [DEFAULT]   the daemon's own: listen, port, workers (HTTP), public_url, auth_strategy
//               (noauth | tokens), token_file, max_request_body_bytes, request_timeout,
//               max_connections, tls_cert_file and tls_key_file (HTTPS), enabled_backends;
//               the engine's top-level keys (state_path, host, availability_zone,
//               volume_workers, stats_interval_ms, …); quota_<resource> and
//               per_volume_size_limit (Cinder's names of quota_defaults.<resource>)
//   [<backend>] one per enabled backend: volume_driver, volume_backend_name, filter_function,
//               goodness_function, and the driver's own options
//   [scheduler], [backup], [backup.target], [quota_defaults]: the keys of those parts of the
//               schema ("scheduler.filters" is filters in [scheduler]); lists as a, b, c,
//               weighers as Name:1.0, Other:-1
//
// Unknown sections and options, and bad values, are errors naming the file and line.
#ifndef BLOCKSTORE_EXAMPLES_BLOCKSTORED_DAEMON_CONFIG_HPP
#define BLOCKSTORE_EXAMPLES_BLOCKSTORED_DAEMON_CONFIG_HPP

#include <blockstore/engine.hpp>
#include <blockstore/rest.hpp>

#include <chrono>
#include <string>

namespace blockstored {

struct DaemonConfig {
  std::string listen = "127.0.0.1";
  int port = 8776;
  int workers = 4;
  std::size_t max_body_bytes = 1 << 20;
  std::chrono::seconds request_timeout{60};
  std::string tls_cert_file;
  std::string tls_key_file;
  int max_connections = 0;  // 0: from the open-file limit (ServerOptions)
  blockstore::EngineConfig engine;
  blockstore::RestOptions rest;
};

// Parses `text` (from `file`, for messages).
blockstore::Result<DaemonConfig> ParseConfig(const std::string& text, const std::string& file);
blockstore::Result<DaemonConfig> LoadConfig(const std::string& file);

}  // namespace blockstored

#endif  // BLOCKSTORE_EXAMPLES_BLOCKSTORED_DAEMON_CONFIG_HPP
