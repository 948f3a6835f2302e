// blockstore — the REST layer: Cinder's v3 API as a transport-agnostic handler.
//
// A host mounts a RestHandler in whatever HTTP server it runs: it passes each request in
// (method, target, headers, body) and writes the response out. The library never opens a
// socket. examples/blockstored mounts it in a Boost.Beast server.
//
// What is served: the version documents (GET /, GET /v3/), and under /v3/{project_id}/
// volumes (+ detail, metadata, actions), snapshots, types (+ extra_specs), qos-specs,
// os-quota-sets (+ defaults), limits, scheduler-stats/get_pools, os-services, backups
// (+ detail, restore, export/import), attachments (3.27+); docs/rest.md has the list.
// Microversions come in `OpenStack-API-Version: volume 3.N` (3.0 when
// absent, 406 outside the supported range) and go back in the same header. Errors are Cinder's
// bodies ({"itemNotFound": {"code": 404, "message": …}}). Every response carries
// x-openstack-request-id.
//
// Auth: "noauth" takes `X-Auth-Token: <user>:<project>` (Cinder's noauth token; roles from
// X-Roles, and admin when the user or project is "admin"); "noauth_cinder" takes the same token
// and makes every caller an admin, as Cinder's own noauth does (for tools written against it;
// development only); "tokens" looks the token up in RestOptions::tokens. The project in the URL must be the token's unless the caller is an
// admin; /v3/<collection> without a project means the caller's own.
//
// Thread-safety: Handle may be called from any number of threads at once.
#ifndef BLOCKSTORE_REST_HPP
#define BLOCKSTORE_REST_HPP

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "blockstore/engine.hpp"
#include "blockstore/export.h"

namespace blockstore {

struct RestRequest {
  std::string method;                          // "GET", "POST", …
  std::string target;                          // path and query: "/v3/p1/volumes?limit=5"
  std::map<std::string, std::string> headers;  // names in any case
  std::string body;
};

struct RestResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // JSON, or empty
};

// A caller a static token stands for.
struct RestIdentity {
  std::string user_id;
  std::string project_id;
  std::vector<std::string> roles;
};

struct RestOptions {
  std::string auth_strategy = "noauth";         // noauth | noauth_cinder | tokens
  std::map<std::string, RestIdentity> tokens;   // for "tokens": token → who
  std::string public_url;                       // for links; Default: from the Host header
  std::size_t max_body_bytes = 1 << 20;         // larger bodies: 413
};

// ok for "noauth", "noauth_cinder" and "tokens"; invalid_argument naming them otherwise.
BS_API Status CheckAuthStrategy(const std::string& strategy);

// Reads a static token file: one "token user project [role,role…]" per line, '#' comments.
// invalid_argument naming the line for a malformed or repeated one.
BS_API Result<std::map<std::string, RestIdentity>> ParseTokenFile(const std::string& text);

// What Handle saw, for a host's logs and metrics.
struct RestOutcome {
  std::string route;       // "GET /volumes/{id}": the route, ids elided
  std::string request_id;
  std::string project_id;  // of the caller, once known
};

class BS_API RestHandler {
 public:
  RestHandler(Engine& engine, RestOptions options);
  ~RestHandler();
  RestHandler(const RestHandler&) = delete;
  RestHandler& operator=(const RestHandler&) = delete;

  RestResponse Handle(const RestRequest& request, RestOutcome* outcome = nullptr);

  // The microversions served: "3.0" .. MaxVersion().
  static std::string MaxVersion();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_REST_HPP
