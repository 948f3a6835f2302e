#include "lib/rest/rest_idempotency.hpp"

#include <openssl/evp.h>

#include "lib/rest/rest_call.hpp"

namespace blockstore::rest {
namespace {

// What the request was: its method, target and microversion, and a SHA-256 of its body.
std::string Fingerprint(const RestRequest& req, const std::string& version) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(req.body.data(), req.body.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return req.method + " " + req.target + " " + version + " " + hex;
}

std::string VersionOf(const RestRequest& req) {
  for (const auto& [k, v] : req.headers) {
    std::string lower = k;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "openstack-api-version") return v;
  }
  return {};
}

}  // namespace

std::optional<RestResponse> ClaimKey(Engine& engine, const RequestContext& ctx, const RestRequest& req,
                                     const std::string* header, ClaimedKey& claimed) {
  if (!header) return std::nullopt;
  if (req.method != "POST" && req.method != "PUT" && req.method != "PATCH" && req.method != "DELETE") {
    return std::nullopt;  // reads are idempotent already
  }
  const std::string key = "rest:" + *header;
  auto held = engine.idempotency().Begin(ctx, key, Fingerprint(req, VersionOf(req)));
  if (!held.ok()) return Error(held.status().code() == Code::kInvalidArgument
                                   ? Status(InvalidArgument("Idempotency-Key: " + held.status().message()))
                                   : held.status());
  if (!*held) {
    claimed.key = key;
    return std::nullopt;
  }
  const IdempotentRequest& first = **held;
  if (first.fingerprint != Fingerprint(req, VersionOf(req))) {
    return Error(422, "Idempotency-Key '" + Clean(*header) + "' was used for another request");
  }
  if (!first.answered) {
    return Error(409, "A request with Idempotency-Key '" + Clean(*header) + "' is in progress; retry later");
  }
  RestResponse replay;
  replay.status = first.status_code;
  replay.body = first.answer;
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
