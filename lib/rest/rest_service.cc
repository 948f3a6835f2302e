// REST: /scheduler-stats/get_pools and /os-services (admin).
#include "blockstore/volume_manager.hpp"
#include "lib/core/macros.hpp"
#include "lib/rest/rest_call.hpp"

namespace blockstore::rest {
namespace {

json::value Capacity(const blockstore::Capacity& c) {
  switch (c.kind) {
    case blockstore::Capacity::Kind::kInfinite: return "infinite";
    case blockstore::Capacity::Kind::kUnknown: return "unknown";
    default: return c.gb;
  }
}

json::object PoolView(const PoolState& p, bool detail) {
  json::object o{{"name", p.name}};
  if (!detail) return o;
  json::object caps{{"pool_name", p.stats.pool_name},
                    {"volume_backend_name", p.volume_backend_name},
                    {"vendor_name", p.vendor_name},
                    {"driver_version", p.driver_version},
                    {"storage_protocol", p.storage_protocol},
                    {"total_capacity_gb", Capacity(p.stats.total_capacity_gb)},
                    {"free_capacity_gb", Capacity(p.stats.free_capacity_gb)},
                    {"allocated_capacity_gb", p.stats.allocated_capacity_gb},
                    {"provisioned_capacity_gb", p.stats.provisioned_capacity_gb},
                    {"reserved_percentage", p.stats.reserved_percentage},
                    {"max_over_subscription_ratio", p.stats.max_over_subscription_ratio},
                    {"thin_provisioning_support", p.stats.thin_provisioning_support},
                    {"thick_provisioning_support", p.stats.thick_provisioning_support},
                    {"multiattach", p.stats.multiattach},
                    {"online_extend_support", p.stats.online_extend_support},
                    {"total_volumes", p.volume_count},
                    {"timestamp", FormatTime(p.updated_at)}};
  for (const auto& [k, v] : p.stats.capabilities) caps[k] = v;
  o["capabilities"] = std::move(caps);
  return o;
}

}  // namespace

std::optional<RestResponse> Service(Call& c) {
  const auto& p = c.path;
  if (p.size() == 2 && p[0] == "scheduler-stats" && p[1] == "get_pools") {
    c.route = c.method + " /scheduler-stats/get_pools";
    if (c.method != "GET") return Error(405, "Method not allowed");
    if (!c.ctx.is_admin()) return Error(403, "Policy doesn't allow scheduler_extension:scheduler_stats:get_pools to be performed.");
    auto detail = BoolParam(c, "detail", false);
    if (!detail.ok()) return Error(detail.status());
    const auto name = c.Param("name");
    json::array pools;
    for (const auto& pool : c.engine.Pools()) {
      if (name && pool.name != *name) continue;
      pools.push_back(PoolView(pool, *detail));
    }
    return Json(200, json::object{{"pools", std::move(pools)}});
  }
  if (p.size() == 1 && p[0] == "os-services") {
    c.route = c.method + " /os-services";
    if (c.method != "GET") return Error(405, "Method not allowed");
    if (!c.ctx.is_admin()) return Error(403, "Policy doesn't allow volume_extension:services:index to be performed.");
    const auto binary = c.Param("binary");
    const auto host = c.Param("host");
    json::array services;
    auto add = [&](const std::string& bin, const std::string& h, const std::string& zone,
                   const char* state, const std::string& updated) {
      if ((binary && *binary != bin) || (host && *host != h)) return;
      services.push_back(json::object{{"binary", bin}, {"host", h}, {"zone", zone},
                                      {"status", "enabled"}, {"state", state},
                                      {"updated_at", updated}, {"disabled_reason", nullptr},
                                      {"cluster", nullptr}, {"replication_status", "disabled"},
                                      {"active_backend_id", nullptr}, {"frozen", false}});
    };
    for (const auto& svc : c.engine.Services()) {
      add(svc.binary, svc.host, svc.availability_zone, svc.up ? "up" : "down",
          FormatTime(std::chrono::time_point_cast<std::chrono::microseconds>(svc.updated_at)));
    }
    return Json(200, json::object{{"services", std::move(services)}});
  }
  return std::nullopt;
}

}  // namespace blockstore::rest
