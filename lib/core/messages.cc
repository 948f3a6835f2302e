#include "lib/core/messages.hpp"

#include "lib/core/json_codec.hpp"

namespace blockstore::internal {

std::string VolumeTopic(std::string_view backend) { return "volume." + std::string(backend); }

std::string BackendOf(std::string_view pool_host) {
  return std::string(pool_host.substr(0, pool_host.find('#')));
}

std::string EncodeMessage(const Message& m) {
  json::object o{{"method", m.method}, {"id", m.id}, {"request_id", m.request_id}};
  if (!m.body.empty()) {
    auto body = ParseJson(m.body, "message body");
    o["body"] = body.ok() ? std::move(body).value() : json::value(m.body);
  }
  return json::serialize(o);
}

Result<Message> DecodeMessage(const std::string& text) {
  auto v = ParseJson(text, "message");
  if (!v.ok()) return v.status();
  const auto* o = v->if_object();
  if (!o) return InvalidArgument("a message must be a JSON object");
  Message m;
  auto str = [&](std::string_view k) {
    auto* f = o->if_contains(k);
    return f && f->is_string() ? std::string(f->get_string()) : std::string();
  };
  m.method = str("method");
  m.id = str("id");
  m.request_id = str("request_id");
  if (auto* b = o->if_contains("body")) m.body = json::serialize(*b);
  if (m.method.empty()) return InvalidArgument("a message needs a method");
  return m;
}

}  // namespace blockstore::internal
