// libFuzzer target: arbitrary requests into the REST handler of a real engine (SQLite, file
// driver, in a temporary directory). The input is "method\ntarget\nversion\nbody". Any request
// must get an answer with a JSON body (or none) and a status code — never a crash or a hang.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "blockstore/rest.hpp"

using namespace blockstore;

namespace {

struct World {
  std::unique_ptr<Engine> engine;
  std::unique_ptr<RestHandler> rest;
  World() {
    char tmpl[] = "/tmp/blockstore-rest-fuzz-XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    EngineConfig c;
    c.state_path = tmpl;
    c.host = "fuzz";
    engine = Engine::Open(c).value();
    rest = std::make_unique<RestHandler>(*engine, RestOptions{});
  }
};

World& TheWorld() {
  static World w;
  return w;
}

std::string Take(std::string& in) {
  const auto nl = in.find('\n');
  std::string out = in.substr(0, nl);
  in = nl == std::string::npos ? std::string() : in.substr(nl + 1);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  RestRequest r;
  r.method = Take(in);
  r.target = Take(in);
  const std::string version = Take(in);
  r.body = in;
  r.headers = {{"X-Auth-Token", (size % 3 == 0) ? "admin:admin" : "fuzzer:p1"},
               {"OpenStack-API-Version", "volume " + version}};
  RestResponse out = TheWorld().rest->Handle(r);
  if (out.status < 200 || out.status > 599) __builtin_trap();
  if (!out.body.empty()) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(out.body, ec);
    if (ec || !parsed.is_object()) __builtin_trap();
  }
  return 0;
}
