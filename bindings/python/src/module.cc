// The _blockstore extension module: records, contexts and the error translator.
#include "bindings.hpp"
#include "driver_binding.hpp"

namespace blockstore::python {

namespace {

std::string Repr(const char* kind, const std::string& id, std::string_view status) {
  return std::string("<blockstore.") + kind + " " + id + " " + std::string(status) + ">";
}

}  // namespace

void BindRecords(py::module_& m) {
  py::class_<Volume>(m, "Volume", "A volume record, as it was when it was read.")
      .def_readonly("id", &Volume::id)
      .def_readonly("project_id", &Volume::project_id)
      .def_readonly("user_id", &Volume::user_id)
      .def_readonly("name", &Volume::name)
      .def_readonly("description", &Volume::description)
      .def_readonly("size", &Volume::size_gb)
      .def_property_readonly("status", [](const Volume& v) { return std::string(ToString(v.status)); })
      .def_property_readonly("previous_status", [](const Volume& v) -> std::optional<std::string> {
        if (!v.previous_status) return std::nullopt;
        return std::string(ToString(*v.previous_status));
      })
      .def_property_readonly("attach_status",
                             [](const Volume& v) { return std::string(ToString(v.attach_status)); })
      .def_readonly("host", &Volume::host)
      .def_readonly("availability_zone", &Volume::availability_zone)
      .def_readonly("volume_type_id", &Volume::volume_type_id)
      .def_readonly("snapshot_id", &Volume::snapshot_id)
      .def_readonly("source_volid", &Volume::source_volid)
      .def_readonly("bootable", &Volume::bootable)
      .def_readonly("multiattach", &Volume::multiattach)
      .def_readonly("readonly", &Volume::readonly)
      .def_readonly("metadata", &Volume::metadata)
      .def_readonly("image_metadata", &Volume::image_metadata)
      .def_property_readonly("migration_host", [](const Volume& v) -> std::optional<std::string> {
        if (v.migration_host.empty()) return std::nullopt;
        return v.migration_host;
      })
      .def_property_readonly("migration_status", [](const Volume& v) -> std::optional<std::string> {
        if (v.migration_status.empty()) return std::nullopt;
        return v.migration_status;
      })
      .def_property_readonly("created_at", [](const Volume& v) { return FormatTime(v.created_at); })
      .def_property_readonly("updated_at", [](const Volume& v) { return FormatTime(v.updated_at); })
      .def("__repr__", [](const Volume& v) { return Repr("Volume", v.id, ToString(v.status)); });

  py::class_<Snapshot>(m, "Snapshot", "A snapshot record.")
      .def_readonly("id", &Snapshot::id)
      .def_readonly("project_id", &Snapshot::project_id)
      .def_readonly("user_id", &Snapshot::user_id)
      .def_readonly("volume_id", &Snapshot::volume_id)
      .def_readonly("name", &Snapshot::name)
      .def_readonly("description", &Snapshot::description)
      .def_readonly("size", &Snapshot::size_gb)
      .def_property_readonly("status", [](const Snapshot& s) { return std::string(ToString(s.status)); })
      .def_readonly("progress", &Snapshot::progress)
      .def_readonly("metadata", &Snapshot::metadata)
      .def_property_readonly("created_at", [](const Snapshot& s) { return FormatTime(s.created_at); })
      .def_property_readonly("updated_at", [](const Snapshot& s) { return FormatTime(s.updated_at); })
      .def("__repr__", [](const Snapshot& s) { return Repr("Snapshot", s.id, ToString(s.status)); });

  py::class_<VolumeType>(m, "VolumeType", "A volume type with its extra specs.")
      .def_readonly("id", &VolumeType::id)
      .def_readonly("name", &VolumeType::name)
      .def_readonly("description", &VolumeType::description)
      .def_readonly("is_public", &VolumeType::is_public)
      .def_readonly("qos_specs_id", &VolumeType::qos_specs_id)
      .def_readonly("extra_specs", &VolumeType::extra_specs)
      .def("__repr__", [](const VolumeType& t) { return Repr("VolumeType", t.id, t.name); });

  py::class_<QosSpec>(m, "QosSpec", "A QoS spec.")
      .def_readonly("id", &QosSpec::id)
      .def_readonly("name", &QosSpec::name)
      .def_readonly("consumer", &QosSpec::consumer)
      .def_readonly("specs", &QosSpec::specs)
      .def("__repr__", [](const QosSpec& q) { return Repr("QosSpec", q.id, q.name); });

  py::class_<UserMessage>(m, "Message", "What a failed asynchronous operation left its project (Cinder's user message).")
      .def_readonly("id", &UserMessage::id)
      .def_readonly("project_id", &UserMessage::project_id)
      .def_readonly("request_id", &UserMessage::request_id)
      .def_readonly("resource_type", &UserMessage::resource_type)
      .def_readonly("resource_uuid", &UserMessage::resource_uuid)
      .def_readonly("event_id", &UserMessage::event_id)
      .def_readonly("message_level", &UserMessage::message_level)
      .def_readonly("user_message", &UserMessage::user_message)
      .def_property_readonly("created_at", [](const UserMessage& m) { return FormatTime(m.created_at); })
      .def_property_readonly("expires_at", [](const UserMessage& m) { return FormatTime(m.expires_at); })
      .def("__repr__", [](const UserMessage& m) { return Repr("Message", m.id, m.event_id); });
  py::class_<VolumeTransfer>(m, "Transfer", "A volume offered by its project to another (a volume transfer).")
      .def_readonly("id", &VolumeTransfer::id)
      .def_readonly("volume_id", &VolumeTransfer::volume_id)
      .def_readonly("name", &VolumeTransfer::name)
      .def_readonly("source_project_id", &VolumeTransfer::source_project_id)
      .def_readonly("destination_project_id", &VolumeTransfer::destination_project_id)
      .def_readonly("accepted", &VolumeTransfer::accepted)
      .def_readonly("no_snapshots", &VolumeTransfer::no_snapshots)
      .def_property_readonly("created_at", [](const VolumeTransfer& t) { return FormatTime(t.created_at); })
      .def_property_readonly("updated_at", [](const VolumeTransfer& t) { return FormatTime(t.updated_at); })
      .def("__repr__", [](const VolumeTransfer& t) { return Repr("Transfer", t.id, t.volume_id); });

  py::class_<QuotaUsage>(m, "QuotaUsage", "One quota resource: limit (-1 = unlimited), in use, reserved.")
      .def_readonly("limit", &QuotaUsage::limit)
      .def_readonly("in_use", &QuotaUsage::in_use)
      .def_readonly("reserved", &QuotaUsage::reserved)
      .def("__repr__", [](const QuotaUsage& u) {
        return "<blockstore.QuotaUsage limit=" + std::to_string(u.limit) +
               " in_use=" + std::to_string(u.in_use) + " reserved=" + std::to_string(u.reserved) + ">";
      });

  py::class_<QuotaSet>(m, "QuotaSet", "A project's quotas, keyed by resource name.")
      .def_readonly("project_id", &QuotaSet::project_id)
      .def_readonly("resources", &QuotaSet::resources)
      .def("__getitem__", [](const QuotaSet& q, const std::string& k) {
        auto it = q.resources.find(k);
        if (it == q.resources.end()) throw py::key_error(k);
        return it->second;
      });

  py::class_<Event>(m, "Event", "A status change the engine made.")
      .def_readonly("sequence", &Event::sequence)
      .def_readonly("type", &Event::type)
      .def_readonly("resource_type", &Event::resource_type)
      .def_readonly("resource_id", &Event::resource_id)
      .def_readonly("project_id", &Event::project_id)
      .def_readonly("status", &Event::status)
      .def_readonly("message", &Event::message)
      .def_property_readonly("at", [](const Event& e) { return FormatTime(e.at); })
      .def("__repr__", [](const Event& e) { return "<blockstore.Event " + e.type + " " + e.resource_id + ">"; });

  py::class_<RequestContext>(m, "Context", "Who is asking: a project, a user and roles.")
      .def(py::init([](std::string project_id, std::string user_id, std::vector<std::string> roles,
                       std::string request_id, std::string idempotency_key) {
             return RequestContext{std::move(project_id), std::move(user_id), std::move(roles),
                                   std::move(request_id), std::move(idempotency_key)};
           }),
           py::arg("project_id"), py::arg("user_id") = "user",
           py::arg("roles") = std::vector<std::string>{"member"}, py::arg("request_id") = "",
           py::arg("idempotency_key") = "")
      .def_static("admin", [](std::string project_id) { return RequestContext::Admin(std::move(project_id)); },
                  py::arg("project_id") = "admin")
      .def_readonly("project_id", &RequestContext::project_id)
      .def_readonly("user_id", &RequestContext::user_id)
      .def_readonly("roles", &RequestContext::roles)
      .def_readwrite("idempotency_key", &RequestContext::idempotency_key,
                     "Creates made with this context are made once per key (a retry gets the first one's resource).")
      .def_property_readonly("is_admin", &RequestContext::is_admin)
      .def("__repr__", [](const RequestContext& c) {
        return "<blockstore.Context project=" + c.project_id + (c.is_admin() ? " admin>" : ">");
      });
}

}  // namespace blockstore::python

PYBIND11_MODULE(_blockstore, m) {
  namespace py = pybind11;
  using blockstore::python::StatusError;
  m.doc() = "blockstore's C++ core; import blockstore instead.";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const StatusError& e) {
      py::object errors = py::module_::import("blockstore.errors");
      py::object exc = errors.attr("_from_code")(std::string(blockstore::CodeName(e.status.code())),
                                                 e.status.message());
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
    }
  });
  blockstore::python::BindRecords(m);
  blockstore::python::BindScheduling(m);
  blockstore::python::BindEngine(m);
  blockstore::python::BindBackups(m);
  blockstore::python::BindAttach(m);
  blockstore::python::BindRest(m);
  blockstore::python::BindDrivers(m);
}
