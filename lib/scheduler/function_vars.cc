#include "lib/scheduler/function_vars.hpp"

namespace blockstore::internal {
namespace json = boost::json;
using eval::Value;

namespace {

std::optional<Value> FromJson(const json::value* v) {
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_bool()) return Value::Bool(v->get_bool());
  if (v->is_number()) return Value::Number(v->to_number<double>());
  if (v->is_string()) return Value::String(std::string(v->get_string()));
  return Value::String(json::serialize(*v));
}

std::optional<Value> FromMap(const Metadata& m, std::string_view key) {
  auto it = m.find(std::string(key));
  if (it == m.end()) return std::nullopt;
  return Value::String(it->second);
}

}  // namespace

std::vector<std::string> ProtocolVariants(const std::string& p) {
  static const std::vector<std::vector<std::string>> kFamilies = {
      {"iSCSI", "iscsi"}, {"FC", "fibre_channel", "fc"}, {"NFS", "nfs"},
      {"NVMe-oF", "NVMeOF", "nvmeof"}};
  for (const auto& family : kFamilies) {
    for (const auto& name : family) {
      if (name == p) return family;
    }
  }
  return {p};
}

eval::Variables FunctionVariables(const PoolEntry& pool, const PreparedRequest& request,
                                  const std::string& protocol) {
  return [&pool, &request, &protocol](std::string_view dict,
                                      std::string_view key) -> std::optional<Value> {
    const PoolState& s = pool.state;
    if (dict == "stats") {
      if (key == "host") return Value::String(s.host);
      if (key == "backend_id") return Value::String(s.backend);
      if (key == "cluster_name") return Value::String("");
      if (key == "volume_backend_name") return Value::String(s.volume_backend_name);
      if (key == "vendor_name") return Value::String(s.vendor_name);
      if (key == "driver_version") return Value::String(s.driver_version);
      if (key == "storage_protocol") return Value::String(protocol);
      if (key == "QoS_support") return Value::Bool(s.stats.qos_support);
      if (key == "updated") return Value::String(FormatTime(s.updated_at));
      if (key == "total_capacity_gb" || key == "allocated_capacity_gb" ||
          key == "free_capacity_gb" || key == "reserved_percentage" ||
          key == "provisioned_capacity_gb") {
        return FromJson(pool.caps.if_contains(key));
      }
      return std::nullopt;
    }
    if (dict == "capabilities") {
      if (key == "storage_protocol") return Value::String(protocol);
      return FromJson(pool.caps.if_contains(key));
    }
    if (dict == "volume") {
      const RequestSpec& r = *request.spec;
      if (key == "size") return Value::Number(static_cast<double>(r.size_gb));
      if (key == "id") return Value::String(r.volume_id);
      if (key == "volume_type_id") return Value::String(r.volume_type.id);
      if (key == "user_id") return Value::String(r.user_id);
      if (key == "project_id") return Value::String(r.project_id);
      if (key == "status") return Value::String(r.status);
      if (key == "availability_zone") return Value::String(r.availability_zone);
      if (key == "attach_status") return Value::String(r.attached ? "attached" : "detached");
      return FromMap(r.metadata, key);
    }
    if (dict == "qos") return FromMap(request.spec->qos_specs, key);
    if (dict == "extra") return FromMap(request.spec->volume_type.extra_specs, key);
    return std::nullopt;
  };
}

std::vector<Result<Value>> EvaluatePoolFunction(const eval::Expression& fn, const PoolEntry& pool,
                                                const PreparedRequest& request) {
  std::vector<Result<Value>> out;
  const std::vector<std::string> protocols =
      fn.Reads("storage_protocol") ? ProtocolVariants(pool.state.storage_protocol)
                                   : std::vector<std::string>{pool.state.storage_protocol};
  for (const auto& p : protocols) out.push_back(fn.Evaluate(FunctionVariables(pool, request, p)));
  return out;
}

}  // namespace blockstore::internal
