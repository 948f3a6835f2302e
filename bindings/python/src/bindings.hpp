// Shared by the pybind11 translation units.
#ifndef BLOCKSTORE_BINDINGS_PYTHON_BINDINGS_HPP
#define BLOCKSTORE_BINDINGS_PYTHON_BINDINGS_HPP

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "blockstore/engine.hpp"

namespace blockstore::python {

namespace py = pybind11;

// Carries a Status out of C++; the translator turns it into blockstore.errors.<Class>.
struct StatusError {
  Status status;
};

inline void Check(const Status& s) {
  if (!s.ok()) throw StatusError{s};
}
template <typename T>
T Unwrap(Result<T> r) {
  if (!r.ok()) throw StatusError{r.status()};
  return std::move(r).value();
}

// Holds a Python object for C++ code that may drop it on any thread: the last owner takes the
// GIL to release it.
inline std::shared_ptr<py::object> KeepWithGil(py::object o) {
  return std::shared_ptr<py::object>(new py::object(std::move(o)), [](py::object* p) {
    py::gil_scoped_acquire hold;
    delete p;
  });
}

void BindRecords(py::module_& m);
void BindScheduling(py::module_& m);
void BindEngine(py::module_& m);
// The scheduler options of Engine(scheduler=…, filters=…, weighers=…).
SchedulerOptions SchedulerOptionsFrom(const std::optional<py::dict>& config,
                                      const std::map<std::string, py::object>& filters,
                                      const std::map<std::string, py::object>& weighers);

}  // namespace blockstore::python

#endif  // BLOCKSTORE_BINDINGS_PYTHON_BINDINGS_HPP
