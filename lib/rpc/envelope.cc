#include "lib/rpc/envelope.hpp"

#include <charconv>

#include "lib/json/json_parse.hpp"

namespace blockstore::internal::rpc {

namespace json = boost::json;

std::string Encode(const Envelope& e) {
  json::object o{{"method", e.method}, {"version", e.version.ToString()}, {"args", e.args}};
  if (!e.id.empty()) o["id"] = e.id;
  if (!e.request_id.empty()) o["request_id"] = e.request_id;
  return json::serialize(o);
}

namespace {

bool ParseVersion(std::string_view text, Version& out) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size()) return false;
  auto number = [](std::string_view s, int& n) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    return ec == std::errc() && end == s.data() + s.size() && n >= 0;
  };
  return number(text.substr(0, dot), out.major) && number(text.substr(dot + 1), out.minor);
}

}  // namespace

Result<Envelope> Decode(std::string_view text) {
  auto parsed = ParseJson(text, "message");
  if (!parsed.ok()) return parsed.status();
  const auto* o = parsed->if_object();
  if (!o) return InvalidArgument("a message must be a JSON object");
  Envelope e;
  auto text_field = [&](std::string_view key, std::string& out) -> Status {
    const auto* f = o->if_contains(key);
    if (!f || f->is_null()) return Status::Ok();
    if (!f->is_string()) return InvalidArgument("message: '" + std::string(key) + "' must be a string");
    out = std::string(f->get_string());
    return Status::Ok();
  };
  std::string version;
  for (auto [key, out] : {std::pair<std::string_view, std::string*>{"method", &e.method},
                          {"id", &e.id}, {"request_id", &e.request_id}, {"version", &version}}) {
    if (Status s = text_field(key, *out); !s.ok()) return s;
  }
  if (e.method.empty()) return InvalidArgument("message: no method");
  if (!ParseVersion(version, e.version)) {
    return InvalidArgument("message '" + e.method + "': version '" + version.substr(0, 16) +
                           "' is not major.minor");
  }
  if (const auto* a = o->if_contains("args"); a && !a->is_null()) {
    if (!a->is_object()) return InvalidArgument("message '" + e.method + "': args must be an object");
    e.args = a->get_object();
  }
  return e;
}

Status CheckVersion(const Envelope& e, std::string_view api, Version served) {
  if (e.version.major == served.major) return Status::Ok();
  return Unimplemented(std::string(api) + " API " + e.version.ToString() + " ('" + e.method +
                       "') is not served here (this service speaks " +
                       std::to_string(served.major) + ".x, up to " + served.ToString() + ")");
}

}  // namespace blockstore::internal::rpc
