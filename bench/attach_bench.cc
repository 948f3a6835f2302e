// Attach figures: how long initialize_connection takes (the tgt export included), and how fast
// the iSCSI connector moves data compared with qemu-img against the same LUN in the same run.
//
//   attach_bench --tgt ENV_FILE     (ENV_FILE: what scripts/tgt-aio start printed)
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_util.hpp"
#include "blockstore/connector.hpp"
#include "blockstore/engine.hpp"

using namespace blockstore;
using blockstore::bench::Emit;
using blockstore::bench::Seconds;
using Steady = std::chrono::steady_clock;

namespace {

constexpr const char* kInitiator = "iqn.2026-11.org.blockstore.bench:host";
constexpr uint64_t kDataBytes = uint64_t{1} << 30;
constexpr std::size_t kCall = 8u << 20;  // bytes per connector call (8 commands in flight)

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "attach_bench: %s: %s\n", what, r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}
void Must(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "attach_bench: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5)];
}

// A string field of the connection data (a flat JSON object).
std::string DataField(const std::string& data, const std::string& key) {
  const std::string k = "\"" + key + "\":\"";
  const auto at = data.find(k);
  if (at == std::string::npos) return {};
  const auto start = at + k.size();
  return data.substr(start, data.find('"', start) - start);
}

// qemu-img bench against the LUN: seconds for 1 GiB in 1 MiB requests, 8 in flight.
double QemuSeconds(const std::string& data, bool write) {
  const std::string spec =
      "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"iscsi\",\"transport\":\"tcp\","
      "\"portal\":\"" + DataField(data, "target_portal") + "\",\"target\":\"" +
      DataField(data, "target_iqn") + "\",\"lun\":1,\"user\":\"" +
      DataField(data, "auth_username") + "\",\"password\":\"" + DataField(data, "auth_password") +
      "\",\"initiator-name\":\"" + kInitiator + "\"}}";
  const std::string cmd = std::string("qemu-img bench ") + (write ? "-w " : "") +
                          "-c 1024 -s 1M -d 8 '" + spec + "' 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) std::exit(1);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  const int rc = ::pclose(p);
  const auto at = out.find("Run completed in ");
  if (rc != 0 || at == std::string::npos) {
    std::fprintf(stderr, "attach_bench: qemu-img bench failed: %s\n", out.c_str());
    std::exit(1);
  }
  return std::atof(out.c_str() + at + 17);
}

double ConnectorSeconds(const ConnectionInfo& info, bool write, std::vector<std::byte>& buf) {
  ConnectOptions o;
  o.initiator = kInitiator;
  auto dev = Must(ConnectVolume(info, o), "connecting");
  const auto start = Steady::now();
  for (uint64_t off = 0; off < kDataBytes; off += buf.size()) {
    if (write) {
      Must(dev->WriteAt(off, buf), "writing");
    } else {
      Must(dev->ReadAt(off, buf), "reading");
    }
  }
  if (write) Must(dev->Flush(), "flushing");
  return Seconds(start);
}

std::map<std::string, std::string> LoadEnv(const std::string& path) {
  std::map<std::string, std::string> env;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

}  // namespace

