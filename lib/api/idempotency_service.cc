// IdempotencyService: the keys of requests made once.
#include "blockstore/idempotency_service.hpp"

#include <atomic>

#include "lib/api/service_core.hpp"
#include "lib/api/validation.hpp"
#include "lib/core/macros.hpp"

namespace blockstore {

IdempotencyService::IdempotencyService(internal::ServiceCore& core) : core_(core) {}

Result<IdempotentClaim> IdempotencyService::Begin(const RequestContext& ctx, const std::string& key,
                                                  const std::string& fingerprint) {
  BS_RETURN_IF_ERROR(core_.CheckContext(ctx));
  if (key.empty()) return InvalidArgument("an idempotency key must not be empty");
  BS_RETURN_IF_ERROR(internal::CheckText("idempotency key", key));
  IdempotentRequest r;
  r.project_id = ctx.project_id;
  r.key = key;
  r.fingerprint = fingerprint;
  r.created_at = core_.env().Now();
  r.expires_at = r.created_at + core_.options().idempotency_key_ttl;
  // Expired keys go with every 256th claim: the table stays the size of a ttl's requests.
  static std::atomic<unsigned> claims{0};
  if (claims.fetch_add(1) % 256 == 0) (void)core_.store().idempotency().DeleteExpired(r.created_at);
  BS_ASSIGN_OR_RETURN(auto held, core_.store().idempotency().Claim(r, r.created_at));
  // A claim left unanswered this long belongs to a process that died mid-request (no call runs
  // for minutes): the key is free again.
  constexpr auto kAbandoned = std::chrono::minutes(5);
  if (held && !held->answered && held->created_at + kAbandoned < r.created_at) {
    BS_RETURN_IF_ERROR(core_.store().idempotency().Release(r.project_id, r.key));
    BS_ASSIGN_OR_RETURN(held, core_.store().idempotency().Claim(r, r.created_at));
  }
  using Outcome = IdempotentClaim::Outcome;
  IdempotentClaim claim;
  if (!held) return claim;
  if (held->fingerprint != fingerprint) {
    claim.outcome = Outcome::kOtherRequest;
  } else if (!held->answered) {
    claim.outcome = Outcome::kRunning;
  } else {
    claim.outcome = Outcome::kAnswered;
    claim.status_code = held->status_code;
    claim.answer = std::move(held->answer);
  }
  return claim;
}

Status IdempotencyService::Finish(const RequestContext& ctx, const std::string& key, int status_code,
                                  const std::string& answer) {
  return core_.store().idempotency().Answer(ctx.project_id, key, status_code, answer);
}

Status IdempotencyService::Abandon(const RequestContext& ctx, const std::string& key) {
  return core_.store().idempotency().Release(ctx.project_id, key);
}

}  // namespace blockstore
