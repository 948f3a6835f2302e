// Shared by the pybind11 translation units.
#ifndef BLOCKSTORE_BINDINGS_PYTHON_BINDINGS_HPP
#define BLOCKSTORE_BINDINGS_PYTHON_BINDINGS_HPP

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "blockstore/engine.hpp"
#include "blockstore/engine_config.hpp"

namespace blockstore::python {

namespace py = pybind11;

// Carries a Status out of C++; the translator turns it into blockstore.errors.<Class>.
struct StatusError {
  Status status;
};

// Python values to and from JSON text (through Python's json module), for the records that cross
// as JSON (connectors, connection info, driver answers).
inline std::string Dumps(const py::handle& o) {
  return py::module_::import("json").attr("dumps")(o).cast<std::string>();
}
inline py::object Loads(const std::string& text) { return py::module_::import("json").attr("loads")(text); }

// A Python exception as a Status: a blockstore error keeps its code, anything else is internal,
// its message naming `what` raised it. Call with the GIL held.
Status StatusOfPython(py::error_already_set& e, const std::string& what);

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

// The Engine object Python holds: the engine until close() drops it.
class PyEngine {
 public:
  explicit PyEngine(std::unique_ptr<Engine> e) : engine_(std::move(e)) {}
  ~PyEngine() {
    py::gil_scoped_release release;  // engine threads may be waiting for the GIL
    engine_.reset();
  }
  Engine& get() {
    if (!engine_) throw StatusError{Unavailable("the engine is closed")};
    return *engine_;
  }
  VolumeService& volumes() { return get().volumes(); }
  SnapshotService& snapshots() { return get().snapshots(); }
  BackupService& backups() { return get().backups(); }
  AttachmentService& attachments() { return get().attachments(); }
  TypeService& types() { return get().types(); }
  QosService& qos() { return get().qos(); }
  QuotaService& quotas() { return get().quotas(); }

 private:
  std::unique_ptr<Engine> engine_;
};

// Releases the GIL for the duration of a bound call.
using Release = py::call_guard<py::gil_scoped_release>;

using Ctx = const RequestContext&;

inline std::chrono::milliseconds Millis(double seconds) {
  if (!(seconds >= 0)) throw StatusError{InvalidArgument("timeout must be a non-negative number of seconds")};
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0));
}

template <typename E, typename Parse>
std::vector<E> Statuses(const std::vector<std::string>& names, Parse parse, const char* kind) {
  std::vector<E> out;
  for (const auto& n : names) {
    auto s = parse(n);
    if (!s) throw StatusError{InvalidArgument("'" + n + "' is not a " + kind + " status")};
    out.push_back(*s);
  }
  if (out.empty()) throw StatusError{InvalidArgument("name at least one status to wait for")};
  return out;
}

// A list query from the keyword arguments the list_* methods share; sort as [(key, "asc"|"desc")].
ListQuery Query(std::optional<std::string> name, std::optional<std::string> status,
                std::optional<std::string> volume_id, std::optional<std::string> zone,
                std::optional<bool> bootable, std::optional<Metadata> metadata,
                std::optional<std::vector<std::pair<std::string, std::string>>> sort,
                std::optional<int64_t> limit, std::string marker, bool all_projects);

void BindRecords(py::module_& m);
void BindScheduling(py::module_& m);
void BindEngine(py::module_& m);
// Backup records and the Engine's backup methods; after BindEngine.
void BindBackups(py::module_& m);
// Attachments, the legacy attach actions and the host-side connector; after BindEngine.
void BindAttach(py::module_& m);
// The REST handler; after BindEngine.
void BindRest(py::module_& m);
// The hooks a host gives in code, set on a configuration the schema read: progress and key
// callbacks (backup_binding.cc), host filters and weighers (scheduler_binding.cc).
void SetBackupHooks(BackupConfig& c, const std::optional<py::function>& progress,
                    const std::optional<py::function>& keys);
std::shared_ptr<const SchedulerRegistry> RegistryFrom(const std::map<std::string, py::object>& filters,
                                                      const std::map<std::string, py::object>& weighers);

}  // namespace blockstore::python

#endif  // BLOCKSTORE_BINDINGS_PYTHON_BINDINGS_HPP
