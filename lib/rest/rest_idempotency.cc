#include "lib/rest/rest_idempotency.hpp"

#include <openssl/evp.h>

#include "lib/encoding/hex.hpp"
#include "lib/rest/rest_call.hpp"

namespace blockstore::rest {
namespace {

// What the request was: its method, target and microversion, and a SHA-256 of its body.
std::string Fingerprint(const RestRequest& req, const std::string& version) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(req.body.data(), req.body.size(), digest, &len, EVP_sha256(), nullptr);
  return req.method + " " + req.target + " " + version + " " + internal::HexEncode(digest, len);
}

}  // namespace

std::optional<RestResponse> ClaimKey(Engine& engine, const RequestContext& ctx, const RestRequest& req,
                                     const std::string* header, const std::string* version, ClaimedKey& claimed) {
  if (!header) return std::nullopt;
  if (req.method != "POST" && req.method != "PUT" && req.method != "PATCH" && req.method != "DELETE") {
    return std::nullopt;  // reads are idempotent already
  }
  const std::string key = "rest:" + *header;
  auto claim = engine.idempotency().Begin(ctx, key, Fingerprint(req, version ? *version : std::string()));
  if (!claim.ok()) {
    return Error(claim.status().code() == Code::kInvalidArgument
                     ? Status(InvalidArgument("Idempotency-Key: " + claim.status().message()))
                     : claim.status());
  }
  switch (claim->outcome) {
    case IdempotentClaim::Outcome::kFirst:
      claimed.key = key;
      return std::nullopt;
    case IdempotentClaim::Outcome::kOtherRequest:
      return Error(422, "Idempotency-Key '" + Clean(*header) + "' was used for another request");
    case IdempotentClaim::Outcome::kRunning:
      return Error(409, "A request with Idempotency-Key '" + Clean(*header) + "' is in progress; retry later");
    case IdempotentClaim::Outcome::kAnswered:
      break;
  }
  RestResponse replay;
  replay.status = claim->status_code;
  replay.body = std::move(claim->answer);
  if (!replay.body.empty()) replay.headers.emplace_back("Content-Type", "application/json");
  replay.headers.emplace_back("Idempotent-Replayed", "true");
  return replay;
}

void SettleKey(Engine& engine, const RequestContext& ctx, const ClaimedKey& claimed, const RestResponse& r) {
  if (claimed.key.empty()) return;
  if (r.status >= 500) {
    (void)engine.idempotency().Abandon(ctx, claimed.key);
    return;
  }
  (void)engine.idempotency().Finish(ctx, claimed.key, r.status, r.body);
}

}  // namespace blockstore::rest
