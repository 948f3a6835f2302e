// The one table of the engine's configuration keys, and the reader that walks a tree by it.
#include <functional>
#include <set>

#include "blockstore/amqp_transport.hpp"
#include "blockstore/backup_target.hpp"
#include "blockstore/engine_config.hpp"
#include "lib/backup/chunk_codec.hpp"
#include "lib/config/config_value.hpp"
#include "lib/config/key_file.hpp"
#include "lib/core/macros.hpp"
#include "lib/json/json_parse.hpp"
#include "blockstore/store.hpp"

namespace blockstore {

namespace json = boost::json;

namespace config_schema {

using internal::ConfigValueReader;

constexpr int64_t kBig = int64_t{1} << 50;

// What a key's reader writes into: the configuration, and the backend of the backends[] entry
// being read (null elsewhere). Keys whose effect needs other keys (the key file) leave a note.
struct Subject {
  EngineConfig& config;
  BackendConfig* backend = nullptr;
  std::string key_file;
};

using ReadFn = std::function<Status(const ConfigValueReader&, const json::value&,
                                    const std::string& path, Subject&)>;

struct Entry {
  ConfigKeyInfo info;
  ReadFn read;
  bool required = false;
};

std::string Range(int64_t lo, int64_t hi) { return std::to_string(lo) + ".." + std::to_string(hi); }

Entry Text(std::string path, std::string def, std::string doc,
           std::function<void(Subject&, std::string)> set) {
  return {{std::move(path), "string", "", std::move(def), std::move(doc)},
          [set](const ConfigValueReader& r, const json::value& v, const std::string& p, Subject& s) -> Status {
            BS_ASSIGN_OR_RETURN(std::string x, r.String(v, p));
            set(s, std::move(x));
            return Status::Ok();
          }};
}

Entry OneOf(std::string path, std::vector<std::string> choices, std::string def, std::string doc,
            std::function<void(Subject&, const std::string&)> set) {
  std::string type = "one of ";
  for (std::size_t i = 0; i < choices.size(); ++i) type += (i ? "|" : "") + choices[i];
  return {{std::move(path), type, "", std::move(def), std::move(doc)},
          [set, choices, type](const ConfigValueReader& r, const json::value& v, const std::string& p,
                               Subject& s) -> Status {
            BS_ASSIGN_OR_RETURN(std::string x, r.String(v, p));
            if (std::find(choices.begin(), choices.end(), x) == choices.end()) {
              return ConfigValueReader::Fail(p, type);
            }
            set(s, x);
            return Status::Ok();
          }};
}

Entry Integer(std::string path, int64_t lo, int64_t hi, std::string def, std::string doc,
              std::function<void(Subject&, int64_t)> set) {
  return {{std::move(path), "integer", Range(lo, hi), std::move(def), std::move(doc)},
          [=](const ConfigValueReader& r, const json::value& v, const std::string& p, Subject& s) -> Status {
            BS_ASSIGN_OR_RETURN(int64_t x, r.Integer(v, p, lo, hi));
            set(s, x);
            return Status::Ok();
          }};
}

Entry Number(std::string path, double lo, double hi, std::string range, std::string def,
             std::string doc, std::function<void(Subject&, double)> set) {
  return {{std::move(path), "number", std::move(range), std::move(def), std::move(doc)},
          [=](const ConfigValueReader& r, const json::value& v, const std::string& p, Subject& s) -> Status {
            BS_ASSIGN_OR_RETURN(double x, r.Number(v, p, lo, hi));
            set(s, x);
            return Status::Ok();
          }};
}

Entry Boolean(std::string path, std::string def, std::string doc, std::function<void(Subject&, bool)> set) {
  return {{std::move(path), "boolean", "", std::move(def), std::move(doc)},
          [set](const ConfigValueReader& r, const json::value& v, const std::string& p, Subject& s) -> Status {
            BS_ASSIGN_OR_RETURN(bool x, r.Boolean(v, p));
            set(s, x);
            return Status::Ok();
          }};
}

std::vector<Entry> BuildTable() {
  using std::chrono::milliseconds;
  std::vector<Entry> t;
  // ---- the engine ----
  t.push_back(Text("state_path", "", "Directory of the database and the default backend's volumes; created if missing.",
                   [](Subject& s, std::string x) { s.config.state_path = std::move(x); }));
  t.back().required = true;
  t.push_back(Text("host", "this machine's host name", "The host part of every service's host@backend.",
                   [](Subject& s, std::string x) { s.config.host = std::move(x); }));
  t.push_back(Text("availability_zone", "nova", "The zone of every service of this engine.",
                   [](Subject& s, std::string x) { s.config.availability_zone = std::move(x); }));
  t.push_back(Text("default_volume_type", "__DEFAULT__", "The type of volumes created without one; created if missing.",
                   [](Subject& s, std::string x) { s.config.default_volume_type = std::move(x); }));
  t.push_back(OneOf("durability", {"normal", "full"}, "normal",
                    "full: every commit of the store is on the disk before it is acknowledged.",
                    [](Subject& s, const std::string& x) {
                      s.config.durability = x == "full" ? Durability::kFull : Durability::kNormal;
                    }));
  t.push_back(Integer("volume_workers", 1, 256, "2", "Threads per backend serving volume operations.",
                      [](Subject& s, int64_t x) { s.config.volume_workers = static_cast<int>(x); }));
  t.push_back(Integer("stats_interval_ms", 0, kBig, "60000",
                      "How often every backend reports its stats; 0 turns the periodic report off.",
                      [](Subject& s, int64_t x) { s.config.stats_interval = milliseconds(x); }));
  t.push_back(Integer("report_interval_ms", 0, kBig, "10000",
                      "How often every service records its heartbeat in the store; 0 records it once, at open.",
                      [](Subject& s, int64_t x) { s.config.report_interval = milliseconds(x); }));
  t.push_back(Integer("idempotency_key_ttl", 1, kBig, "86400",
                      "Seconds a request's idempotency key is remembered (a retry with it gets the first answer).",
                      [](Subject& s, int64_t x) { s.config.idempotency_key_ttl = std::chrono::seconds(x); }));
  t.push_back(Integer("message_ttl", 1, kBig, "2592000",
                      "Seconds a user message (a failed operation's) is kept, as Cinder's message_ttl.",
                      [](Subject& s, int64_t x) { s.config.message_ttl = std::chrono::seconds(x); }));
  t.push_back(Integer("service_down_time_ms", 1, kBig, "60000",
                      "A service whose last heartbeat is older than this is down: os-services says so and "
                      "nothing is placed on its backend. Longer than report_interval_ms.",
                      [](Subject& s, int64_t x) { s.config.service_down_time = milliseconds(x); }));
  {
    std::string resources;
    for (const auto& [name, limit] : DefaultQuotaLimits()) resources += (resources.empty() ? "" : ", ") + name;
    Entry quota = Integer("quota_defaults.*", -1, kBig, "Cinder's defaults",
                          "Default limit per project of a resource (" + resources + "); -1: unlimited.", nullptr);
    quota.read = [](const ConfigValueReader& r, const json::value& v, const std::string& p, Subject& s) -> Status {
      const std::string resource = p.substr(p.rfind('.') + 1);
      if (!DefaultQuotaLimits().count(resource)) {
        return InvalidArgument("config: " + p + ": '" + resource + "' is not a quota resource");
      }
      BS_ASSIGN_OR_RETURN(int64_t x, r.Integer(v, p, -1, kBig));
      s.config.quota_defaults[resource] = x;
      return Status::Ok();
    };
    t.push_back(std::move(quota));
  }
  t.push_back(Text("database.connection", "sqlite:///<state_path>/blockstore.db",
                   "Where the state lives: sqlite:///path, or postgresql://user:password@host:port/db "
                   "(libpq's URL: sslmode, sslrootcert, … as query parameters) for a database several "
                   "engines share.",
                   [](Subject& s, std::string x) { s.config.database_connection = std::move(x); }));
  t.back().read = [](const ConfigValueReader& r, const json::value& v, const std::string& p, Subject& s) -> Status {
    BS_ASSIGN_OR_RETURN(std::string x, r.String(v, p));
    if (auto url = ParseDatabaseUrl(x); !url.ok()) return InvalidArgument("config: " + p + ": " + url.status().message());
    s.config.database_connection = std::move(x);
    return Status::Ok();
  };
  t.push_back(Integer("database.max_pool_size", 1, 1000, "5",
                      "PostgreSQL connections an engine holds at most, opened as calls from several "
                      "threads need them (SQLite uses one).",
                      [](Subject& s, int64_t x) { s.config.database_max_pool_size = static_cast<int>(x); }));
  t.push_back({{"roles", "list", "", "api, scheduler, volume, backup",
                "The roles this engine runs (any of api, scheduler, volume, backup): engines with "
                "different roles sharing a PostgreSQL store and a transport_url split the work "
                "between processes."},
               [](const ConfigValueReader& r, const json::value& v, const std::string& p, Subject& s) -> Status {
                 BS_ASSIGN_OR_RETURN(std::vector<std::string> roles, r.List(v, p));
                 for (const auto& role : roles) {
                   if (role != "api" && role != "scheduler" && role != "volume" && role != "backup") {
                     return InvalidArgument("config: " + p + ": '" + role +
                                            "' is not a role (api, scheduler, volume, backup)");
                   }
                 }
                 if (roles.empty()) return InvalidArgument("config: " + p + " must name at least one role");
                 s.config.roles = std::move(roles);
                 return Status::Ok();
               }});
  t.push_back(Text("transport_url", "the in-process transport",
                   "The message bus the roles talk over: rabbit://user:pass@host:port/vhost (several "
                   "brokers comma-separated; amqps:// or ?ssl=1 for TLS), as cinder.conf spells it.",
                   nullptr));
  t.back().read = [](const ConfigValueReader& r, const json::value& v, const std::string& p, Subject& s) -> Status {
    BS_ASSIGN_OR_RETURN(std::string x, r.String(v, p));
    if (auto url = ParseAmqpUrl(x); !url.ok()) return InvalidArgument("config: " + p + ": " + url.status().message());
    s.config.transport_url = std::move(x);
    return Status::Ok();
  };
  t.push_back(Text("control_exchange", "blockstore", "The topic exchange every process of one deployment shares.",
                   [](Subject& s, std::string x) { s.config.control_exchange = std::move(x); }));
  t.push_back(OneOf("oslo_messaging_notifications.driver", {"noop", "messagingv2"}, "noop",
                    "messagingv2: every event also goes out on the transport_url's bus as a notification "
                    "(routing key notifications.info or notifications.error, oslo.messaging's envelope).",
                    [](Subject& s, const std::string& x) { s.config.bus_notifications = x == "messagingv2"; }));
  t.push_back(Text("oslo_messaging_rabbit.ssl_ca_file", "the system's CA bundle",
                   "The CA bundle the broker's certificate is verified against (amqps://).",
                   [](Subject& s, std::string x) { s.config.transport_ca_file = std::move(x); }));
  // ---- backends ----
  t.push_back(Text("backends[].name", "", "The backend's name: the part after @ in host@backend.",
                   [](Subject& s, std::string x) { s.backend->name = std::move(x); }));
  t.back().required = true;
  t.push_back(Text("backends[].driver", "", "The registered driver (\"file\" and \"rbd\" are built in).",
                   [](Subject& s, std::string x) { s.backend->driver = std::move(x); }));
  t.back().required = true;
  t.push_back(Text("backends[].volume_backend_name", "the backend's name",
                   "What volume types' volume_backend_name extra spec matches.",
                   [](Subject& s, std::string x) { s.backend->volume_backend_name = std::move(x); }));
  t.push_back(Text("backends[].filter_function", "", "A filter expression for the DriverFilter (docs/scheduler.md).",
                   [](Subject& s, std::string x) { s.backend->filter_function = std::move(x); }));
  t.push_back(Text("backends[].goodness_function", "", "A goodness expression for the GoodnessWeigher.",
                   [](Subject& s, std::string x) { s.backend->goodness_function = std::move(x); }));
  t.push_back({{"backends[].options.*", "string", "", "", "The driver's own options (docs/drivers.md: the file driver's volumes_dir, …; the rbd driver's rbd_pool, rbd_user, rbd_ceph_conf, …)."},
               [](const ConfigValueReader& r, const json::value& v, const std::string& p, Subject& s) -> Status {
                 BS_ASSIGN_OR_RETURN(std::string x, r.String(v, p));
                 s.backend->options[p.substr(p.rfind('.') + 1)] = std::move(x);
                 return Status::Ok();
               }});
  // ---- the scheduler ----
  t.push_back({{"scheduler.filters", "list", "", "AvailabilityZoneFilter, CapacityFilter, CapabilitiesFilter",
                "Filters, in the order they run."},
               [](const ConfigValueReader& r, const json::value& v, const std::string& p, Subject& s) -> Status {
                 BS_ASSIGN_OR_RETURN(s.config.scheduler.filters, r.List(v, p));
                 return Status::Ok();
               }});
  t.push_back({{"scheduler.weighers", "map", "", "CapacityWeigher:1.0", "Weigher name → multiplier."},
               [](const ConfigValueReader& r, const json::value& v, const std::string& p, Subject& s) -> Status {
                 BS_ASSIGN_OR_RETURN(s.config.scheduler.weighers, r.Weights(v, p));
                 return Status::Ok();
               }});
  t.push_back(OneOf("scheduler.weight_handler", {"OrderedHostWeightHandler", "StochasticHostWeightHandler"},
                    "OrderedHostWeightHandler", "How weights pick a pool.",
                    [](Subject& s, const std::string& x) { s.config.scheduler.weight_handler = x; }));
  t.push_back(Integer("scheduler.max_attempts", 1, 100, "3", "Attempts per create, the first included; 1: no reschedules.",
                      [](Subject& s, int64_t x) { s.config.scheduler.max_attempts = static_cast<int>(x); }));
  t.push_back(Number("scheduler.max_over_subscription_ratio", 1.0, 1e6, "1..1000000", "20.0",
                     "The ratio for thin pools that report none.",
                     [](Subject& s, double x) { s.config.scheduler.max_over_subscription_ratio = x; }));
  t.push_back(Integer("scheduler.stale_after_ms", 0, kBig, "three stats intervals",
                      "Pools whose backend has not reported for this long are not placed on; 0: never stale.",
                      [](Subject& s, int64_t x) { s.config.scheduler.stale_after = milliseconds(x); }));
  t.push_back(Integer("scheduler.reservation_ttl_ms", 1, kBig, "600000",
                      "A placement no stats report confirmed is forgotten after this long.",
                      [](Subject& s, int64_t x) { s.config.scheduler.reservation_ttl = milliseconds(x); }));
  t.push_back(Integer("scheduler.seed", 0, kBig, "0", "Seed of ChanceWeigher and the stochastic handler; 0: random.",
                      [](Subject& s, int64_t x) { s.config.scheduler.seed = static_cast<uint64_t>(x); }));
  // ---- the backup service ----
  t.push_back({{"backup.target.*", "string", "", "type = posix, root = state_path/backups",
                "Where backups go: type (posix, swift, s3) and that type's options (docs/backup-format.md)."},
               nullptr});  // read as a whole below: a target is made of all its options at once
  t.push_back(Text("backup.compression", "zstd", "zstd, zlib or none (Cinder's spellings off, no, gzip too).",
                   [](Subject& s, std::string x) { s.config.backup.compression = std::move(x); }));
  t.back().read = [](const ConfigValueReader& r, const json::value& v, const std::string& p, Subject& s) -> Status {
    BS_ASSIGN_OR_RETURN(std::string x, r.String(v, p));
    if (!internal::ParseCompression(x).ok()) return ConfigValueReader::Fail(p, "zstd, zlib or none");
    s.config.backup.compression = std::move(x);
    return Status::Ok();
  };
  t.push_back(Integer("backup.chunk_size", 0, 256 << 20, "0 (the target's choice)",
                      "Bytes per object of a full backup: a multiple of 4 KiB.",
                      [](Subject& s, int64_t x) { s.config.backup.chunk_size = static_cast<uint64_t>(x); }));
  t.push_back(Integer("backup.workers", 1, 1024, "8", "Threads per job reading, hashing, compressing and moving chunks.",
                      [](Subject& s, int64_t x) { s.config.backup.workers = static_cast<int>(x); }));
  t.push_back(Integer("backup.read_streams", 1, 64, "2", "How many of an incremental backup's workers read at once.",
                      [](Subject& s, int64_t x) { s.config.backup.read_streams = static_cast<int>(x); }));
  t.push_back(Integer("backup.memory_budget", 1 << 20, kBig, "134217728", "Bytes of chunk buffers per job.",
                      [](Subject& s, int64_t x) { s.config.backup.memory_budget = static_cast<uint64_t>(x); }));
  t.push_back(Integer("backup.max_jobs", 1, 1024, "2", "Backups, restores and verifies running at once.",
                      [](Subject& s, int64_t x) { s.config.backup.max_jobs = static_cast<int>(x); }));
  t.push_back(Integer("backup.bandwidth_bytes_per_s", 0, kBig, "0", "Per job; 0: no limit.",
                      [](Subject& s, int64_t x) { s.config.backup.bandwidth_bytes_per_s = static_cast<uint64_t>(x); }));
  t.push_back(Integer("backup.retries", 0, 100, "3", "Per object, on the target's retryable failures.",
                      [](Subject& s, int64_t x) { s.config.backup.retries = static_cast<int>(x); }));
  t.push_back(Boolean("backup.changed_block_tracking", "true",
                      "Incrementals read only what the volume's driver reports changed since the parent's snapshot.",
                      [](Subject& s, bool x) { s.config.backup.changed_block_tracking = x; }));
  t.push_back(Boolean("backup.verify_after_backup", "false", "Read every object back before a backup is available.",
                      [](Subject& s, bool x) { s.config.backup.verify_after_backup = x; }));
  t.push_back(Integer("backup.progress_interval_ms", 0, kBig, "1000", "How often a job's record shows its progress.",
                      [](Subject& s, int64_t x) { s.config.backup.progress_interval = milliseconds(x); }));
  t.push_back(Text("backup.encryption_key_id", "", "New backups are sealed with this key (AES-256-GCM); empty: not encrypted.",
                   [](Subject& s, std::string x) { s.config.backup.encryption_key_id = std::move(x); }));
  t.push_back(Text("backup.encryption_key_file", "",
                   "A file of keys, \"<key id> <64 hex digits>\" per line, mode 0600: where the engine finds "
                   "the keys backups name (a key provider given in code, C or Python, replaces it).",
                   [](Subject& s, std::string x) { s.key_file = std::move(x); }));
  return t;
}

const std::vector<Entry>& Table() {
  static const std::vector<Entry> table = BuildTable();
  return table;
}

const Entry* Find(const std::string& path) {
  for (const auto& e : Table()) {
    if (e.info.path == path) return &e;
  }
  return nullptr;
}

bool IsSection(const std::string& path) {
  for (const auto& e : Table()) {
    if (e.info.path.starts_with(path + ".") || e.info.path.starts_with(path + "[].")) return true;
  }
  return false;
}

class TreeReader {
 public:
  TreeReader(ConfigSyntax syntax, std::string* error_key) : values_(syntax), error_key_(error_key) {}

