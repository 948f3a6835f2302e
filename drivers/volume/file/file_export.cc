#include "drivers/volume/file/file_export.hpp"

#include <boost/json.hpp>

#include <cstdlib>
#include <set>

namespace blockstore::file_driver {
namespace {

namespace json = boost::json;

constexpr std::string_view kLocalPrefix = "local:";

Result<int> Port(const std::string& backend, const std::string& key, const std::string& v) {
  char* end = nullptr;
  const long p = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || p < 1 || p > 65535) {
    return InvalidArgument("backend '" + backend + "': " + key + " must be a port (1..65535)");
  }
  return static_cast<int>(p);
}

// "CHAP <user> <password>" → the credentials; nullopt when it is not that shape.
std::optional<tgt::Chap> ParseAuth(const std::string& auth) {
  if (!auth.starts_with("CHAP ")) return std::nullopt;
  const auto space = auth.find(' ', 5);
  if (space == std::string::npos) return std::nullopt;
  tgt::Chap c{auth.substr(5, space - 5), auth.substr(space + 1)};
  if (c.user.empty() || c.password.empty()) return std::nullopt;
  return c;
}

ConnectionInfo LocalInfo(const Volume& v, const std::string& path) {
  json::object data{{"device_path", path}, {"volume_id", v.id}};
  return ConnectionInfo{"local", json::serialize(data)};
}

}  // namespace

Result<ExportOptions> TakeExportOptions(const std::string& backend,
                                        std::map<std::string, std::string>& options) {
  ExportOptions o;
  auto take = [&](const char* key) -> std::optional<std::string> {
    auto it = options.find(key);
    if (it == options.end()) return std::nullopt;
    std::string v = it->second;
    options.erase(it);
    return v;
  };
  if (auto v = take("target_protocol")) {
    if (*v != "local" && *v != "iscsi") {
      return InvalidArgument("backend '" + backend + "': target_protocol must be local or iscsi");
    }
    o.protocol = *v;
  }
  if (auto v = take("target_ip_address")) o.tgt.portal_ip = *v;
  if (auto v = take("target_port")) {
    auto p = Port(backend, "target_port", *v);
    if (!p.ok()) return p.status();
    o.tgt.portal_port = *p;
  }
  if (auto v = take("target_prefix")) {
    while (!v->empty() && v->back() == ':') v->pop_back();
    if (!v->starts_with("iqn.") || v->find_first_of(" \t\n") != std::string::npos) {
      return InvalidArgument("backend '" + backend + "': target_prefix must be an iqn. name");
    }
    o.tgt.iqn_prefix = *v;
  }
  if (auto v = take("tgt_control_port")) {
    auto p = Port(backend, "tgt_control_port", *v);
    if (!p.ok()) return p.status();
    o.tgt.control_port = *p;
  }
  if (auto v = take("tgt_manage")) {
    if (*v != "true" && *v != "false") {
      return InvalidArgument("backend '" + backend + "': tgt_manage must be true or false");
    }
    o.tgt.manage = *v == "true";
  }
  if (o.protocol == "iscsi" && o.tgt.control_port == 0) {
    return InvalidArgument("backend '" + backend + "': target_protocol = iscsi needs tgt_control_port");
  }
  return o;
}

Status FileExporter::Initialize() {
  if (o_.protocol != "iscsi") return Status::Ok();
  auto admin = tgt::TgtAdmin::Open(o_.tgt);
  if (!admin.ok()) return admin.status();
  tgt_ = std::move(admin).value();
  return Status::Ok();
}

