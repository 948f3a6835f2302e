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
