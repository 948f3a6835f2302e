// C ABI: engine lifecycle, pools and events.
#include "capi/capi_internal.hpp"
#include "lib/core/macros.hpp"

#include <set>

using namespace blockstore;
namespace json = blockstore::internal::json;

namespace {

Status ReadString(const json::object& o, std::string_view key, std::string& out) {
  if (auto* v = o.if_contains(key)) {
    if (!v->is_string()) return InvalidArgument("config: '" + std::string(key) + "' must be a string");
    out = std::string(v->get_string());
  }
  return Status::Ok();
}

Result<EngineConfig> ConfigFromJson(const std::string& state_path, const json::value& v) {
  EngineConfig c;
  c.state_path = state_path;
  const auto* o = v.if_object();
  if (!o) return InvalidArgument("config_json must be a JSON object");
  static const std::set<std::string> kKnown = {"host", "availability_zone", "default_volume_type",
                                               "durability", "volume_workers", "quota_defaults",
                                               "backends", "stats_interval_ms", "scheduler",
                                               "backup"};
  for (const auto& kv : *o) {
    if (!kKnown.count(std::string(kv.key()))) {
      return InvalidArgument("config: unknown key '" + std::string(kv.key()) + "'");
    }
  }
  BS_RETURN_IF_ERROR(ReadString(*o, "host", c.host));
  BS_RETURN_IF_ERROR(ReadString(*o, "availability_zone", c.availability_zone));
  BS_RETURN_IF_ERROR(ReadString(*o, "default_volume_type", c.default_volume_type));
  std::string durability = "normal";
  BS_RETURN_IF_ERROR(ReadString(*o, "durability", durability));
  if (durability == "full") c.durability = Durability::kFull;
  else if (durability != "normal") return InvalidArgument("config: durability must be normal or full");
  if (auto* w = o->if_contains("volume_workers")) {
    if (!w->is_int64()) return InvalidArgument("config: volume_workers must be an integer");
    c.volume_workers = static_cast<int>(w->get_int64());
  }
  if (auto* w = o->if_contains("stats_interval_ms")) {
    if (!w->is_int64()) return InvalidArgument("config: stats_interval_ms must be an integer");
    c.stats_interval = std::chrono::milliseconds(w->get_int64());
  }
  if (auto* q = o->if_contains("quota_defaults")) {
    const auto* qo = q->if_object();
    if (!qo) return InvalidArgument("config: quota_defaults must be an object");
    for (const auto& kv : *qo) {
      if (!kv.value().is_int64()) {
        return InvalidArgument("config: quota_defaults." + std::string(kv.key()) + " must be an integer");
      }
      c.quota_defaults[std::string(kv.key())] = kv.value().get_int64();
    }
  }
  if (auto* b = o->if_contains("backends")) {
    const auto* arr = b->if_array();
    if (!arr) return InvalidArgument("config: backends must be an array");
    for (const auto& item : *arr) {
      const auto* bo = item.if_object();
      if (!bo) return InvalidArgument("config: each backend must be an object");
      BackendConfig bc;
      for (const auto& kv : *bo) {
        const std::string k(kv.key());
        if (k != "name" && k != "driver" && k != "volume_backend_name" && k != "options" &&
            k != "filter_function" && k != "goodness_function") {
          return InvalidArgument("config: unknown backend key '" + k + "'");
        }
      }
      BS_RETURN_IF_ERROR(ReadString(*bo, "name", bc.name));
      BS_RETURN_IF_ERROR(ReadString(*bo, "driver", bc.driver));
      BS_RETURN_IF_ERROR(ReadString(*bo, "volume_backend_name", bc.volume_backend_name));
      BS_RETURN_IF_ERROR(ReadString(*bo, "filter_function", bc.filter_function));
      BS_RETURN_IF_ERROR(ReadString(*bo, "goodness_function", bc.goodness_function));
      if (auto* opts = bo->if_contains("options")) {
        BS_ASSIGN_OR_RETURN(auto m, internal::MetadataFromJson(*opts, "backend options"));
        bc.options.insert(m.begin(), m.end());
      }
      c.backends.push_back(std::move(bc));
    }
  }
  if (auto* s = o->if_contains("scheduler")) {
    BS_RETURN_IF_ERROR(capi::SchedulerOptionsFromJson(*s, c.scheduler));
  }
  if (auto* b = o->if_contains("backup")) {
    BS_RETURN_IF_ERROR(capi::BackupConfigFromJson(*b, c.backup));
  }
  return c;
}

}  // namespace

extern "C" {

int bs_engine_open(bs_engine** out, const bs_engine_options* options) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedOut(out));
    *out = nullptr;
    if (!options) return InvalidArgument("options must not be NULL");
    if (options->version < 1 || options->version > BS_ENGINE_OPTIONS_VERSION) {
      return InvalidArgument("unsupported bs_engine_options version " +
                             std::to_string(options->version));
    }
    BS_ASSIGN_OR_RETURN(std::string state_path, capi::Arg(options->state_path, "state_path"));
    BS_ASSIGN_OR_RETURN(json::value cfg, capi::JsonArg(options->config_json, "config_json"));
    BS_ASSIGN_OR_RETURN(EngineConfig config, ConfigFromJson(state_path, cfg));
    if (options->version >= 2 && options->scheduler_registry) {
      config.scheduler.registry = options->scheduler_registry->registry;
    }
    if (options->version >= 3 && options->backup_key) {
      config.backup.key_provider = [cb = options->backup_key,
                                    payload = options->backup_key_payload](
                                       const std::string& key_id) -> Result<std::string> {
        std::string key(32, '\0');
        if (cb(key_id.c_str(), reinterpret_cast<unsigned char*>(key.data()), payload) != 0) {
          return NotFound("the host has no key '" + key_id + "'");
        }
        return key;
      };
    }
    if (options->version >= 3 && options->backup_progress) {
      config.backup.progress = [cb = options->backup_progress,
                                payload = options->backup_progress_payload](const BackupProgress& p) {
        const std::string text = json::serialize(internal::ToJson(p));
        cb(text.c_str(), payload);
      };
    }
    BS_ASSIGN_OR_RETURN(auto engine, Engine::Open(std::move(config)));
    auto handle = std::make_unique<bs_engine>();
    handle->engine = std::move(engine);
    *out = handle.release();
    return Status::Ok();
  });
}

int bs_engine_close(bs_engine* engine) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedEngine(engine));
    engine->engine->Close();
    return Status::Ok();
  });
}

void bs_engine_free(bs_engine* engine) { delete engine; }

int bs_engine_pools(char** out_json, bs_engine* engine) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedOut(out_json));
    BS_RETURN_IF_ERROR(capi::NeedEngine(engine));
    json::array pools;
    for (const auto& p : engine->engine->Pools()) pools.push_back(capi::PoolToJson(p));
    return capi::Emit(out_json, pools);
  });
}

int bs_engine_subscribe(uint64_t* out_token, bs_engine* engine, bs_event_cb callback,
                        void* payload) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedOut(out_token));
    BS_RETURN_IF_ERROR(capi::NeedEngine(engine));
    if (!callback) return InvalidArgument("callback must not be NULL");
    *out_token = engine->engine->Subscribe([callback, payload](const Event& e) {
      const std::string text = json::serialize(internal::ToJson(e));
      callback(text.c_str(), payload);
    });
    return Status::Ok();
  });
}

int bs_engine_unsubscribe(bs_engine* engine, uint64_t token) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedEngine(engine));
    engine->engine->Unsubscribe(token);
    return Status::Ok();
  });
}

}  // extern "C"
