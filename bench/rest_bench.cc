// REST figures: volume creates over HTTP with keep-alive (create → available), GET
// /volumes/detail of 1,000 volumes, and the daemon's RSS idle and under that load. The bench
// starts blockstored itself (a fresh state directory, quotas off) and stops it by its pid.
// The create figure is a throughput only when every volume ended available; otherwise its value
// is null and `failures` counts what was refused or ended in error (and the exit status is 1).
//
//   rest_bench --daemon PATH_TO_BLOCKSTORED [--creates N] [--creates-only]
//              [--backend-option KEY=VALUE]...
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using blockstore::bench::Emit;
using blockstore::bench::EmitFailed;
using blockstore::bench::Seconds;
using Steady = std::chrono::steady_clock;

namespace {

constexpr int kConnections = 8;

// One keep-alive connection.
class Client {
 public:
  explicit Client(int port) : socket_(io_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    socket_.set_option(tcp::no_delay(true));
  }
  http::response<http::string_body> Send(http::verb verb, const std::string& target,
                                         const std::string& body = {}) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set("X-Auth-Token", "bench:bench");
    req.set("OpenStack-API-Version", "volume 3.60");
    req.keep_alive(true);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(socket_, req);
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res);
    return res;
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

double RssMiB(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key) {
    if (key == field) {
      double kib = 0;
      in >> kib;
      return kib / 1024.0;
    }
    in.ignore(1 << 16, '\n');
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string daemon;
  int creates = 2000;
  bool creates_only = false;
  std::vector<std::string> backend_options;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--daemon") == 0 && has_value) {
      daemon = argv[++i];
    } else if (std::strcmp(argv[i], "--creates") == 0 && has_value) {
      creates = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--backend-option") == 0 && has_value) {
      backend_options.emplace_back(argv[++i]);
    } else if (std::strcmp(argv[i], "--creates-only") == 0) {
      creates_only = true;
    } else {
      daemon.clear();
      break;
    }
  }
  if (daemon.empty() || creates < 1) {
    std::fprintf(stderr,
                 "usage: rest_bench --daemon PATH [--creates N] [--creates-only] "
                 "[--backend-option KEY=VALUE]...\n");
    return 2;
  }
  const std::string dir = blockstore::bench::TempDir("rest");
  {
    std::ofstream conf(dir + "/blockstored.conf");
    conf << "[DEFAULT]\nlisten = 127.0.0.1\nport = 0\nworkers = 4\nstate_path = " << dir
         << "/state\nhost = bench\nenabled_backends = file-1\nquota_volumes = -1\n"
         << "quota_gigabytes = -1\n\n[file-1]\nvolume_driver = file\nvolumes_dir = " << dir
         << "/state/volumes\n";
    for (const auto& o : backend_options) {
      const auto eq = o.find('=');
      conf << o.substr(0, eq) << " = " << (eq == std::string::npos ? "" : o.substr(eq + 1)) << "\n";
    }
  }
  int out[2];
  if (::pipe(out) != 0) return 1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    ::dup2(out[1], 1);
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 2);  // the access log
    ::execl(daemon.c_str(), daemon.c_str(), "--config", (dir + "/blockstored.conf").c_str(), nullptr);
    _exit(127);
  }
  ::close(out[1]);
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
  const auto colon = line.rfind(':');
  if (line.find("listening") == std::string::npos || colon == std::string::npos) {
    std::fprintf(stderr, "rest_bench: blockstored did not start: %s\n", line.c_str());
    return 1;
  }
  const int port = std::atoi(line.c_str() + colon + 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const double rss_idle = RssMiB(pid, "VmRSS:");

  // Creates, then until no volume is creating any more; the figure counts only a run where
  // every volume ended available.
  std::atomic<int> failures{0};
  const auto start = Steady::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kConnections; ++t) {
    threads.emplace_back([&, t] {
      Client client(port);
      for (int i = t; i < creates; i += kConnections) {
        auto res = client.Send(http::verb::post, "/v3/bench/volumes",
                               R"({"volume": {"size": 1, "name": "v)" + std::to_string(i) + "\"}}");
        if (res.result_int() != 202) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double accepted_s = Seconds(start);
  const int rejected = failures.load();
  Client poll(port);
  bool settled = false;
  while (Seconds(start) < 600) {
    auto res = poll.Send(http::verb::get, "/v3/bench/volumes?status=creating&limit=1");
    if (res.result_int() == 200 && res.body().find("\"id\"") == std::string::npos) {
      settled = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double done_s = Seconds(start);
  // How many of them are available, and how many ended in error, by the API's own count.
  auto count = [&](const char* status) -> double {
    auto res = poll.Send(http::verb::get, std::string("/v3/bench/volumes?with_count=true&limit=1&status=") + status);
    boost::system::error_code ec;
    auto doc = boost::json::parse(res.body(), ec);
    if (ec || res.result_int() != 200 || !doc.is_object()) return -1;
    const auto* n = doc.as_object().if_contains("count");
    return n && n->is_int64() ? static_cast<double>(n->as_int64()) : -1;
  };
  const double available = count("available");
  const double errored = count("error");
  const double ended_badly = creates - rejected - std::max(available, 0.0);
  if (!settled || rejected > 0 || available != creates) {
    failures += std::max(1, static_cast<int>(ended_badly) + rejected);
    EmitFailed("rest.create_per_s", "volumes/s", rejected + ended_badly,
               {{"volumes", creates}, {"connections", kConnections}, {"rejected", static_cast<double>(rejected)},
                {"available", available}, {"error", errored}, {"seconds", done_s}},
               {{"why", settled ? "not every volume ended available" : "volumes still creating after 600 s"}});
  } else {
    Emit("rest.create_per_s", creates / done_s, "volumes/s",
         {{"volumes", creates}, {"connections", kConnections}, {"accepted_per_s", creates / accepted_s},
          {"failures", 0}});
  }

  if (creates_only) {
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::system(("rm -rf '" + dir + "'").c_str());
    return failures == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
  }

  // GET /volumes/detail?limit=1000, one connection, sequentially, once the creates have
  // settled (the backend's stats report after a burst of creates), after two warm-up requests.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  std::vector<double> ms;
  Client lister(port);
  for (int i = 0; i < 2; ++i) lister.Send(http::verb::get, "/v3/bench/volumes/detail?limit=1000");
  for (int i = 0; i < 300; ++i) {
    const auto t = Steady::now();
    auto res = lister.Send(http::verb::get, "/v3/bench/volumes/detail?limit=1000");
    ms.push_back(Seconds(t) * 1000);
    if (res.result_int() != 200) ++failures;
  }
  std::sort(ms.begin(), ms.end());
  Emit("rest.list_detail_1000_p99_ms", ms[static_cast<std::size_t>(ms.size() * 0.99)], "ms",
       {{"p50_ms", ms[ms.size() / 2]}, {"p90_ms", ms[ms.size() * 9 / 10]},
        {"max_ms", ms.back()}, {"requests", static_cast<double>(ms.size())}});
  Emit("rest.rss_idle_mib", rss_idle, "MiB", {{"goal_mib", 30}});
  Emit("rest.rss_load_mib", RssMiB(pid, "VmHWM:"), "MiB",
       {{"goal_mib", 100}, {"volumes", creates}});
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::system(("rm -rf '" + dir + "'").c_str());
  return failures == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
