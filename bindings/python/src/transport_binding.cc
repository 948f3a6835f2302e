// A transport written in Python: an object with listen, cast, call (and optionally fanout and
// shutdown) methods, seen by the engine as a Transport. Each call into it takes the GIL; the
// handler it is given releases the GIL while the engine's role runs.
#include "bindings.hpp"
#include "transport_binding.hpp"

namespace blockstore::python {

namespace {

class PyTransport final : public Transport {
 public:
  explicit PyTransport(py::object obj) : obj_(KeepWithGil(std::move(obj))) {}
  ~PyTransport() override { Shutdown(); }

  Status Listen(const std::string& topic, MessageHandler handler, int workers) override {
    py::gil_scoped_acquire hold;
    auto fn = py::cpp_function([handler = std::move(handler)](const std::string& message) -> std::string {
      Result<std::string> out = InvalidArgument("not run");
      {
        py::gil_scoped_release release;
        out = handler(message);
      }
      return Unwrap(std::move(out));
    });
    try {
      obj_->attr("listen")(topic, fn, workers);
    } catch (py::error_already_set& e) {
      return StatusOfPython(e, "the Python transport's listen");
    }
    return Status::Ok();
  }

  Status Cast(const std::string& topic, std::string message) override {
    py::gil_scoped_acquire hold;
    try {
      obj_->attr("cast")(topic, message);
    } catch (py::error_already_set& e) {
      return StatusOfPython(e, "the Python transport's cast");
    }
    return Status::Ok();
  }

  Status Fanout(const std::string& topic, std::string message) override {
    {
      py::gil_scoped_acquire hold;
      if (py::hasattr(*obj_, "fanout")) {
        try {
          obj_->attr("fanout")(topic, message);
        } catch (py::error_already_set& e) {
          return StatusOfPython(e, "the Python transport's fanout");
        }
        return Status::Ok();
      }
    }
    return Transport::Fanout(topic, std::move(message));
  }

  Result<std::string> Call(const std::string& topic, std::string message,
                           std::chrono::milliseconds timeout) override {
    py::gil_scoped_acquire hold;
    try {
      py::object reply = obj_->attr("call")(topic, message, static_cast<double>(timeout.count()) / 1000.0);
      return reply.cast<std::string>();
    } catch (py::error_already_set& e) {
      return StatusOfPython(e, "the Python transport's call");
    } catch (const py::cast_error&) {
      return Internal("the Python transport's call must return a str");
    }
  }

  void Shutdown() override {
    if (shut_.exchange(true)) return;
    py::gil_scoped_acquire hold;
    if (!py::hasattr(*obj_, "shutdown")) return;
    try {
      obj_->attr("shutdown")();
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable("blockstore transport shutdown");
    }
  }

 private:
  std::shared_ptr<py::object> obj_;
  std::atomic<bool> shut_{false};
};

}  // namespace

std::shared_ptr<Transport> TransportFromPython(py::object obj) {
  for (const char* method : {"listen", "cast", "call"}) {
    if (!py::hasattr(obj, method)) {
      throw StatusError{InvalidArgument(std::string("a transport needs listen, cast and call methods; this one has no ") +
                                        method)};
    }
  }
  return std::make_shared<PyTransport>(std::move(obj));
}

}  // namespace blockstore::python
