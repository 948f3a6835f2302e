// blockstore — TypeService, volume types: create, show (by id or name), list, update, delete, extra
// specs and the access lists of private types.
//
// Part of the api role, over the services' shared core (context and policy, quota, loaders):
// see docs/architecture.md. Mutating calls return at once with the record in its transitional
// status, as Cinder does; completion is an Event, or Engine's WaitFor… calls. Bad input gets
// invalid_argument and changes nothing; ids must be UUIDs; another project's resources are
// not_found, never forbidden, so ids do not leak.
//
// Thread-safety: every method may be called from any thread concurrently.
#ifndef BLOCKSTORE_TYPE_SERVICE_HPP
#define BLOCKSTORE_TYPE_SERVICE_HPP

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

class BS_API TypeService {
 public:
  explicit TypeService(internal::ServiceCore& core);
  TypeService(const TypeService&) = delete;
  TypeService& operator=(const TypeService&) = delete;

  Result<VolumeType> Create(const RequestContext& ctx, const VolumeTypeCreateRequest& request);
  // By id or by name. Non-admins see the public types and the private ones their project was
  // given access to, with only the user-visible extra specs.
  Result<VolumeType> Get(const RequestContext& ctx, const std::string& id_or_name);
  Result<VolumeType> GetDefault(const RequestContext& ctx);
  Result<std::vector<VolumeType>> List(const RequestContext& ctx);
  Result<VolumeType> Update(const RequestContext& ctx, const std::string& id,
                            const VolumeTypeUpdate& update);
  Status Delete(const RequestContext& ctx, const std::string& id);
  Result<VolumeType> SetExtraSpecs(const RequestContext& ctx, const std::string& id,
                                   const Metadata& specs);
  Result<VolumeType> UnsetExtraSpec(const RequestContext& ctx, const std::string& id,
                                    const std::string& key);
  // Admin only: the projects that may see and use a private type. A public type has no such
  // list (invalid_argument); adding a project twice is already_exists, removing one that was
  // never added not_found.
  Status AddAccess(const RequestContext& ctx, const std::string& type_id,
                   const std::string& project_id);
  Status RemoveAccess(const RequestContext& ctx, const std::string& type_id,
                      const std::string& project_id);
  Result<std::vector<std::string>> ListAccess(const RequestContext& ctx,
                                              const std::string& type_id);

 private:
  internal::ServiceCore& core_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_TYPE_SERVICE_HPP
