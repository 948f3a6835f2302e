// blockstore — RequestContext: who is asking.
//
// Every service call takes one. A context scopes what the caller can see and touch to its project;
// the "admin" role lifts that scope and allows admin-only operations.
//
// Thread-safety: a plain value.
#ifndef BLOCKSTORE_CONTEXT_HPP
#define BLOCKSTORE_CONTEXT_HPP

#include <algorithm>
#include <string>
#include <vector>

namespace blockstore {

struct RequestContext {
  std::string project_id;
  std::string user_id;
  std::vector<std::string> roles;
  std::string request_id;  // "req-<uuid>"; filled in by the service when empty
  // When set, a create made with it is made once: a retry with the same key (and the same
  // request) gets the same resource, charged to quota once; the same key with another request
  // is refused. Remembered for the engine's idempotency_key_ttl.
  std::string idempotency_key;

  [[nodiscard]] bool is_admin() const {
    return std::find(roles.begin(), roles.end(), "admin") != roles.end();
  }

  static RequestContext Admin(std::string project_id = "admin") {
    return RequestContext{std::move(project_id), "admin", {"admin"}, {}, {}};
  }
  static RequestContext User(std::string project_id, std::string user_id = "user") {
    return RequestContext{std::move(project_id), std::move(user_id), {"member"}, {}, {}};
  }
};

}  // namespace blockstore

#endif  // BLOCKSTORE_CONTEXT_HPP