int main(int argc, char** argv) {
  std::string env_file;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--tgt") == 0) env_file = argv[i + 1];
  }
  auto env = LoadEnv(env_file);
  if (env["TGT_CONTROL_PORT"].empty()) {
    std::fprintf(stderr, "usage: attach_bench --tgt ENV_FILE (from scripts/tgt-aio start)\n");
    return 2;
  }
  const std::string dir = bench::TempDir("attach");
  EngineConfig config;
  config.state_path = dir;
  BackendConfig b;
  b.name = "file";
  b.driver = "file";
  b.options = {{"volumes_dir", dir + "/volumes"},
               {"target_protocol", "iscsi"},
               {"tgt_control_port", env["TGT_CONTROL_PORT"]},
               {"target_port", env["TGT_PORTAL_PORT"]},
               {"target_prefix", "iqn.2026-11.org.blockstore.bench"}};
  config.backends.push_back(b);
  config.quota_defaults = {{"volumes", -1}, {"gigabytes", -1}};
  auto engine = Must(Engine::Open(config), "opening the engine");
  Engine& eng = *engine;
  const auto me = RequestContext::User("bench");
  Connector host = HostConnector("127.0.0.1", kInitiator);

  auto make = [&] {
    VolumeCreateRequest r;
    r.size_gb = 1;
    auto v = Must(eng.volumes().Create(me, r), "creating a volume");
    return Must(engine->WaitForVolume(me, v.id, {VolumeStatus::kAvailable}, std::chrono::seconds(30)),
                "waiting for a volume");
  };

  // initialize_connection, each one exporting a volume that was not exported before.
  constexpr int kSamples = 40;
  std::vector<Volume> volumes;
  for (int i = 0; i < kSamples; ++i) volumes.push_back(make());
  std::vector<double> init_ms, term_ms, create_ms;
  for (const auto& v : volumes) {
    auto t = Steady::now();
    Must(eng.attachments().InitializeConnection(me, v.id, host), "initialize_connection");
    init_ms.push_back(Seconds(t) * 1000);
  }
  for (const auto& v : volumes) {
    auto t = Steady::now();
    Must(eng.attachments().TerminateConnection(me, v.id, host), "terminate_connection");
    term_ms.push_back(Seconds(t) * 1000);
  }
  for (const auto& v : volumes) {
    AttachmentCreateRequest r;
    r.volume_id = v.id;
    r.connector = host;
    auto t = Steady::now();
    auto a = Must(eng.attachments().Create(me, r), "creating an attachment");
    create_ms.push_back(Seconds(t) * 1000);
    Must(eng.attachments().Delete(me, a.id).status(), "deleting an attachment");
  }
  Emit("attach.initialize_connection_p50_ms", Percentile(init_ms, 0.5), "ms",
       {{"p90_ms", Percentile(init_ms, 0.9)}, {"samples", kSamples},
        {"terminate_p50_ms", Percentile(term_ms, 0.5)},
        {"attachment_create_p50_ms", Percentile(create_ms, 0.5)}});

  // Sequential throughput through the connector and through qemu-img, same LUN, same run;
  // the best of two rounds each, interleaved, so both see the same machine.
  const Volume data_vol = make();
  AttachmentCreateRequest r;
  r.volume_id = data_vol.id;
  r.connector = host;
  const Attachment a = Must(eng.attachments().Create(me, r), "attaching the data volume");
  const ConnectionInfo& info = *a.connection_info;
  std::vector<std::byte> buf(kCall);
  std::mt19937_64 rng(42);
  for (auto& x : buf) x = static_cast<std::byte>(rng());
  double ours_w = 1e9, ours_r = 1e9, qemu_w = 1e9, qemu_r = 1e9;
  for (int round = 0; round < 2; ++round) {
    qemu_w = std::min(qemu_w, QemuSeconds(info.data, true));
    ours_w = std::min(ours_w, ConnectorSeconds(info, true, buf));
    qemu_r = std::min(qemu_r, QemuSeconds(info.data, false));
    ours_r = std::min(ours_r, ConnectorSeconds(info, false, buf));
  }
  const double mib = static_cast<double>(kDataBytes >> 20);
  Emit("attach.iscsi_read_ratio_vs_qemu", qemu_r / ours_r, "x",
       {{"connector_mib_s", mib / ours_r}, {"qemu_mib_s", mib / qemu_r}, {"gib", 1}});
  Emit("attach.iscsi_write_ratio_vs_qemu", qemu_w / ours_w, "x",
       {{"connector_mib_s", mib / ours_w}, {"qemu_mib_s", mib / qemu_w}, {"gib", 1}});
  Must(eng.attachments().Delete(me, a.id).status(), "detaching");
  engine.reset();
  std::system(("rm -rf '" + dir + "'").c_str());
  return 0;
}
