// blockstore — Engine: the embedded default, every role in one process.
//
// Open assembles a store (SQLite under state_path unless one is given), a transport
// (in-process unless one is given), the scheduler, one volume service per configured backend,
// the backup service and the api role's services, creates the default volume type if it is
// missing, and recovers what a crash left behind. Close (or the destructor) lets in-flight
// work finish, then stops every thread.
//
// With `roles` (and a store and transport_url other engines share) an engine runs only some of
// the roles — one of the seed's separate services; see docs/architecture.md.
//
// Hosts call the service they mean: volumes(), snapshots(), backups(), attachments(),
// types(), qos(), quotas().
//
// Example:
//   blockstore::EngineConfig config;
//   config.state_path = "/var/lib/blockstore";
//   auto engine = blockstore::Engine::Open(config).value();
//   auto me = blockstore::RequestContext::User("my-project");
//   blockstore::VolumeCreateRequest request;
//   request.size_gb = 10;
//   auto volume = engine->volumes().Create(me, request).value();  // "creating"
//   auto ready = engine->WaitForVolume(me, volume.id, {blockstore::VolumeStatus::kAvailable},
//                                      std::chrono::seconds(30));
//   if (!ready.ok()) return;  // ready.status() says why
//
// Threads: the transport's workers (one for the scheduler, volume_workers per backend,
// backup.max_jobs for the backup service, each job with backup.workers more while it runs)
// and one ticker for the periodic stats report, all joined by Close.
//
// Thread-safety: every method may be called from any thread. Event callbacks run on the
// engine's worker threads; they must not block for long and must not call Close.
#ifndef BLOCKSTORE_ENGINE_HPP
#define BLOCKSTORE_ENGINE_HPP

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "blockstore/attachment_service.hpp"
#include "blockstore/backup_manager.hpp"
#include "blockstore/backup_service.hpp"
#include "blockstore/driver.hpp"
#include "blockstore/env.hpp"
#include "blockstore/export.h"
#include "blockstore/idempotency_service.hpp"
#include "blockstore/message_service.hpp"
#include "blockstore/qos_service.hpp"
#include "blockstore/quota_service.hpp"
#include "blockstore/result.hpp"
#include "blockstore/scheduler.hpp"
#include "blockstore/snapshot_service.hpp"
#include "blockstore/store.hpp"
#include "blockstore/transfer_service.hpp"
#include "blockstore/transport.hpp"
#include "blockstore/type_service.hpp"
#include "blockstore/volume_manager.hpp"
#include "blockstore/volume_service.hpp"

