// blockstore — AttachmentService, attaching volumes to hosts: Cinder's attachments (3.27+) and the
// legacy attach actions.
//
// Part of the api role, over the services' shared core (context and policy, quota, loaders):
// see docs/architecture.md. Mutating calls return at once with the record in its transitional
// status, as Cinder does; completion is an Event, or Engine's WaitFor… calls. Bad input gets
// invalid_argument and changes nothing; ids must be UUIDs; another project's resources are
// not_found, never forbidden, so ids do not leak.
//
// Thread-safety: every method may be called from any thread concurrently.
#ifndef BLOCKSTORE_ATTACHMENT_SERVICE_HPP
#define BLOCKSTORE_ATTACHMENT_SERVICE_HPP

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "blockstore/context.hpp"
#include "blockstore/driver.hpp"
#include "blockstore/export.h"
#include "blockstore/requests.hpp"
#include "blockstore/result.hpp"
#include "blockstore/types.hpp"

namespace blockstore {

namespace internal {
class ServiceCore;
}  // namespace internal

class BS_API AttachmentService {
 public:
  explicit AttachmentService(internal::ServiceCore& core);
  AttachmentService(const AttachmentService&) = delete;
  AttachmentService& operator=(const AttachmentService&) = delete;

  // A volume's status and attach_status follow its attachments (Store's rule: attached →
  // in-use, none left → available). Exports are made and torn down by the volume's backend
  // before the call returns, so a returned connection info is ready to use.
  //
  // Reserves the volume (available; a multiattach volume also from in-use, reserved or
  // attaching) for a new attachment; with a connector it is connected at once, and if that
  // fails nothing is left behind. failed_precondition for a volume in an error status or
  // already attached without multiattach.
  Result<Attachment> Create(const RequestContext& ctx, const AttachmentCreateRequest& request);
  // Exports the volume to `connector` and records the connection info: attaching. The access
  // mode is the attachment's, else the connector's, else rw. failed_precondition when the
  // volume is in error, or another host is connected to a volume without multiattach. A
  // backend failure leaves the attachment error_attaching.
  Result<Attachment> Update(const RequestContext& ctx, const std::string& id,
                            const Connector& connector);
  // attaching → attached: the host uses the volume (in-use).
  Result<Attachment> Complete(const RequestContext& ctx, const std::string& id);
  // Withdraws the host's access (and the export, when no other attachment needs it), then
  // forgets the attachment; the volume's remaining attachments. If the backend cannot tear
  // down, the attachment stays, error_detaching, and the error is returned.
  Result<std::vector<Attachment>> Delete(const RequestContext& ctx, const std::string& id);
  Result<Attachment> Get(const RequestContext& ctx, const std::string& id);
  Result<std::vector<Attachment>> List(const RequestContext& ctx, const AttachmentQuery& query);

  // available (in-use with multiattach) → attaching.
  Result<Volume> Reserve(const RequestContext& ctx, const std::string& volume_id);
  // attaching → in-use when attachments exist, else available.
  Result<Volume> Unreserve(const RequestContext& ctx, const std::string& volume_id);
  // Exports the volume to `connector`; no attachment is recorded.
  Result<ConnectionInfo> InitializeConnection(const RequestContext& ctx,
                                              const std::string& volume_id,
                                              const Connector& connector);
  // Records the attachment as attached (reusing the server's or host's existing one).
  Result<Attachment> Attach(const RequestContext& ctx, const std::string& volume_id,
                            const LegacyAttachRequest& request);
  // in-use → detaching, and back.
  Result<Volume> BeginDetaching(const RequestContext& ctx, const std::string& volume_id);
  Result<Volume> RollDetaching(const RequestContext& ctx, const std::string& volume_id);
  // Withdraws `connector`'s access (and the export when no attachment needs it); a volume
  // left attaching is unreserved.
  Status TerminateConnection(const RequestContext& ctx, const std::string& volume_id,
                             const Connector& connector);
  // Forgets one attachment (attachment_id may be empty when the volume has exactly one),
  // tearing down its connection first.
  Result<Volume> Detach(const RequestContext& ctx, const std::string& volume_id,
                        const std::string& attachment_id = {});
  // Admin only: detaches one attachment, or all of them when attachment_id is empty, whatever
  // their status; each connection (and finally the export) is torn down before its attachment
  // is forgotten.
  Result<Volume> ForceDetach(const RequestContext& ctx, const std::string& volume_id,
                             const std::string& attachment_id = {});

 private:
  internal::ServiceCore& core_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_ATTACHMENT_SERVICE_HPP
