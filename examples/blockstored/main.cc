// blockstored: the example daemon. It opens an engine from a cinder.conf-style file and serves
// Cinder's v3 REST API over HTTP, so Cinder's clients (the cinder CLI, openstacksdk) work
// against it.
//
//   blockstored --config /etc/blockstored.conf [--port N] [--roles api,scheduler,…]
//   blockstored --check-config /etc/blockstored.conf   reads it, says what is wrong, exits 0 or 1
//
// --roles (or `roles =` in [DEFAULT]) runs only those of the engine's roles — api, scheduler,
// volume, backup — as one service of a deployment that shares a database and a transport_url;
// a process without the api role serves no HTTP and runs until it is signalled.
//
// SIGTERM or SIGINT: stop accepting, finish the requests in flight, close the engine, exit 0.
#include <blockstore/rest.hpp>

#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "daemon_config.hpp"
#include "driver_loading.hpp"
#include "http_server.hpp"

int main(int argc, char** argv) {
  std::string config_file;
  int port_override = -1;
  bool check_only = false;
  const char* roles = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
      config_file = argv[++i];
    } else if (std::strcmp(argv[i], "--check-config") == 0 && i + 1 < argc) {
      config_file = argv[++i];
      check_only = true;
    } else if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      port_override = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--roles") == 0 && i + 1 < argc) {
      roles = argv[++i];
    } else {
      std::fprintf(stderr, "usage: blockstored --config FILE [--port N] [--roles R,…] | --check-config FILE\n");
      return 2;
    }
  }
  if (config_file.empty()) {
    std::fprintf(stderr, "usage: blockstored --config FILE [--port N] [--roles R,…] | --check-config FILE\n");
    return 2;
  }
  auto config = blockstored::LoadConfig(config_file);
  if (!config.ok()) {
    std::fprintf(stderr, "blockstored: %s\n", config.status().message().c_str());
    return 1;
  }
  if (check_only) {
    std::printf("%s: ok\n", config_file.c_str());
    return 0;
  }
  if (port_override >= 0) config->port = port_override;
  if (roles) {
    config->engine.roles.clear();
    std::string rest = roles;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      std::string role = rest.substr(0, comma);
      role.erase(0, role.find_first_not_of(' '));
      role.erase(role.find_last_not_of(' ') + 1);
      if (!role.empty()) config->engine.roles.push_back(role);
      rest = comma == std::string::npos ? std::string() : rest.substr(comma + 1);
    }
  }
  const auto& chosen = config->engine.roles;
  const bool serve_api = chosen.empty() || std::find(chosen.begin(), chosen.end(), "api") != chosen.end();
  // Large responses (a page of 1,000 volumes is about 700 KB of JSON) reuse the heap instead of
  // mapping fresh pages for every request.
  mallopt(M_MMAP_THRESHOLD, 16 << 20);
  mallopt(M_TRIM_THRESHOLD, 32 << 20);

  // Signals go to one thread that asks the server to drain.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (auto loaded = blockstored::LoadDrivers(config->engine); !loaded.ok()) {
    std::fprintf(stderr, "blockstored: %s\n", loaded.message().c_str());
    return 1;
  }
  auto engine = blockstore::Engine::Open(std::move(config->engine));
  if (!engine.ok()) {
    std::fprintf(stderr, "blockstored: opening the engine: %s\n", engine.status().ToString().c_str());
    return 1;
  }
  blockstored::Metrics metrics;
  blockstore::Engine* running = engine->get();
  (*engine)->Subscribe([&metrics, running](const blockstore::Event& e) {
    metrics.Event(e.type);
    if (e.type == "backup.create.end") {
      auto b = running->backups().Get(blockstore::RequestContext::Admin(), e.resource_id);
      if (b.ok()) metrics.BackupBytes(b->stored_bytes);
    }
  });
  if (!serve_api) {
    std::string names;
    for (const auto& r : chosen) names += (names.empty() ? "" : ",") + r;
    std::printf("blockstored running %s\n", names.c_str());
    std::fflush(stdout);
    int sig = 0;
    sigwait(&signals, &sig);
    std::fprintf(stderr, "blockstored: signal %d: draining\n", sig);
    (*engine)->Close();
    std::fprintf(stderr, "blockstored: stopped\n");
    return 0;
  }
  blockstore::RestHandler rest(**engine, config->rest);
  blockstored::HttpServer server(rest, metrics,
                                 {config->listen, config->port, config->workers,
                                  config->max_body_bytes, config->request_timeout,
                                  config->tls_cert_file, config->tls_key_file,
                                  config->max_connections});
  auto port = server.Start();
  if (!port.ok()) {
    std::fprintf(stderr, "blockstored: %s\n", port.status().message().c_str());
    return 1;
  }
  std::printf("blockstored listening%s on %s:%d\n", config->tls_cert_file.empty() ? "" : " (https)",
              config->listen.c_str(), *port);
  std::fflush(stdout);
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::fprintf(stderr, "blockstored: signal %d: draining\n", sig);
    server.Stop();
  });
  server.Run();
  (*engine)->Close();
  pthread_kill(waiter.native_handle(), SIGTERM);  // no-op when it already returned
  waiter.join();
  std::fprintf(stderr, "blockstored: stopped\n");
  return 0;
}
