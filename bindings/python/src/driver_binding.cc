// A volume driver written in Python, seen by the engine as a C++ VolumeDriver. Every call takes
// the GIL; records go to Python as dicts in the C API's JSON shapes (docs/c-api.md), and Python's
// exceptions come back as Statuses (a blockstore.errors class keeps its code). A method the
// class does not define is an optional call it does not offer: unimplemented.
#include "driver_binding.hpp"

#include "blockstore/c_driver.hpp"
#include "blockstore/connector.hpp"

namespace blockstore::python {

namespace {

// Volumes and snapshots as the Python API shows them (blockstore.Volume, blockstore.Snapshot);
// connectors, exports and references as dicts.
py::object Dict(const Volume& v) { return py::cast(v); }
py::object Dict(const Snapshot& s) { return py::cast(s); }
py::object Dict(const Connector& c) { return Loads(ConnectorToJson(c)); }
py::object Dict(const std::map<std::string, std::string>& m) { return py::cast(m); }
py::object Dict(const VolumeExport& e) {
  py::dict d;
  d["location"] = e.location;
  d["auth"] = e.auth;
  return d;
}

// Runs body with the GIL held; a Python exception (or a wrong type handed back) as a Status.
template <typename F>
auto WithGil(const std::string& what, F&& body) -> decltype(body()) {
  py::gil_scoped_acquire hold;
  try {
    return body();
  } catch (py::error_already_set& e) {
    return StatusOfPython(e, "the Python driver's " + what);
  } catch (const py::cast_error& e) {
    return Internal("the Python driver's " + what + " answered the wrong type: " + e.what());
  } catch (const StatusError& e) {
    return e.status;
  }
}

Result<std::vector<Extent>> ExtentsOf(const py::handle& list, const std::string& what) {
  std::vector<Extent> out;
  for (const auto& item : list) {
    auto pair = item.cast<std::pair<uint64_t, uint64_t>>();
    if (pair.second == 0) continue;
    if (!out.empty() && pair.first < out.back().offset + out.back().length) {
      return InvalidArgument("the Python driver's " + what + " must be sorted and disjoint");
    }
    out.push_back({pair.first, pair.second});
  }
  return out;
}

Capacity CapacityOf(const py::handle& v) {
  if (py::isinstance<py::str>(v)) {
    const auto t = v.cast<std::string>();
    if (t == "infinite") return Capacity::Infinite();
    if (t == "unknown") return Capacity::Unknown();
    throw StatusError{InvalidArgument("a capacity is a number of GB, 'infinite' or 'unknown', not '" + t + "'")};
  }
  return Capacity::Number(v.cast<double>());
}

// get_stats's dict, in the keys Cinder's drivers report.
Result<BackendStats> StatsOf(const py::dict& d) {
  BackendStats s;
  auto text = [&](const py::dict& from, const char* key, std::string& out) {
    if (from.contains(key)) out = py::str(from[key]).cast<std::string>();
  };
  text(d, "volume_backend_name", s.volume_backend_name);
  text(d, "vendor_name", s.vendor_name);
  text(d, "driver_version", s.driver_version);
  text(d, "storage_protocol", s.storage_protocol);
  if (!d.contains("pools")) return InvalidArgument("the Python driver's get_stats answered no 'pools'");
  for (const auto& item : d["pools"]) {
    py::dict p = item.cast<py::dict>();
    PoolStats ps;
    text(p, "pool_name", ps.pool_name);
    if (ps.pool_name.empty()) return InvalidArgument("the Python driver's get_stats: a pool needs a 'pool_name'");
    if (p.contains("total_capacity_gb")) ps.total_capacity_gb = CapacityOf(p["total_capacity_gb"]);
    if (p.contains("free_capacity_gb")) ps.free_capacity_gb = CapacityOf(p["free_capacity_gb"]);
    if (p.contains("provisioned_capacity_gb")) ps.provisioned_capacity_gb = p["provisioned_capacity_gb"].cast<double>();
    if (p.contains("reserved_percentage")) ps.reserved_percentage = p["reserved_percentage"].cast<int>();
    if (ps.reserved_percentage < 0 || ps.reserved_percentage > 100) {
      return InvalidArgument("the Python driver's get_stats: reserved_percentage must be from 0 to 100");
    }
    text(p, "max_over_subscription_ratio", ps.max_over_subscription_ratio);
    for (auto [key, field] : {std::pair{"thin_provisioning_support", &ps.thin_provisioning_support},
                              std::pair{"thick_provisioning_support", &ps.thick_provisioning_support},
                              std::pair{"multiattach", &ps.multiattach},
                              std::pair{"online_extend_support", &ps.online_extend_support},
                              std::pair{"qos_support", &ps.qos_support}}) {
      if (p.contains(key)) *field = p[key].cast<bool>();
    }
    text(p, "filter_function", ps.filter_function);
    text(p, "goodness_function", ps.goodness_function);
    if (p.contains("capabilities")) {
      for (const auto& [k, v] : p["capabilities"].cast<py::dict>()) {
        ps.capabilities[py::str(k).cast<std::string>()] =
            py::isinstance<py::str>(v) ? v.cast<std::string>() : Dumps(v);
      }
    }
    s.pools.push_back(std::move(ps));
  }
  return s;
}

class PyBlockDevice final : public BlockDevice {
 public:
  explicit PyBlockDevice(py::object dev) : dev_(KeepWithGil(std::move(dev))) {
    size_ = dev_->attr("size")().cast<uint64_t>();
    concurrent_ = py::hasattr(*dev_, "concurrent") && dev_->attr("concurrent").cast<bool>();
  }
  ~PyBlockDevice() override {
    py::gil_scoped_acquire hold;
    try {
      if (py::hasattr(*dev_, "close")) dev_->attr("close")();
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable("blockstore Python driver device close");
    }
  }

