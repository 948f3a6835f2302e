// Internal: the Idempotency-Key header of mutating REST calls — a retried request gets the
// first one's answer (IdempotencyService keeps it).
#ifndef BLOCKSTORE_LIB_REST_REST_IDEMPOTENCY_HPP
#define BLOCKSTORE_LIB_REST_REST_IDEMPOTENCY_HPP

#include <optional>
#include <string>

#include "blockstore/engine.hpp"
#include "blockstore/rest.hpp"

namespace blockstore::rest {

// A key this request claimed (empty: none to settle).
struct ClaimedKey {
  std::string key;
};

// For a POST, PUT, PATCH or DELETE carrying an Idempotency-Key (`header`; `version` is its
// OpenStack-API-Version header, or null): claims it, or
// answers in the request's place — the first request's answer again (with
// Idempotent-Replayed: true), 409 while the first still runs, 422 when the key came with another
// request, 400 for a malformed key. nullopt: serve the request (then SettleKey).
std::optional<RestResponse> ClaimKey(Engine& engine, const RequestContext& ctx, const RestRequest& req,
                                     const std::string* header, const std::string* version, ClaimedKey& claimed);
// Keeps the answer for retries; an answer of 5xx frees the key instead (a retry runs again).
void SettleKey(Engine& engine, const RequestContext& ctx, const ClaimedKey& claimed, const RestResponse& r);

}  // namespace blockstore::rest

#endif  // BLOCKSTORE_LIB_REST_REST_IDEMPOTENCY_HPP
