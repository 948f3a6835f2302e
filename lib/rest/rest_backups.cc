// REST: /backups — list, detail, create, show, delete, restore, export and import of records,
// and actions.
#include "lib/core/macros.hpp"
#include "lib/rest/rest_fields.hpp"
#include "lib/rest/rest_views.hpp"

namespace blockstore::rest {
namespace {

Result<RestResponse> ListBackup(Call& c, bool detail) {
  BS_ASSIGN_OR_RETURN(ListQuery q, ListFrom(c, BackupListFilters()));
  BS_ASSIGN_OR_RETURN(auto backups, c.backups().List(c.ctx, q));
  json::array items;
  for (const auto& b : backups) items.push_back(detail ? BackupDetail(c, b) : BackupSummary(c, b));
  json::object out{{"backups", std::move(items)}};
  AddNextLink(c, out, "backups", backups.size(), q.limit, backups.empty() ? "" : backups.back().id);
  BS_ASSIGN_OR_RETURN(auto count, CountIfAsked(c, q, [&](const ListQuery& all) {
    return c.backups().List(c.ctx, all);
  }));
  if (count) out["count"] = *count;
  return Json(200, out);
}

Result<RestResponse> CreateBackup(Call& c) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object b, Member(body, "backup"));
  BackupCreateRequest r;
  BS_ASSIGN_OR_RETURN(auto volume, Str(b, "volume_id"));
  BS_ASSIGN_OR_RETURN(auto snapshot, Str(b, "snapshot_id"));
  BS_ASSIGN_OR_RETURN(auto name, Str(b, "name"));
  BS_ASSIGN_OR_RETURN(auto description, Str(b, "description"));
  BS_ASSIGN_OR_RETURN(auto incremental, Bool(b, "incremental"));
  BS_ASSIGN_OR_RETURN(auto force, Bool(b, "force"));
  BS_ASSIGN_OR_RETURN(auto meta, Meta(b, "metadata"));
  BS_ASSIGN_OR_RETURN(auto container, Str(b, "container"));
  if (!volume) return InvalidArgument("Missing required element 'volume_id' in request body.");
  r.volume_id = *volume;
  r.snapshot_id = snapshot.value_or("");
  r.name = name.value_or("");
  r.description = description.value_or("");
  r.incremental = incremental.value_or(false);
  r.force = force.value_or(false);
  r.metadata = meta.value_or(Metadata{});
  r.container = container.value_or("");
  BS_ASSIGN_OR_RETURN(Backup made, c.backups().Create(c.ctx, r));
  return Json(202, json::object{{"backup", json::object{{"id", made.id}, {"name", made.name},
                                                        {"links", BackupSummary(c, made)["links"]}}}});
}

Result<RestResponse> Restore(Call& c, const std::string& id) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object r, Member(body, "restore"));
  BackupRestoreRequest req;
  BS_ASSIGN_OR_RETURN(auto volume, Str(r, "volume_id"));
  BS_ASSIGN_OR_RETURN(auto name, Str(r, "name"));
  req.volume_id = volume.value_or("");
  req.name = name.value_or("");
  BS_ASSIGN_OR_RETURN(BackupRestoreResult done, c.backups().Restore(c.ctx, id, req));
  return Json(202, json::object{{"restore", json::object{{"backup_id", done.backup_id},
                                                         {"volume_id", done.volume_id},
                                                         {"volume_name", done.volume_name}}}});
}

Result<RestResponse> Import(Call& c) {
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object r, Member(body, "backup-record"));
  BS_ASSIGN_OR_RETURN(auto service, Str(r, "backup_service"));
  BS_ASSIGN_OR_RETURN(auto url, Str(r, "backup_url"));
  if (!service || !url) return InvalidArgument("backup-record needs backup_service and backup_url");
  BS_ASSIGN_OR_RETURN(Backup b, c.backups().ImportRecord(c.ctx, {*service, *url}));
  return Json(201, json::object{{"backup", BackupSummary(c, b)}});
}

