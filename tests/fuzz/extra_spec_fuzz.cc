// libFuzzer target: extra-spec operators and JsonFilter queries. The first byte picks the
// parser; the rest is "key\0value" for an extra spec, or the query text. Any input must be
// refused with an error or matched — never crash or hang.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "blockstore/scheduler.hpp"
#include "lib/scheduler/extra_spec.hpp"

using namespace blockstore;

namespace {

const boost::json::object& Caps() {
  static const boost::json::object k = boost::json::parse(R"({
    "thin_provisioning_support": true, "free_capacity_gb": 120.5, "total_volumes": 7,
    "tier": "gold", "protocols": ["iSCSI", "NFS"], "nested": {"raid": "raid6", "n": 12}})").as_object();
  return k;
}

Scheduler& Sched() {
  static std::unique_ptr<Scheduler> s = [] {
    SchedulerOptions o;
    o.filters = {"JsonFilter", "CapabilitiesFilter", "CapacityFilter"};
    o.seed = 1;
    auto made = NewFilterScheduler(o).value();
    BackendStats b;
    b.storage_protocol = "iSCSI";
    for (int i = 0; i < 3; ++i) {
      PoolStats p;
      p.pool_name = "p" + std::to_string(i);
      p.total_capacity_gb = Capacity::Number(100 * (i + 1));
      p.free_capacity_gb = i == 2 ? Capacity::Infinite() : Capacity::Number(50);
      p.capabilities = {{"tier", i ? "gold" : "silver"}, {"list", "[1, \"a\", {\"b\": 2}]"}};
      b.pools.push_back(p);
    }
    made->UpdateBackend("h@b", "nova", b, TimePoint{});
    return made;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    RequestSpec r;
    r.volume_id = "fuzz";
    r.size_gb = 1;
    r.query = rest;
    auto e = Sched().Explain(r);
    (void)e;
    return 0;
  }
  const auto split = rest.find('\0');
  const std::string key = rest.substr(0, split);
  const std::string value = split == std::string::npos ? "" : rest.substr(split + 1);
  (void)ValidateExtraSpec(key, value);
  auto req = internal::CompileExtraSpec(key, value);
  if (req.ok() && req->has_value()) {
    (void)internal::SpecMatches(**req, internal::FindCapability(Caps(), (*req)->path));
  }
  return 0;
}
