#include "lib/scheduler/scheduler_rpc.hpp"

#include "lib/core/macros.hpp"
#include "lib/json/json_codec.hpp"
#include "lib/json/json_reader.hpp"
#include "lib/scheduler/request_spec_codec.hpp"

namespace blockstore::internal {

namespace json = boost::json;

SchedulerClient::SchedulerClient(Transport& transport)
    : client_(transport, kSchedulerTopic, kSchedulerRpcVersion) {}

Status SchedulerClient::CreateVolume(const std::string& volume_id, const RequestSpec& spec,
                                     const std::string& request_id) const {
  return client_.Cast("create_volume", volume_id, request_id, {{"spec", ToJson(spec)}});
}
Status SchedulerClient::ExtendVolume(const std::string& volume_id, const RequestSpec& spec,
                                     const std::string& request_id) const {
  return client_.Cast("extend_volume", volume_id, request_id, {{"spec", ToJson(spec)}});
}
Status SchedulerClient::CreateSnapshot(const std::string& snapshot_id, const RequestSpec& spec,
                                       const std::string& request_id) const {
  return client_.Cast("create_snapshot", snapshot_id, request_id, {{"spec", ToJson(spec)}});
}

Status SchedulerClient::UpdateStats(const StatsReport& r) const {
  // Every scheduler keeps its own view of the pools: stats, frees and releases reach them all.
  return client_.Fanout("update_stats", r.backend,
                      {{"availability_zone", r.availability_zone},
                       {"taken_at", FormatTime(r.taken_at)},
                       {"stats", ToJson(r.stats)}});
}

Status SchedulerClient::Freed(const std::string& pool, const std::string& volume_id,
                              double size_gb) const {
  return client_.Fanout("freed", pool, {{"volume_id", volume_id}, {"size", size_gb}});
}

Status SchedulerClient::Release(const std::string& reservation) const {
  return client_.Fanout("release", reservation);
}

Result<PlacementExplanation> SchedulerClient::Explain(const RequestSpec& spec,
                                                      std::chrono::milliseconds timeout) const {
  BS_ASSIGN_OR_RETURN(json::value reply,
                      client_.Call("explain", spec.volume_id, {}, {{"spec", ToJson(spec)}}, timeout));
  return PlacementExplanationFromJson(reply);
}

Status SchedulerClient::Ping(std::chrono::milliseconds timeout) const {
  return client_.Call("ping", {}, {}, {}, timeout).status();
}

namespace {

// A pool as a scheduler sees it: its backend's report (one pool) and the scheduler's counts.
json::object PoolStateToJson(const PoolState& p) {
  BackendStats report;
  report.volume_backend_name = p.volume_backend_name;
  report.vendor_name = p.vendor_name;
  report.driver_version = p.driver_version;
  report.storage_protocol = p.storage_protocol;
  report.pools = {p.stats};
  return {{"name", p.name},
          {"backend", p.backend},
          {"host", p.host},
          {"availability_zone", p.availability_zone},
          {"report", ToJson(report)},
          {"volume_count", p.volume_count},
          {"reserved_gb", p.reserved_gb},
          {"updated_at", FormatTime(p.updated_at)}};
}

Result<PoolState> PoolStateFromJson(const json::value& v) {
  if (!v.is_object()) return InvalidArgument("get_pools: a pool is not an object");
  const json::object& o = v.get_object();
  PoolState p;
  const auto* report = o.if_contains("report");
  if (!report) return InvalidArgument("get_pools: a pool without its report");
  BS_ASSIGN_OR_RETURN(BackendStats stats, BackendStatsFromJson(*report));
  if (stats.pools.size() != 1) return InvalidArgument("get_pools: a pool's report holds one pool");
  p.volume_backend_name = stats.volume_backend_name;
  p.vendor_name = stats.vendor_name;
  p.driver_version = stats.driver_version;
  p.storage_protocol = stats.storage_protocol;
  p.stats = std::move(stats.pools[0]);
  std::string updated;
  Reader in(o, "get_pools", Reader::kIgnoreUnknown);
  in.String("name", p.name);
  in.String("backend", p.backend);
  in.String("host", p.host);
  in.String("availability_zone", p.availability_zone);
  in.String("updated_at", updated);
  in.Number("reserved_gb", p.reserved_gb);
  in.Count("volume_count", p.volume_count);
  BS_RETURN_IF_ERROR(in.Finish());
  if (auto t = ParseTime(updated)) p.updated_at = *t;
  return p;
}

}  // namespace

Result<std::vector<PoolState>> SchedulerClient::Pools(std::chrono::milliseconds timeout) const {
  BS_ASSIGN_OR_RETURN(json::value reply, client_.Call("get_pools", {}, {}, {}, timeout));
  if (!reply.is_array()) return InvalidArgument("get_pools: the reply is not a list");
  std::vector<PoolState> out;
  for (const auto& v : reply.get_array()) {
    BS_ASSIGN_OR_RETURN(PoolState p, PoolStateFromJson(v));
    out.push_back(std::move(p));
  }
  return out;
}

namespace {

Result<RequestSpec> SpecArg(const rpc::Envelope& e) {
  const auto* spec = e.args.if_contains("spec");
  if (!spec) return InvalidArgument(e.method + ": no spec");
  return RequestSpecFromJson(*spec);
}

}  // namespace

rpc::Dispatcher SchedulerDispatcher(SchedulerHandler& h) {
  rpc::Dispatcher d("scheduler", kSchedulerRpcVersion);
  auto done = [] { return Result<json::value>(json::object()); };
  using Placement = void (SchedulerHandler::*)(const std::string&, RequestSpec, const std::string&);
  for (auto [name, method] : {std::pair<const char*, Placement>{"create_volume", &SchedulerHandler::CreateVolume},
                              {"extend_volume", &SchedulerHandler::ExtendVolume},
                              {"create_snapshot", &SchedulerHandler::CreateSnapshot}}) {
    d.Add(name, [&h, done, method = method](const rpc::Envelope& e) -> Result<json::value> {
      BS_ASSIGN_OR_RETURN(RequestSpec spec, SpecArg(e));
      (h.*method)(e.id, std::move(spec), e.request_id);
      return done();
    });
  }
  d.Add("update_stats", [&h, done](const rpc::Envelope& e) -> Result<json::value> {
    StatsReport r;
    r.backend = e.id;
    const auto* stats = e.args.if_contains("stats");
    if (!stats) return InvalidArgument("update_stats: no stats");
    BS_ASSIGN_OR_RETURN(r.stats, BackendStatsFromJson(*stats));
    std::string taken;
    Reader in(e.args, "update_stats", Reader::kIgnoreUnknown);
    in.String("availability_zone", r.availability_zone);
    in.String("taken_at", taken);
    BS_RETURN_IF_ERROR(in.Finish());
    if (!taken.empty()) {
      auto t = ParseTime(taken);
      if (!t) return InvalidArgument("update_stats: taken_at '" + taken.substr(0, 40) + "' is not a time");
      r.taken_at = *t;
    }
    h.UpdateStats(r);
    return done();
  });
  d.Add("freed", [&h, done](const rpc::Envelope& e) -> Result<json::value> {
    std::string volume_id;
    std::optional<double> size;
    Reader in(e.args, "freed", Reader::kIgnoreUnknown);
    in.String("volume_id", volume_id);
    in.Number("size", size);
    BS_RETURN_IF_ERROR(in.Finish());
    if (volume_id.empty() || !size) return InvalidArgument("freed needs a size and a volume_id");
    h.Freed(e.id, volume_id, *size);
    return done();
  });
  d.Add("release", [&h, done](const rpc::Envelope& e) {
    h.Release(e.id);
    return done();
  });
  d.Add("explain", [&h](const rpc::Envelope& e) -> Result<json::value> {
    BS_ASSIGN_OR_RETURN(RequestSpec spec, SpecArg(e));
    BS_ASSIGN_OR_RETURN(PlacementExplanation x, h.Explain(spec));
    return json::value(ToJson(x));
  });
  d.Add("ping", [done](const rpc::Envelope&) { return done(); });
  d.Add("get_pools", [&h](const rpc::Envelope&) -> Result<json::value> {
    json::array pools;
    for (const auto& p : h.Pools()) pools.push_back(PoolStateToJson(p));
    return json::value(std::move(pools));
  });
  return d;
}

}  // namespace blockstore::internal
