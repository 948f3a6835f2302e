// blockstore — IdempotencyService: requests made once however often they are sent. A client
// gives a request a key; the first request with it claims the key, runs, and leaves its answer;
// a retry with the same key and the same request gets that answer instead of running again
// (never a second resource, never a second quota charge); the same key with another request is
// refused. Keys are per project and remembered for the engine's idempotency_key_ttl.
//
// The REST layer keeps whole answers here for every mutating call that carries an
// `Idempotency-Key` header; the services use it for creates made with
// RequestContext::idempotency_key. The two keep their keys apart.
//
// Thread-safety: every method may be called from any thread concurrently; two claims of one key
// at once (in any processes sharing the store) are won by exactly one.
#ifndef BLOCKSTORE_IDEMPOTENCY_SERVICE_HPP
#define BLOCKSTORE_IDEMPOTENCY_SERVICE_HPP

#include <optional>
#include <string>

#include "blockstore/context.hpp"
#include "blockstore/export.h"
#include "blockstore/result.hpp"
#include "blockstore/types.hpp"

namespace blockstore {

namespace internal {
class ServiceCore;
}  // namespace internal

// What Begin found for a key.
struct IdempotentClaim {
  enum class Outcome {
    kFirst,         // this request claimed the key: run it, then Finish or Abandon
    kAnswered,      // the same request ran before: its answer is below
    kRunning,       // the same request is running now
    kOtherRequest,  // the key was given to another request
  };
  Outcome outcome = Outcome::kFirst;
  int status_code = 0;  // kAnswered
  std::string answer;   // kAnswered
};

class BS_API IdempotencyService {
 public:
  explicit IdempotencyService(internal::ServiceCore& core);
  IdempotencyService(const IdempotencyService&) = delete;
  IdempotencyService& operator=(const IdempotencyService&) = delete;

  // Claims `key` of the caller's project for a request described by `fingerprint`, or says
  // what holds it. A claim left unanswered for five minutes (its process died mid-request) is
  // taken over. Expired keys are forgotten now and then. invalid_argument for a key that is
  // empty, over 255 bytes or not clean text.
  Result<IdempotentClaim> Begin(const RequestContext& ctx, const std::string& key, const std::string& fingerprint);
  // The claimed request's answer, which retries get from now on.
  Status Finish(const RequestContext& ctx, const std::string& key, int status_code, const std::string& answer);
  // The claimed request failed so that a retry should run it again: the key is free.
  Status Abandon(const RequestContext& ctx, const std::string& key);

 private:
  internal::ServiceCore& core_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_IDEMPOTENCY_SERVICE_HPP
