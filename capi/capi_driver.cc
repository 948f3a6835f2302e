// C ABI: volume drivers written in C — a bs_volume_driver table seen by the engine as a C++
// VolumeDriver, and the registry a host opens engines with.
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>

#include "blockstore/c_driver.hpp"
#include "capi/capi_internal.hpp"
#include "lib/core/macros.hpp"
#include "lib/json/json_parse.hpp"

namespace blockstore {
namespace capi_driver {

namespace json = internal::json;
using Table = std::shared_ptr<const bs_volume_driver>;

// Runs a driver function (given the address of its error out-parameter): its code, with the
// message it handed out (freed here).
template <typename F>
Status Outcome(const std::string& what, F&& call) {
  char* error = nullptr;
  const int rc = call(&error);
  std::string message;
  if (error) {
    message = error;
    std::free(error);
  }
  return capi::StatusFromCode(rc, std::move(message), "C driver: " + what);
}

// Text a driver function handed out, taken over (and freed).
std::string Take(char* text) {
  if (!text) return {};
  std::string out(text);
  std::free(text);
  return out;
}

std::string Json(const json::value& v) { return json::serialize(v); }

Result<std::vector<Extent>> ExtentsFrom(const std::string& text, const std::string& what) {
  BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, what));
  const auto* list = v.if_array();
  if (!list) return InvalidArgument(what + " must be a list of [offset, length]");
  std::vector<Extent> out;
  for (const auto& e : *list) {
    const auto* pair = e.if_array();
    if (!pair || pair->size() != 2 || !(*pair)[0].is_int64() || !(*pair)[1].is_int64() ||
        (*pair)[0].get_int64() < 0 || (*pair)[1].get_int64() <= 0) {
      return InvalidArgument(what + " must be a list of [offset, length] with whole numbers");
    }
    const Extent x{static_cast<uint64_t>((*pair)[0].get_int64()), static_cast<uint64_t>((*pair)[1].get_int64())};
    if (!out.empty() && x.offset < out.back().offset + out.back().length) {
      return InvalidArgument(what + " must be sorted and disjoint");
    }
    out.push_back(x);
  }
  return out;
}

json::object ToJson(const BackendConfig& c) {
  return {{"name", c.name}, {"driver", c.driver}, {"volume_backend_name", c.volume_backend_name},
          {"options", internal::MetadataToJson(c.options)}};
}

class CDevice final : public BlockDevice {
 public:
  CDevice(Table t, void* device) : t_(std::move(t)), d_(device) {}
  ~CDevice() override { t_->device_close(d_); }

  Result<std::size_t> ReadAt(uint64_t offset, std::span<std::byte> out) override {
    std::size_t done = 0;
    BS_RETURN_IF_ERROR(Outcome("device_read", [&](char** e) {
      return t_->device_read(d_, offset, out.data(), out.size(), &done, e);
    }));
    if (done > out.size()) return Internal("C driver: device_read reported more than it was asked for");
    return done;
  }
  Status WriteAt(uint64_t offset, std::span<const std::byte> data) override {
    return Outcome("device_write", [&](char** e) { return t_->device_write(d_, offset, data.data(), data.size(), e); });
  }
  uint64_t SizeBytes() const override { return t_->device_size(d_); }
  Status Flush() override {
    return Outcome("device_flush", [&](char** e) { return t_->device_flush(d_, e); });
  }
  Result<std::vector<Extent>> AllocatedRanges() override {
    const uint64_t size = SizeBytes();
    if (!t_->device_allocated) return std::vector<Extent>{{0, size}};
    char* out = nullptr;
    BS_RETURN_IF_ERROR(Outcome("device_allocated", [&](char** e) { return t_->device_allocated(d_, &out, e); }));
    return ExtentsFrom(Take(out), "device_allocated's answer");
  }
  bool ConcurrentIo() const override { return t_->device_concurrent && t_->device_concurrent(d_) != 0; }

