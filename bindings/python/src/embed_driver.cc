// blockstored's Python drivers: a small module the daemon loads (dlopen) only when a backend
// names `volume_driver = python:pkg.module.Class`. It starts an interpreter in the daemon (no
// signal handlers: the daemon keeps its own), imports the class and hands back the factory the
// blockstore extension makes for it (the same one Engine(drivers=…) uses).
#include <pybind11/embed.h>

#include <cstring>
#include <string>

#include "blockstore/driver.hpp"
#include "driver_binding.hpp"

namespace py = pybind11;

namespace {

char* Dup(const std::string& s) { return ::strdup(s.c_str()); }

}  // namespace

// Fills *out (a blockstore::DriverFactory) with the factory of `spec` ("pkg.module.Class").
// 0, or non-zero with *error (malloc'd) saying why.
extern "C" __attribute__((visibility("default"))) int blockstored_python_driver(const char* spec, void* out,
                                                                               char** error) {
  const std::string text = spec ? spec : "";
  const auto dot = text.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == text.size()) {
    *error = Dup("a Python driver is named module.Class, not '" + text + "'");
    return -1;
  }
  if (!Py_IsInitialized()) {
    py::initialize_interpreter(/*init_signal_handlers=*/false);
    PyEval_SaveThread();  // engine threads take the GIL when they call the driver
  }
  py::gil_scoped_acquire hold;
  try {
    py::object cls = py::module_::import(text.substr(0, dot).c_str()).attr(text.substr(dot + 1).c_str());
    py::object capsule = py::module_::import("blockstore._blockstore").attr("_driver_factory")(cls);
    auto* factory = static_cast<blockstore::DriverFactory*>(
        PyCapsule_GetPointer(capsule.ptr(), blockstore::python::kDriverFactoryCapsule));
    if (!factory) throw py::error_already_set();
    *static_cast<blockstore::DriverFactory*>(out) = *factory;
    return 0;
  } catch (py::error_already_set& e) {
    *error = Dup(e.what());
    return -1;
  }
}