  Result<std::size_t> ReadAt(uint64_t offset, std::span<std::byte> out) override {
    return WithGil("read", [&]() -> Result<std::size_t> {
      py::object data = dev_->attr("read")(offset, out.size());
      char* p = nullptr;
      Py_ssize_t n = 0;
      if (PyBytes_AsStringAndSize(data.ptr(), &p, &n) != 0) throw py::error_already_set();
      if (static_cast<std::size_t>(n) > out.size()) return Internal("the Python driver's read answered more than asked");
      std::memcpy(out.data(), p, static_cast<std::size_t>(n));
      return static_cast<std::size_t>(n);
    });
  }
  Status WriteAt(uint64_t offset, std::span<const std::byte> data) override {
    return WithGil("write", [&]() -> Status {
      dev_->attr("write")(offset, py::bytes(reinterpret_cast<const char*>(data.data()), data.size()));
      return Status::Ok();
    });
  }
  uint64_t SizeBytes() const override { return size_; }
  Status Flush() override {
    return WithGil("flush", [&]() -> Status {
      dev_->attr("flush")();
      return Status::Ok();
    });
  }
  Result<std::vector<Extent>> AllocatedRanges() override {
    return WithGil("allocated", [&]() -> Result<std::vector<Extent>> {
      if (!py::hasattr(*dev_, "allocated")) return std::vector<Extent>{{0, size_}};
      return ExtentsOf(dev_->attr("allocated")(), "allocated");
    });
  }
  bool ConcurrentIo() const override { return concurrent_; }

 private:
  std::shared_ptr<py::object> dev_;
  uint64_t size_ = 0;
  bool concurrent_ = false;
};

class PyVolumeDriver final : public VolumeDriver {
 public:
  explicit PyVolumeDriver(py::object driver) : d_(KeepWithGil(std::move(driver))) {}

