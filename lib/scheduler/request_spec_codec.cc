#include "lib/scheduler/request_spec_codec.hpp"

#include "lib/core/macros.hpp"
#include "lib/json/json_codec.hpp"
#include "lib/json/json_reader.hpp"

namespace blockstore::internal {
namespace {

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.push_back(json::value(s));
  return a;
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

// Messages between roles: unknown fields are ignored (a newer minor may add some); a field of
// the wrong type is an error.
Result<RequestSpec> RequestSpecFromJson(const json::value& v) {
  RequestSpec r;
  Reader in(v, "request spec", Reader::kIgnoreUnknown);
  std::string op;
  in.String("operation", op);
  in.String("volume_id", r.volume_id);
  in.String("snapshot_id", r.snapshot_id);
  in.String("project_id", r.project_id);
  in.String("user_id", r.user_id);
  in.Count("size", r.size_gb);
  in.Count("current_size", r.current_size_gb);
  in.String("availability_zone", r.availability_zone);
  in.Object("volume_type", [&](Reader& t) {
    t.String("id", r.volume_type.id);
    t.String("name", r.volume_type.name);
    t.String("qos_specs_id", r.volume_type.qos_specs_id);
    t.Meta("extra_specs", r.volume_type.extra_specs);
  });
  in.Meta("qos_specs", r.qos_specs);
  in.Meta("metadata", r.metadata);
  in.String("status", r.status);
  in.Bool("attached", r.attached);
  in.Strings("same_host", r.same_host);
  in.Strings("different_host", r.different_host);
  in.String("query", r.query);
  in.String("vol_exists_on", r.vol_exists_on);
  in.String("resource_backend", r.resource_backend);
  in.String("restore_backup_id", r.restore_backup_id);
  in.Objects("attempts", [&](Reader& a) {
    RequestSpec::Attempt attempt;
    a.String("backend", attempt.backend);
    a.String("pool", attempt.pool);
    a.String("error", attempt.error);
    r.attempts.push_back(std::move(attempt));
  });
  BS_RETURN_IF_ERROR(in.Finish());
  if (op == "extend") r.operation = RequestSpec::Operation::kExtend;
  else if (op == "snapshot") r.operation = RequestSpec::Operation::kSnapshot;
  else if (op == "create" || op.empty()) r.operation = RequestSpec::Operation::kCreate;
  else return InvalidArgument("request spec: unknown operation '" + op + "'");
  return r;
}

json::object ToJson(const PlacementExplanation& e) {
  json::object o;
  o["pools"] = e.pools;
  o["stale"] = e.stale;
  o["out_of_service"] = e.out_of_service;
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
  PlacementExplanation e;
  Reader in(v, "placement explanation", Reader::kIgnoreUnknown);
  uint64_t pools = 0, stale = 0, out_of_service = 0;
  in.Count("pools", pools);
  in.Count("stale", stale);
  in.Count("out_of_service", out_of_service);
  e.pools = pools;
  e.stale = stale;
  e.out_of_service = out_of_service;
  in.Objects("filters", [&](Reader& f) {
    FilterStep step;
    uint64_t before = 0, removed = 0;
    f.String("filter", step.filter);
    f.Count("before", before);
    f.Count("removed", removed);
    f.Strings("reasons", step.reasons);
    step.before = before;
    step.removed = removed;
    e.steps.push_back(std::move(step));
  });
  in.Objects("ranking", [&](Reader& p) {
    RankedPool rp;
    p.String("pool", rp.pool);
    p.Number("weight", rp.weight);
    p.Numbers("raw", rp.raw);
    e.ranking.push_back(std::move(rp));
  });
  in.String("chosen", e.chosen);
  in.String("error", e.error);
  BS_RETURN_IF_ERROR(in.Finish());
  return e;
}

}  // namespace blockstore::internal
