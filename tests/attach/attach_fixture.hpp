// Attach tests: an engine whose file backend exports locally, or through a tgtd the suite
// started (BS_TGT_ENV names its KEY=VALUE file), and a host connector for this machine.
#ifndef BLOCKSTORE_TESTS_ATTACH_ATTACH_FIXTURE_HPP
#define BLOCKSTORE_TESTS_ATTACH_ATTACH_FIXTURE_HPP

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "blockstore/connector.hpp"
#include "tests/support/engine_fixture.hpp"

namespace blockstore::testing {

inline constexpr const char* kHostIqn = "iqn.2026-11.org.blockstore.test:host-a";
inline constexpr const char* kOtherIqn = "iqn.2026-11.org.blockstore.test:host-b";

// The tgtd the suite started: control port and portal.
struct TgtEnv {
  std::string control_port;
  std::string portal_ip;
  std::string portal_port;
  std::string dir;     // what scripts/tgt-aio was given
  std::string script;  // scripts/tgt-aio
};

inline std::optional<TgtEnv> LoadTgtEnv() {
  const char* path = std::getenv("BS_TGT_ENV");
  if (!path) return std::nullopt;
  std::ifstream in(path);
  TgtEnv e;
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string k = line.substr(0, eq), v = line.substr(eq + 1);
    if (k == "TGT_CONTROL_PORT") e.control_port = v;
    if (k == "TGT_PORTAL_IP") e.portal_ip = v;
    if (k == "TGT_PORTAL_PORT") e.portal_port = v;
  }
  if (const char* d = std::getenv("BS_TGT_DIR")) e.dir = d;
  if (const char* s = std::getenv("BS_TGT_SCRIPT")) e.script = s;
  if (e.control_port.empty() || e.portal_port.empty()) return std::nullopt;
  return e;
}

// The output of a shell command.
inline std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

inline EngineConfig AttachConfig(const std::string& dir, const std::optional<TgtEnv>& tgt) {
  EngineConfig c = BasicConfig(dir);
  BackendConfig b;
  b.name = "file";
  b.driver = "file";
  b.options["volumes_dir"] = dir + "/volumes";
  if (tgt) {
    b.options["target_protocol"] = "iscsi";
    b.options["tgt_control_port"] = tgt->control_port;
    b.options["target_ip_address"] = tgt->portal_ip;
    b.options["target_port"] = tgt->portal_port;
    // Unique per test directory: tests never see each other's targets.
    b.options["target_prefix"] = "iqn.2026-11.org.blockstore.test." +
                                 std::filesystem::path(dir).filename().string();
  }
  c.backends.push_back(b);
  return c;
}

inline Connector TestConnector(const char* iqn = kHostIqn) {
  Connector c;
  c.host = "host-a";
  c.ip = "127.0.0.1";
  c.initiator = iqn;
  c.platform = "x86_64";
  c.os_type = "linux";
  return c;
}

inline std::vector<std::byte> Pattern(std::size_t n, uint32_t seed) {
  std::vector<std::byte> out(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& b : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<std::byte>(x);
  }
  return out;
}

}  // namespace blockstore::testing

#endif  // BLOCKSTORE_TESTS_ATTACH_ATTACH_FIXTURE_HPP