 private:
  Table t_;
  void* d_;
};

class CDriver final : public VolumeDriver {
 public:
  CDriver(Table t, void* instance) : t_(std::move(t)), i_(instance) {}
  ~CDriver() override {
    if (t_->destroy) t_->destroy(i_);
  }

  Status Initialize() override {
    return Outcome("initialize", [&](char** e) { return t_->initialize(i_, e); });
  }
  std::string DefaultPool() const override { return Take(t_->default_pool(i_)); }

  Status CreateVolume(const Volume& v) override {
    return Run("create_volume", [&](char** e) { return t_->create_volume(i_, V(v).c_str(), e); });
  }
  Status CreateVolumeFromSnapshot(const Volume& v, const Snapshot& s) override {
    return Run("create_volume_from_snapshot",
               [&](char** e) { return t_->create_volume_from_snapshot(i_, V(v).c_str(), S(s).c_str(), e); });
  }
  Status CreateClonedVolume(const Volume& v, const Volume& src) override {
    return Run("create_cloned_volume",
               [&](char** e) { return t_->create_cloned_volume(i_, V(v).c_str(), V(src).c_str(), e); });
  }
  Status DeleteVolume(const Volume& v) override {
    return Run("delete_volume", [&](char** e) { return t_->delete_volume(i_, V(v).c_str(), e); });
  }
  Status ExtendVolume(const Volume& v, uint64_t gb) override {
    return Run("extend_volume", [&](char** e) { return t_->extend_volume(i_, V(v).c_str(), gb, e); });
  }
  Status CreateSnapshot(const Snapshot& s, const Volume& v) override {
    return Run("create_snapshot", [&](char** e) { return t_->create_snapshot(i_, S(s).c_str(), V(v).c_str(), e); });
  }
  Status DeleteSnapshot(const Snapshot& s) override {
    return Run("delete_snapshot", [&](char** e) { return t_->delete_snapshot(i_, S(s).c_str(), e); });
  }
  Result<uint64_t> VolumeSizeBytes(const Volume& v) override {
    uint64_t bytes = 0;
    BS_RETURN_IF_ERROR(Run("volume_size", [&](char** e) { return t_->volume_size(i_, V(v).c_str(), &bytes, e); }));
    return bytes;
  }
  Result<std::unique_ptr<BlockDevice>> OpenVolume(const Volume& v) override {
    void* dev = nullptr;
    BS_RETURN_IF_ERROR(Run("open_volume", [&](char** e) { return t_->open_volume(i_, V(v).c_str(), &dev, e); }));
    return Device(dev, "open_volume");
  }
  Result<std::unique_ptr<BlockDevice>> OpenSnapshot(const Snapshot& s) override {
    if (!t_->open_snapshot) return VolumeDriver::OpenSnapshot(s);
    void* dev = nullptr;
    BS_RETURN_IF_ERROR(Run("open_snapshot", [&](char** e) { return t_->open_snapshot(i_, S(s).c_str(), &dev, e); }));
    return Device(dev, "open_snapshot");
  }
  Result<BackendStats> GetStats() override {
    char* out = nullptr;
    BS_RETURN_IF_ERROR(Run("get_stats", [&](char** e) { return t_->get_stats(i_, &out, e); }));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(Take(out), "get_stats's answer"));
    return internal::BackendStatsFromJson(v);
  }

  Result<ConnectionResult> InitializeConnection(const Volume& v, const std::optional<VolumeExport>& existing,
                                                const Connector& c) override {
    if (!t_->initialize_connection) return VolumeDriver::InitializeConnection(v, existing, c);
    const std::string ex = existing ? Json(json::object{{"location", existing->location}, {"auth", existing->auth}}) : "";
    char* out = nullptr;
    BS_RETURN_IF_ERROR(Run("initialize_connection", [&](char** e) {
      return t_->initialize_connection(i_, V(v).c_str(), existing ? ex.c_str() : nullptr,
                                       Json(internal::ToJson(c)).c_str(), &out, e);
    }));
    BS_ASSIGN_OR_RETURN(json::value answer, internal::ParseJson(Take(out), "initialize_connection's answer"));
    const auto* o = answer.if_object();
    const auto* info = o ? o->if_contains("connection_info") : nullptr;
    if (!info) return InvalidArgument("initialize_connection's answer has no 'connection_info'");
    ConnectionResult r;
    BS_ASSIGN_OR_RETURN(r.info, internal::ConnectionInfoFromJson(*info));
    if (const auto* ex_out = o->if_contains("export"); ex_out && ex_out->is_object()) {
      const auto& eo = ex_out->get_object();
      if (const auto* l = eo.if_contains("location"); l && l->is_string()) r.export_record.location = std::string(l->get_string());
      if (const auto* a = eo.if_contains("auth"); a && a->is_string()) r.export_record.auth = std::string(a->get_string());
    }
    return r;
  }
  Status TerminateConnection(const Volume& v, const VolumeExport& ex, const Connector& c, bool revoke_host,
                             bool remove_export) override {
    if (!t_->terminate_connection) return Status::Ok();
    return Run("terminate_connection", [&](char** e) {
      return t_->terminate_connection(i_, V(v).c_str(),
                                      Json(json::object{{"location", ex.location}, {"auth", ex.auth}}).c_str(),
                                      Json(internal::ToJson(c)).c_str(), revoke_host ? 1 : 0, remove_export ? 1 : 0, e);
    });
  }

  Result<ConnectionInfo> InitializeSnapshotConnection(const Snapshot& s, const Connector& c) override {
    if (!t_->initialize_snapshot_connection) return VolumeDriver::InitializeSnapshotConnection(s, c);
    char* out = nullptr;
    BS_RETURN_IF_ERROR(Run("initialize_snapshot_connection", [&](char** e) {
      return t_->initialize_snapshot_connection(i_, S(s).c_str(), Json(internal::ToJson(c)).c_str(), &out, e);
    }));
    BS_ASSIGN_OR_RETURN(json::value info, internal::ParseJson(Take(out), "initialize_snapshot_connection's answer"));
    return internal::ConnectionInfoFromJson(info);
  }
  Status TerminateSnapshotConnection(const Snapshot& s, const Connector& c) override {
    if (!t_->terminate_snapshot_connection) return Status::Ok();
    return Run("terminate_snapshot_connection", [&](char** e) {
      return t_->terminate_snapshot_connection(i_, S(s).c_str(), Json(internal::ToJson(c)).c_str(), e);
    });
  }
  Status RestoreExports(const std::vector<ExportedVolume>& exported) override {
    if (!t_->restore_exports) return Status::Ok();
    json::array list;
    for (const auto& x : exported) {
      json::array connectors;
      for (const auto& c : x.connectors) connectors.push_back(internal::ToJson(c));
      list.push_back(json::object{{"volume", internal::ToJson(x.volume)},
                                  {"export", json::object{{"location", x.export_record.location},
                                                          {"auth", x.export_record.auth}}},
                                  {"connectors", std::move(connectors)}});
    }
    return Run("restore_exports", [&](char** e) { return t_->restore_exports(i_, Json(list).c_str(), e); });
  }

  Result<std::vector<Extent>> ChangedExtents(const Volume& v, const Snapshot& from, const Snapshot* to) override {
    if (!t_->changed_extents) return VolumeDriver::ChangedExtents(v, from, to);
    char* out = nullptr;
    const std::string until = to ? S(*to) : "";
    BS_RETURN_IF_ERROR(Run("changed_extents", [&](char** e) {
      return t_->changed_extents(i_, V(v).c_str(), S(from).c_str(), to ? until.c_str() : nullptr, &out, e);
    }));
    return ExtentsFrom(Take(out), "changed_extents's answer");
  }
  Status RevertToSnapshot(const Volume& v, const Snapshot& s) override {
    if (!t_->revert_to_snapshot) return VolumeDriver::RevertToSnapshot(v, s);
    return Run("revert_to_snapshot", [&](char** e) { return t_->revert_to_snapshot(i_, V(v).c_str(), S(s).c_str(), e); });
  }
  Result<uint64_t> ManageExistingGetSize(const Volume& v, const std::map<std::string, std::string>& ref) override {
    if (!t_->manage_existing_get_size) return VolumeDriver::ManageExistingGetSize(v, ref);
    uint64_t gb = 0;
    BS_RETURN_IF_ERROR(Run("manage_existing_get_size", [&](char** e) {
      return t_->manage_existing_get_size(i_, V(v).c_str(), Json(internal::MetadataToJson(ref)).c_str(), &gb, e);
    }));
    return gb;
  }
  Status ManageExisting(const Volume& v, const std::map<std::string, std::string>& ref) override {
    if (!t_->manage_existing) return VolumeDriver::ManageExisting(v, ref);
    return Run("manage_existing", [&](char** e) { return t_->manage_existing(i_, V(v).c_str(), Json(internal::MetadataToJson(ref)).c_str(), e); });
  }
  Status Unmanage(const Volume& v) override {
    if (!t_->unmanage) return VolumeDriver::Unmanage(v);
    return Run("unmanage", [&](char** e) { return t_->unmanage(i_, V(v).c_str(), e); });
  }
  Status Retype(const Volume& v, const std::map<std::string, std::string>& specs) override {
    if (!t_->retype) return VolumeDriver::Retype(v, specs);
    return Run("retype", [&](char** e) { return t_->retype(i_, V(v).c_str(), Json(internal::MetadataToJson(specs)).c_str(), e); });
  }
  Status MigrateVolume(const Volume& v, const std::string& destination) override {
    if (!t_->migrate_volume) return VolumeDriver::MigrateVolume(v, destination);
    return Run("migrate_volume", [&](char** e) { return t_->migrate_volume(i_, V(v).c_str(), destination.c_str(), e); });
  }

 private:
  static std::string V(const Volume& v) { return Json(internal::ToJson(v)); }
  static std::string S(const Snapshot& s) { return Json(internal::ToJson(s)); }
  template <typename F>
  static Status Run(const std::string& what, F&& call) {
    return Outcome(what, std::forward<F>(call));
  }
  Result<std::unique_ptr<BlockDevice>> Device(void* dev, const std::string& what) {
    if (!dev) return Internal("C driver: " + what + " succeeded without a device");
    return std::unique_ptr<BlockDevice>(new CDevice(t_, dev));
  }

  Table t_;
  void* i_;
};

