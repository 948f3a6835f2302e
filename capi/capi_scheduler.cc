// C ABI: scheduler configuration, host filters and weighers, and placement explanations.
#include <cmath>
#include <cstring>

#include "capi/capi_internal.hpp"
#include "lib/core/macros.hpp"
#include "lib/scheduler/request_spec_codec.hpp"

using namespace blockstore;
namespace json = blockstore::internal::json;

namespace blockstore::capi {

json::object PoolToJson(const PoolState& p) {
  BackendStats one;
  one.pools.push_back(p.stats);
  json::object stats = internal::ToJson(one)["pools"].as_array()[0].as_object();
  stats["volume_backend_name"] = p.volume_backend_name;
  stats["vendor_name"] = p.vendor_name;
  stats["driver_version"] = p.driver_version;
  stats["storage_protocol"] = p.storage_protocol;
  stats["total_volumes"] = p.volume_count;
  return json::object{{"name", p.name},
                      {"backend", p.backend},
                      {"availability_zone", p.availability_zone},
                      {"updated_at", FormatTime(p.updated_at)},
                      {"reserved_gb", p.reserved_gb},
                      {"capabilities", std::move(stats)}};
}

Status SchedulerOptionsFromJson(const json::value& v, SchedulerOptions& out) {
  const auto* o = v.if_object();
  if (!o) return InvalidArgument("config: scheduler must be an object");
  for (const auto& kv : *o) {
    const std::string k(kv.key());
    const json::value& val = kv.value();
    if (k == "filters") {
      const auto* a = val.if_array();
      if (!a) return InvalidArgument("config: scheduler.filters must be a list of names");
      out.filters.clear();
      for (const auto& f : *a) {
        if (!f.is_string()) return InvalidArgument("config: scheduler.filters must be a list of names");
        out.filters.emplace_back(f.get_string());
      }
    } else if (k == "weighers") {
      const auto* w = val.if_object();
      if (!w) return InvalidArgument("config: scheduler.weighers must map names to multipliers");
      out.weighers.clear();
      for (const auto& e : *w) {
        if (!e.value().is_number()) {
          return InvalidArgument("config: scheduler.weighers." + std::string(e.key()) +
                                 " must be a number");
        }
        out.weighers[std::string(e.key())] = e.value().to_number<double>();
      }
    } else if (k == "weight_handler") {
      if (!val.is_string()) return InvalidArgument("config: scheduler.weight_handler must be a string");
      out.weight_handler = std::string(val.get_string());
    } else if (k == "max_attempts") {
      if (!val.is_int64()) return InvalidArgument("config: scheduler.max_attempts must be an integer");
      out.max_attempts = static_cast<int>(std::clamp<int64_t>(val.get_int64(), -1, 1000));
    } else if (k == "max_over_subscription_ratio") {
      if (!val.is_number()) return InvalidArgument("config: scheduler.max_over_subscription_ratio must be a number");
      out.max_over_subscription_ratio = val.to_number<double>();
    } else if (k == "stale_after_ms") {
      if (!val.is_int64() || val.get_int64() < 0) {
        return InvalidArgument("config: scheduler.stale_after_ms must be a non-negative integer");
      }
      out.stale_after = std::chrono::milliseconds(val.get_int64());
    } else if (k == "seed") {
      if (!val.is_int64() || val.get_int64() < 0) {
        return InvalidArgument("config: scheduler.seed must be a non-negative integer");
      }
      out.seed = static_cast<uint64_t>(val.get_int64());
    } else {
      return InvalidArgument("config: unknown scheduler key '" + k + "'");
    }
  }
  return Status::Ok();
}

}  // namespace blockstore::capi

namespace {

class CFilter final : public BackendFilter {
 public:
  CFilter(bs_filter_cb cb, void* payload) : cb_(cb), payload_(payload) {}
  bool Passes(const PoolState& pool, const RequestSpec& r, std::string* why) const override {
    const std::string p = json::serialize(capi::PoolToJson(pool));
    const std::string q = json::serialize(internal::ToJson(r));
    char buf[256] = {};
    const int pass = cb_(p.c_str(), q.c_str(), why ? buf : nullptr, why ? sizeof buf : 0, payload_);
    if (!pass && why) {
      buf[sizeof buf - 1] = '\0';
      *why = buf[0] ? buf : "refused by a host filter";
    }
    return pass != 0;
  }

 private:
  bs_filter_cb cb_;
  void* payload_;
};

class CWeigher final : public BackendWeigher {
 public:
  CWeigher(bs_weigher_cb cb, void* payload) : cb_(cb), payload_(payload) {}
  double Weigh(const PoolState& pool, const RequestSpec& r) const override {
    const std::string p = json::serialize(capi::PoolToJson(pool));
    const std::string q = json::serialize(internal::ToJson(r));
    return cb_(p.c_str(), q.c_str(), payload_);
  }

 private:
  bs_weigher_cb cb_;
  void* payload_;
};

}  // namespace

extern "C" {

int bs_scheduler_registry_new(bs_scheduler_registry** out) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedOut(out));
    *out = new bs_scheduler_registry();
    return Status::Ok();
  });
}

void bs_scheduler_registry_free(bs_scheduler_registry* registry) { delete registry; }

int bs_scheduler_registry_add_filter(bs_scheduler_registry* registry, const char* name,
                                     bs_filter_cb callback, void* payload) {
  return capi::Guard([&]() -> Status {
    if (!registry) return InvalidArgument("registry must not be NULL");
    BS_ASSIGN_OR_RETURN(std::string n, capi::Arg(name, "name"));
    if (!callback) return InvalidArgument("callback must not be NULL");
    return registry->registry->AddFilter(n, std::make_shared<CFilter>(callback, payload));
  });
}

int bs_scheduler_registry_add_weigher(bs_scheduler_registry* registry, const char* name,
                                      bs_weigher_cb callback, void* payload) {
  return capi::Guard([&]() -> Status {
    if (!registry) return InvalidArgument("registry must not be NULL");
    BS_ASSIGN_OR_RETURN(std::string n, capi::Arg(name, "name"));
    if (!callback) return InvalidArgument("callback must not be NULL");
    return registry->registry->AddWeigher(n, std::make_shared<CWeigher>(callback, payload));
  });
}

int bs_placement_explain(char** out_json, bs_engine* engine, const bs_context* context,
                         const char* request_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out_json, engine, context));
    BS_ASSIGN_OR_RETURN(json::value body, capi::JsonArg(request_json, "request_json"));
    BS_ASSIGN_OR_RETURN(VolumeCreateRequest r, internal::VolumeCreateRequestFromJson(body));
    BS_ASSIGN_OR_RETURN(PlacementExplanation e,
                        engine->engine->volumes().ExplainPlacement(context->ctx, r));
    return capi::Emit(out_json, internal::ToJson(e));
  });
}

}  // extern "C"
