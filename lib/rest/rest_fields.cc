#include "lib/rest/rest_fields.hpp"

namespace blockstore::rest {

Result<std::optional<std::string>> Str(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return InvalidArgument(std::string("'") + key + "' must be a string");
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::optional<int64_t>> Int(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<int64_t>();
  if (v->is_int64()) return std::optional<int64_t>(v->get_int64());
  if (v->is_uint64()) return InvalidArgument(std::string("'") + key + "' is too large");
  if (v->is_string()) {  // Cinder takes "10" as well as 10
    const std::string s(v->get_string());
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && *end == '\0' && errno == 0) return std::optional<int64_t>(n);
  }
  if (v->is_double()) {
    const double d = v->get_double();
    if (d > -1e15 && d < 1e15 && d == static_cast<double>(static_cast<int64_t>(d))) {
      return std::optional<int64_t>(static_cast<int64_t>(d));
    }
  }
  return InvalidArgument(std::string("'") + key + "' must be an integer");
}

Result<std::optional<bool>> Bool(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<bool>();
  auto b = BodyBool(*v, key);
  if (!b.ok()) return b.status();
  return std::optional<bool>(*b);
}

Result<std::optional<Metadata>> Meta(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<Metadata>();
  auto m = internal::MetadataFromJson(*v, key);
  if (!m.ok()) return m.status();
  return std::optional<Metadata>(std::move(m).value());
}

Status OnlyKnown(const json::object& o, const std::set<std::string>& known, const char* what) {
  for (const auto& kv : o) {
    if (!known.count(std::string(kv.key()))) {
      return InvalidArgument(std::string(what) + ": unknown field '" + std::string(kv.key()) + "'");
    }
  }
  return Status::Ok();
}

}  // namespace blockstore::rest