Status Check(const bs_volume_driver& t) {
  if (t.version != BS_VOLUME_DRIVER_VERSION) {
    return InvalidArgument("unsupported bs_volume_driver version " + std::to_string(t.version) + " (this library: " +
                           std::to_string(BS_VOLUME_DRIVER_VERSION) + ")");
  }
  std::string missing;
#define BS_REQUIRED(f) \
  if (!t.f) missing += std::string(missing.empty() ? "" : ", ") + #f;
  BS_REQUIRED(create)
  BS_REQUIRED(initialize)
  BS_REQUIRED(default_pool)
  BS_REQUIRED(create_volume)
  BS_REQUIRED(create_volume_from_snapshot)
  BS_REQUIRED(create_cloned_volume)
  BS_REQUIRED(delete_volume)
  BS_REQUIRED(extend_volume)
  BS_REQUIRED(create_snapshot)
  BS_REQUIRED(delete_snapshot)
  BS_REQUIRED(volume_size)
  BS_REQUIRED(get_stats)
  BS_REQUIRED(open_volume)
  BS_REQUIRED(device_read)
  BS_REQUIRED(device_write)
  BS_REQUIRED(device_size)
  BS_REQUIRED(device_flush)
  BS_REQUIRED(device_close)
#undef BS_REQUIRED
  if (!missing.empty()) return InvalidArgument("a bs_volume_driver needs " + missing);
  return Status::Ok();
}

}  // namespace capi_driver

