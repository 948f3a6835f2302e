#include "lib/rest/rest_call.hpp"

#include <cctype>

#include "lib/core/macros.hpp"
#include "lib/rest/query_dict.hpp"

namespace blockstore::rest {
namespace {

struct Fault {
  int http;
  const char* name;
};

Fault FaultFor(Code code) {
  switch (code) {
    case Code::kInvalidArgument:
    case Code::kFailedPrecondition: return {400, "badRequest"};
    case Code::kNotFound: return {404, "itemNotFound"};
    case Code::kAlreadyExists:
    case Code::kAborted: return {409, "conflictingRequest"};
    case Code::kResourceExhausted: return {413, "overLimit"};
    case Code::kPermissionDenied: return {403, "forbidden"};
    case Code::kUnimplemented: return {501, "notImplemented"};
    case Code::kUnavailable: return {503, "serviceUnavailable"};
    default: return {500, "computeFault"};
  }
}

const char* NameFor(int http) {
  switch (http) {
    case 400: return "badRequest";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "itemNotFound";
    case 405: return "badMethod";
    case 406: return "notAcceptable";
    case 409: return "conflictingRequest";
    case 413: return "overLimit";
    case 415: return "badMediaType";
    case 501: return "notImplemented";
    case 503: return "serviceUnavailable";
    default: return "computeFault";
  }
}

}  // namespace

std::string Clean(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    const auto c = static_cast<unsigned char>(in[i]);
    int len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    bool ok = len > 0 && i + static_cast<std::size_t>(len) <= in.size() && !(len == 1 && (c < 0x20 || c == 0x7f));
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (int k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(in[i + static_cast<std::size_t>(k)]);
      ok = (cc & 0xc0) == 0x80;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (ok && len > 1) ok = cp >= kMin[len] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    if (ok) {
      out.append(in, i, static_cast<std::size_t>(len));
      i += static_cast<std::size_t>(len);
    } else {
      out.push_back('?');
      ++i;
    }
  }
  return out;
}

std::optional<std::string> Call::Param(const std::string& key) const {
  std::optional<std::string> out;
  auto [lo, hi] = query.equal_range(key);
  for (auto it = lo; it != hi; ++it) out = it->second;
  return out;
}

Result<json::object> Call::Body() const {
  if (request.body.empty()) return InvalidArgument("the request needs a JSON body");
  auto parsed = internal::ParseJson(request.body, "Malformed request body");
  if (!parsed.ok()) return parsed.status();
  json::value v = std::move(parsed).value();
  if (!v.is_object()) return InvalidArgument("Malformed request body: not a JSON object");
  return std::move(v.as_object());
}

std::string Call::Link(const std::string& collection, const std::string& id) const {
  return base + "/v3/" + project + "/" + collection + "/" + id;
}

RestResponse Json(int status, const json::value& body) {
  RestResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  // Appended piece by piece: large lists grow the text without zero-filling it first.
  json::serializer sr;
  sr.reset(&body);
  char buf[32768];
  while (!sr.done()) r.body.append(sr.read(buf, sizeof buf));
  return r;
}

RestResponse JsonText(int status, std::string body) {
  RestResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

RestResponse Empty(int status) {
  RestResponse r;
  r.status = status;
  return r;
}

RestResponse Error(int http, const std::string& message) {
  json::object inner{{"code", http}, {"message", Clean(message)}};
  return Json(http, json::object{{NameFor(http), std::move(inner)}});
}

RestResponse Error(const Status& s) {
  const Fault f = FaultFor(s.code());
  json::object inner{{"code", f.http}, {"message", Clean(s.message())}};
  return Json(f.http, json::object{{f.name, std::move(inner)}});
}

Result<json::object> Member(const json::object& body, const char* key) {
  const auto* v = body.if_contains(key);
  if (!v) return InvalidArgument(std::string("Missing required element '") + key + "' in request body.");
  if (!v->is_object()) return InvalidArgument(std::string("'") + key + "' must be an object");
  return v->as_object();
}

Result<bool> BodyBool(const json::value& v, const std::string& what) {
  if (v.is_bool()) return v.get_bool();
  if (v.is_string()) {
    std::string s(v.get_string());
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (s == "true" || s == "1" || s == "yes" || s == "on" || s == "y" || s == "t") return true;
    if (s == "false" || s == "0" || s == "no" || s == "off" || s == "n" || s == "f") return false;
  }
  return InvalidArgument("'" + what + "' must be a boolean");
}

Result<bool> BoolParam(const Call& c, const std::string& key, bool fallback) {
  auto v = c.Param(key);
  if (!v) return fallback;
  if (v->empty()) return true;
  return BodyBool(json::value(*v), key);
}

const std::vector<std::string>& VolumeListFilters() {
  static const std::vector<std::string> k = {"name", "status", "metadata", "bootable", "availability_zone",
                                             "size", "created_at", "updated_at", "glance_metadata"};
  return k;
}
const std::vector<std::string>& SnapshotListFilters() {
  static const std::vector<std::string> k = {"name", "status", "volume_id", "metadata"};
  return k;
}
const std::vector<std::string>& BackupListFilters() {
  static const std::vector<std::string> k = {"name", "status", "volume_id", "metadata", "availability_zone"};
  return k;
}
const std::vector<std::string>& AttachmentListFilters() {
  static const std::vector<std::string> k = {"volume_id", "status", "instance_id", "attach_status"};
  return k;
}

Result<ListQuery> ListFrom(const Call& c, const std::vector<std::string>& filters) {
  ListQuery q;
  auto allowed = [&](const std::string& k) {
    return std::find(filters.begin(), filters.end(), k) != filters.end();
  };
  for (const auto& [k, v] : c.query) {
    if (k == "limit") {
      char* end = nullptr;
      const long long n = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 0) return InvalidArgument("limit must be a non-negative integer");
      q.limit = std::min<long long>(std::max<long long>(n, 1), 1000);
      if (n == 0) q.limit = 1000;
    } else if (k == "marker") {
      q.marker = v;
    } else if (k == "sort") {
      q.sort.clear();
      std::size_t start = 0;
      while (start <= v.size()) {
        const auto comma = v.find(',', start);
        const std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) {
          const auto colon = item.find(':');
          SortKey s;
          s.key = item.substr(0, colon);
          if (colon != std::string::npos) {
            const std::string dir = item.substr(colon + 1);
            if (dir != "asc" && dir != "desc") return InvalidArgument("sort direction must be asc or desc");
            s.descending = dir == "desc";
          } else {
            s.descending = true;
          }
          q.sort.push_back(s);
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (k == "sort_key" || k == "sort_dir") {
      if (c.Param("sort")) return InvalidArgument("sort cannot be mixed with sort_key or sort_dir");
    } else if (k == "all_tenants") {
      BS_ASSIGN_OR_RETURN(bool all, BodyBool(json::value(v.empty() ? std::string("true") : v), k));
      q.all_projects = all && c.ctx.is_admin();
    } else if (k == "project_id") {
      // An admin's view of one project (with all_tenants); anyone else sees only their own.
      if (!v.empty()) q.project_id = v;
    } else if (k == "with_count") {
      // answered by the handler
    } else if (k == "offset") {
      return InvalidArgument("offset is not supported; page with marker");
    } else if (k == "metadata") {
      if (!allowed("metadata")) return InvalidArgument("Invalid filter keys: metadata");
      BS_ASSIGN_OR_RETURN(q.metadata, ParseQueryDict(v, "metadata"));
    } else if (k.size() > 1 && k.back() == '~' &&
               (allowed(k.substr(0, k.size() - 1)) || k == "description~")) {
      if (!c.Version(34)) return InvalidArgument("Invalid filter keys: " + k + " (needs microversion 3.34)");
      q.like[k.substr(0, k.size() - 1)] = v;
    } else if (allowed(k)) {
      if (k == "name") q.name = v;
      else if (k == "status") q.status = v;
      else if (k == "volume_id") q.volume_id = v;
      else if (k == "availability_zone") q.availability_zone = v;
      else if (k == "bootable") {
        BS_ASSIGN_OR_RETURN(bool b, BodyBool(json::value(v), k));
        q.bootable = b;
      } else if (k == "size") {
        char* end = nullptr;
        const long long n = std::strtoll(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || n < 0) return InvalidArgument("size must be a non-negative integer");
        q.size = n;
      }
    } else {
      return InvalidArgument("Invalid filter keys: " + k);
    }
  }
  if (q.sort.empty()) {
    auto key = c.Param("sort_key");
    auto dir = c.Param("sort_dir");
    if (key || dir) {
      if (dir && *dir != "asc" && *dir != "desc") return InvalidArgument("sort_dir must be asc or desc");
      q.sort.push_back({key.value_or("created_at"), !dir || *dir == "desc"});
    } else {
      q.sort.push_back({"created_at", true});
    }
  }
  return q;
}

std::optional<std::string> NextLink(const Call& c, std::size_t returned,
                                    const std::optional<int64_t>& limit,
                                    const std::string& last_id) {
  const int64_t page = limit.value_or(1000);
  if (returned < static_cast<std::size_t>(page) || last_id.empty()) return std::nullopt;
  // The same path and query, the marker moved on: a detail list's next page is a detail list.
  std::string href = c.base + "/v3/" + c.project;
  for (const auto& segment : c.path) href += "/" + PercentEncode(segment);
  char sep = '?';
  for (const auto& [k, v] : c.query) {
    if (k == "marker") continue;
    href += sep + PercentEncode(k) + "=" + PercentEncode(v);
    sep = '&';
  }
  return href + sep + "marker=" + PercentEncode(last_id);
}

void AddNextLink(const Call& c, json::object& out, const std::string& collection,
                 std::size_t returned, const std::optional<int64_t>& limit,
                 const std::string& last_id) {
  auto href = NextLink(c, returned, limit, last_id);
  if (!href) return;
  out[collection + "_links"] = json::array{json::object{{"href", *href}, {"rel", "next"}}};
}

std::string PercentEncode(std::string_view in) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char ch : in) {
    const auto u = static_cast<unsigned char>(ch);
    if (std::isalnum(u) || ch == '-' || ch == '_' || ch == '.' || ch == '~' || ch == ':' || ch == ',') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

}  // namespace blockstore::rest
