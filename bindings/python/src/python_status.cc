// Python exceptions as Statuses, for the places the engine calls into Python.
#include "bindings.hpp"

namespace blockstore::python {

Status StatusOfPython(py::error_already_set& e, const std::string& what) {
  std::string code_name;
  if (py::hasattr(e.value(), "code")) {
    try {
      code_name = py::str(e.value().attr("code"));
    } catch (py::error_already_set&) {
    }
  }
  const std::string message = py::hasattr(e.value(), "message") ? std::string(py::str(e.value().attr("message")))
                                                                  : std::string(py::str(e.value()));
  for (int c = static_cast<int>(Code::kInvalidArgument); c <= static_cast<int>(Code::kPermissionDenied); ++c) {
    if (CodeName(static_cast<Code>(c)) == code_name) return Status(static_cast<Code>(c), message);
  }
  return Internal(what + " raised: " + e.what());
}

}  // namespace blockstore::python
