// REST: /scheduler-stats/get_pools and /os-services (admin).
#include <map>

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

// PUT /os-services/enable, /disable, /disable-log-reason with {"host", "binary"
// [, "disabled_reason"]}, as `cinder service-enable` and `service-disable [--reason]` send them.
RestResponse UpdateService(Call& c, const std::string& action) {
  if (c.method != "PUT") return Error(405, "Method not allowed");
  if (!c.ctx.is_admin()) return Error(403, "Policy doesn't allow volume_extension:services:update to be performed.");
  const bool with_reason = action == "disable-log-reason";
  if (action != "enable" && action != "disable" && !with_reason) return Error(404, "Unknown action '" + action + "'");
  auto body = c.Body();
  if (!body.ok()) return Error(body.status());
  auto text = [&](const char* key) -> std::optional<std::string> {
    const json::value* v = body->if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->get_string());
  };
  const auto host = text("host");
  const auto binary = text("binary");
  if (!host || host->empty()) return Error(400, "Missing required element 'host' in request body.");
  if (!binary || binary->empty()) return Error(400, "Missing required element 'binary' in request body.");
  if (*binary != "cinder-volume" && *binary != "cinder-scheduler" && *binary != "cinder-backup") {
    return Error(400, "Invalid binary '" + *binary + "': cinder-volume, cinder-scheduler or cinder-backup");
  }
  std::string reason;
  if (with_reason) {
    const auto r = text("disabled_reason");
    if (!r || r->empty()) return Error(400, "Missing required element 'disabled_reason' in request body.");
    reason = *r;
  }
  auto s = c.engine.SetServiceDisabled(*host, *binary, action != "enable", reason);
  if (!s.ok()) return Error(s.status());
  json::object out{{"host", s->host}, {"binary", s->binary}, {"status", s->disabled ? "disabled" : "enabled"},
                   {"disabled", s->disabled}};
  if (with_reason) out["disabled_reason"] = s->disabled_reason;
  return Json(200, std::move(out));
}

// Cinder's backend capabilities (GET capabilities/{host}): the backend's stats as its first pool
// reports them, and the volume type options it offers as typed properties.
RestResponse Capabilities(Call& c, const std::string& backend) {
  const PoolState* first = nullptr;
  const auto pools = c.engine.Pools();
  for (const auto& p : pools) {
    if (p.backend == backend) {
      first = &p;
      break;
    }
  }
  if (!first) return Error(404, "Backend " + backend.substr(0, 128) + " could not be found.");
  auto property = [](const char* title, const char* description, const char* type) {
    return json::object{{"title", title}, {"description", description}, {"type", type}};
  };
  json::object props;
  if (first->stats.thin_provisioning_support) {
    props["thin_provisioning"] = property("Thin Provisioning", "Sets thin provisioning.", "boolean");
  }
  if (first->stats.qos_support) props["qos"] = property("QoS", "Enables QoS.", "boolean");
  if (first->stats.multiattach) props["multiattach"] = property("Multi-attach", "Volumes may be attached to several hosts.", "boolean");
  for (const auto& [key, value] : first->stats.capabilities) {
    props[key] = json::object{{"title", key}, {"description", "Reported by the driver: " + value.substr(0, 256)}, {"type", "string"}};
  }
  return Json(200, json::object{{"namespace", "OS::Storage::Capabilities::" + backend},
                                {"vendor_name", first->vendor_name},
                                {"volume_backend_name", first->volume_backend_name},
                                {"pool_name", first->stats.pool_name},
                                {"driver_version", first->driver_version},
                                {"storage_protocol", first->storage_protocol},
                                {"display_name", json::value(nullptr)},
                                {"description", json::value(nullptr)},
                                {"visibility", json::value(nullptr)},
                                {"replication_targets", json::array()},
                                {"properties", std::move(props)}});
}

// Cinder's API extensions that this service serves (GET extensions), as Cinder names them: the
// list is of what is implemented here, not Cinder's whole list.
RestResponse Extensions() {
  struct Ext {
    const char* alias;
    const char* name;
    const char* description;
  };
  static const Ext kServed[] = {
      {"os-availability-zone", "AvailabilityZones", "Describe Availability Zones."},
      {"os-extended-snapshot-attributes", "ExtendedSnapshotAttributes", "Extended SnapshotAttributes support."},
      {"os-quota-sets", "Quotas", "Quota management support."},
      {"os-services", "Services", "Services support."},
      {"os-snapshot-actions", "SnapshotActions", "Enable snapshot manager actions."},
      {"os-types-extra-specs", "TypesExtraSpecs", "Type extra specs support."},
      {"os-types-manage", "TypesManage", "Types manage support."},
      {"os-volume-actions", "VolumeActions", "Enable volume actions."},
      {"os-volume-transfer", "VolumeTransfer", "Volume transfer management support."},
      {"os-volume-type-access", "VolumeTypeAccess", "Volume type access support."},
      {"os-vol-host-attr", "VolumeHostAttribute", "Expose host as an attribute of a volume."},
      {"os-vol-mig-status-attr", "VolumeMigStatusAttribute", "Expose migration_status as an attribute of a volume."},
      {"os-vol-tenant-attr", "VolumeTenantAttribute", "Expose the internal project_id as an attribute of a volume."},
      {"qos-specs", "Qos_specs_manage", "QoS specs support."},
      {"backups", "Backups", "Backups support."},
      {"capabilities", "Capabilities", "Capabilities support."},
      {"scheduler-stats", "Scheduler_stats", "Scheduler stats support."},
  };
  json::array out;
  for (const Ext& e : kServed) {
    out.push_back(json::object{{"alias", e.alias},
                               {"name", e.name},
                               {"description", e.description},
                               {"links", json::array()},
                               {"updated", "2026-12-08T00:00:00+00:00"}});
  }
  return Json(200, json::object{{"extensions", std::move(out)}});
}

}  // namespace

