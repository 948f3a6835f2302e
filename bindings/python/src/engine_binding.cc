// The Engine as Python sees it. Every call that touches the store, the disk or waits releases
// the GIL; event callbacks from engine threads take it.
#include <pybind11/functional.h>

#include "bindings.hpp"
#include "driver_binding.hpp"
#include "transport_binding.hpp"

namespace blockstore::python {

ListQuery Query(std::optional<std::string> name, std::optional<std::string> status,
                std::optional<std::string> volume_id, std::optional<std::string> zone,
                std::optional<bool> bootable, std::optional<Metadata> metadata,
                std::optional<std::vector<std::pair<std::string, std::string>>> sort,
                std::optional<int64_t> limit, std::string marker, bool all_projects) {
  ListQuery q;
  q.name = std::move(name);
  q.status = std::move(status);
  q.volume_id = std::move(volume_id);
  q.availability_zone = std::move(zone);
  q.bootable = bootable;
  if (metadata) q.metadata = std::move(*metadata);
  if (sort) {
    for (auto& [key, dir] : *sort) {
      if (dir != "asc" && dir != "desc") {
        throw StatusError{InvalidArgument("sort direction must be 'asc' or 'desc', not '" + dir + "'")};
      }
      q.sort.push_back({key, dir == "desc"});
    }
  }
  q.limit = limit;
  q.marker = std::move(marker);
  q.all_projects = all_projects;
  return q;
}

namespace {

// A create request from Python arguments; scheduler_hints as Cinder's: same_host and
// different_host (a volume id or a list of them) and query (JSON text).
VolumeCreateRequest Request(std::optional<int64_t> size, std::string name, std::string description,
                            std::string volume_type, std::string zone, std::string snapshot_id,
                            std::string source_volid, Metadata metadata, bool bootable,
                            const std::optional<std::map<std::string, py::object>>& hints) {
  VolumeCreateRequest r;
  r.size_gb = size;
  r.name = std::move(name);
  r.description = std::move(description);
  r.volume_type = std::move(volume_type);
  r.availability_zone = std::move(zone);
  r.snapshot_id = std::move(snapshot_id);
  r.source_volid = std::move(source_volid);
  r.metadata = std::move(metadata);
  r.bootable = bootable;
  if (hints) {
    auto ids = [](const py::object& v) {
      if (py::isinstance<py::str>(v)) return std::vector<std::string>{v.cast<std::string>()};
      return v.cast<std::vector<std::string>>();
    };
    for (const auto& [k, v] : *hints) {
      if (k == "same_host") r.same_host = ids(v);
      else if (k == "different_host") r.different_host = ids(v);
      else if (k == "query") r.query = v.cast<std::string>();
      else throw StatusError{InvalidArgument("unknown scheduler hint '" + k + "'")};
    }
  }
  return r;
}

// The schema's reading of a dict: Python's json module writes it as JSON, so a value of the
// wrong type gets the same error as from C or the daemon.
EngineConfig ConfigFrom(std::string state_path, const std::optional<py::dict>& config,
                        const py::kwargs& keys) {
  py::dict all;
  if (config) {
    for (auto kv : *config) all[kv.first] = kv.second;
  }
  for (auto kv : keys) {
    if (all.contains(kv.first)) {
      throw StatusError{InvalidArgument("config: " + py::str(kv.first).cast<std::string>() +
                                        " is given twice (in config and as a keyword)")};
    }
    all[kv.first] = kv.second;
  }
  if (all.contains("state_path")) {
    throw StatusError{InvalidArgument("config: state_path is Engine's first argument, not a key")};
  }
  all["state_path"] = state_path;
  std::string text;
  try {
    text = py::module_::import("json").attr("dumps")(all, py::arg("allow_nan") = false).cast<std::string>();
  } catch (py::error_already_set& e) {
    throw StatusError{InvalidArgument(std::string("config: only str, int, float, bool, list and dict values: ") +
                                      e.what())};
  }
  return Unwrap(EngineConfigFromJson(text));
}


}  // namespace

void BindEngine(py::module_& m) {
  m.def("config_keys",
        [] {
          std::vector<py::dict> out;
          for (const auto& k : EngineConfigKeys()) {
            py::dict d;
            d["path"] = k.path;
            d["type"] = k.type;
            d["range"] = k.range;
            d["default"] = k.default_value;
            d["doc"] = k.doc;
            out.push_back(std::move(d));
          }
          return out;
        },
        "The engine's configuration schema: one dict per key (path, type, range, default, doc).");
  m.def("migrate_database", [](const std::string& url) { Check(MigrateDatabase(url)); },
        py::call_guard<py::gil_scoped_release>(), py::arg("url"),
        "Brings the database a URL names (sqlite:///path, postgresql://…) to this build's schema.");
  m.def("copy_database",
        [](const std::string& from, const std::string& to) {
          Result<DatabaseCopyReport> r = InvalidArgument("not copied");
          {
            py::gil_scoped_release release;
            r = CopyDatabase(from, to);
          }
          DatabaseCopyReport report = Unwrap(std::move(r));
          py::list tables;
          for (const auto& t : report.tables) {
            py::dict d;
            d["table"] = t.table;
            d["rows"] = t.rows;
            d["sha256"] = t.sha256;
            tables.append(d);
          }
          py::dict out;
          out["rows"] = report.rows;
          out["tables"] = tables;
          return out;
        },
        py::arg("from_url"), py::arg("to_url"),
        "Copies every record into an empty database and compares each table's rows and checksum.");
  m.def("validate_config",
        [](std::string state_path, std::optional<py::dict> config, py::kwargs keys) {
          (void)ConfigFrom(std::move(state_path), config, keys);
        },
        py::arg("state_path"), py::arg("config") = py::none(),
        "Reads a configuration as Engine would, without opening anything; raises InvalidArgument.");

  py::class_<PyEngine>(m, "Engine", "Every blockstore role in one process, on a state directory.")
      .def(py::init([](std::string state_path, std::optional<py::dict> config,
                       std::map<std::string, py::object> filters,
                       std::map<std::string, py::object> weighers,
                       std::optional<py::function> backup_progress,
                       std::optional<py::function> backup_keys, py::object transport,
                       std::map<std::string, py::object> drivers, py::kwargs keys) {
             EngineConfig c = ConfigFrom(std::move(state_path), config, keys);
             c.register_drivers = DriversFrom(drivers);
             if (!transport.is_none()) c.transport = TransportFromPython(std::move(transport));
             if (auto reg = RegistryFrom(filters, weighers)) c.scheduler.registry = std::move(reg);
             SetBackupHooks(c.backup, backup_progress, backup_keys);
             Result<std::unique_ptr<Engine>> e = InvalidArgument("not opened");
             {
               py::gil_scoped_release release;
               e = Engine::Open(std::move(c));
             }
             return std::make_unique<PyEngine>(Unwrap(std::move(e)));
           }),
           py::arg("state_path"), py::arg("config") = py::none(), py::kw_only(),
           py::arg("filters") = std::map<std::string, py::object>{},
           py::arg("weighers") = std::map<std::string, py::object>{},
           py::arg("backup_progress") = py::none(), py::arg("backup_keys") = py::none(),
           py::arg("transport") = py::none(), py::arg("drivers") = std::map<std::string, py::object>{},
           "Engine(state_path, config=None, **keys): the configuration's keys (blockstore.config_keys())\n"
           "as a dict, as keyword arguments, or both; filters, weighers, backup_progress and\n"
           "backup_keys are callables the host gives; transport a blockstore.Transport of the host's;\n"
           "drivers maps driver names the backends may use to blockstore.VolumeDriver subclasses or to\n"
           "the paths of shared objects holding C drivers.")
      .def("close", [](PyEngine& e) { e.get().Close(); }, Release(),
           "Finishes queued work and stops the engine's threads.")
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](PyEngine& e, py::args) { e.get().Close(); }, Release())
      .def("pools", [](PyEngine& e) { return e.get().Pools(); }, Release())
      .def("services", [](PyEngine& e) { return Unwrap(e.get().Services()); }, Release(),
           "The services on the store: this engine's and those of every engine sharing it.")
      .def("set_service_disabled",
           [](PyEngine& e, const std::string& host, const std::string& binary, bool disabled,
              const std::string& reason) {
             return Unwrap(e.get().SetServiceDisabled(host, binary, disabled, reason));
           },
           Release(), py::arg("host"), py::arg("binary"), py::arg("disabled"), py::arg("reason") = "",
           "Disables (or enables) a service; nothing is placed on a disabled volume service.")
      .def("refresh_stats", [](PyEngine& e) { Check(e.get().RefreshStats()); }, Release())
      .def("subscribe",
           [](PyEngine& e, py::function callback) {
             std::shared_ptr<py::object> fn = KeepWithGil(std::move(callback));
             py::gil_scoped_release release;
             return e.get().Subscribe([fn](const Event& ev) {
               py::gil_scoped_acquire hold;
               try {
                 (*fn)(ev);
               } catch (py::error_already_set& err) {
                 err.discard_as_unraisable("blockstore event callback");
               }
             });
           },
           py::arg("callback"))
      .def("unsubscribe", [](PyEngine& e, uint64_t token) { e.get().Unsubscribe(token); }, Release(),
           py::arg("token"))
      // ---- volumes ----
      .def("create_volume",
           [](PyEngine& e, Ctx ctx, std::optional<int64_t> size, std::string name, std::string description,
              std::string volume_type, std::string availability_zone, std::string snapshot_id,
              std::string source_volid, Metadata metadata, bool bootable,
              std::optional<std::map<std::string, py::object>> hints, std::string backup_id) {
             VolumeCreateRequest r = Request(size, std::move(name), std::move(description),
                                             std::move(volume_type), std::move(availability_zone),
                                             std::move(snapshot_id), std::move(source_volid),
                                             std::move(metadata), bootable, hints);
             r.backup_id = std::move(backup_id);
             py::gil_scoped_release release;
             return Unwrap(e.volumes().Create(ctx, r));
           },
           py::arg("ctx"), py::arg("size") = py::none(), py::kw_only(), py::arg("name") = "",
           py::arg("description") = "", py::arg("volume_type") = "", py::arg("availability_zone") = "",
           py::arg("snapshot_id") = "", py::arg("source_volid") = "", py::arg("metadata") = Metadata{},
           py::arg("bootable") = false, py::arg("scheduler_hints") = py::none(), py::arg("backup_id") = "")
      .def("explain_placement",
           [](PyEngine& e, Ctx ctx, std::optional<int64_t> size, std::string volume_type,
              std::string availability_zone, std::string snapshot_id, std::string source_volid,
              Metadata metadata, std::optional<std::map<std::string, py::object>> hints) {
             VolumeCreateRequest r = Request(size, "", "", std::move(volume_type),
                                             std::move(availability_zone), std::move(snapshot_id),
                                             std::move(source_volid), std::move(metadata), false, hints);
             py::gil_scoped_release release;
             return Unwrap(e.volumes().ExplainPlacement(ctx, r));
           },
           py::arg("ctx"), py::arg("size") = py::none(), py::kw_only(), py::arg("volume_type") = "",
           py::arg("availability_zone") = "", py::arg("snapshot_id") = "", py::arg("source_volid") = "",
           py::arg("metadata") = Metadata{}, py::arg("scheduler_hints") = py::none(),
           "Admin only: how a volume would be placed now, without placing it.")
      .def("get_volume", [](PyEngine& e, Ctx ctx, const std::string& id) { return Unwrap(e.volumes().Get(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("volume_id"))
      .def("list_volumes",
           [](PyEngine& e, Ctx ctx, std::optional<std::string> name, std::optional<std::string> status,
              std::optional<std::string> zone, std::optional<bool> bootable, std::optional<Metadata> metadata,
              std::optional<std::vector<std::pair<std::string, std::string>>> sort, std::optional<int64_t> limit,
              std::string marker, bool all_projects, std::optional<Metadata> like,
              std::optional<std::string> project_id, std::optional<Metadata> image_metadata,
              std::optional<int64_t> size) {
             auto q = Query(std::move(name), std::move(status), std::nullopt, std::move(zone), bootable,
                            std::move(metadata), std::move(sort), limit, std::move(marker), all_projects);
             if (like) q.like = std::move(*like);
             q.project_id = std::move(project_id);
             if (image_metadata) q.image_metadata = std::move(*image_metadata);
             q.size = size;
             return Unwrap(e.volumes().List(ctx, q));
           },
           Release(), py::arg("ctx"), py::kw_only(), py::arg("name") = py::none(), py::arg("status") = py::none(),
           py::arg("availability_zone") = py::none(), py::arg("bootable") = py::none(),
           py::arg("metadata") = py::none(), py::arg("sort") = py::none(), py::arg("limit") = py::none(),
           py::arg("marker") = "", py::arg("all_projects") = false, py::arg("like") = py::none(),
           py::arg("project_id") = py::none(), py::arg("image_metadata") = py::none(), py::arg("size") = py::none())
      .def("update_volume",
           [](PyEngine& e, Ctx ctx, const std::string& id, std::optional<std::string> name,
              std::optional<std::string> description, std::optional<Metadata> metadata, std::optional<bool> bootable,
              std::optional<Metadata> image_metadata) {
             return Unwrap(e.volumes().Update(ctx, id, {std::move(name), std::move(description), std::move(metadata),
                                                        bootable, std::move(image_metadata)}));
           },
           Release(), py::arg("ctx"), py::arg("volume_id"), py::kw_only(), py::arg("name") = py::none(),
           py::arg("description") = py::none(), py::arg("metadata") = py::none(), py::arg("bootable") = py::none(),
           py::arg("image_metadata") = py::none())
      .def("delete_volume",
           [](PyEngine& e, Ctx ctx, const std::string& id, bool cascade, bool force) {
             return Unwrap(e.volumes().Delete(ctx, id, {cascade, force}));
           },
           Release(), py::arg("ctx"), py::arg("volume_id"), py::kw_only(), py::arg("cascade") = false,
           py::arg("force") = false)
      .def("extend_volume",
           [](PyEngine& e, Ctx ctx, const std::string& id, int64_t new_size) {
             return Unwrap(e.volumes().Extend(ctx, id, new_size));
           },
           Release(), py::arg("ctx"), py::arg("volume_id"), py::arg("new_size"))
      .def("revert_volume_to_snapshot",
           [](PyEngine& e, Ctx ctx, const std::string& id, const std::string& snapshot_id) {
             return Unwrap(e.volumes().RevertToSnapshot(ctx, id, snapshot_id));
           },
           Release(), py::arg("ctx"), py::arg("volume_id"), py::arg("snapshot_id"),
           "Rolls an available volume back to its latest snapshot (of the same size).")
      .def("retype_volume",
           [](PyEngine& e, Ctx ctx, const std::string& id, const std::string& new_type, const std::string& policy) {
             return Unwrap(e.volumes().Retype(ctx, id, new_type, policy));
           },
           Release(), py::arg("ctx"), py::arg("volume_id"), py::arg("new_type"), py::kw_only(),
           py::arg("migration_policy") = "never",
           "Changes the volume's type: in place when its backend serves it, else (on-demand) by a migration.")
      .def("migrate_volume",
           [](PyEngine& e, Ctx ctx, const std::string& id, const std::string& host, bool force_host_copy) {
             return Unwrap(e.volumes().Migrate(ctx, id, host, force_host_copy));
           },
           Release(), py::arg("ctx"), py::arg("volume_id"), py::arg("host"), py::kw_only(),
           py::arg("force_host_copy") = false,
           "Admin only: moves an available volume to host@backend#pool (maintenance until it is there).")
      .def("update_volume_readonly",
           [](PyEngine& e, Ctx ctx, const std::string& id, bool readonly) {
             return Unwrap(e.volumes().SetReadonly(ctx, id, readonly));
           },
           Release(), py::arg("ctx"), py::arg("volume_id"), py::arg("readonly"))
      .def("reset_volume_status",
           [](PyEngine& e, Ctx ctx, const std::string& id, std::optional<std::string> status,
              std::optional<std::string> migration_status) {
             VolumeStatusReset reset;
             if (status) {
               reset.status = ParseVolumeStatus(*status);
               if (!reset.status) throw StatusError{InvalidArgument("'" + *status + "' is not a volume status")};
             }
             reset.migration_status = std::move(migration_status);
             return Unwrap(e.volumes().ResetStatus(ctx, id, reset));
           },
           Release(), py::arg("ctx"), py::arg("volume_id"), py::arg("status") = py::none(), py::kw_only(),
           py::arg("migration_status") = py::none())
      .def("wait_for_volume",
           [](PyEngine& e, Ctx ctx, const std::string& id, std::vector<std::string> statuses, double timeout) {
             auto want = Statuses<VolumeStatus>(statuses, ParseVolumeStatus, "volume");
             return Unwrap(e.get().WaitForVolume(ctx, id, want, Millis(timeout)));
           },
           Release(), py::arg("ctx"), py::arg("volume_id"),
           py::arg("statuses") = std::vector<std::string>{"available", "error"}, py::arg("timeout") = 60.0)
      .def("wait_for_volume_deleted",
           [](PyEngine& e, Ctx ctx, const std::string& id, double timeout) {
             Check(e.get().WaitForVolumeDeleted(ctx, id, Millis(timeout)));
           },
           Release(), py::arg("ctx"), py::arg("volume_id"), py::arg("timeout") = 60.0)
      // ---- snapshots ----
      .def("create_snapshot",
           [](PyEngine& e, Ctx ctx, std::string volume_id, std::string name, std::string description, bool force,
              Metadata metadata) {
             return Unwrap(e.snapshots().Create(
                 ctx, {std::move(volume_id), std::move(name), std::move(description), force, std::move(metadata)}));
           },
           Release(), py::arg("ctx"), py::arg("volume_id"), py::kw_only(), py::arg("name") = "",
           py::arg("description") = "", py::arg("force") = false, py::arg("metadata") = Metadata{})
      .def("get_snapshot", [](PyEngine& e, Ctx ctx, const std::string& id) { return Unwrap(e.snapshots().Get(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("snapshot_id"))
      .def("list_snapshots",
           [](PyEngine& e, Ctx ctx, std::optional<std::string> name, std::optional<std::string> status,
              std::optional<std::string> volume_id, std::optional<Metadata> metadata,
              std::optional<std::vector<std::pair<std::string, std::string>>> sort, std::optional<int64_t> limit,
              std::string marker, bool all_projects) {
             auto q = Query(std::move(name), std::move(status), std::move(volume_id), std::nullopt, std::nullopt,
                            std::move(metadata), std::move(sort), limit, std::move(marker), all_projects);
             return Unwrap(e.snapshots().List(ctx, q));
           },
           Release(), py::arg("ctx"), py::kw_only(), py::arg("name") = py::none(), py::arg("status") = py::none(),
           py::arg("volume_id") = py::none(), py::arg("metadata") = py::none(), py::arg("sort") = py::none(),
           py::arg("limit") = py::none(), py::arg("marker") = "", py::arg("all_projects") = false)
      .def("update_snapshot",
           [](PyEngine& e, Ctx ctx, const std::string& id, std::optional<std::string> name,
              std::optional<std::string> description, std::optional<Metadata> metadata) {
             return Unwrap(e.snapshots().Update(ctx, id, {std::move(name), std::move(description), std::move(metadata)}));
           },
           Release(), py::arg("ctx"), py::arg("snapshot_id"), py::kw_only(), py::arg("name") = py::none(),
           py::arg("description") = py::none(), py::arg("metadata") = py::none())
      .def("delete_snapshot",
           [](PyEngine& e, Ctx ctx, const std::string& id, bool force) {
             return Unwrap(e.snapshots().Delete(ctx, id, force));
           },
           Release(), py::arg("ctx"), py::arg("snapshot_id"), py::kw_only(), py::arg("force") = false)
      .def("reset_snapshot_status",
           [](PyEngine& e, Ctx ctx, const std::string& id, const std::string& status) {
             auto s = ParseSnapshotStatus(status);
             if (!s) throw StatusError{InvalidArgument("'" + status + "' is not a snapshot status")};
             return Unwrap(e.snapshots().ResetStatus(ctx, id, *s));
           },
           Release(), py::arg("ctx"), py::arg("snapshot_id"), py::arg("status"))
      .def("wait_for_snapshot",
           [](PyEngine& e, Ctx ctx, const std::string& id, std::vector<std::string> statuses, double timeout) {
             auto want = Statuses<SnapshotStatus>(statuses, ParseSnapshotStatus, "snapshot");
             return Unwrap(e.get().WaitForSnapshot(ctx, id, want, Millis(timeout)));
           },
           Release(), py::arg("ctx"), py::arg("snapshot_id"),
           py::arg("statuses") = std::vector<std::string>{"available", "error"}, py::arg("timeout") = 60.0)
      .def("wait_for_snapshot_deleted",
           [](PyEngine& e, Ctx ctx, const std::string& id, double timeout) {
             Check(e.get().WaitForSnapshotDeleted(ctx, id, Millis(timeout)));
           },
           Release(), py::arg("ctx"), py::arg("snapshot_id"), py::arg("timeout") = 60.0)
      // ---- volume types ----
      .def("create_volume_type",
           [](PyEngine& e, Ctx ctx, std::string name, std::string description, bool is_public, Metadata extra_specs) {
             return Unwrap(e.types().Create(ctx, {std::move(name), std::move(description), is_public, std::move(extra_specs)}));
           },
           Release(), py::arg("ctx"), py::arg("name"), py::kw_only(), py::arg("description") = "",
           py::arg("is_public") = true, py::arg("extra_specs") = Metadata{})
      .def("get_volume_type",
           [](PyEngine& e, Ctx ctx, const std::string& id_or_name) { return Unwrap(e.types().Get(ctx, id_or_name)); },
           Release(), py::arg("ctx"), py::arg("id_or_name"))
      .def("get_default_volume_type", [](PyEngine& e, Ctx ctx) { return Unwrap(e.types().GetDefault(ctx)); },
           Release(), py::arg("ctx"))
      .def("list_volume_types", [](PyEngine& e, Ctx ctx) { return Unwrap(e.types().List(ctx)); }, Release(),
           py::arg("ctx"))
      .def("update_volume_type",
           [](PyEngine& e, Ctx ctx, const std::string& id, std::optional<std::string> name,
              std::optional<std::string> description, std::optional<bool> is_public) {
             return Unwrap(e.types().Update(ctx, id, {std::move(name), std::move(description), is_public}));
           },
           Release(), py::arg("ctx"), py::arg("type_id"), py::kw_only(), py::arg("name") = py::none(),
           py::arg("description") = py::none(), py::arg("is_public") = py::none())
      .def("delete_volume_type", [](PyEngine& e, Ctx ctx, const std::string& id) { Check(e.types().Delete(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("type_id"))
      .def("set_extra_specs",
           [](PyEngine& e, Ctx ctx, const std::string& id, const Metadata& specs) {
             return Unwrap(e.types().SetExtraSpecs(ctx, id, specs));
           },
           Release(), py::arg("ctx"), py::arg("type_id"), py::arg("specs"))
      .def("unset_extra_spec",
           [](PyEngine& e, Ctx ctx, const std::string& id, const std::string& key) {
             return Unwrap(e.types().UnsetExtraSpec(ctx, id, key));
           },
           Release(), py::arg("ctx"), py::arg("type_id"), py::arg("key"))
      .def("add_volume_type_access",
           [](PyEngine& e, Ctx ctx, const std::string& id, const std::string& project) {
             Check(e.types().AddAccess(ctx, id, project));
           },
           Release(), py::arg("ctx"), py::arg("type_id"), py::arg("project_id"))
      .def("remove_volume_type_access",
           [](PyEngine& e, Ctx ctx, const std::string& id, const std::string& project) {
             Check(e.types().RemoveAccess(ctx, id, project));
           },
           Release(), py::arg("ctx"), py::arg("type_id"), py::arg("project_id"))
      .def("list_volume_type_access",
           [](PyEngine& e, Ctx ctx, const std::string& id) {
             return Unwrap(e.types().ListAccess(ctx, id));
           },
           Release(), py::arg("ctx"), py::arg("type_id"))
      // ---- QoS specs ----
      .def("create_qos_spec",
           [](PyEngine& e, Ctx ctx, std::string name, std::string consumer, Metadata specs) {
             return Unwrap(e.qos().Create(ctx, {std::move(name), std::move(consumer), std::move(specs)}));
           },
           Release(), py::arg("ctx"), py::arg("name"), py::kw_only(), py::arg("consumer") = "back-end",
           py::arg("specs") = Metadata{})
      .def("list_messages",
           [](PyEngine& e, Ctx ctx, std::optional<int64_t> limit, const std::string& marker, bool all_projects) {
             return Unwrap(e.get().messages().List(ctx, limit, marker, all_projects));
           },
           Release(), py::arg("ctx"), py::kw_only(), py::arg("limit") = py::none(), py::arg("marker") = "",
           py::arg("all_projects") = false, "The user messages failed operations left, newest first.")
      .def("get_message",
           [](PyEngine& e, Ctx ctx, const std::string& id) { return Unwrap(e.get().messages().Get(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("message_id"))
      .def("delete_message",
           [](PyEngine& e, Ctx ctx, const std::string& id) { Check(e.get().messages().Delete(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("message_id"))
      .def("create_transfer",
           [](PyEngine& e, Ctx ctx, const std::string& volume_id, const std::string& name, bool no_snapshots) {
             TransferCreated made = Unwrap(e.get().transfers().Create(ctx, volume_id, name, no_snapshots));
             return std::make_pair(made.transfer, made.auth_key);
           },
           Release(), py::arg("ctx"), py::arg("volume_id"), py::kw_only(), py::arg("name") = "",
           py::arg("no_snapshots") = false,
           "Offers the caller's available volume to another project: (transfer, auth_key); the key is shown "
           "only here.")
      .def("accept_transfer",
           [](PyEngine& e, Ctx ctx, const std::string& id, const std::string& auth_key) {
             return Unwrap(e.get().transfers().Accept(ctx, id, auth_key));
           },
           Release(), py::arg("ctx"), py::arg("transfer_id"), py::arg("auth_key"),
           "Takes the volume into the caller's project.")
      .def("get_transfer",
           [](PyEngine& e, Ctx ctx, const std::string& id) { return Unwrap(e.get().transfers().Get(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("transfer_id"))
      .def("list_transfers",
           [](PyEngine& e, Ctx ctx, bool all_projects) { return Unwrap(e.get().transfers().List(ctx, all_projects)); },
           Release(), py::arg("ctx"), py::kw_only(), py::arg("all_projects") = false)
      .def("delete_transfer",
           [](PyEngine& e, Ctx ctx, const std::string& id) { Check(e.get().transfers().Delete(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("transfer_id"))
      .def("get_qos_spec", [](PyEngine& e, Ctx ctx, const std::string& id) { return Unwrap(e.qos().Get(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("qos_id"))
      .def("list_qos_specs", [](PyEngine& e, Ctx ctx) { return Unwrap(e.qos().List(ctx)); }, Release(),
           py::arg("ctx"))
      .def("delete_qos_spec",
           [](PyEngine& e, Ctx ctx, const std::string& id, bool force) { Check(e.qos().Delete(ctx, id, force)); },
           Release(), py::arg("ctx"), py::arg("qos_id"), py::kw_only(), py::arg("force") = false)
      .def("set_qos_keys",
           [](PyEngine& e, Ctx ctx, const std::string& id, const Metadata& specs) {
             return Unwrap(e.qos().SetKeys(ctx, id, specs));
           },
           Release(), py::arg("ctx"), py::arg("qos_id"), py::arg("specs"))
      .def("unset_qos_key",
           [](PyEngine& e, Ctx ctx, const std::string& id, const std::string& key) {
             return Unwrap(e.qos().UnsetKey(ctx, id, key));
           },
           Release(), py::arg("ctx"), py::arg("qos_id"), py::arg("key"))
      .def("associate_qos_spec",
           [](PyEngine& e, Ctx ctx, const std::string& q, const std::string& t) { Check(e.qos().Associate(ctx, q, t)); },
           Release(), py::arg("ctx"), py::arg("qos_id"), py::arg("type_id"))
      .def("disassociate_qos_spec",
           [](PyEngine& e, Ctx ctx, const std::string& q, const std::string& t) {
             Check(e.qos().Disassociate(ctx, q, t));
           },
           Release(), py::arg("ctx"), py::arg("qos_id"), py::arg("type_id"))
      // ---- quotas ----
      .def("get_quotas", [](PyEngine& e, Ctx ctx, const std::string& p) { return Unwrap(e.quotas().Get(ctx, p)); },
           Release(), py::arg("ctx"), py::arg("project_id"))
      .def("get_default_quotas", [](PyEngine& e) { return e.quotas().GetDefaults(); }, Release())
      .def("update_quotas",
           [](PyEngine& e, Ctx ctx, const std::string& p, const std::map<std::string, int64_t>& limits) {
             return Unwrap(e.quotas().Update(ctx, p, limits));
           },
           Release(), py::arg("ctx"), py::arg("project_id"), py::arg("limits"))
      .def("reset_quotas", [](PyEngine& e, Ctx ctx, const std::string& p) { Check(e.quotas().Reset(ctx, p)); },
           Release(), py::arg("ctx"), py::arg("project_id"));
}

}  // namespace blockstore::python