namespace blockstore {

struct EngineConfig {
  // Directory for the database (blockstore.db) and, when no backend is configured, the volumes
  // of the default file backend (state_path/volumes). Required; created if missing.
  std::string state_path;
  std::string host;  // Default: this machine's host name
  std::string availability_zone = "nova";
  // Default: one file backend named "file" storing volumes in state_path/volumes.
  std::vector<BackendConfig> backends;
  std::string default_volume_type = "__DEFAULT__";
  QuotaLimits quota_defaults;  // Default: DefaultQuotaLimits(); entries here override
  Durability durability = Durability::kNormal;
  int volume_workers = 2;  // per backend
  // How often every backend reports fresh stats to the scheduler, as Cinder's
  // backend_stats_polling_interval. Default: 60 s; zero turns the periodic report off.
  std::chrono::milliseconds stats_interval{60000};
  // How often each service records its heartbeat in the store, and how old a heartbeat may be
  // before the service counts as down (Cinder's report_interval and service_down_time).
  // Default: 10 s and 60 s; a zero interval reports once, at open.
  std::chrono::milliseconds report_interval{10000};
  std::chrono::milliseconds service_down_time{60000};
  // How long a request's idempotency key is remembered.
  std::chrono::seconds idempotency_key_ttl{24 * 3600};
  // How long the user message of a failed operation is kept (Cinder's message_ttl).
  std::chrono::seconds message_ttl{30 * 24 * 3600};
  // Filters, weighers, attempts and ratios (docs/scheduler.md). Pools whose backend has not
  // reported for three stats intervals are not placed on, unless stale_after is set here.
  SchedulerOptions scheduler;
  // The backup service: target, compression, chunk size, workers, memory budget, bandwidth.
  // Default target: a posix directory, state_path/backups.
  BackupConfig backup;
  // Extra drivers, registered after the built-in "file" driver.
  std::function<Status(DriverRegistry&)> register_drivers;
  // Where the state lives, as cinder.conf's [database] connection: "sqlite:///path" or
  // "postgresql://user:password@host:port/db?sslmode=…" (several engines may share one
  // PostgreSQL database). Default: SQLite in state_path/blockstore.db.
  std::string database_connection;
  // PostgreSQL connections held at most (PostgresStoreOptions::max_pool_size). Default: 5.
  int database_max_pool_size = 5;
  // The roles this engine runs, any of "api", "scheduler", "volume" (a volume service per
  // configured backend) and "backup". Default (empty): all four, the embedded default. Engines
  // running different roles share the work when they share a store (PostgreSQL) and a bus
  // (transport_url): the seed's cinder-api, cinder-scheduler, cinder-volume and cinder-backup.
  std::vector<std::string> roles;
  // The message bus, as cinder.conf's transport_url: rabbit://user:pass@host:port/vhost
  // (several brokers comma-separated; amqps:// for TLS). Default: the in-process transport.
  std::string transport_url;
  // TLS to the broker: the CA bundle its certificate is checked against (cinder.conf's
  // [oslo_messaging_rabbit] ssl_ca_file). Default: the system's.
  std::string transport_ca_file;
  // The topic exchange of the deployment (cinder.conf's control_exchange).
  std::string control_exchange = "blockstore";
  // Every event also goes out on the bus as a notification (routing key notifications.info or
  // .error), as cinder.conf's [oslo_messaging_notifications] driver = messagingv2 does. Off by
  // default, as in Cinder: each costs a publish.
  bool bus_notifications = false;
  // Seams for hosts and tests. Default: the store database_connection names, in-process
  // transport, SystemEnv().
  std::shared_ptr<Store> store;
  std::shared_ptr<Transport> transport;
  // Time: every timestamp, deadline, retry pause and wait of every role.
  std::shared_ptr<Env> env;
};

// What the roles found left behind by a crash when the engine opened, and what they did.
struct EngineRecovery {
  std::map<std::string, RecoveryReport> backends;  // by "host@backend"
  BackupRecoveryReport backup;
  int unplaced = 0;  // volumes left creating before placement, moved to error
};

// A service as `cinder service-list` shows it: a role of this engine, or of another engine
// on the same store.
struct ServiceState {
  std::string binary;  // cinder-scheduler, cinder-volume, cinder-backup
  std::string host;    // the volume service's "host@backend"; the engine's host for the others
  std::string availability_zone;
  std::string version;     // the RPC version it speaks
  TimePoint updated_at{};  // its last heartbeat
  bool up = true;          // it beat within service_down_time
  bool disabled = false;   // a disabled volume service is placed on no more
  std::string disabled_reason;
};

class BS_API Engine {
 public:
  // invalid_argument for a bad config; the store's and drivers' errors otherwise.
  static Result<std::unique_ptr<Engine>> Open(EngineConfig config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  VolumeService& volumes();
  SnapshotService& snapshots();
  BackupService& backups();
  AttachmentService& attachments();
  TypeService& types();
  QosService& qos();
  MessageService& messages();
  QuotaService& quotas();
  TransferService& transfers();
  IdempotencyService& idempotency();

  // The pools the scheduler knows, as last reported.
  std::vector<PoolState> Pools() const;
  // The services on the store — this engine's and those of every engine sharing it — by
  // binary, then host. Codes: the store's.
  Result<std::vector<ServiceState>> Services() const;
  // Disables (or enables) a service, as `cinder service-disable` does: the scheduler places
  // nothing on a disabled volume service (in this engine at once, in others by their next
  // heartbeat). not_found for a service that never reported; invalid_argument for a reason
  // over 255 characters.
  Result<ServiceState> SetServiceDisabled(const std::string& host, const std::string& binary,
                                          bool disabled, const std::string& reason = "");
  // Asks every backend for fresh stats (asynchronously, like Cinder's periodic report).
  Status RefreshStats();
  const EngineRecovery& recovery() const;

  // Events: every status change the engine makes. Returns a token for Unsubscribe.
  uint64_t Subscribe(std::function<void(const Event&)> callback);
  // After it returns the callback is not running and will not run again.
  void Unsubscribe(uint64_t token);

  // Waits until the volume is in one of `statuses`; the volume as it then is. not_found if it
  // does not exist (or is deleted while waiting); deadline_exceeded after `timeout`.
  Result<Volume> WaitForVolume(const RequestContext& ctx, const std::string& id,
                               const std::vector<VolumeStatus>& statuses,
                               std::chrono::milliseconds timeout);
  // Waits until the volume no longer exists.
  Status WaitForVolumeDeleted(const RequestContext& ctx, const std::string& id,
                              std::chrono::milliseconds timeout);
  Result<Snapshot> WaitForSnapshot(const RequestContext& ctx, const std::string& id,
                                   const std::vector<SnapshotStatus>& statuses,
                                   std::chrono::milliseconds timeout);
  Status WaitForSnapshotDeleted(const RequestContext& ctx, const std::string& id,
                                std::chrono::milliseconds timeout);

  Result<Backup> WaitForBackup(const RequestContext& ctx, const std::string& id,
                               const std::vector<BackupStatus>& statuses,
                               std::chrono::milliseconds timeout);
  Status WaitForBackupDeleted(const RequestContext& ctx, const std::string& id,
                              std::chrono::milliseconds timeout);

  // Finishes queued work and stops every thread. Idempotent; later calls fail with unavailable.
  void Close();

 private:
  struct Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_ENGINE_HPP
