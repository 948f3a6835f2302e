// Internal: the state the Api's methods share, and their common checks.
#ifndef BLOCKSTORE_LIB_API_API_IMPL_HPP
#define BLOCKSTORE_LIB_API_API_IMPL_HPP

#include <atomic>

#include "blockstore/api.hpp"
#include "lib/core/messages.hpp"
#include "lib/core/notifier.hpp"

namespace blockstore {

struct Api::Impl {
  Impl(Store& s, Transport& t, ApiOptions o);

  // not_found unless the caller may see a resource of `project_id`.
  static Status Visible(const RequestContext& ctx, const std::string& project_id,
                        std::string_view kind, const std::string& id);
  Status RequireAdmin(const RequestContext& ctx, std::string_view what) const;
  Status CheckContext(const RequestContext& ctx) const;
  // The type a request names (by id or name), or the default type when it names none.
  Result<VolumeType> ResolveType(const RequestContext& ctx, const std::string& id_or_name);
  // The type as a non-admin may see it: only the extra specs users are meant to read.
  static VolumeType ForCaller(const RequestContext& ctx, VolumeType t);
  Result<Volume> LoadVolume(const RequestContext& ctx, const std::string& id);
  Result<Snapshot> LoadSnapshot(const RequestContext& ctx, const std::string& id);
  Result<Backup> LoadBackup(const RequestContext& ctx, const std::string& id);
  // Waits until a volume this Api created has left `creating`: OK once it is available;
  // failed_precondition when it failed; deadline_exceeded after `timeout`.
  Status AwaitCreated(const std::string& volume_id, std::chrono::milliseconds timeout);
  // unavailable when no backup service serves this Api.
  Status CheckBackupService() const;
  Status Cast(const std::string& topic, std::string method, const std::string& id,
              const RequestContext& ctx, std::string body = {});
  // The scheduler's view of a volume: its type with QoS specs, zone, metadata.
  RequestSpec SpecFor(const Volume& v, const VolumeType& type);
  // The same with the volume's own type (none, if it was deleted since).
  RequestSpec SpecFor(const Volume& v);
  // A create request validated, and the volume it would make (nothing stored yet).
  struct PreparedVolume {
    Volume volume;
    VolumeType type;
  };
  Result<PreparedVolume> PrepareCreate(const RequestContext& ctx, const VolumeCreateRequest& r);
  RequestSpec CreateSpec(const PreparedVolume& p, const VolumeCreateRequest& r);
  // Per-volume size limit (per_volume_gigabytes quota) for a project.
  Status CheckPerVolumeLimit(const std::string& project_id, int64_t size_gb);

  Status CheckOpen() const;

  // Attach (api_attachments.cc): the backend calls every attach path makes.
  Result<ConnectionInfo> Connect(const RequestContext& ctx, const Volume& v, const Connector& c,
                                 const std::string& mode);
  // Tears down what a leaving connector used, keeping what `others` (the volume's other
  // attachments) still need.
  Status Disconnect(const RequestContext& ctx, const Volume& v, const std::optional<Connector>& c,
                    const std::vector<Attachment>& others);
  // Tears down one attachment's connection, then forgets it. On a backend failure the
  // attachment is kept, error_detaching.
  Result<Volume> ForgetAttachment(const RequestContext& ctx, const Attachment& a);

  Store& store;
  Transport& transport;
  std::atomic<bool> closed{false};
  ApiOptions options;
  internal::Notifier notifier;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_LIB_API_API_IMPL_HPP
