// The REST handler as Python sees it: blockstore.RestHandler(engine, …).handle(method, target,
// headers, body) → (status, headers, body), for hosts that serve HTTP from Python.
#include "blockstore/rest.hpp"
#include "bindings.hpp"

namespace blockstore::python {
namespace {

// Keeps the engine alive as long as the handler.
class PyRest {
 public:
  PyRest(py::object engine, RestOptions options)
      : engine_obj_(std::move(engine)),
        handler_(engine_obj_.cast<PyEngine&>().get(), std::move(options)) {}
  RestHandler& get() { return handler_; }

 private:
  py::object engine_obj_;
  RestHandler handler_;
};

}  // namespace

void BindRest(py::module_& m) {
  py::class_<PyRest>(m, "RestHandler",
                     "Cinder's v3 REST API over an Engine, for an HTTP server the host runs.")
      .def(py::init([](py::object engine, std::string auth_strategy,
                       std::map<std::string, std::tuple<std::string, std::string, std::vector<std::string>>> tokens,
                       std::string public_url, std::size_t max_body_bytes) {
             RestOptions o;
             if (Status s = CheckAuthStrategy(auth_strategy); !s.ok()) throw StatusError{s};
             o.auth_strategy = std::move(auth_strategy);
             for (auto& [token, who] : tokens) {
               auto& [user, project, roles] = who;
               o.tokens[token] = RestIdentity{user, project, roles.empty() ? std::vector<std::string>{"member"} : roles};
             }
             if (o.auth_strategy == "tokens" && o.tokens.empty()) {
               throw StatusError{InvalidArgument("auth_strategy tokens needs tokens")};
             }
             o.public_url = std::move(public_url);
             o.max_body_bytes = max_body_bytes;
             return std::make_unique<PyRest>(std::move(engine), std::move(o));
           }),
           py::arg("engine"), py::kw_only(), py::arg("auth_strategy") = "noauth",
           py::arg("tokens") = std::map<std::string, std::tuple<std::string, std::string, std::vector<std::string>>>{},
           py::arg("public_url") = "", py::arg("max_body_bytes") = std::size_t{1} << 20)
      .def("handle",
           [](PyRest& r, std::string method, std::string target, std::map<std::string, std::string> headers,
              py::bytes body) {
             RestRequest req{std::move(method), std::move(target), std::move(headers), body.cast<std::string>()};
             RestResponse res;
             {
               py::gil_scoped_release release;
               res = r.get().Handle(req);
             }
             std::map<std::string, std::string> out;
             for (const auto& [k, v] : res.headers) out[k] = v;
             return py::make_tuple(res.status, out, py::bytes(res.body));
           },
           py::arg("method"), py::arg("target"), py::arg("headers") = std::map<std::string, std::string>{},
           py::arg("body") = py::bytes(""),
           "One request: answers (status, headers, body).");
}

}  // namespace blockstore::python
