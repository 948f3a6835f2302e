// Volume drivers a Python host brings, for Engine(drivers=…): a blockstore.VolumeDriver
// subclass (made once per backend that names it), or the path of a shared object holding a C
// driver (bs_volume_driver_entry).
#ifndef BLOCKSTORE_BINDINGS_PYTHON_DRIVER_BINDING_HPP
#define BLOCKSTORE_BINDINGS_PYTHON_DRIVER_BINDING_HPP

#include <functional>
#include <map>
#include <string>

#include "bindings.hpp"

namespace blockstore::python {

// What EngineConfig::register_drivers runs; empty for no drivers. invalid_argument (raised)
// for a value that is neither a class nor a str.
std::function<Status(DriverRegistry&)> DriversFrom(const std::map<std::string, py::object>& drivers);

// The name of the capsule _driver_factory(cls) answers: a DriverFactory* a C++ host copies.
inline constexpr const char* kDriverFactoryCapsule = "blockstore.DriverFactory";

// _driver_factory, for C++ hosts that embed Python.
void BindDrivers(py::module_& m);

}  // namespace blockstore::python

#endif  // BLOCKSTORE_BINDINGS_PYTHON_DRIVER_BINDING_HPP