// GET /os-availability-zone: every zone a volume service runs in, available while one of them
// is up and enabled.
RestResponse AvailabilityZones(Call& c) {
  if (c.method != "GET") return Error(405, "Method not allowed");
  auto all = c.engine.Services();
  if (!all.ok()) return Error(all.status());
  std::map<std::string, bool> zones;
  for (const auto& svc : *all) {
    if (svc.binary != "cinder-volume" || svc.availability_zone.empty()) continue;
    zones[svc.availability_zone] |= svc.up && !svc.disabled;
  }
  json::array info;
  for (const auto& [zone, available] : zones) {
    info.push_back(json::object{{"zoneName", zone},
                                {"zoneState", json::object{{"available", available}}}});
  }
  return Json(200, json::object{{"availabilityZoneInfo", std::move(info)}});
}

// GET /resource_filters (3.33): the filters each list takes; `resource` picks one.
RestResponse ResourceFilters(Call& c) {
  if (c.method != "GET") return Error(405, "Method not allowed");
  if (!c.Version(33)) return Error(404, "The resource could not be found.");
  const auto only = c.Param("resource");
  json::array out;
  for (const auto& [resource, filters] :
       {std::pair{"volume", &VolumeListFilters()}, std::pair{"snapshot", &SnapshotListFilters()},
        std::pair{"backup", &BackupListFilters()}, std::pair{"attachment", &AttachmentListFilters()}}) {
    if (only && *only != resource) continue;
    json::array names;
    for (const auto& f : *filters) names.emplace_back(f);
    out.push_back(json::object{{"resource", resource}, {"filters", std::move(names)}});
  }
  return Json(200, json::object{{"resource_filters", std::move(out)}});
}

std::optional<RestResponse> Service(Call& c) {
  const auto& p = c.path;
  if (p.size() == 1 && p[0] == "resource_filters") {
    c.route = c.method + " /resource_filters";
    return ResourceFilters(c);
  }
  if (p.size() == 1 && p[0] == "os-availability-zone") {
    c.route = c.method + " /os-availability-zone";
    return AvailabilityZones(c);
  }
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
  if (p.size() == 1 && p[0] == "extensions") {
    c.route = c.method + " /extensions";
    if (c.method != "GET") return Error(405, "Method not allowed");
    return Extensions();
  }
  if (p.size() == 2 && p[0] == "capabilities") {
    c.route = c.method + " /capabilities/{host}";
    if (c.method != "GET") return Error(405, "Method not allowed");
    if (!c.ctx.is_admin()) return Error(403, "Policy doesn't allow volume_extension:capabilities to be performed.");
    return Capabilities(c, p[1]);
  }
  if (!p.empty() && p[0] == "os-services" && p.size() <= 2) {
    c.route = c.method + " /os-services" + (p.size() == 2 ? "/" + p[1] : "");
    if (p.size() == 2) return UpdateService(c, p[1]);
    if (c.method != "GET") return Error(405, "Method not allowed");
    if (!c.ctx.is_admin()) return Error(403, "Policy doesn't allow volume_extension:services:index to be performed.");
    const auto binary = c.Param("binary");
    const auto host = c.Param("host");
    auto all = c.engine.Services();
    if (!all.ok()) return Error(all.status());
    json::array services;
    for (const auto& svc : *all) {
      if ((binary && *binary != svc.binary) || (host && *host != svc.host)) continue;
      services.push_back(json::object{
          {"binary", svc.binary}, {"host", svc.host}, {"zone", svc.availability_zone},
          {"status", svc.disabled ? "disabled" : "enabled"}, {"state", svc.up ? "up" : "down"},
          {"updated_at", FormatTime(std::chrono::time_point_cast<std::chrono::microseconds>(svc.updated_at))},
          {"disabled_reason", svc.disabled_reason.empty() ? json::value(nullptr) : json::value(svc.disabled_reason)},
          {"cluster", nullptr}, {"replication_status", "disabled"}, {"active_backend_id", nullptr},
          {"frozen", false}});
    }
    return Json(200, json::object{{"services", std::move(services)}});
  }
  return std::nullopt;
}

}  // namespace blockstore::rest