  Status Initialize() override { return Void("initialize", [&] { Call("initialize"); }); }
  std::string DefaultPool() const override {
    py::gil_scoped_acquire hold;
    try {
      return d_->attr("default_pool")().cast<std::string>();
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable("blockstore Python driver default_pool");
      return "";
    }
  }
  Status CreateVolume(const Volume& v) override {
    return Void("create_volume", [&] { Call("create_volume", Dict(v)); });
  }
  Status CreateVolumeFromSnapshot(const Volume& v, const Snapshot& s) override {
    return Void("create_volume_from_snapshot", [&] { Call("create_volume_from_snapshot", Dict(v), Dict(s)); });
  }
  Status CreateClonedVolume(const Volume& v, const Volume& src) override {
    return Void("create_cloned_volume", [&] { Call("create_cloned_volume", Dict(v), Dict(src)); });
  }
  Status DeleteVolume(const Volume& v) override {
    return Void("delete_volume", [&] { Call("delete_volume", Dict(v)); });
  }
  Status ExtendVolume(const Volume& v, uint64_t gb) override {
    return Void("extend_volume", [&] { Call("extend_volume", Dict(v), gb); });
  }
  Status CreateSnapshot(const Snapshot& s, const Volume& v) override {
    return Void("create_snapshot", [&] { Call("create_snapshot", Dict(s), Dict(v)); });
  }
  Status DeleteSnapshot(const Snapshot& s) override {
    return Void("delete_snapshot", [&] { Call("delete_snapshot", Dict(s)); });
  }
  Result<uint64_t> VolumeSizeBytes(const Volume& v) override {
    return WithGil("volume_size", [&]() -> Result<uint64_t> { return Call("volume_size", Dict(v)).cast<uint64_t>(); });
  }
  Result<std::unique_ptr<BlockDevice>> OpenVolume(const Volume& v) override {
    return WithGil("open_volume", [&]() -> Result<std::unique_ptr<BlockDevice>> {
      return std::unique_ptr<BlockDevice>(new PyBlockDevice(Call("open_volume", Dict(v))));
    });
  }
  Result<std::unique_ptr<BlockDevice>> OpenSnapshot(const Snapshot& s) override {
    return WithGil("open_snapshot", [&]() -> Result<std::unique_ptr<BlockDevice>> {
      if (!Has("open_snapshot")) return Unimplemented("this driver cannot open snapshot " + s.id);
      return std::unique_ptr<BlockDevice>(new PyBlockDevice(Call("open_snapshot", Dict(s))));
    });
  }
  Result<BackendStats> GetStats() override {
    return WithGil("get_stats", [&]() -> Result<BackendStats> { return StatsOf(Call("get_stats")); });
  }

  Result<ConnectionResult> InitializeConnection(const Volume& v, const std::optional<VolumeExport>& existing,
                                                const Connector& c) override {
    return WithGil("initialize_connection", [&]() -> Result<ConnectionResult> {
      if (!Has("initialize_connection")) return Unimplemented("this driver cannot export volume " + v.id);
      py::dict answer = Call("initialize_connection", Dict(v), existing ? Dict(*existing) : py::none(), Dict(c));
      if (!answer.contains("connection_info")) {
        return InvalidArgument("the Python driver's initialize_connection answered no 'connection_info'");
      }
      ConnectionResult r;
      auto info = ParseConnectionInfo(Dumps(answer["connection_info"]));
      if (!info.ok()) return info.status();
      r.info = std::move(info).value();
      if (answer.contains("export")) {
        py::dict ex = answer["export"];
        if (ex.contains("location")) r.export_record.location = ex["location"].cast<std::string>();
        if (ex.contains("auth")) r.export_record.auth = ex["auth"].cast<std::string>();
      }
      return r;
    });
  }
  Status TerminateConnection(const Volume& v, const VolumeExport& ex, const Connector& c, bool revoke_host,
                             bool remove_export) override {
    return Optional("terminate_connection", Status::Ok(),
                    [&] { Call("terminate_connection", Dict(v), Dict(ex), Dict(c), revoke_host, remove_export); });
  }
  Result<ConnectionInfo> InitializeSnapshotConnection(const Snapshot& s, const Connector& c) override {
    return WithGil("initialize_snapshot_connection", [&]() -> Result<ConnectionInfo> {
      if (!Has("initialize_snapshot_connection")) return Unimplemented("this backend cannot export snapshot " + s.id);
      return ParseConnectionInfo(Dumps(Call("initialize_snapshot_connection", Dict(s), Dict(c))));
    });
  }
  Status TerminateSnapshotConnection(const Snapshot& s, const Connector& c) override {
    return Optional("terminate_snapshot_connection", Status::Ok(),
                    [&] { Call("terminate_snapshot_connection", Dict(s), Dict(c)); });
  }

