// Scheduling as Python sees it: pool and request views, explanations, and Python callables as
// scheduler filters and weighers (called from engine threads, with the GIL taken).
#include <pybind11/functional.h>

#include "bindings.hpp"

namespace blockstore::python {
namespace {

py::object CapacityValue(const Capacity& c) {
  if (c.kind == Capacity::Kind::kNumber) return py::float_(c.gb);
  return py::str(c.kind == Capacity::Kind::kInfinite ? "infinite" : "unknown");
}

// A Python filter: fn(pool, request) returns True/False, or (False, "why").
class PyFilter final : public BackendFilter {
 public:
  explicit PyFilter(py::object fn) : fn_(KeepWithGil(std::move(fn))) {}
  bool Passes(const PoolState& pool, const RequestSpec& r, std::string* why) const override {
    py::gil_scoped_acquire hold;
    try {
      py::object out = (*fn_)(pool, r);
      if (py::isinstance<py::tuple>(out)) {
        auto t = out.cast<py::tuple>();
        const bool pass = t.size() > 0 && py::bool_(t[0]);
        if (!pass && why && t.size() > 1) *why = py::str(t[1]);
        return pass;
      }
      return py::bool_(out);
    } catch (py::error_already_set& e) {
      if (why) *why = std::string("the filter raised: ") + e.what();
      return false;
    }
  }

 private:
  std::shared_ptr<py::object> fn_;
};

// A Python weigher: fn(pool, request) returns a number.
class PyWeigher final : public BackendWeigher {
 public:
  explicit PyWeigher(py::object fn) : fn_(KeepWithGil(std::move(fn))) {}
  double Weigh(const PoolState& pool, const RequestSpec& r) const override {
    py::gil_scoped_acquire hold;
    try {
      return (*fn_)(pool, r).cast<double>();
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable("blockstore weigher");
      return 0;
    } catch (const py::cast_error&) {
      return 0;
    }
  }

 private:
  std::shared_ptr<py::object> fn_;
};

}  // namespace

std::shared_ptr<const SchedulerRegistry> RegistryFrom(const std::map<std::string, py::object>& filters,
                                                      const std::map<std::string, py::object>& weighers) {
  if (filters.empty() && weighers.empty()) return nullptr;
  auto reg = std::make_shared<SchedulerRegistry>();
  for (const auto& [name, fn] : filters) {
    if (!PyCallable_Check(fn.ptr())) throw StatusError{InvalidArgument("filter '" + name + "' is not callable")};
    Check(reg->AddFilter(name, std::make_shared<PyFilter>(fn)));
  }
  for (const auto& [name, fn] : weighers) {
    if (!PyCallable_Check(fn.ptr())) throw StatusError{InvalidArgument("weigher '" + name + "' is not callable")};
    Check(reg->AddWeigher(name, std::make_shared<PyWeigher>(fn)));
  }
  return reg;
}

void BindScheduling(py::module_& m) {
  py::class_<ServiceState>(m, "Service", "A service on the store, as os-services shows it.")
      .def_readonly("binary", &ServiceState::binary)
      .def_readonly("host", &ServiceState::host)
      .def_readonly("availability_zone", &ServiceState::availability_zone)
      .def_readonly("version", &ServiceState::version)
      .def_property_readonly("updated_at", [](const ServiceState& s) { return FormatTime(s.updated_at); })
      .def_readonly("up", &ServiceState::up)
      .def_readonly("disabled", &ServiceState::disabled)
      .def_readonly("disabled_reason", &ServiceState::disabled_reason)
      .def("__repr__", [](const ServiceState& s) {
        return "<Service " + s.binary + " " + s.host + (s.up ? " up" : " down") +
               (s.disabled ? " disabled>" : ">");
      });
  py::class_<PoolState>(m, "Pool", "A pool the scheduler knows, with its capacity and capabilities.")
      .def_readonly("name", &PoolState::name)
      .def_readonly("backend", &PoolState::backend)
      .def_readonly("host", &PoolState::host)
      .def_readonly("availability_zone", &PoolState::availability_zone)
      .def_readonly("volume_backend_name", &PoolState::volume_backend_name)
      .def_readonly("storage_protocol", &PoolState::storage_protocol)
      .def_readonly("volume_count", &PoolState::volume_count)
      .def_readonly("reserved_gb", &PoolState::reserved_gb)
      .def_property_readonly("total_capacity_gb", [](const PoolState& p) { return CapacityValue(p.stats.total_capacity_gb); })
      .def_property_readonly("free_capacity_gb", [](const PoolState& p) { return CapacityValue(p.stats.free_capacity_gb); })
      .def_property_readonly("allocated_capacity_gb", [](const PoolState& p) { return p.stats.allocated_capacity_gb; })
      .def_property_readonly("provisioned_capacity_gb", [](const PoolState& p) { return p.stats.provisioned_capacity_gb; })
      .def_property_readonly("thin_provisioning_support", [](const PoolState& p) { return p.stats.thin_provisioning_support; })
      .def_property_readonly("capabilities", [](const PoolState& p) { return p.stats.capabilities; })
      .def("__repr__", [](const PoolState& p) { return "<blockstore.Pool " + p.name + ">"; });

  py::class_<RequestSpec>(m, "RequestSpec", "What a placement request asks for.")
      .def_property_readonly("operation", [](const RequestSpec& r) { return ToString(r.operation); })
      .def_readonly("volume_id", &RequestSpec::volume_id)
      .def_readonly("project_id", &RequestSpec::project_id)
      .def_readonly("size", &RequestSpec::size_gb)
      .def_readonly("availability_zone", &RequestSpec::availability_zone)
      .def_property_readonly("volume_type", [](const RequestSpec& r) { return r.volume_type.name; })
      .def_property_readonly("extra_specs", [](const RequestSpec& r) { return r.volume_type.extra_specs; })
      .def_readonly("metadata", &RequestSpec::metadata)
      .def_property_readonly("attempts", [](const RequestSpec& r) {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& a : r.attempts) out.emplace_back(a.backend, a.error);
        return out;
      });

  py::class_<FilterStep>(m, "FilterStep", "What one filter did to a request.")
      .def_readonly("filter", &FilterStep::filter)
      .def_readonly("before", &FilterStep::before)
      .def_readonly("removed", &FilterStep::removed)
      .def_readonly("reasons", &FilterStep::reasons)
      .def("__repr__", [](const FilterStep& s) {
        return "<blockstore.FilterStep " + s.filter + " removed " + std::to_string(s.removed) + " of " +
               std::to_string(s.before) + ">";
      });
  py::class_<RankedPool>(m, "RankedPool", "A pool that passed, with its weight.")
      .def_readonly("pool", &RankedPool::pool)
      .def_readonly("weight", &RankedPool::weight)
      .def_readonly("raw", &RankedPool::raw);
  py::class_<PlacementExplanation>(m, "PlacementExplanation",
                                   "How a request would be placed: filters, ranking, winner.")
      .def_readonly("pools", &PlacementExplanation::pools)
      .def_readonly("stale", &PlacementExplanation::stale)
      .def_readonly("out_of_service", &PlacementExplanation::out_of_service)
      .def_readonly("filters", &PlacementExplanation::steps)
      .def_readonly("ranking", &PlacementExplanation::ranking)
      .def_property_readonly("chosen", [](const PlacementExplanation& e) -> py::object {
        if (e.chosen.empty()) return py::none();
        return py::str(e.chosen);
      })
      .def_property_readonly("error", [](const PlacementExplanation& e) -> py::object {
        if (e.error.empty()) return py::none();
        return py::str(e.error);
      });
}

}  // namespace blockstore::python
