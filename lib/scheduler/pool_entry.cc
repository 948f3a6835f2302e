#include "lib/scheduler/pool_entry.hpp"

namespace blockstore::internal {
namespace json = boost::json;

namespace {

json::value CapacityValue(const Capacity& c) {
  switch (c.kind) {
    case Capacity::Kind::kInfinite: return "infinite";
    case Capacity::Kind::kUnknown: return "unknown";
    case Capacity::Kind::kNumber: break;
  }
  return c.gb;
}

// A driver capability: JSON lists and objects are taken as such; everything else is text.
json::value CapabilityValue(const std::string& raw) {
  if (!raw.empty() && (raw.front() == '[' || raw.front() == '{')) {
    boost::system::error_code ec;
    json::parse_options opts;
    opts.max_depth = 16;
    json::value v = json::parse(raw, ec, {}, opts);
    if (!ec) return v;
  }
  return json::value(raw);
}

}  // namespace

void PoolEntry::Load(const std::string& backend, const std::string& zone,
                     const BackendStats& b, const PoolStats& p, TimePoint at) {
  state.name = backend + "#" + p.pool_name;
  state.backend = backend;
  state.host = backend.substr(0, backend.find('@'));
  state.availability_zone = zone;
  state.volume_backend_name = b.volume_backend_name;
  state.vendor_name = b.vendor_name;
  state.driver_version = b.driver_version;
  state.storage_protocol = b.storage_protocol;
  state.updated_at = at;
  reported = p;
  if (reported.provisioned_capacity_gb < reported.allocated_capacity_gb) {
    reported.provisioned_capacity_gb = reported.allocated_capacity_gb;
  }
  reported_volumes = p.total_volumes;

  caps = json::object();
  for (const auto& [k, v] : p.capabilities) caps[k] = CapabilityValue(v);
  // The standard keys win over driver keys of the same name.
  caps["pool_name"] = p.pool_name;
  caps["volume_backend_name"] = b.volume_backend_name;
  caps["vendor_name"] = b.vendor_name;
  caps["driver_version"] = b.driver_version;
  caps["storage_protocol"] = b.storage_protocol;
  caps["reserved_percentage"] = p.reserved_percentage;
  caps["max_over_subscription_ratio"] = p.max_over_subscription_ratio;
  caps["thin_provisioning_support"] = p.thin_provisioning_support;
  caps["thick_provisioning_support"] = p.thick_provisioning_support;
  caps["multiattach"] = p.multiattach;
  caps["online_extend_support"] = p.online_extend_support;
  caps["QoS_support"] = p.qos_support;
  caps["filter_function"] = p.filter_function.empty() ? json::value(nullptr) : json::value(p.filter_function);
  caps["goodness_function"] = p.goodness_function.empty() ? json::value(nullptr) : json::value(p.goodness_function);

  filter_function.reset();
  goodness_function.reset();
  filter_function_error.clear();
  goodness_function_error.clear();
  if (!p.filter_function.empty()) {
    auto f = eval::Expression::Compile(p.filter_function);
    if (f.ok()) filter_function = *f;
    else filter_function_error = f.status().message();
  }
  if (!p.goodness_function.empty()) {
    auto g = eval::Expression::Compile(p.goodness_function);
    if (g.ok()) goodness_function = *g;
    else goodness_function_error = g.status().message();
  }
  Recompute();
}

void PoolEntry::Recompute() {
  PoolStats& s = state.stats;
  s = reported;
  double held = 0;
  for (const auto& r : reservations) held += r.gb;
  s.allocated_capacity_gb += held;
  s.provisioned_capacity_gb += held;
  if (s.free_capacity_gb.kind == Capacity::Kind::kNumber && !s.thin_provisioning_support) {
    s.free_capacity_gb.gb -= held;
  }
  state.reserved_gb = held;
  state.volume_count = reported_volumes + reservations.size();
  caps["total_capacity_gb"] = CapacityValue(s.total_capacity_gb);
  caps["free_capacity_gb"] = CapacityValue(s.free_capacity_gb);
  caps["allocated_capacity_gb"] = s.allocated_capacity_gb;
  caps["provisioned_capacity_gb"] = s.provisioned_capacity_gb;
  caps["total_volumes"] = state.volume_count;
  ++caps_version;
  thin_view = ComputeCapacity(s, true, default_ratio);
  thick_view = ComputeCapacity(s, false, default_ratio);
}

}  // namespace blockstore::internal
