// blockstore — QuotaService: per-project quotas: limits and usage, updates and resets.
//
// Part of the api role, over the services' shared core (context and policy, quota, loaders):
// see docs/architecture.md. Mutating calls return at once with the record in its transitional
// status, as Cinder does; completion is an Event, or Engine's WaitFor… calls. Bad input gets
// invalid_argument and changes nothing; ids must be UUIDs; another project's resources are
// not_found, never forbidden, so ids do not leak.
//
// Thread-safety: every method may be called from any thread concurrently.
#ifndef BLOCKSTORE_QUOTA_SERVICE_HPP
#define BLOCKSTORE_QUOTA_SERVICE_HPP

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "blockstore/context.hpp"
#include "blockstore/export.h"
#include "blockstore/requests.hpp"
#include "blockstore/result.hpp"
#include "blockstore/types.hpp"

namespace blockstore {

namespace internal {
class ServiceCore;
}  // namespace internal

class BS_API QuotaService {
 public:
  explicit QuotaService(internal::ServiceCore& core);
  QuotaService(const QuotaService&) = delete;
  QuotaService& operator=(const QuotaService&) = delete;

  // A project's limits and usage: its own, or any project's for an admin.
  Result<QuotaSet> Get(const RequestContext& ctx, const std::string& project_id);
  QuotaSet GetDefaults() const;
  // Admin only. Limits are ≥ -1 (unlimited) and may not drop below what is in use + reserved.
  Result<QuotaSet> Update(const RequestContext& ctx, const std::string& project_id,
                          const std::map<std::string, int64_t>& limits);
  // Admin only: back to the defaults.
  Status Reset(const RequestContext& ctx, const std::string& project_id);

 private:
  internal::ServiceCore& core_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_QUOTA_SERVICE_HPP