  Result<std::vector<Extent>> ChangedExtents(const Volume& v, const Snapshot& from, const Snapshot* to) override {
    return WithGil("changed_extents", [&]() -> Result<std::vector<Extent>> {
      if (!Has("changed_extents")) return VolumeDriver::ChangedExtents(v, from, to);
      return ExtentsOf(Call("changed_extents", Dict(v), Dict(from), to ? Dict(*to) : py::none()), "changed_extents");
    });
  }
  Status RevertToSnapshot(const Volume& v, const Snapshot& s) override {
    return Optional("revert_to_snapshot", VolumeDriver::RevertToSnapshot(v, s),
                    [&] { Call("revert_to_snapshot", Dict(v), Dict(s)); });
  }
  Result<uint64_t> ManageExistingGetSize(const Volume& v, const std::map<std::string, std::string>& ref) override {
    return WithGil("manage_existing_get_size", [&]() -> Result<uint64_t> {
      if (!Has("manage_existing_get_size")) return VolumeDriver::ManageExistingGetSize(v, ref);
      return Call("manage_existing_get_size", Dict(v), Dict(ref)).cast<uint64_t>();
    });
  }
  Status ManageExisting(const Volume& v, const std::map<std::string, std::string>& ref) override {
    return Optional("manage_existing", VolumeDriver::ManageExisting(v, ref),
                    [&] { Call("manage_existing", Dict(v), Dict(ref)); });
  }
  Status Unmanage(const Volume& v) override {
    return Optional("unmanage", VolumeDriver::Unmanage(v), [&] { Call("unmanage", Dict(v)); });
  }
  Status Retype(const Volume& v, const std::map<std::string, std::string>& specs) override {
    return Optional("retype", VolumeDriver::Retype(v, specs), [&] { Call("retype", Dict(v), Dict(specs)); });
  }
  Status MigrateVolume(const Volume& v, const std::string& destination) override {
    return Optional("migrate_volume", VolumeDriver::MigrateVolume(v, destination),
                    [&] { Call("migrate_volume", Dict(v), destination); });
  }

 private:
  // Whether the driver offers the optional call `name` (the base class defines none of them).
  bool Has(const char* name) const { return py::hasattr(*d_, name); }
  template <typename... A>
  py::object Call(const char* name, A&&... args) const {
    return d_->attr(name)(std::forward<A>(args)...);
  }
  template <typename F>
  Status Void(const std::string& what, F&& body) {
    return WithGil(what, [&]() -> Status {
      body();
      return Status::Ok();
    });
  }
  // An optional call: `absent` when the class does not define it.
  template <typename F>
  Status Optional(const char* what, Status absent, F&& body) {
    return WithGil(what, [&]() -> Status {
      if (!Has(what)) return absent;
      body();
      return Status::Ok();
    });
  }

  std::shared_ptr<py::object> d_;
};

// Makes a driver per backend by calling the class with the backend's configuration.
DriverFactory FactoryOf(std::shared_ptr<py::object> cls) {
  return [cls](const BackendConfig& c) -> Result<std::unique_ptr<VolumeDriver>> {
    return WithGil("constructor", [&]() -> Result<std::unique_ptr<VolumeDriver>> {
      py::dict backend;
      py::dict options;
      for (const auto& [k, v] : c.options) options[py::str(k)] = v;
      backend["name"] = c.name;
      backend["driver"] = c.driver;
      backend["volume_backend_name"] = c.volume_backend_name;
      backend["options"] = options;
      return std::unique_ptr<VolumeDriver>(new PyVolumeDriver((*cls)(backend)));
    });
  };
}

}  // namespace

std::function<Status(DriverRegistry&)> DriversFrom(const std::map<std::string, py::object>& drivers) {
  if (drivers.empty()) return {};
  std::vector<std::pair<std::string, std::string>> shared_objects;
  std::vector<std::pair<std::string, std::shared_ptr<py::object>>> classes;
  for (const auto& [name, value] : drivers) {
    if (py::isinstance<py::str>(value)) {
      shared_objects.emplace_back(name, value.cast<std::string>());
    } else if (py::isinstance<py::type>(value)) {
      classes.emplace_back(name, KeepWithGil(value));
    } else {
      throw StatusError{InvalidArgument("drivers: '" + name +
                                        "' must be a blockstore.VolumeDriver subclass or the path of a shared object")};
    }
  }
  return [shared_objects, classes](DriverRegistry& r) -> Status {
    for (const auto& [name, path] : shared_objects) {
      if (Status s = RegisterSharedObjectDriver(r, name, path); !s.ok()) return s;
    }
    for (const auto& [name, cls] : classes) {
      if (Status s = r.Register(name, FactoryOf(cls)); !s.ok()) return s;
    }
    return Status::Ok();
  };
}

void BindDrivers(py::module_& m) {
  // For a C++ host that embeds Python (the example daemon): the factory of a VolumeDriver
  // subclass, in a capsule the host copies out (same library, same std::function).
  m.def("_driver_factory", [](py::object cls) {
    if (!py::isinstance<py::type>(cls)) throw StatusError{InvalidArgument("a driver is a blockstore.VolumeDriver subclass")};
    auto* f = new DriverFactory(FactoryOf(KeepWithGil(std::move(cls))));
    return py::capsule(f, kDriverFactoryCapsule, [](PyObject* o) {
      delete static_cast<DriverFactory*>(PyCapsule_GetPointer(o, kDriverFactoryCapsule));
    });
  });
}

}  // namespace blockstore::python
