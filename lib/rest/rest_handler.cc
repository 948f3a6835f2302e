// RestHandler: parses a request, authenticates it, negotiates the microversion and hands it to
// the resource handlers.
#include <cctype>
#include <set>
#include <sstream>

#include "blockstore/rest.hpp"
#include "lib/core/ids.hpp"
#include "lib/rest/rest_call.hpp"
#include "lib/rest/rest_idempotency.hpp"

namespace blockstore {
namespace {

using rest::Call;
using rest::Error;
using rest::Json;
namespace json = internal::json;

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const std::string* Header(const RestRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (Lower(k) == name) return &v;
  }
  return nullptr;
}

// %XX and '+' (in queries) decoded; false for a malformed escape or a control character.
bool Decode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size() || !std::isxdigit(static_cast<unsigned char>(in[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
        return false;
      }
      c = static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    out.push_back(c);
  }
  return true;
}

json::object VersionDoc(const std::string& base) {
  return {{"id", "v3.0"},
          {"status", "CURRENT"},
          {"version", RestHandler::MaxVersion()},
          {"min_version", "3.0"},
          {"updated", "2026-11-25T00:00:00Z"},
          {"links", json::array{json::object{{"href", base + "/v3/"}, {"rel", "self"}}}},
          {"media-types", json::array{json::object{
                              {"base", "application/json"},
                              {"type", "application/vnd.openstack.volume+json;version=3"}}}}};
}

}  // namespace

struct RestHandler::Impl {
  Engine& engine;
  RestOptions options;

  RestResponse Serve(const RestRequest& req, RestOutcome& outcome);
  // The caller, or the response refusing it.
  std::variant<RequestContext, RestResponse> Authenticate(const RestRequest& req) const;
};

std::string RestHandler::MaxVersion() { return "3." + std::to_string(rest::kMaxMinor); }

Result<std::map<std::string, RestIdentity>> ParseTokenFile(const std::string& text) {
  std::map<std::string, RestIdentity> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    std::istringstream fields(line);
    std::string token, user, project, roles, extra;
    if (!(fields >> token)) continue;
    if (!(fields >> user >> project)) {
      return InvalidArgument("token file line " + std::to_string(n) +
                             ": want 'token user project [role,role…]'");
    }
    fields >> roles;
    if (fields >> extra) return InvalidArgument("token file line " + std::to_string(n) + ": too many fields");
    RestIdentity id{user, project, {}};
    std::size_t start = 0;
    while (start < roles.size()) {
      const auto comma = roles.find(',', start);
      const std::string role = roles.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!role.empty()) id.roles.push_back(role);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (id.roles.empty()) id.roles.push_back("member");
    if (!out.emplace(token, id).second) {
      return InvalidArgument("token file line " + std::to_string(n) + ": the token appears twice");
    }
  }
  return out;
}

Status CheckAuthStrategy(const std::string& strategy) {
  if (strategy == "noauth" || strategy == "noauth_cinder" || strategy == "tokens") return Status::Ok();
  return InvalidArgument("auth_strategy must be noauth, noauth_cinder or tokens, not '" +
                         rest::Clean(strategy.substr(0, 64)) + "'");
}

std::variant<RequestContext, RestResponse> RestHandler::Impl::Authenticate(const RestRequest& req) const {
  const std::string* token = Header(req, "x-auth-token");
  if (!token || token->empty()) return Error(401, "Authentication required");
  RequestContext ctx;
  if (options.auth_strategy == "tokens") {
    auto it = options.tokens.find(*token);
    if (it == options.tokens.end()) return Error(401, "Authentication required");
    ctx = RequestContext{it->second.project_id, it->second.user_id, it->second.roles, {}, {}};
  } else {
    // Cinder's noauth: "user:project" (or one name for both).
    const auto colon = token->find(':');
    ctx.user_id = token->substr(0, colon);
    ctx.project_id = colon == std::string::npos ? *token : token->substr(colon + 1);
    if (const std::string* roles = Header(req, "x-roles")) {
      std::istringstream in(*roles);
      std::string role;
      while (std::getline(in, role, ',')) {
        while (!role.empty() && role.front() == ' ') role.erase(role.begin());
        while (!role.empty() && role.back() == ' ') role.pop_back();
        if (!role.empty()) ctx.roles.push_back(role);
      }
    }
    // Cinder's noauth makes every caller an admin; blockstore's only the one that says so.
    if (options.auth_strategy == "noauth_cinder" || ctx.user_id == "admin" || ctx.project_id == "admin") {
      ctx.roles.push_back("admin");
    }
    if (ctx.roles.empty()) ctx.roles.push_back("member");
  }
  if (ctx.project_id.empty() || ctx.user_id.empty() || ctx.project_id.size() > 255 ||
      ctx.user_id.size() > 255) {
    return Error(401, "Authentication required");
  }
  return ctx;
}