  // `schema` is the path in the table ("backends[]"), `shown` the one errors name ("backends[1]").
  Status Object(const json::object& o, const std::string& schema, const std::string& shown, Subject& s) {
    for (const auto& kv : o) {
      const std::string key(kv.key());
      const std::string sp = schema.empty() ? key : schema + "." + key;
      const std::string shown_path = shown.empty() ? key : shown + "." + key;
      BS_RETURN_IF_ERROR(Value(kv.value(), sp, shown_path, s));
    }
    for (const auto& e : Table()) {
      if (!e.required || !Under(e.info.path, schema)) continue;
      const std::string leaf = e.info.path.substr(schema.empty() ? 0 : schema.size() + 1);
      if (leaf.find_first_of(".[") == std::string::npos && !o.contains(leaf)) {
        return Fail(shown.empty() ? leaf : shown + "." + leaf,
                    "config: " + (shown.empty() ? leaf : shown + "." + leaf) + " is required");
      }
    }
    return Status::Ok();
  }

  Status Value(const json::value& v, const std::string& sp, const std::string& shown, Subject& s) {
    if (sp == "backup.target") return Target(v, shown, s);
    if (const Entry* e = Find(sp)) return Keyed(e->read(values_, v, shown, s), shown);
    if (const Entry* e = Find(sp + ".*")) {
      const auto* o = v.if_object();
      if (!o) return Fail(shown, "config: " + shown + " must be an object");
      for (const auto& kv : *o) {
        const std::string item = shown + "." + std::string(kv.key());
        BS_RETURN_IF_ERROR(Keyed(e->read(values_, kv.value(), item, s), item));
      }
      return Status::Ok();
    }
    if (sp == "backends") return Backends(v, shown, s);
    if (IsSection(sp)) {
      const auto* o = v.if_object();
      if (!o) return Fail(shown, "config: " + shown + " must be an object");
      return Object(*o, sp, shown, s);
    }
    return Fail(shown, "config: unknown key '" + shown + "'");
  }

