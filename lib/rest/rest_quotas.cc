// REST: /os-quota-sets and /limits.
#include "lib/core/macros.hpp"
#include "lib/rest/rest_fields.hpp"

namespace blockstore::rest {
namespace {

json::object QuotaView(const QuotaSet& q, bool usage) {
  json::object o{{"id", q.project_id}};
  for (const auto& [resource, u] : q.resources) {
    if (usage) {
      o[resource] = json::object{{"limit", u.limit}, {"in_use", u.in_use},
                                 {"reserved", u.reserved}, {"allocated", 0}};
    } else {
      o[resource] = u.limit;
    }
  }
  return o;
}

Result<RestResponse> UpdateQuota(Call& c, const std::string& project) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object q, Member(body, "quota_set"));
  std::map<std::string, int64_t> limits;
  for (const auto& kv : q) {
    const std::string key(kv.key());
    if (key == "tenant_id" || key == "id") continue;
    BS_ASSIGN_OR_RETURN(auto n, Int(q, key.c_str()));
    if (!n) continue;
    limits[key] = *n;
  }
  BS_ASSIGN_OR_RETURN(QuotaSet set, c.quotas().Update(c.ctx, project, limits));
  return Json(200, json::object{{"quota_set", QuotaView(set, false)}});
}

}  // namespace

std::optional<RestResponse> Quotas(Call& c) {
  const auto& p = c.path;
  if (p.size() == 1 && p[0] == "limits") {
    c.route = c.method + " /limits";
    if (c.method != "GET") return Error(405, "Method not allowed");
    auto q = c.quotas().Get(c.ctx, c.ctx.project_id);
    if (!q.ok()) return Error(q.status());
    auto get = [&](const char* r) { return q->resources.count(r) ? q->resources.at(r) : QuotaUsage{}; };
    json::object absolute{
        {"maxTotalVolumes", get("volumes").limit},
        {"maxTotalSnapshots", get("snapshots").limit},
        {"maxTotalVolumeGigabytes", get("gigabytes").limit},
        {"maxTotalBackups", get("backups").limit},
        {"maxTotalBackupGigabytes", get("backup_gigabytes").limit},
        {"totalVolumesUsed", get("volumes").in_use},
        {"totalGigabytesUsed", get("gigabytes").in_use},
        {"totalSnapshotsUsed", get("snapshots").in_use},
        {"totalBackupsUsed", get("backups").in_use},
        {"totalBackupGigabytesUsed", get("backup_gigabytes").in_use}};
    return Json(200, json::object{{"limits", json::object{{"rate", json::array()},
                                                          {"absolute", std::move(absolute)}}}});
  }
  if (p.empty() || p[0] != "os-quota-sets" || p.size() < 2 || p.size() > 3) return std::nullopt;
  const std::string& project = p[1];
  if (p.size() == 3) {
    if (p[2] != "defaults") return std::nullopt;
    c.route = c.method + " /os-quota-sets/{project}/defaults";
    if (c.method != "GET") return Error(405, "Method not allowed");
    QuotaSet d = c.quotas().GetDefaults();
    d.project_id = project;
    return Json(200, json::object{{"quota_set", QuotaView(d, false)}});
  }
  c.route = c.method + " /os-quota-sets/{project}";
  if (c.method == "GET") {
    auto usage = BoolParam(c, "usage", false);
    if (!usage.ok()) return Error(usage.status());
    auto q = c.quotas().Get(c.ctx, project);
    return q.ok() ? Json(200, json::object{{"quota_set", QuotaView(*q, *usage)}}) : Error(q.status());
  }
  if (c.method == "PUT") {
    auto r = UpdateQuota(c, project);
    return r.ok() ? std::move(r).value() : Error(r.status());
  }
  if (c.method == "DELETE") {
    Status s = c.quotas().Reset(c.ctx, project);
    return s.ok() ? Empty(200) : Error(s);
  }
  return Error(405, "Method not allowed");
}

}  // namespace blockstore::rest
