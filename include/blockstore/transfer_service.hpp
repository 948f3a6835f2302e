// blockstore — TransferService: a volume given by one project to another (Cinder's volume
// transfers, os-volume-transfer and volume-transfers 3.55).
//
// The owner of an available volume makes a transfer: the volume becomes awaiting-transfer and
// the call answers, once, with an auth key (16 characters; only a salted HMAC-SHA1 of it is
// stored). Whoever is given the transfer's id and key accepts it into their own project: the
// volume (and its snapshots, unless the transfer was made with no_snapshots) changes project in
// one transaction with the quota it counts — charged to the new project within its limits,
// released from the old — and is available again. Deleting a pending transfer gives the volume
// back to its owner, available.
//
// Visibility: a project sees the transfers of its own volumes; an admin sees every one (and
// lists them with all_projects). Accepting needs no visibility: the key is the proof.
// Where this differs from Cinder: accepting a transfer into the project that already owns the
// volume is refused (Cinder moves the quota onto itself), and a wrong key is told apart from an
// unknown transfer only by the 400 it answers (as Cinder).
//
// Thread-safety: every method may be called from any thread concurrently.
#ifndef BLOCKSTORE_TRANSFER_SERVICE_HPP
#define BLOCKSTORE_TRANSFER_SERVICE_HPP

#include <string>
#include <vector>

#include "blockstore/context.hpp"
#include "blockstore/export.h"
#include "blockstore/result.hpp"
#include "blockstore/types.hpp"

namespace blockstore {

namespace internal {
class ServiceCore;
}  // namespace internal

struct TransferCreated {
  VolumeTransfer transfer;
  std::string auth_key;  // shown only here
};

class BS_API TransferService {
 public:
  explicit TransferService(internal::ServiceCore& core);
  TransferService(const TransferService&) = delete;
  TransferService& operator=(const TransferService&) = delete;

  // The caller's available volume, offered. Codes: not_found (no such volume the caller can
  // see), failed_precondition (not available; a snapshot not available, unless no_snapshots),
  // invalid_argument (a name over 255 characters).
  Result<TransferCreated> Create(const RequestContext& ctx, const std::string& volume_id,
                                 const std::string& name = {}, bool no_snapshots = false);
  Result<VolumeTransfer> Get(const RequestContext& ctx, const std::string& id);
  // Oldest first.
  Result<std::vector<VolumeTransfer>> List(const RequestContext& ctx, bool all_projects = false);
  Status Delete(const RequestContext& ctx, const std::string& id);
  // Into the caller's project. Codes: not_found (no pending transfer of that id),
  // invalid_argument (a wrong auth key), failed_precondition (the volume is no longer
  // awaiting-transfer; the caller's project owns it already), resource_exhausted (the caller's
  // quota cannot take it).
  Result<VolumeTransfer> Accept(const RequestContext& ctx, const std::string& id, const std::string& auth_key);

 private:
  void NotifyVolume(const std::string& type, const std::string& volume_id);

  internal::ServiceCore& core_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_TRANSFER_SERVICE_HPP
