#include "lib/rpc/endpoint.hpp"

#include "lib/core/macros.hpp"
#include "lib/json/json_parse.hpp"

namespace blockstore::internal::rpc {

namespace json = boost::json;

Result<std::string> Dispatcher::Handle(const std::string& text) const {
  BS_ASSIGN_OR_RETURN(Envelope e, Decode(text));
  BS_RETURN_IF_ERROR(CheckVersion(e, api_, served_));
  auto it = methods_.find(e.method);
  if (it == methods_.end()) {
    return Unimplemented(api_ + " API " + e.version.ToString() + ": no method '" + e.method +
                         "' here (this service speaks up to " + served_.ToString() + ")");
  }
  BS_ASSIGN_OR_RETURN(json::value reply, it->second(e));
  return json::serialize(reply);
}

Status Dispatcher::Serve(Transport& transport, const std::string& topic, int workers) const {
  return transport.Listen(topic, [this](const std::string& text) { return Handle(text); }, workers);
}

Status Client::Cast(std::string method, std::string id, std::string request_id,
                    json::object args) const {
  Envelope e{std::move(method), version_, std::move(id), std::move(request_id), std::move(args)};
  return transport_.Cast(topic_, Encode(e));
}

Status Client::Fanout(std::string method, std::string id, json::object args) const {
  Envelope e{std::move(method), version_, std::move(id), {}, std::move(args)};
  return transport_.Fanout(topic_, Encode(e));
}

Result<json::value> Client::Call(std::string method, std::string id, std::string request_id,
                                 json::object args, std::chrono::milliseconds timeout) const {
  Envelope e{std::move(method), version_, std::move(id), std::move(request_id), std::move(args)};
  const std::string what = topic_ + " reply to " + e.method;
  BS_ASSIGN_OR_RETURN(std::string reply, transport_.Call(topic_, Encode(e), timeout));
  return ParseJson(reply, what);
}

}  // namespace blockstore::internal::rpc
