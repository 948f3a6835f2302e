// Backups as Python sees them: the Backup and BackupProgress records, the backup hooks
// of Engine(backup_progress=…, backup_keys=…), and the Engine's backup methods.
#include <pybind11/functional.h>

#include "bindings.hpp"

namespace blockstore::python {

void SetBackupHooks(BackupConfig& c, const std::optional<py::function>& progress,
                    const std::optional<py::function>& keys) {
  if (progress) {
    auto fn = KeepWithGil(*progress);
    c.progress = [fn](const BackupProgress& p) {
      py::gil_scoped_acquire hold;
      try {
        (*fn)(p);
      } catch (py::error_already_set& e) {
        e.discard_as_unraisable("blockstore backup progress callback");
      }
    };
  }
  if (keys) {
    auto fn = KeepWithGil(*keys);
    c.key_provider = [fn](const std::string& key_id) -> Result<std::string> {
      py::gil_scoped_acquire hold;
      try {
        py::object key = (*fn)(key_id);
        if (key.is_none()) return NotFound("the host has no key '" + key_id + "'");
        return key.cast<py::bytes>().cast<std::string>();
      } catch (py::error_already_set& e) {
        return NotFound("the key provider failed for '" + key_id + "': " + e.what());
      } catch (const py::cast_error&) {
        return InvalidArgument("the key provider must return bytes or None");
      }
    };
  }
}

void BindBackups(py::module_& m) {
  py::class_<Backup>(m, "Backup", "A backup record, as it was when it was read.")
      .def_readonly("id", &Backup::id)
      .def_readonly("project_id", &Backup::project_id)
      .def_readonly("user_id", &Backup::user_id)
      .def_readonly("volume_id", &Backup::volume_id)
      .def_readonly("snapshot_id", &Backup::snapshot_id)
      .def_readonly("name", &Backup::name)
      .def_readonly("description", &Backup::description)
      .def_readonly("size", &Backup::size_gb)
      .def_property_readonly("status", [](const Backup& b) { return std::string(ToString(b.status)); })
      .def_readonly("fail_reason", &Backup::fail_reason)
      .def_readonly("is_incremental", &Backup::is_incremental)
      .def_readonly("parent_id", &Backup::parent_id)
      .def_readonly("has_dependent_backups", &Backup::has_dependent_backups)
      .def_readonly("availability_zone", &Backup::availability_zone)
      .def_readonly("host", &Backup::host)
      .def_readonly("container", &Backup::container)
      .def_readonly("object_count", &Backup::object_count)
      .def_readonly("stored_bytes", &Backup::stored_bytes)
      .def_readonly("progress_bytes", &Backup::progress_bytes)
      .def_readonly("progress_total", &Backup::progress_total)
      .def_readonly("restore_volume_id", &Backup::restore_volume_id)
      .def_readonly("encrypted", &Backup::encrypted)
      .def_readonly("metadata", &Backup::metadata)
      .def_property_readonly("data_timestamp", [](const Backup& b) { return FormatTime(b.data_timestamp); })
      .def_property_readonly("created_at", [](const Backup& b) { return FormatTime(b.created_at); })
      .def_property_readonly("updated_at", [](const Backup& b) { return FormatTime(b.updated_at); })
      .def("__repr__", [](const Backup& b) {
        return "<blockstore.Backup " + b.id + " " + std::string(ToString(b.status)) + ">";
      });

  py::class_<BackupProgress>(m, "BackupProgress", "How far a backup, restore or verify is.")
      .def_readonly("backup_id", &BackupProgress::backup_id)
      .def_readonly("operation", &BackupProgress::operation)
      .def_readonly("bytes_done", &BackupProgress::bytes_done)
      .def_readonly("bytes_total", &BackupProgress::bytes_total)
      .def_readonly("bytes_stored", &BackupProgress::bytes_stored)
      .def_readonly("rate_bytes_per_s", &BackupProgress::rate_bytes_per_s)
      .def_readonly("eta_seconds", &BackupProgress::eta_seconds);

  py::class_<BackupRestoreResult>(m, "BackupRestore", "Where a restore is going.")
      .def_readonly("backup_id", &BackupRestoreResult::backup_id)
      .def_readonly("volume_id", &BackupRestoreResult::volume_id)
      .def_readonly("volume_name", &BackupRestoreResult::volume_name);

  auto engine = py::reinterpret_borrow<py::class_<PyEngine>>(m.attr("Engine"));
  engine
      .def("create_backup",
           [](PyEngine& e, Ctx ctx, std::string volume_id, std::string snapshot_id, std::string name,
              std::string description, bool incremental, bool force, Metadata metadata, std::string container) {
             return Unwrap(e.backups().Create(
                 ctx, {std::move(volume_id), std::move(snapshot_id), std::move(name),
                       std::move(description), incremental, force, std::move(metadata), std::move(container)}));
           },
           Release(), py::arg("ctx"), py::arg("volume_id"), py::kw_only(), py::arg("snapshot_id") = "",
           py::arg("name") = "", py::arg("description") = "", py::arg("incremental") = false,
           py::arg("force") = false, py::arg("metadata") = Metadata{}, py::arg("container") = "")
      .def("get_backup", [](PyEngine& e, Ctx ctx, const std::string& id) { return Unwrap(e.backups().Get(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("backup_id"))
      .def("list_backups",
           [](PyEngine& e, Ctx ctx, std::optional<std::string> name, std::optional<std::string> status,
              std::optional<std::string> volume_id, std::optional<Metadata> metadata,
              std::optional<std::vector<std::pair<std::string, std::string>>> sort, std::optional<int64_t> limit,
              std::string marker, bool all_projects) {
             auto q = Query(std::move(name), std::move(status), std::move(volume_id), std::nullopt, std::nullopt,
                            std::move(metadata), std::move(sort), limit, std::move(marker), all_projects);
             return Unwrap(e.backups().List(ctx, q));
           },
           Release(), py::arg("ctx"), py::kw_only(), py::arg("name") = py::none(), py::arg("status") = py::none(),
           py::arg("volume_id") = py::none(), py::arg("metadata") = py::none(), py::arg("sort") = py::none(),
           py::arg("limit") = py::none(), py::arg("marker") = "", py::arg("all_projects") = false)
      .def("update_backup",
           [](PyEngine& e, Ctx ctx, const std::string& id, std::optional<std::string> name,
              std::optional<std::string> description, std::optional<Metadata> metadata) {
             return Unwrap(e.backups().Update(ctx, id, {std::move(name), std::move(description), std::move(metadata)}));
           },
           Release(), py::arg("ctx"), py::arg("backup_id"), py::kw_only(), py::arg("name") = py::none(),
           py::arg("description") = py::none(), py::arg("metadata") = py::none())
      .def("delete_backup",
           [](PyEngine& e, Ctx ctx, const std::string& id, bool force) {
             return Unwrap(e.backups().Delete(ctx, id, force));
           },
           Release(), py::arg("ctx"), py::arg("backup_id"), py::kw_only(), py::arg("force") = false)
      .def("restore_backup",
           [](PyEngine& e, Ctx ctx, const std::string& id, std::string volume_id, std::string name) {
             return Unwrap(e.backups().Restore(ctx, id, {std::move(volume_id), std::move(name)}));
           },
           Release(), py::arg("ctx"), py::arg("backup_id"), py::kw_only(), py::arg("volume_id") = "",
           py::arg("name") = "")
      .def("reset_backup_status",
           [](PyEngine& e, Ctx ctx, const std::string& id, const std::string& status) {
             auto s = ParseBackupStatus(status);
             if (!s) throw StatusError{InvalidArgument("'" + status + "' is not a backup status")};
             return Unwrap(e.backups().ResetStatus(ctx, id, *s));
           },
           Release(), py::arg("ctx"), py::arg("backup_id"), py::arg("status"))
      .def("export_backup_record",
           [](PyEngine& e, Ctx ctx, const std::string& id) {
             BackupRecord r = Unwrap(e.backups().ExportRecord(ctx, id));
             return std::map<std::string, std::string>{{"backup_service", r.backup_service},
                                                       {"backup_url", r.backup_url}};
           },
           Release(), py::arg("ctx"), py::arg("backup_id"))
      .def("import_backup_record",
           [](PyEngine& e, Ctx ctx, const std::map<std::string, std::string>& record) {
             for (const auto& [k, v] : record) {
               if (k != "backup_service" && k != "backup_url") {
                 throw StatusError{InvalidArgument("backup record: unknown field '" + k + "'")};
               }
             }
             auto get = [&](const char* k) {
               auto it = record.find(k);
               return it == record.end() ? std::string() : it->second;
             };
             return Unwrap(e.backups().ImportRecord(ctx, {get("backup_service"), get("backup_url")}));
           },
           Release(), py::arg("ctx"), py::arg("record"))
      .def("verify_backup",
           [](PyEngine& e, Ctx ctx, const std::string& id, double timeout) {
             Check(e.backups().Verify(ctx, id, Millis(timeout)));
           },
           Release(), py::arg("ctx"), py::arg("backup_id"), py::arg("timeout") = 3600.0)
      .def("wait_for_backup",
           [](PyEngine& e, Ctx ctx, const std::string& id, std::vector<std::string> statuses, double timeout) {
             auto want = Statuses<BackupStatus>(statuses, ParseBackupStatus, "backup");
             return Unwrap(e.get().WaitForBackup(ctx, id, want, Millis(timeout)));
           },
           Release(), py::arg("ctx"), py::arg("backup_id"),
           py::arg("statuses") = std::vector<std::string>{"available", "error"}, py::arg("timeout") = 60.0)
      .def("wait_for_backup_deleted",
           [](PyEngine& e, Ctx ctx, const std::string& id, double timeout) {
             Check(e.get().WaitForBackupDeleted(ctx, id, Millis(timeout)));
           },
           Release(), py::arg("ctx"), py::arg("backup_id"), py::arg("timeout") = 60.0);
}

}  // namespace blockstore::python