Status RegisterCDriver(DriverRegistry& registry, std::string name, const bs_volume_driver& table) {
  BS_RETURN_IF_ERROR(capi_driver::Check(table));
  auto t = std::make_shared<const bs_volume_driver>(table);
  return registry.Register(std::move(name), [t](const BackendConfig& c) -> Result<std::unique_ptr<VolumeDriver>> {
    void* instance = nullptr;
    const std::string text = capi_driver::Json(capi_driver::ToJson(c));
    BS_RETURN_IF_ERROR(capi_driver::Outcome("create", [&](char** e) { return t->create(t->payload, text.c_str(), &instance, e); }));
    return std::unique_ptr<VolumeDriver>(new capi_driver::CDriver(t, instance));
  });
}

namespace {

Result<const bs_volume_driver*> LoadEntry(const std::string& path) {
  if (path.empty()) return InvalidArgument("a driver's shared object needs a path");
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return NotFound("cannot load driver " + path + ": " + ::dlerror());
  auto entry = reinterpret_cast<bs_volume_driver_entry_fn>(::dlsym(handle, BS_VOLUME_DRIVER_ENTRY));
  if (!entry) return NotFound(path + " exports no " BS_VOLUME_DRIVER_ENTRY);
  const bs_volume_driver* table = entry();
  if (!table) return InvalidArgument(path + ": " BS_VOLUME_DRIVER_ENTRY " returned NULL");
  return table;
}

}  // namespace

