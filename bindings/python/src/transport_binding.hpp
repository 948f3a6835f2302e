// A transport the Python host writes (blockstore.Transport), for Engine(transport=…).
#ifndef BLOCKSTORE_BINDINGS_PYTHON_TRANSPORT_BINDING_HPP
#define BLOCKSTORE_BINDINGS_PYTHON_TRANSPORT_BINDING_HPP

#include <atomic>
#include <memory>

#include "bindings.hpp"

namespace blockstore::python {

// invalid_argument (as the Python error) when the object lacks listen, cast or call.
std::shared_ptr<Transport> TransportFromPython(py::object obj);

}  // namespace blockstore::python

#endif  // BLOCKSTORE_BINDINGS_PYTHON_TRANSPORT_BINDING_HPP
