#include "lib/scheduler/request_spec_codec.hpp"

#include "lib/json/json_codec.hpp"

namespace blockstore::internal {
namespace {

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.push_back(json::value(s));
  return a;
}

std::string Str(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
uint64_t U64(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  if (!v || !v->is_number()) return 0;
  const double d = v->to_number<double>();
  return d > 0 ? static_cast<uint64_t>(d) : 0;
}
std::vector<std::string> StrList(const json::object& o, std::string_view k) {
  std::vector<std::string> out;
  if (const auto* v = o.if_contains(k); v && v->is_array()) {
    for (const auto& e : v->get_array()) {
      if (e.is_string()) out.emplace_back(e.get_string());
    }
  }
  return out;
}
Metadata Map(const json::object& o, std::string_view k) {
  if (const auto* v = o.if_contains(k)) {
    auto m = MetadataFromJson(*v, k);
    if (m.ok()) return *m;
  }
  return {};
}

}  // namespace

json::object ToJson(const RequestSpec& r) {
  json::object o;
  o["operation"] = ToString(r.operation);
  o["volume_id"] = r.volume_id;
  o["snapshot_id"] = r.snapshot_id;
  o["project_id"] = r.project_id;
  o["user_id"] = r.user_id;
  o["size"] = r.size_gb;
  o["current_size"] = r.current_size_gb;
  o["availability_zone"] = r.availability_zone;
  o["volume_type"] = ToJson(r.volume_type);
  o["qos_specs"] = MetadataToJson(r.qos_specs);
  o["metadata"] = MetadataToJson(r.metadata);
  o["status"] = r.status;
  o["attached"] = r.attached;
  o["same_host"] = Strings(r.same_host);
  o["different_host"] = Strings(r.different_host);
  o["query"] = r.query;
  o["vol_exists_on"] = r.vol_exists_on;
  o["resource_backend"] = r.resource_backend;
  if (!r.restore_backup_id.empty()) o["restore_backup_id"] = r.restore_backup_id;
  json::array attempts;
  for (const auto& a : r.attempts) {
    attempts.push_back(json::object{{"backend", a.backend}, {"pool", a.pool}, {"error", a.error}});
  }
  o["attempts"] = std::move(attempts);
  return o;
}

Result<RequestSpec> RequestSpecFromJson(const json::value& v) {
  const auto* o = v.if_object();
  if (!o) return InvalidArgument("a request spec must be an object");
  RequestSpec r;
  const std::string op = Str(*o, "operation");
  if (op == "extend") r.operation = RequestSpec::Operation::kExtend;
  else if (op == "snapshot") r.operation = RequestSpec::Operation::kSnapshot;
  else if (op == "create" || op.empty()) r.operation = RequestSpec::Operation::kCreate;
  else return InvalidArgument("request spec: unknown operation '" + op + "'");
  r.volume_id = Str(*o, "volume_id");
  r.snapshot_id = Str(*o, "snapshot_id");
  r.project_id = Str(*o, "project_id");
  r.user_id = Str(*o, "user_id");
  r.size_gb = U64(*o, "size");
  r.current_size_gb = U64(*o, "current_size");
  r.availability_zone = Str(*o, "availability_zone");
  if (const auto* t = o->if_contains("volume_type"); t && t->is_object()) {
    const auto& to = t->get_object();
    r.volume_type.id = Str(to, "id");
    r.volume_type.name = Str(to, "name");
    r.volume_type.qos_specs_id = Str(to, "qos_specs_id");
    r.volume_type.extra_specs = Map(to, "extra_specs");
  }
  r.qos_specs = Map(*o, "qos_specs");
  r.metadata = Map(*o, "metadata");
  r.status = Str(*o, "status");
  if (const auto* a = o->if_contains("attached"); a && a->is_bool()) r.attached = a->get_bool();
  r.same_host = StrList(*o, "same_host");
  r.different_host = StrList(*o, "different_host");
  r.query = Str(*o, "query");
  r.vol_exists_on = Str(*o, "vol_exists_on");
  r.resource_backend = Str(*o, "resource_backend");
  r.restore_backup_id = Str(*o, "restore_backup_id");
  if (const auto* a = o->if_contains("attempts"); a && a->is_array()) {
    for (const auto& e : a->get_array()) {
      if (!e.is_object()) continue;
      r.attempts.push_back({Str(e.get_object(), "backend"), Str(e.get_object(), "pool"),
                            Str(e.get_object(), "error")});
    }
  }
  return r;
}

json::object ToJson(const PlacementExplanation& e) {
  json::object o;
  o["pools"] = e.pools;
  o["stale"] = e.stale;
  json::array steps;
  for (const auto& s : e.steps) {
    steps.push_back(json::object{{"filter", s.filter},
                                 {"before", s.before},
                                 {"removed", s.removed},
                                 {"reasons", Strings(s.reasons)}});
  }
  o["filters"] = std::move(steps);
  json::array ranking;
  for (const auto& p : e.ranking) {
    json::object raw;
    for (const auto& [k, w] : p.raw) raw[k] = w;
    ranking.push_back(json::object{{"pool", p.pool}, {"weight", p.weight}, {"raw", std::move(raw)}});
  }
  o["ranking"] = std::move(ranking);
  o["chosen"] = e.chosen.empty() ? json::value(nullptr) : json::value(e.chosen);
  o["error"] = e.error.empty() ? json::value(nullptr) : json::value(e.error);
  return o;
}

Result<PlacementExplanation> PlacementExplanationFromJson(const json::value& v) {
  const auto* o = v.if_object();
  if (!o) return InvalidArgument("a placement explanation must be an object");
  PlacementExplanation e;
  e.pools = U64(*o, "pools");
  e.stale = U64(*o, "stale");
  if (const auto* f = o->if_contains("filters"); f && f->is_array()) {
    for (const auto& s : f->get_array()) {
      if (!s.is_object()) continue;
      const auto& so = s.get_object();
      e.steps.push_back({Str(so, "filter"), U64(so, "before"), U64(so, "removed"),
                         StrList(so, "reasons")});
    }
  }
  if (const auto* r = o->if_contains("ranking"); r && r->is_array()) {
    for (const auto& p : r->get_array()) {
      if (!p.is_object()) continue;
      const auto& po = p.get_object();
      RankedPool rp;
      rp.pool = Str(po, "pool");
      if (const auto* w = po.if_contains("weight"); w && w->is_number()) rp.weight = w->to_number<double>();
      if (const auto* raw = po.if_contains("raw"); raw && raw->is_object()) {
        for (const auto& kv : raw->get_object()) {
          if (kv.value().is_number()) rp.raw[std::string(kv.key())] = kv.value().to_number<double>();
        }
      }
      e.ranking.push_back(std::move(rp));
    }
  }
  e.chosen = Str(*o, "chosen");
  e.error = Str(*o, "error");
  return e;
}

}  // namespace blockstore::internal
