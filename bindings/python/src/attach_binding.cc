// Attach as Python sees it: the Attachment record, the Engine's attachment and legacy attach
// methods, and the host side (host_connector, and the device connect_volume opens). Connectors
// and connection info are dicts, as os-brick hands them around.
#include "blockstore/connector.hpp"
#include "bindings.hpp"

namespace blockstore::python {
namespace {

Connector ToConnector(const py::dict& d) { return Unwrap(ParseConnector(Dumps(d))); }

ConnectionInfo ToConnectionInfo(const py::dict& d) { return Unwrap(ParseConnectionInfo(Dumps(d))); }

py::object FromConnectionInfo(const ConnectionInfo& c) { return Loads(ConnectionInfoToJson(c)); }

// The host's open volume; close() (or garbage collection) ends the session.
class PyDevice {
 public:
  explicit PyDevice(std::unique_ptr<BlockDevice> d) : d_(std::move(d)) {}
  BlockDevice& get() {
    if (!d_) throw StatusError{FailedPrecondition("the device is closed")};
    return *d_;
  }
  void Close() {
    py::gil_scoped_release release;
    d_.reset();
  }
  bool closed() const { return !d_; }

 private:
  std::unique_ptr<BlockDevice> d_;
};

}  // namespace

void BindAttach(py::module_& m) {
  py::class_<Attachment>(m, "Attachment", "One host's use of a volume.")
      .def_readonly("id", &Attachment::id)
      .def_readonly("volume_id", &Attachment::volume_id)
      .def_readonly("project_id", &Attachment::project_id)
      .def_readonly("instance_uuid", &Attachment::instance_uuid)
      .def_readonly("attached_host", &Attachment::attached_host)
      .def_readonly("mountpoint", &Attachment::mountpoint)
      .def_property_readonly("status", [](const Attachment& a) { return std::string(ToString(a.attach_status)); })
      .def_readonly("attach_mode", &Attachment::attach_mode)
      .def_property_readonly("connector", [](const Attachment& a) -> py::object {
        if (!a.connector) return py::none();
        return Loads(ConnectorToJson(*a.connector));
      })
      .def_property_readonly("connection_info", [](const Attachment& a) -> py::object {
        if (!a.connection_info) return py::none();
        return FromConnectionInfo(*a.connection_info);
      }, "{'driver_volume_type': …, 'data': {…}}; it carries secrets (CHAP): never log it.")
      .def_property_readonly("attached_at", [](const Attachment& a) -> std::optional<std::string> {
        if (!a.attach_time) return std::nullopt;
        return FormatTime(*a.attach_time);
      })
      .def_property_readonly("created_at", [](const Attachment& a) { return FormatTime(a.created_at); })
      .def("__repr__", [](const Attachment& a) {
        return "<blockstore.Attachment " + a.id + " " + std::string(ToString(a.attach_status)) + ">";
      });

  py::class_<PyDevice>(m, "_Device", "An attached volume opened on this host (use connect_volume).")
      .def_property_readonly("size", [](PyDevice& d) { return d.get().SizeBytes(); })
      .def_property_readonly("closed", &PyDevice::closed)
      .def("read_at",
           [](PyDevice& d, uint64_t offset, std::size_t n) {
             std::string buf(n, '\0');
             std::size_t got = 0;
             {
               py::gil_scoped_release release;
               got = Unwrap(d.get().ReadAt(offset, {reinterpret_cast<std::byte*>(buf.data()), n}));
             }
             buf.resize(got);
             return py::bytes(buf);
           },
           py::arg("offset"), py::arg("size"))
      .def("readinto_at",
           [](PyDevice& d, uint64_t offset, py::buffer b) {
             py::buffer_info info = b.request(true);
             const auto n = static_cast<std::size_t>(info.size * info.itemsize);
             auto* p = static_cast<std::byte*>(info.ptr);
             py::gil_scoped_release release;
             return Unwrap(d.get().ReadAt(offset, {p, n}));
           },
           py::arg("offset"), py::arg("buffer"))
      .def("write_at",
           [](PyDevice& d, uint64_t offset, py::buffer b) {
             py::buffer_info info = b.request();
             const auto n = static_cast<std::size_t>(info.size * info.itemsize);
             const auto* p = static_cast<const std::byte*>(info.ptr);
             py::gil_scoped_release release;
             Check(d.get().WriteAt(offset, {p, n}));
             return n;
           },
           py::arg("offset"), py::arg("data"))
      .def("flush", [](PyDevice& d) { Check(d.get().Flush()); }, Release())
      .def("close", &PyDevice::Close);

  m.def("host_connector",
        [](const std::string& ip, const std::string& initiator) {
          return Loads(ConnectorToJson(HostConnector(ip, initiator)));
        },
        py::arg("ip") = "127.0.0.1", py::arg("initiator") = "",
        "This host's connector dict (host name, ip, iSCSI initiator name, platform, os_type).");
  m.def("_connect_volume",
        [](const py::dict& info, const std::string& initiator, bool use_loop_device, double timeout,
           const std::string& ceph_conf, const std::string& ceph_keyring) {
          ConnectionInfo ci = ToConnectionInfo(info);
          ConnectOptions o;
          o.initiator = initiator;
          o.use_loop_device = use_loop_device;
          o.timeout = Millis(timeout);
          o.ceph_conf = ceph_conf;
          o.ceph_keyring = ceph_keyring;
          std::unique_ptr<BlockDevice> dev;
          {
            py::gil_scoped_release release;
            dev = Unwrap(ConnectVolume(ci, o));
          }
          return std::make_unique<PyDevice>(std::move(dev));
        },
        py::arg("connection_info"), py::kw_only(), py::arg("initiator") = "",
        py::arg("use_loop_device") = false, py::arg("timeout") = 30.0, py::arg("ceph_conf") = "",
        py::arg("ceph_keyring") = "");

  auto engine = py::reinterpret_borrow<py::class_<PyEngine>>(m.attr("Engine"));
  engine
      .def("create_attachment",
           [](PyEngine& e, Ctx ctx, std::string volume_id, std::optional<py::dict> connector,
              std::string instance_uuid, std::string mode) {
             AttachmentCreateRequest r{std::move(volume_id), std::move(instance_uuid), std::nullopt,
                                       std::move(mode)};
             if (connector) r.connector = ToConnector(*connector);
             py::gil_scoped_release release;
             return Unwrap(e.attachments().Create(ctx, r));
           },
           py::arg("ctx"), py::arg("volume_id"), py::kw_only(), py::arg("connector") = py::none(),
           py::arg("instance_uuid") = "", py::arg("mode") = "")
      .def("update_attachment",
           [](PyEngine& e, Ctx ctx, const std::string& id, const py::dict& connector) {
             Connector c = ToConnector(connector);
             py::gil_scoped_release release;
             return Unwrap(e.attachments().Update(ctx, id, c));
           },
           py::arg("ctx"), py::arg("attachment_id"), py::arg("connector"))
      .def("complete_attachment",
           [](PyEngine& e, Ctx ctx, const std::string& id) { return Unwrap(e.attachments().Complete(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("attachment_id"))
      .def("delete_attachment",
           [](PyEngine& e, Ctx ctx, const std::string& id) { return Unwrap(e.attachments().Delete(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("attachment_id"),
           "Tears down the connection and forgets the attachment; the volume's remaining ones.")
      .def("get_attachment",
           [](PyEngine& e, Ctx ctx, const std::string& id) { return Unwrap(e.attachments().Get(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("attachment_id"))
      .def("list_attachments",
           [](PyEngine& e, Ctx ctx, std::optional<std::string> volume_id,
              std::optional<std::string> instance_uuid, std::optional<std::string> status,
              std::optional<int64_t> limit, std::string marker, bool all_projects) {
             AttachmentQuery q;
             q.volume_id = std::move(volume_id);
             q.instance_uuid = std::move(instance_uuid);
             if (status) {
               q.attach_status = ParseAttachStatus(*status);
               if (!q.attach_status) throw StatusError{InvalidArgument("'" + *status + "' is not an attach status")};
             }
             q.limit = limit;
             q.marker = std::move(marker);
             q.all_projects = all_projects;
             return Unwrap(e.attachments().List(ctx, q));
           },
           Release(), py::arg("ctx"), py::kw_only(), py::arg("volume_id") = py::none(),
           py::arg("instance_uuid") = py::none(), py::arg("status") = py::none(),
           py::arg("limit") = py::none(), py::arg("marker") = "", py::arg("all_projects") = false)
      .def("reserve_volume",
           [](PyEngine& e, Ctx ctx, const std::string& id) { return Unwrap(e.attachments().Reserve(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("volume_id"))
      .def("unreserve_volume",
           [](PyEngine& e, Ctx ctx, const std::string& id) { return Unwrap(e.attachments().Unreserve(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("volume_id"))
      .def("initialize_connection",
           [](PyEngine& e, Ctx ctx, const std::string& id, const py::dict& connector) {
             Connector c = ToConnector(connector);
             ConnectionInfo info;
             {
               py::gil_scoped_release release;
               info = Unwrap(e.attachments().InitializeConnection(ctx, id, c));
             }
             return FromConnectionInfo(info);
           },
           py::arg("ctx"), py::arg("volume_id"), py::arg("connector"))
      .def("attach_volume",
           [](PyEngine& e, Ctx ctx, const std::string& id, std::string instance_uuid,
              std::string host_name, std::string mountpoint, std::string mode) {
             return Unwrap(e.attachments().Attach(
                 ctx, id, {std::move(instance_uuid), std::move(host_name), std::move(mountpoint), std::move(mode)}));
           },
           Release(), py::arg("ctx"), py::arg("volume_id"), py::kw_only(), py::arg("instance_uuid") = "",
           py::arg("host_name") = "", py::arg("mountpoint") = "", py::arg("mode") = "rw")
      .def("begin_detaching",
           [](PyEngine& e, Ctx ctx, const std::string& id) { return Unwrap(e.attachments().BeginDetaching(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("volume_id"))
      .def("roll_detaching",
           [](PyEngine& e, Ctx ctx, const std::string& id) { return Unwrap(e.attachments().RollDetaching(ctx, id)); },
           Release(), py::arg("ctx"), py::arg("volume_id"))
      .def("terminate_connection",
           [](PyEngine& e, Ctx ctx, const std::string& id, const py::dict& connector) {
             Connector c = ToConnector(connector);
             py::gil_scoped_release release;
             Check(e.attachments().TerminateConnection(ctx, id, c));
           },
           py::arg("ctx"), py::arg("volume_id"), py::arg("connector"))
      .def("detach_volume",
           [](PyEngine& e, Ctx ctx, const std::string& id, const std::string& attachment_id) {
             return Unwrap(e.attachments().Detach(ctx, id, attachment_id));
           },
           Release(), py::arg("ctx"), py::arg("volume_id"), py::arg("attachment_id") = "")
      .def("force_detach",
           [](PyEngine& e, Ctx ctx, const std::string& id, const std::string& attachment_id) {
             return Unwrap(e.attachments().ForceDetach(ctx, id, attachment_id));
           },
           Release(), py::arg("ctx"), py::arg("volume_id"), py::arg("attachment_id") = "");
}

}  // namespace blockstore::python