Result<ConnectionResult> FileExporter::Connect(const Volume& v, const std::string& path,
                                               const std::optional<VolumeExport>& existing,
                                               const Connector& c) {
  if (!tgt_ || c.do_local_attach) {
    return ConnectionResult{VolumeExport{std::string(kLocalPrefix) + path, ""}, LocalInfo(v, path)};
  }
  if (c.initiator.empty()) {
    return InvalidArgument("an iSCSI attach needs the connector's 'initiator' (the host's IQN)");
  }
  std::optional<tgt::Chap> chap;
  if (existing) chap = ParseAuth(existing->auth);
  if (!chap) {
    auto fresh = tgt::NewChap();
    if (!fresh.ok()) return fresh.status();
    chap = *fresh;
  }
  auto tid = tgt_->Export(v.id, path, *chap, c.initiator);
  if (!tid.ok()) return tid.status();
  const std::string iqn = tgt_->TargetName(v.id);
  const std::string portal = tgt_->Portal();
  ConnectionResult r;
  r.export_record.location = portal + "," + std::to_string(*tid) + " " + iqn + " 1";
  r.export_record.auth = "CHAP " + chap->user + " " + chap->password;
  json::object data{{"target_discovered", false},
                    {"target_portal", portal},
                    {"target_iqn", iqn},
                    {"target_lun", 1},
                    {"target_portals", json::array{json::value(portal)}},
                    {"target_iqns", json::array{json::value(iqn)}},
                    {"target_luns", json::array{json::value(1)}},
                    {"auth_method", "CHAP"},
                    {"auth_username", chap->user},
                    {"auth_password", chap->password},
                    {"volume_id", v.id},
                    {"discard", true}};
  r.info = ConnectionInfo{"iscsi", json::serialize(data)};
  return r;
}

Status FileExporter::Disconnect(const Volume& v, const VolumeExport& e, const Connector& c,
                                bool revoke_host, bool remove_export) {
  if (!tgt_ || e.location.starts_with(kLocalPrefix)) return Status::Ok();
  if (revoke_host && !c.initiator.empty() && !c.do_local_attach) {  // a local reader was never admitted
    if (Status s = tgt_->Revoke(v.id, c.initiator); !s.ok()) return s;
  }
  if (remove_export) return tgt_->Remove(v.id);
  return Status::Ok();
}

Status FileExporter::Restore(const std::vector<ExportedVolume>& exported,
                             const std::function<std::string(const std::string&)>& path_of) {
  if (!tgt_) return Status::Ok();
  // Target name → the initiators its attachments admit.
  std::map<std::string, std::set<std::string>> keep;
  for (const auto& e : exported) {
    if (e.export_record.location.starts_with(kLocalPrefix)) continue;
    auto chap = ParseAuth(e.export_record.auth);
    if (!chap) return Internal("volume " + e.volume.id + ": its recorded export has no CHAP account");
    auto& admitted = keep[tgt_->TargetName(e.volume.id)];
    auto made = tgt_->Export(e.volume.id, path_of(e.volume.id), *chap, "");
    if (!made.ok()) return made.status();
    for (const auto& c : e.connectors) {
      if (c.initiator.empty() || c.do_local_attach) continue;
      admitted.insert(c.initiator);
      made = tgt_->Export(e.volume.id, path_of(e.volume.id), *chap, c.initiator);
      if (!made.ok()) return made.status();
    }
  }
  auto targets = tgt_->List();
  if (!targets.ok()) return targets.status();
  const std::string prefix = tgt_->TargetName("");
  for (const auto& t : *targets) {
    const std::string volume_id = t.name.substr(prefix.size());
    auto kept = keep.find(t.name);
    if (kept == keep.end()) {
      if (Status s = tgt_->Remove(volume_id); !s.ok()) return s;
      continue;
    }
    // Hosts detached while the engine was down lose their access.
    for (const auto& entry : t.acl) {
      if (kept->second.count(entry)) continue;
      if (Status s = tgt_->Revoke(volume_id, entry); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status FileExporter::Refresh(const std::string& volume_id) {
  return tgt_ ? tgt_->Refresh(volume_id) : Status::Ok();
}

Status FileExporter::Forget(const std::string& volume_id) {
  return tgt_ ? tgt_->Remove(volume_id) : Status::Ok();
}

}  // namespace blockstore::file_driver
