// blockstore — QosService: QoS specs (admin only): create, show, list, delete, keys, and their
// association with volume types.
//
// Part of the api role, over the services' shared core (context and policy, quota, loaders):
// see docs/architecture.md. Mutating calls return at once with the record in its transitional
// status, as Cinder does; completion is an Event, or Engine's WaitFor… calls. Bad input gets
// invalid_argument and changes nothing; ids must be UUIDs; another project's resources are
// not_found, never forbidden, so ids do not leak.
//
// Thread-safety: every method may be called from any thread concurrently.
#ifndef BLOCKSTORE_QOS_SERVICE_HPP
#define BLOCKSTORE_QOS_SERVICE_HPP

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

class BS_API QosService {
 public:
  explicit QosService(internal::ServiceCore& core);
  QosService(const QosService&) = delete;
  QosService& operator=(const QosService&) = delete;

  Result<QosSpec> Create(const RequestContext& ctx, const QosSpecCreateRequest& request);
  Result<QosSpec> Get(const RequestContext& ctx, const std::string& id);
  Result<std::vector<QosSpec>> List(const RequestContext& ctx);
  Status Delete(const RequestContext& ctx, const std::string& id, bool force = false);
  Result<QosSpec> SetKeys(const RequestContext& ctx, const std::string& id, const Metadata& specs);
  Result<QosSpec> UnsetKey(const RequestContext& ctx, const std::string& id,
                           const std::string& key);
  Status Associate(const RequestContext& ctx, const std::string& qos_id,
                   const std::string& type_id);
  Status Disassociate(const RequestContext& ctx, const std::string& qos_id,
                      const std::string& type_id);

 private:
  internal::ServiceCore& core_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_QOS_SERVICE_HPP
