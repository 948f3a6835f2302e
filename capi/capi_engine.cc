// C ABI: engine lifecycle, pools and events.
#include "blockstore/c_driver.hpp"
#include "blockstore/engine_config.hpp"
#include "capi/capi_internal.hpp"
#include "lib/core/macros.hpp"

using namespace blockstore;
namespace json = blockstore::internal::json;

namespace {

// The schema's reading of config_json, with state_path (an argument of its own) added to it.
Result<EngineConfig> ConfigFromJson(const std::string& state_path, json::value cfg,
                                    std::string* error_key = nullptr) {
  auto* o = cfg.if_object();
  if (!o) return InvalidArgument("config_json must be a JSON object");
  if (o->contains("state_path")) {
    return InvalidArgument("config: state_path is given by bs_engine_options.state_path, not in config_json");
  }
  (*o)["state_path"] = state_path;
  return EngineConfigFromJson(json::serialize(cfg), ConfigSyntax::kTyped, error_key);
}

json::object ServiceToJson(const ServiceState& s) {
  return {{"binary", s.binary},
          {"host", s.host},
          {"zone", s.availability_zone},
          {"version", s.version},
          {"status", s.disabled ? "disabled" : "enabled"},
          {"state", s.up ? "up" : "down"},
          {"updated_at", FormatTime(s.updated_at)},
          {"disabled_reason", s.disabled_reason}};
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
    BS_ASSIGN_OR_RETURN(EngineConfig config, ConfigFromJson(state_path, std::move(cfg)));
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
    if (options->version >= 4 && options->transport) {
      BS_ASSIGN_OR_RETURN(config.transport, capi::WrapHostTransport(options->transport));
    }
    if (options->version >= 5 && options->driver_registry && !options->driver_registry->drivers.empty()) {
      config.register_drivers = [drivers = options->driver_registry->drivers](DriverRegistry& r) -> Status {
        for (const auto& [name, table] : drivers) BS_RETURN_IF_ERROR(RegisterCDriver(r, name, table));
        return Status::Ok();
      };
    }
    BS_ASSIGN_OR_RETURN(auto engine, Engine::Open(std::move(config)));
    auto handle = std::make_unique<bs_engine>();
    handle->engine = std::move(engine);
    *out = handle.release();
    return Status::Ok();
  });
}

int bs_config_keys(char** out_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedOut(out_json));
    json::array keys;
    for (const auto& k : EngineConfigKeys()) {
      keys.push_back(json::object{{"path", k.path},
                                  {"type", k.type},
                                  {"range", k.range},
                                  {"default", k.default_value},
                                  {"doc", k.doc}});
    }
    return capi::Emit(out_json, keys);
  });
}

int bs_config_validate(const char* state_path, const char* config_json, char** out_error_key) {
  if (out_error_key) *out_error_key = nullptr;
  std::string key;
  const int rc = capi::Guard([&]() -> Status {
    BS_ASSIGN_OR_RETURN(std::string path, capi::Arg(state_path, "state_path"));
    BS_ASSIGN_OR_RETURN(json::value cfg, capi::JsonArg(config_json, "config_json"));
    return ConfigFromJson(path, std::move(cfg), &key).status();
  });
  if (rc != 0 && out_error_key) *out_error_key = capi::Dup(key);
  return rc;
}

int bs_database_migrate(const char* url) {
  return capi::Guard([&]() -> Status {
    BS_ASSIGN_OR_RETURN(std::string u, capi::Arg(url, "url"));
    return MigrateDatabase(u);
  });
}

int bs_database_copy(char** out_json, const char* from_url, const char* to_url) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedOut(out_json));
    BS_ASSIGN_OR_RETURN(std::string from, capi::Arg(from_url, "from_url"));
    BS_ASSIGN_OR_RETURN(std::string to, capi::Arg(to_url, "to_url"));
    BS_ASSIGN_OR_RETURN(DatabaseCopyReport report, CopyDatabase(from, to));
    json::array tables;
    for (const auto& t : report.tables) {
      tables.push_back(json::object{{"table", t.table}, {"rows", t.rows}, {"sha256", t.sha256}});
    }
    return capi::Emit(out_json, json::object{{"rows", report.rows}, {"tables", std::move(tables)}});
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


int bs_engine_services(char** out_json, bs_engine* engine) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedOut(out_json));
    BS_RETURN_IF_ERROR(capi::NeedEngine(engine));
    BS_ASSIGN_OR_RETURN(auto all, engine->engine->Services());
    json::array out;
    for (const auto& s : all) out.push_back(ServiceToJson(s));
    return capi::Emit(out_json, out);
  });
}

int bs_engine_set_service_disabled(char** out_json, bs_engine* engine, const char* host,
                                   const char* binary, int disabled, const char* reason) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedOut(out_json));
    BS_RETURN_IF_ERROR(capi::NeedEngine(engine));
    BS_ASSIGN_OR_RETURN(std::string h, capi::Arg(host, "host"));
    BS_ASSIGN_OR_RETURN(std::string b, capi::Arg(binary, "binary"));
    BS_ASSIGN_OR_RETURN(ServiceState s, engine->engine->SetServiceDisabled(h, b, disabled != 0,
                                                                           reason ? reason : ""));
    return capi::Emit(out_json, ServiceToJson(s));
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
