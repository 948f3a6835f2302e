#include "driver_loading.hpp"

#include <blockstore/c_driver.hpp>
#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <memory>
#include <vector>

namespace blockstored {

namespace {

using blockstore::DriverFactory;
using blockstore::Status;

// The embedding module beside this executable (built with the Python bindings).
blockstore::Result<DriverFactory> PythonDriver(const std::string& backend, const std::string& spec) {
  char exe[PATH_MAX] = {};
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  std::string dir = n > 0 ? std::string(exe, static_cast<std::size_t>(n)) : std::string();
  dir = dir.substr(0, dir.rfind('/') + 1);
  const std::string module = dir + "blockstored_python.so";
  void* handle = ::dlopen(module.c_str(), RTLD_NOW | RTLD_GLOBAL);  // global: Python's extensions need libpython
  if (!handle) {
    return blockstore::FailedPrecondition("backend '" + backend + "': Python drivers need " + module + ": " +
                                          ::dlerror());
  }
  using Entry = int (*)(const char*, void*, char**);
  auto entry = reinterpret_cast<Entry>(::dlsym(handle, "blockstored_python_driver"));
  if (!entry) return blockstore::FailedPrecondition(module + " has no blockstored_python_driver");
  DriverFactory factory;
  char* error = nullptr;
  if (entry(spec.c_str(), &factory, &error) != 0) {
    std::string why = error ? error : "unknown error";
    std::free(error);
    return blockstore::InvalidArgument("backend '" + backend + "': python:" + spec + ": " + why);
  }
  return factory;
}

}  // namespace

Status LoadDrivers(blockstore::EngineConfig& config) {
  struct Loaded {
    std::string name;
    std::string path;       // a shared object
    DriverFactory factory;  // or a Python class's
  };
  std::vector<Loaded> loaded;
  for (const auto& b : config.backends) {
    const std::string& d = b.driver;
    bool seen = false;
    for (const auto& l : loaded) seen = seen || l.name == d;
    if (seen) continue;
    if (d.starts_with("/")) {
      loaded.push_back({d, d, {}});
    } else if (d.starts_with("python:")) {
      auto f = PythonDriver(b.name, d.substr(7));
      if (!f.ok()) return f.status();
      loaded.push_back({d, {}, std::move(f).value()});
    }
  }
  if (loaded.empty()) return Status::Ok();
  config.register_drivers = [loaded](blockstore::DriverRegistry& r) -> Status {
    for (const auto& l : loaded) {
      Status s = l.path.empty() ? r.Register(l.name, l.factory) : blockstore::RegisterSharedObjectDriver(r, l.name, l.path);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  };
  return Status::Ok();
}

}  // namespace blockstored