RestResponse RestHandler::Impl::Serve(const RestRequest& req, RestOutcome& outcome) {
  if (req.body.size() > options.max_body_bytes) return Error(413, "Request is too large.");
  const std::string& target = req.target;
  const auto qmark = target.find('?');
  const std::string_view raw_path = std::string_view(target).substr(0, qmark);
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= raw_path.size()) {
    const auto slash = raw_path.find('/', start);
    const auto piece = raw_path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!piece.empty()) {
      std::string decoded;
      if (!Decode(piece, false, decoded) || rest::Clean(decoded) != decoded || decoded == "." || decoded == ".." ||
          decoded.find('/') != std::string::npos || decoded.size() > 255) {
        return Error(400, "Malformed request URL");
      }
      segments.push_back(std::move(decoded));
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string base = options.public_url;
  if (base.empty()) {
    const std::string* host = Header(req, "host");
    base = "http://" + (host && !host->empty() ? *host : std::string("localhost"));
  }
  if (segments.empty()) {
    outcome.route = req.method + " /";
    return Json(300, json::object{{"versions", json::array{VersionDoc(base)}}});
  }
  if (segments[0] != "v3") return Error(404, "Unknown API version: use /v3");
  if (segments.size() == 1) {
    outcome.route = req.method + " /v3";
    return Json(200, json::object{{"versions", json::array{VersionDoc(base)}}});
  }
  // The microversion.
  int minor = 0;
  if (const std::string* v = Header(req, "openstack-api-version")) {
    std::string text = *v;
    if (!text.starts_with("volume ")) return Error(400, "Invalid OpenStack-API-Version header: '" + text.substr(0, 64) + "'");
    text = text.substr(7);
    if (text == "latest") {
      minor = rest::kMaxMinor;
    } else {
      if (!text.starts_with("3.") || text.size() < 3 || text.size() > 6) {
        return Error(text.starts_with("3.") ? 400 : 406, "Version " + text.substr(0, 16) + " is not supported by the API. Minimum is 3.0 and maximum is " + RestHandler::MaxVersion() + ".");
      }
      for (char ch : text.substr(2)) {
        if (!std::isdigit(static_cast<unsigned char>(ch))) return Error(400, "Invalid OpenStack-API-Version header");
      }
      minor = std::stoi(text.substr(2));
      if (minor > rest::kMaxMinor) {
        return Error(406, "Version " + text + " is not supported by the API. Minimum is 3.0 and maximum is " + RestHandler::MaxVersion() + ".");
      }
    }
  }
  auto who = Authenticate(req);
  if (auto* refused = std::get_if<RestResponse>(&who)) return std::move(*refused);
  RequestContext ctx = std::get<RequestContext>(std::move(who));
  ctx.request_id = outcome.request_id;
  outcome.project_id = ctx.project_id;
  // /v3/{project}/… or, as Cinder serves from 3.67 on, /v3/… for the caller's own project.
  static const std::set<std::string> kCollections = {
      "volumes", "snapshots", "types", "os-quota-sets", "limits", "scheduler-stats",
      "os-services", "backups", "attachments", "qos-specs", "os-availability-zone", "resource_filters", "capabilities", "extensions",
      "messages", "os-volume-transfer", "volume-transfers"};
  const bool projectless = kCollections.count(segments[1]) > 0;
  const std::string project = projectless ? ctx.project_id : segments[1];
  if (project != ctx.project_id && !ctx.is_admin()) {
    return Error(400, "Malformed request URL: URL's project_id '" + project +
                          "' doesn't match Context's project_id '" + ctx.project_id + "'");
  }
  Call c{engine, req, req.method, ctx, minor, project, {}, {}, base, {}};
  c.path.assign(segments.begin() + (projectless ? 1 : 2), segments.end());
  if (qmark != std::string::npos) {
    std::string_view q = std::string_view(target).substr(qmark + 1);
    while (!q.empty()) {
      const auto amp = q.find('&');
      const auto pair = q.substr(0, amp);
      q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
      if (pair.empty()) continue;
      const auto eq = pair.find('=');
      std::string k, v;
      if (!Decode(pair.substr(0, eq), true, k) ||
          !Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true, v) ||
          rest::Clean(k) != k || rest::Clean(v) != v) {
        return Error(400, "Malformed query string");
      }
      c.query.emplace(std::move(k), std::move(v));
    }
  }
  rest::ClaimedKey claimed;
  if (auto answered = rest::ClaimKey(engine, ctx, req, Header(req, "idempotency-key"),
                                        Header(req, "openstack-api-version"), claimed)) {
    outcome.route = req.method + " (idempotent replay)";
    answered->headers.emplace_back("OpenStack-API-Version", "volume 3." + std::to_string(minor));
    answered->headers.emplace_back("Vary", "OpenStack-API-Version");
    return std::move(*answered);
  }
  RestResponse r;
  bool served = false;
  for (auto handler : {rest::Volumes, rest::Snapshots, rest::Types, rest::Qos, rest::Quotas, rest::Backups,
                       rest::Attachments, rest::Messages, rest::Transfers, rest::Service}) {
    if (auto answer = handler(c)) {
      r = std::move(*answer);
      served = true;
      break;
    }
  }
  outcome.route = c.route;
  if (!served) r = Error(404, "The resource could not be found.");
  rest::SettleKey(engine, ctx, claimed, r);
  if (!served) return r;
  r.headers.emplace_back("OpenStack-API-Version", "volume 3." + std::to_string(minor));
  r.headers.emplace_back("Vary", "OpenStack-API-Version");
  return r;
}

RestHandler::RestHandler(Engine& engine, RestOptions options)
    : impl_(std::make_unique<Impl>(Impl{engine, std::move(options)})) {}
RestHandler::~RestHandler() = default;

RestResponse RestHandler::Handle(const RestRequest& request, RestOutcome* outcome) {
  RestOutcome local;
  RestOutcome& o = outcome ? *outcome : local;
  o.request_id = "req-" + internal::NewUuid();
  RestResponse r;
  try {
    r = impl_->Serve(request, o);
  } catch (const std::exception& e) {
    r = Error(500, std::string("The server has either erred or is incapable of performing the requested operation."));
  }
  if (o.route.empty()) o.route = request.method + " (unrouted)";
  r.headers.emplace_back("x-openstack-request-id", o.request_id);
  return r;
}

}  // namespace blockstore
