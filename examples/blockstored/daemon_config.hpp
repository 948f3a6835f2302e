// blockstored's configuration: cinder.conf's INI style.
//
//   [DEFAULT]   listen, port, state_path, host, enabled_backends, default_volume_type,
//               auth_strategy (noauth | tokens), token_file, workers, public_url,
//               max_request_body_bytes, request_timeout, max_connections, quota_<resource>,
//               per_volume_size_limit,
//               tls_cert_file and tls_key_file (HTTPS)
//   [<backend>] volume_driver (file), volume_backend_name, filter_function, goodness_function,
//               and the driver's own options (volumes_dir, target_protocol, …)
//   [backup]    backup_target (posix | swift | s3) and the target's options (root, auth_url, …)
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