// PUT /backups/{id} (3.9): name and description; metadata from 3.43.
Result<RestResponse> UpdateBackup(Call& c, const std::string& id) {
  if (!c.Version(9)) return Error(405, "Method not allowed");
  BS_ASSIGN_OR_RETURN(json::object body, c.Body());
  BS_ASSIGN_OR_RETURN(json::object b, Member(body, "backup"));
  std::set<std::string> known = {"name", "description"};
  if (c.Version(43)) known.insert("metadata");
  BS_RETURN_IF_ERROR(OnlyKnown(b, known, "backup"));
  if (b.empty()) return InvalidArgument("the backup update names nothing to change");
  BackupUpdate u;
  BS_ASSIGN_OR_RETURN(u.name, Str(b, "name"));
  BS_ASSIGN_OR_RETURN(u.description, Str(b, "description"));
  BS_ASSIGN_OR_RETURN(u.metadata, Meta(b, "metadata"));
  BS_ASSIGN_OR_RETURN(Backup updated, c.backups().Update(c.ctx, id, u));
  return Json(200, json::object{{"backup", BackupDetail(c, updated)}});
}

Result<RestResponse> ActionBackup(Call& c, const std::string& id) {
  return StatusActions(
      c, "backup", [](const std::string& s) { return ParseBackupStatus(s); },
      [&](auto status) { return c.backups().ResetStatus(c.ctx, id, status).status(); },
      [&] { return c.backups().Delete(c.ctx, id, true).status(); });
}

}  // namespace

std::optional<RestResponse> Backups(Call& c) {
  if (c.path.empty() || c.path[0] != "backups") return std::nullopt;
  auto answer = [](Result<RestResponse> r) { return r.ok() ? std::move(r).value() : Error(r.status()); };
  const auto& p = c.path;
  if (p.size() == 1) {
    c.route = c.method + " /backups";
    if (c.method == "GET") return answer(ListBackup(c, false));
    if (c.method == "POST") return answer(CreateBackup(c));
    return Error(405, "Method not allowed");
  }
  if (p.size() == 2 && p[1] == "detail") {
    c.route = c.method + " /backups/detail";
    return c.method == "GET" ? answer(ListBackup(c, true)) : Error(405, "Method not allowed");
  }
  if (p.size() == 2 && p[1] == "import_record") {
    c.route = c.method + " /backups/import_record";
    return c.method == "POST" ? answer(Import(c)) : Error(405, "Method not allowed");
  }
  const std::string& id = p[1];
  if (p.size() == 2) {
    c.route = c.method + " /backups/{id}";
    if (c.method == "GET") {
      auto b = c.backups().Get(c.ctx, id);
      return b.ok() ? Json(200, json::object{{"backup", BackupDetail(c, *b)}}) : Error(b.status());
    }
    if (c.method == "PUT") return answer(UpdateBackup(c, id));
    if (c.method == "DELETE") {
      auto force = BoolParam(c, "force", false);
      if (!force.ok()) return Error(force.status());
      auto d = c.backups().Delete(c.ctx, id, *force);
      return d.ok() ? Empty(202) : Error(d.status());
    }
    return Error(405, "Method not allowed");
  }
  if (p.size() != 3) return std::nullopt;
  if (p[2] == "restore") {
    c.route = c.method + " /backups/{id}/restore";
    return c.method == "POST" ? answer(Restore(c, id)) : Error(405, "Method not allowed");
  }
  if (p[2] == "export_record") {
    c.route = c.method + " /backups/{id}/export_record";
    if (c.method != "GET") return Error(405, "Method not allowed");
    auto r = c.backups().ExportRecord(c.ctx, id);
    if (!r.ok()) return Error(r.status());
    return Json(200, json::object{{"backup-record", json::object{{"backup_service", r->backup_service},
                                                                 {"backup_url", r->backup_url}}}});
  }
  if (p[2] == "action") {
    c.route = c.method + " /backups/{id}/action";
    return c.method == "POST" ? answer(ActionBackup(c, id)) : Error(405, "Method not allowed");
  }
  return std::nullopt;
}

}  // namespace blockstore::rest