Status RegisterSharedObjectDriver(DriverRegistry& registry, std::string name, const std::string& path) {
  BS_ASSIGN_OR_RETURN(const bs_volume_driver* table, LoadEntry(path));
  return RegisterCDriver(registry, std::move(name), *table);
}

}  // namespace blockstore

using namespace blockstore;

extern "C" {

int bs_driver_registry_new(bs_driver_registry** out) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedOut(out));
    *out = new bs_driver_registry();
    return Status::Ok();
  });
}

void bs_driver_registry_free(bs_driver_registry* registry) { delete registry; }

int bs_driver_registry_add(bs_driver_registry* registry, const char* name, const bs_volume_driver* driver) {
  return capi::Guard([&]() -> Status {
    if (!registry) return InvalidArgument("registry must not be NULL");
    if (!driver) return InvalidArgument("driver must not be NULL");
    BS_ASSIGN_OR_RETURN(std::string n, capi::Arg(name, "name"));
    if (n.empty()) return InvalidArgument("a driver needs a name");
    if (n == "file" || n == "rbd") return AlreadyExists("driver '" + n + "' is built in");
    for (const auto& [have, t] : registry->drivers) {
      if (have == n) return AlreadyExists("driver '" + n + "' is already registered");
    }
    BS_RETURN_IF_ERROR(capi_driver::Check(*driver));
    registry->drivers.emplace_back(std::move(n), *driver);
    return Status::Ok();
  });
}

int bs_driver_registry_load(bs_driver_registry* registry, const char* name, const char* path) {
  return capi::Guard([&]() -> Status {
    if (!registry) return InvalidArgument("registry must not be NULL");
    BS_ASSIGN_OR_RETURN(std::string p, capi::Arg(path, "path"));
    BS_ASSIGN_OR_RETURN(const bs_volume_driver* table, LoadEntry(p));
    const int rc = bs_driver_registry_add(registry, name, table);
    if (rc != 0) return Status(static_cast<Code>(-rc), bs_last_error());
    return Status::Ok();
  });
}

}  // extern "C"
