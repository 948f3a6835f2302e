// Internal: what the api role's services share — the context and policy checks, the loaders
// that apply them to a record, the quota checks, and the clients of the other roles.
//
// Thread-safety: every method may be called from any thread; `closed` is the only state that
// changes after construction.
#ifndef BLOCKSTORE_LIB_API_SERVICE_CORE_HPP
#define BLOCKSTORE_LIB_API_SERVICE_CORE_HPP

#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "blockstore/context.hpp"
#include "blockstore/env.hpp"
#include "blockstore/scheduler.hpp"
#include "blockstore/store.hpp"
#include "blockstore/transport.hpp"
#include "lib/backup/backup_rpc.hpp"
#include "lib/events/notifier.hpp"
#include "lib/scheduler/scheduler_rpc.hpp"
#include "lib/volume/volume_rpc.hpp"

namespace blockstore::internal {

struct ServiceOptions {
  std::string default_volume_type = "__DEFAULT__";
  std::set<std::string> availability_zones = {"nova"};  // zones a request may name
  std::string default_availability_zone = "nova";
  std::function<void(Event)> notify;                    // Default: events go nowhere
  // The host whose backup service takes this deployment's backups; empty: backups answer
  // unavailable.
  std::string backup_host;
  std::chrono::seconds idempotency_key_ttl{24 * 3600};
};

class ServiceCore {
 public:
  ServiceCore(Store& store, Transport& transport, std::shared_ptr<Env> env, ServiceOptions options);

  // From now on every call answers unavailable.
  void Close() { closed_ = true; }
  Status CheckOpen() const;

  // ---- context and policy ----
  Status CheckContext(const RequestContext& ctx) const;
  Status RequireAdmin(const RequestContext& ctx, std::string_view what) const;
  // not_found unless the caller may see a resource of `project_id`.
  static Status Visible(const RequestContext& ctx, const std::string& project_id,
                        std::string_view kind, const std::string& id);

  // ---- loaders: the record, if the caller may see it ----
  Result<Volume> LoadVolume(const RequestContext& ctx, const std::string& id);
  Result<Snapshot> LoadSnapshot(const RequestContext& ctx, const std::string& id);
  Result<Backup> LoadBackup(const RequestContext& ctx, const std::string& id);
  // The type a request names (by id or name), or the default type when it names none.
  Result<VolumeType> ResolveType(const RequestContext& ctx, const std::string& id_or_name);
  // The type as a non-admin may see it: only the extra specs users are meant to read.
  static VolumeType ForCaller(const RequestContext& ctx, VolumeType t);

  // ---- idempotent creates ----
  // Runs `make` (which makes a resource and gives its id) once per the caller's idempotency
  // key: a retry with the same key and `fingerprint` (what the request was) gets the id the
  // first one made; the same key with another fingerprint is invalid_argument; while the first
  // still runs, aborted. Without a key, just `make`. A failed `make` forgets the key.
  Result<std::string> Once(const RequestContext& ctx, const std::string& fingerprint,
                           const std::function<Result<std::string>()>& make);

  // ---- quota ----
  // Per-volume size limit (per_volume_gigabytes quota) for a project.
  Status CheckPerVolumeLimit(const std::string& project_id, int64_t size_gb);

  // ---- the scheduler's view of a volume: its type with QoS specs, zone, metadata ----
  RequestSpec SpecFor(const Volume& v, const VolumeType& type);
  RequestSpec SpecFor(const Volume& v);  // with the volume's own type (none, if deleted since)

  // unavailable when no backup service serves this deployment.
  Status CheckBackupService() const;
  // The checks every list shares: the caller, all_projects for admins only, the marker (a
  // malformed one is not_found, as an unknown one), the filters' text.
  Status CheckListQuery(const RequestContext& ctx, const ListQuery& q, std::string_view kind) const;

  Store& store() { return store_; }
  Env& env() { return *env_; }
  const Notifier& notifier() const { return notifier_; }
  const ServiceOptions& options() const { return options_; }
  const SchedulerClient& scheduler() const { return scheduler_; }
  const BackupClient& backup() const { return backup_; }
  VolumeClient volume(std::string_view backend) const { return VolumeClient(transport_, backend); }

 private:
  Store& store_;
  Transport& transport_;
  std::shared_ptr<Env> env_;
  ServiceOptions options_;
  Notifier notifier_;
  SchedulerClient scheduler_;
  BackupClient backup_;
  std::atomic<bool> closed_{false};
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_API_SERVICE_CORE_HPP