 private:
  static bool Under(const std::string& path, const std::string& schema) {
    return schema.empty() ? true : path.starts_with(schema + ".");
  }

  Status Fail(const std::string& shown, std::string message) {
    if (error_key_) *error_key_ = shown;
    return InvalidArgument(std::move(message));
  }
  Status Keyed(Status st, const std::string& shown) {
    if (!st.ok() && error_key_) *error_key_ = shown;
    return st;
  }

  Status Backends(const json::value& v, const std::string& shown, Subject& s) {
    const auto* a = v.if_array();
    if (!a) return Fail(shown, "config: " + shown + " must be a list of backends");
    for (std::size_t i = 0; i < a->size(); ++i) {
      const std::string item = shown + "[" + std::to_string(i) + "]";
      const auto* o = (*a)[i].if_object();
      if (!o) return Fail(item, "config: " + item + " must be an object");
      BackendConfig b;
      s.backend = &b;
      BS_RETURN_IF_ERROR(Object(*o, "backends[]", item, s));
      s.backend = nullptr;
      s.config.backends.push_back(std::move(b));
    }
    return Status::Ok();
  }

  Status Target(const json::value& v, const std::string& shown, Subject& s) {
    auto options = values_.TextMap(v, shown);
    if (!options.ok()) return Keyed(options.status(), shown);
    auto target = NewBackupTarget(*options);
    if (!target.ok()) {
      // The target's own code: a store that refuses the credentials is permission_denied.
      if (error_key_) *error_key_ = shown;
      return Status(target.status().code(), "config: " + shown + ": " + target.status().message());
    }
    s.config.backup.target = std::move(target).value();
    return Status::Ok();
  }

