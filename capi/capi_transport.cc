// The C ABI's host transport: a table of the host's functions, seen by the engine as a Transport.
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include "capi/capi_internal.hpp"
#include "lib/core/macros.hpp"

struct bs_transport_handler {
  blockstore::MessageHandler handler;
};

namespace blockstore::capi {

namespace {

Status FromCode(int rc, std::string message, const std::string& what) {
  return capi::StatusFromCode(rc, std::move(message), "host transport: " + what);
}

class HostTransport final : public Transport {
 public:
  explicit HostTransport(const bs_transport& table) : t_(table) {}
  ~HostTransport() override { Shutdown(); }

  Status Listen(const std::string& topic, MessageHandler handler, int workers) override {
    if (!handler || workers < 1) return InvalidArgument("Listen needs a handler and workers ≥ 1");
    auto h = std::make_unique<bs_transport_handler>();
    h->handler = std::move(handler);
    {
      std::lock_guard lock(mu_);
      if (shut_) return Unavailable("transport is shut down");
      handlers_.push_back(std::move(h));
    }
    return FromCode(t_.listen(t_.payload, topic.c_str(), handlers_.back().get(), workers), "",
                    "listen on '" + topic + "'");
  }

  Status Cast(const std::string& topic, std::string message) override {
    return FromCode(t_.cast(t_.payload, topic.c_str(), message.c_str()), "", "cast to '" + topic + "'");
  }

  Status Fanout(const std::string& topic, std::string message) override {
    if (!t_.fanout) return Transport::Fanout(topic, std::move(message));
    return FromCode(t_.fanout(t_.payload, topic.c_str(), message.c_str()), "", "fanout to '" + topic + "'");
  }

  Result<std::string> Call(const std::string& topic, std::string message,
                           std::chrono::milliseconds timeout) override {
    char* reply = nullptr;
    const int rc = t_.call(t_.payload, topic.c_str(), message.c_str(), timeout.count(), &reply);
    std::string text = reply ? reply : "";
    std::free(reply);
    if (rc == 0) return text;
    return FromCode(rc, std::move(text), "call to '" + topic + "'");
  }

  void Shutdown() override {
    {
      std::lock_guard lock(mu_);
      if (shut_) return;
      shut_ = true;
    }
    if (t_.shutdown) t_.shutdown(t_.payload);
  }

 private:
  const bs_transport t_;
  std::mutex mu_;
  std::vector<std::unique_ptr<bs_transport_handler>> handlers_;  // alive while the host may call them
  bool shut_ = false;
};

}  // namespace

Result<std::shared_ptr<Transport>> WrapHostTransport(const bs_transport* table) {
  if (table->version < 1 || table->version > BS_TRANSPORT_VERSION) {
    return InvalidArgument("unsupported bs_transport version " + std::to_string(table->version));
  }
  if (!table->listen || !table->cast || !table->call) {
    return InvalidArgument("a bs_transport needs listen, cast and call");
  }
  return std::shared_ptr<Transport>(std::make_shared<HostTransport>(*table));
}

}  // namespace blockstore::capi

using namespace blockstore;

int bs_transport_handle(const bs_transport_handler* handler, const char* message, char** reply_out) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedOut(reply_out));
    *reply_out = nullptr;
    if (!handler) return InvalidArgument("handler must not be NULL");
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(message, "message"));
    Result<std::string> out = handler->handler(text);
    *reply_out = capi::Dup(out.ok() ? *out : out.status().message());
    return out.status();
  });
}