  ConfigValueReader values_;
  std::string* error_key_;
};

}  // namespace config_schema

const std::vector<ConfigKeyInfo>& EngineConfigKeys() {
  static const std::vector<ConfigKeyInfo> keys = [] {
    std::vector<ConfigKeyInfo> out;
    for (const auto& e : config_schema::Table()) out.push_back(e.info);
    return out;
  }();
  return keys;
}

Result<EngineConfig> EngineConfigFromJson(std::string_view json_text, ConfigSyntax syntax,
                                          std::string* error_key) {
  if (error_key) error_key->clear();
  BS_ASSIGN_OR_RETURN(json::value tree, internal::ParseJson(json_text, "config"));
  const auto* o = tree.if_object();
  if (!o) return InvalidArgument("config must be a JSON object");
  EngineConfig config;
  config_schema::Subject subject{config};
  config_schema::TreeReader reader(syntax, error_key);
  BS_RETURN_IF_ERROR(reader.Object(*o, "", "", subject));
  if (!subject.key_file.empty()) {
    auto keys = internal::ReadKeyFile(subject.key_file);
    if (!keys.ok()) {
      if (error_key) *error_key = "backup.encryption_key_file";
      return InvalidArgument("config: backup.encryption_key_file: " + keys.status().message());
    }
    const std::string& id = config.backup.encryption_key_id;
    if (!id.empty() && !keys->count(id)) {
      if (error_key) *error_key = "backup.encryption_key_id";
      return InvalidArgument("config: backup.encryption_key_id '" + id + "' is not in " + subject.key_file);
    }
    config.backup.key_provider = internal::KeyProviderOf(std::move(keys).value());
  }
  return config;
}

}  // namespace blockstore
