// Engine: assembles the roles in one process.
#include "blockstore/engine.hpp"
#include "blockstore/amqp_transport.hpp"
#include "blockstore/file_driver.hpp"
#include "blockstore/rbd_driver.hpp"
#include "blockstore/posix_target.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "lib/api/service_core.hpp"
#include "lib/backup/backup_rpc.hpp"
#include "lib/core/ids.hpp"
#include "lib/core/macros.hpp"
#include "lib/engine/service_heartbeat.hpp"
#include "lib/events/event_bus.hpp"
#include "lib/events/user_messages.hpp"
#include "lib/events/notification.hpp"
#include "lib/scheduler/capacity_ledger.hpp"
#include "lib/scheduler/scheduler_rpc.hpp"
#include "lib/scheduler/scheduler_service.hpp"
#include "lib/volume/volume_rpc.hpp"

namespace blockstore {

struct Engine::Impl {
  EngineConfig config;
  std::shared_ptr<Store> store;
  std::shared_ptr<Transport> transport;
  internal::EventBus bus;
  // The api role: the services over their shared core.
  std::unique_ptr<internal::ServiceCore> core;
  std::unique_ptr<VolumeService> volumes;
  std::unique_ptr<SnapshotService> snapshots;
  std::unique_ptr<BackupService> backup_service;
  std::unique_ptr<AttachmentService> attachments;
  std::unique_ptr<TypeService> types;
  std::unique_ptr<QosService> qos;
  std::unique_ptr<QuotaService> quotas;
  std::unique_ptr<MessageService> messages;
  std::unique_ptr<TransferService> transfers;
  std::unique_ptr<IdempotencyService> idempotency;
  EngineRecovery recovery;
  std::unique_ptr<internal::ServiceHeartbeat> heartbeat;
  std::unique_ptr<internal::SchedulerService> scheduler;
  std::vector<std::unique_ptr<VolumeManager>> managers;
  std::unique_ptr<BackupManager> backups;
  // The roles this engine runs.
  bool run_scheduler = true;
  bool run_volume = true;
  bool run_backup = true;
  std::mutex close_mu;
  bool closed = false;

  // The periodic stats report: the one thread the engine runs besides the transport's.
  std::thread ticker;
  std::mutex tick_mu;
  std::condition_variable tick_cv;
  bool stop_ticker = false;

  ~Impl() {
    StopTicker();
    if (heartbeat) heartbeat->Stop();
    // Queued work finishes and threads are joined before the roles they call are destroyed.
    if (transport) transport->Shutdown();
  }

  void StartTicker(std::chrono::milliseconds every, std::function<void()> tick) {
    if (every.count() <= 0) return;
    ticker = std::thread([this, every, tick = std::move(tick)] {
      Env& env = *config.env;
      std::unique_lock lock(tick_mu);
      while (!env.WaitUntil(lock, tick_cv, env.SteadyNow() + every, [this] { return stop_ticker; })) {
        lock.unlock();
        tick();
        lock.lock();
      }
    });
  }
  void StopTicker() {
    {
      std::lock_guard lock(tick_mu);
      stop_ticker = true;
    }
    tick_cv.notify_all();
    if (ticker.joinable()) ticker.join();
  }

  template <typename Record, typename Load, typename Done>
  Result<Record> Wait(Load load, Done done, std::chrono::milliseconds timeout,
                      const std::string& id);
};

namespace {

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return Unavailable("cannot create directory " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return InvalidArgument(path + " is not a directory");
  }
  return Status::Ok();
}

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

Status CheckName(std::string_view what, const std::string& name) {
  if (name.empty()) return InvalidArgument(std::string(what) + " must not be empty");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) {
      return InvalidArgument(std::string(what) + " '" + name +
                             "' may hold only letters, digits, '-', '_' and '.'");
    }
  }
  return Status::Ok();
}

}  // namespace

template <typename Record, typename Load, typename Done>
Result<Record> Engine::Impl::Wait(Load load, Done done, std::chrono::milliseconds timeout,
                                  const std::string& id) {
  std::mutex mu;
  std::condition_variable cv;
  uint64_t seen = 0;
  const uint64_t token = bus.Subscribe([&](const Event& e) {
    if (e.resource_id != id) return;
    std::lock_guard lock(mu);
    ++seen;
    cv.notify_all();
  });
  Env& env = *config.env;
  const SteadyTime deadline = env.SteadyNow() + timeout;
  Result<Record> out = DeadlineExceeded("timed out");
  while (true) {
    uint64_t before;
    {
      std::lock_guard lock(mu);
      before = seen;
    }
    Result<Record> r = load();
    if (!r.ok() || done(*r)) {
      out = std::move(r);
      break;
    }
    std::unique_lock lock(mu);
    // Events wake us at once; the periodic re-read also covers changes made by another
    // process sharing the store.
    const SteadyTime slice = std::min(deadline, env.SteadyNow() + std::chrono::milliseconds(200));
    env.WaitUntil(lock, cv, slice, [&] { return seen != before; });
    if (env.SteadyNow() >= deadline && seen == before) {
      out = DeadlineExceeded("timed out after " + std::to_string(timeout.count()) +
                             " ms waiting for " + id + " (now '" + std::string(ToString(r->status)) + "')");
      break;
    }
  }
  bus.Unsubscribe(token);
  return out;
}

Result<std::unique_ptr<Engine>> Engine::Open(EngineConfig config) {
  if (config.state_path.empty()) return InvalidArgument("EngineConfig.state_path is required");
  if (config.volume_workers < 1 || config.volume_workers > 256) {
    return InvalidArgument("volume_workers must be between 1 and 256");
  }
  if (config.stats_interval.count() < 0) return InvalidArgument("stats_interval must not be negative");
  if (config.report_interval.count() < 0) return InvalidArgument("report_interval must not be negative");
  if (config.service_down_time <= config.report_interval) {
    return InvalidArgument("service_down_time must be longer than report_interval, or services go "
                           "down between their heartbeats");
  }
  BS_RETURN_IF_ERROR(MakeDir(config.state_path));
  if (config.host.empty()) config.host = HostName();
  BS_RETURN_IF_ERROR(CheckName("host", config.host));
  BS_RETURN_IF_ERROR(CheckName("availability zone", config.availability_zone));
  if (!config.env) config.env = SystemEnv();
  std::set<std::string> roles(config.roles.begin(), config.roles.end());
  for (const auto& role : roles) {
    if (role != "api" && role != "scheduler" && role != "volume" && role != "backup") {
      return InvalidArgument("'" + role + "' is not a role (api, scheduler, volume, backup)");
    }
  }
  const bool every_role = roles.empty() || roles.size() == 4;
  if (roles.empty()) roles = {"api", "scheduler", "volume", "backup"};
  // A role alone hears only what comes over a bus other processes share.
  const bool distributed = config.transport || !config.transport_url.empty();
  if (!every_role && !distributed) {
    return InvalidArgument("an engine with only some roles needs a transport_url (or a transport) that "
                           "the other roles' engines share");
  }
  if (config.backends.empty() && roles.count("volume")) {
    config.backends.push_back(
        {"file", "file", "file", {{"volumes_dir", config.state_path + "/volumes"}}});
  }
  std::set<std::string> seen;
  for (const auto& b : config.backends) {
    BS_RETURN_IF_ERROR(CheckName("backend name", b.name));
    for (const auto* fn : {&b.filter_function, &b.goodness_function}) {
      if (fn->empty()) continue;
      if (Status s = ValidateSchedulerFunction(*fn); !s.ok()) {
        return InvalidArgument("backend '" + b.name + "': " +
                               (fn == &b.filter_function ? "filter_function" : "goodness_function") +
                               ": " + s.message());
      }
    }
    if (!seen.insert(b.name).second) {
      return InvalidArgument("backend '" + b.name + "' is configured twice");
    }
  }
  for (const auto& [res, limit] : config.quota_defaults) {
    if (!DefaultQuotaLimits().count(res)) return InvalidArgument("unknown quota resource '" + res + "'");
    if (limit < -1) return InvalidArgument("quota default for " + res + " must be ≥ -1");
  }

  auto impl = std::make_unique<Impl>();
  Impl& e = *impl;
  e.config = config;
  e.run_scheduler = roles.count("scheduler") > 0;
  e.run_volume = roles.count("volume") > 0;
  e.run_backup = roles.count("backup") > 0;
  if (config.store) {
    e.store = config.store;
  } else {
    DatabaseUrl db{DatabaseUrl::Kind::kSqlite, config.state_path + "/blockstore.db", ""};
    if (!config.database_connection.empty()) {
      BS_ASSIGN_OR_RETURN(db, ParseDatabaseUrl(config.database_connection));
    }
    QuotaLimits quotas = DefaultQuotaLimits();
    for (const auto& [res, limit] : config.quota_defaults) quotas[res] = limit;
    if (db.kind == DatabaseUrl::Kind::kPostgres) {
      PostgresStoreOptions po;
      po.url = db.postgres_url;
      po.quota_defaults = std::move(quotas);
      po.durability = config.durability;
      po.env = config.env;
      po.max_pool_size = config.database_max_pool_size;
      BS_ASSIGN_OR_RETURN(auto store, OpenPostgresStore(po));
      e.store = std::move(store);
    } else {
      SqliteStoreOptions so;
      so.path = db.sqlite_path;
      so.quota_defaults = std::move(quotas);
      so.durability = config.durability;
      so.env = config.env;
      BS_ASSIGN_OR_RETURN(auto store, OpenSqliteStore(so));
      e.store = std::move(store);
    }
  }
  if (config.transport) {
    e.transport = config.transport;
  } else if (!config.transport_url.empty()) {
    AmqpTransportOptions to;
    to.url = config.transport_url;
    to.exchange = config.control_exchange;
    to.ca_file = config.transport_ca_file;
    to.process_name = config.host + "." + std::to_string(::getpid());
    BS_ASSIGN_OR_RETURN(auto bus, NewAmqpTransport(std::move(to)));
    e.transport = std::move(bus);
  } else {
    e.transport = NewInProcessTransport();
  }

  // The default type exists before anyone can ask for it.
  if (auto t = e.store->volume_types().GetByName(config.default_volume_type); !t.ok()) {
    if (t.status().code() != Code::kNotFound) return t.status();
    VolumeType def;
    def.id = internal::NewUuid();
    def.name = config.default_volume_type;
    def.description = "Default Volume Type";
    def.created_at = config.env->Now();
    auto made = e.store->volume_types().Create(def);
    if (!made.ok() && made.status().code() != Code::kAlreadyExists) return made.status();
  }

  // The services table: this engine's roles report before any of them works, so the
  // scheduler knows which backends are in service from its first placement.
  internal::ServiceHeartbeat::Options ho;
  ho.interval = config.report_interval;
  ho.down_after = config.service_down_time;
  ho.env = config.env;
  if (e.run_scheduler) {
    ho.own.push_back({config.host, "cinder-scheduler", config.availability_zone,
                      internal::kSchedulerRpcVersion.ToString()});
  }
  if (e.run_volume) {
    for (const auto& b : config.backends) {
      ho.own.push_back({config.host + "@" + b.name, "cinder-volume", config.availability_zone,
                        internal::kVolumeRpcVersion.ToString()});
    }
  }
  if (e.run_backup) {
    ho.own.push_back({config.host, "cinder-backup", config.availability_zone,
                      internal::kBackupRpcVersion.ToString()});
  }
  e.heartbeat = std::make_unique<internal::ServiceHeartbeat>(*e.store, std::move(ho));
  BS_RETURN_IF_ERROR(e.heartbeat->Start());

  // Events reach this process's subscribers and, over a shared bus, every outside consumer.
  const bool to_bus = distributed && config.bus_notifications;
  // A failed operation also leaves its project a user message, in the store every process shares.
  auto notify = [bus = &e.bus, transport = e.transport.get(), host = config.host, to_bus, store = e.store.get(),
                 ttl = config.message_ttl](Event ev) {
    if (auto m = internal::MessageFor(ev, ev.at, ttl)) (void)store->messages().Create(*m);
    if (to_bus) {
      internal::Notification n = internal::NotificationOf(ev, host);
      (void)transport->Notify(n.priority, std::move(n.body));
    }
    bus->Publish(std::move(ev));
  };
  if (e.run_scheduler) {
    SchedulerOptions so = config.scheduler;
    if (!so.env) so.env = config.env;
    if (so.stale_after.count() == 0) so.stale_after = config.stats_interval * 3;
    so.locate_volume = [store = e.store.get()](const std::string& id) -> std::optional<std::string> {
      auto v = store->volumes().Get(id);
      if (!v.ok()) return std::nullopt;
      return v->host;
    };
    if (!so.backend_in_service) {
      so.backend_in_service = [hb = e.heartbeat.get()](const std::string& backend) {
        return hb->InService(backend);
      };
    }
    // On a store other engines share, their schedulers may place on the same backends: every
    // placement is agreed through the store's capacity holds.
    BS_ASSIGN_OR_RETURN(auto placement,
                        internal::NewFilterScheduler(std::move(so), e.store->Shared()
                                                                        ? internal::NewStoreLedger(*e.store)
                                                                        : nullptr));
    e.scheduler = std::make_unique<internal::SchedulerService>(
        *e.store, *e.transport, std::move(placement), internal::Notifier(notify, config.env),
        config.scheduler.max_attempts);
    // A create left unplaced is this engine's to fail when no other scheduler is up to place
    // it, or when it has waited longer than a service may be silent.
    const bool others = e.heartbeat->OtherSchedulerUp();
    const TimePoint opened = config.env->Now();
    BS_RETURN_IF_ERROR(e.scheduler->Start([&](const Volume& v) {
      return !others || opened - v.updated_at > config.service_down_time;
    }));
    e.recovery.unplaced = e.scheduler->recovered();
    // Over a shared bus the volume services may be up already: they report to this scheduler
    // when asked.
    if (distributed) {
      if (auto services = e.heartbeat->States(); services.ok()) {
        for (const auto& svc : *services) {
          if (svc.binary == "cinder-volume" && svc.up && !svc.disabled) {
            (void)internal::VolumeClient(*e.transport, svc.host).ReportStats();
          }
        }
      }
    }
  }

  DriverRegistry registry;
  BS_RETURN_IF_ERROR(RegisterFileDriver(registry));
  BS_RETURN_IF_ERROR(RegisterRbdDriver(registry));
  if (config.register_drivers) BS_RETURN_IF_ERROR(config.register_drivers(registry));
  for (auto b : e.run_volume ? config.backends : std::vector<BackendConfig>{}) {
    if (b.volume_backend_name.empty()) b.volume_backend_name = b.name;
    BS_ASSIGN_OR_RETURN(auto driver, registry.Create(b));
    VolumeManagerOptions mo;
    mo.host = config.host;
    mo.availability_zone = config.availability_zone;
    mo.workers = config.volume_workers;
    mo.notify = notify;
    mo.env = config.env;
    mo.redelivering_transport = !config.transport && !config.transport_url.empty();
    BS_ASSIGN_OR_RETURN(auto manager,
                        VolumeManager::Start(*e.store, *e.transport, std::move(driver), b, mo));
    e.recovery.backends[manager->backend()] = manager->recovery();
    e.managers.push_back(std::move(manager));
  }

  if (e.run_backup) {
    BackupManagerOptions bo;
    bo.host = config.host;
    bo.availability_zone = config.availability_zone;
    bo.config = config.backup;
    if (!bo.config.target) {
      PosixTargetOptions po;
      po.root = config.state_path + "/backups";
      BS_ASSIGN_OR_RETURN(auto target, NewPosixTarget(po));
      bo.config.target = std::move(target);
    }
    bo.notify = notify;
    bo.env = config.env;
    BS_ASSIGN_OR_RETURN(e.backups, BackupManager::Start(*e.store, *e.transport, std::move(bo)));
    e.recovery.backup = e.backups->recovery();
  }

  // The managers' first stats reports were cast to the single, ordered scheduler queue; a call
  // behind them returns once they are in, so the engine opens knowing its pools.
  if (e.run_scheduler && e.run_volume && !distributed) {
    BS_RETURN_IF_ERROR(internal::SchedulerClient(*e.transport).Ping(std::chrono::seconds(30)));
  } else if (e.run_scheduler && e.run_volume) {
    // Over a shared bus the reports come by the fanout, in no order with the work queue: wait
    // until this scheduler has heard from every backend of this engine.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      std::set<std::string> heard;
      for (const auto& p : e.scheduler->scheduler().Pools()) heard.insert(p.backend);
      bool all = true;
      for (const auto& m : e.managers) all = all && heard.count(m->backend());
      if (all) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  internal::ServiceOptions ao;
  ao.default_volume_type = config.default_volume_type;
  ao.idempotency_key_ttl = config.idempotency_key_ttl;
  ao.availability_zones = {config.availability_zone};
  ao.default_availability_zone = config.availability_zone;
  ao.notify = notify;
  ao.backup_host = config.host;
  e.core = std::make_unique<internal::ServiceCore>(*e.store, *e.transport, config.env, std::move(ao));
  e.volumes = std::make_unique<VolumeService>(*e.core);
  e.snapshots = std::make_unique<SnapshotService>(*e.core);
  e.backup_service = std::make_unique<BackupService>(*e.core, *e.volumes);
  e.attachments = std::make_unique<AttachmentService>(*e.core);
  e.types = std::make_unique<TypeService>(*e.core);
  e.qos = std::make_unique<QosService>(*e.core);
  e.quotas = std::make_unique<QuotaService>(*e.core);
  e.messages = std::make_unique<MessageService>(*e.core);
  e.transfers = std::make_unique<TransferService>(*e.core);
  e.idempotency = std::make_unique<IdempotencyService>(*e.core);
  auto engine = std::unique_ptr<Engine>(new Engine(std::move(impl)));
  Engine* raw = engine.get();
  if (raw->impl_->run_volume) {
    raw->impl_->StartTicker(config.stats_interval, [raw] { (void)raw->RefreshStats(); });
  }
  return engine;
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() { Close(); }

void Engine::Close() {
  std::lock_guard lock(impl_->close_mu);
  if (impl_->closed) return;
  impl_->closed = true;
  impl_->StopTicker();
  impl_->heartbeat->Stop();
  impl_->core->Close();
  impl_->transport->Shutdown();
  // Nothing runs any more: release the database so another engine may open the state. A
  // store the host supplied is the host's to close.
  if (!impl_->config.store) impl_->store->Close();
}

VolumeService& Engine::volumes() { return *impl_->volumes; }
SnapshotService& Engine::snapshots() { return *impl_->snapshots; }
BackupService& Engine::backups() { return *impl_->backup_service; }
AttachmentService& Engine::attachments() { return *impl_->attachments; }
TypeService& Engine::types() { return *impl_->types; }
QosService& Engine::qos() { return *impl_->qos; }
QuotaService& Engine::quotas() { return *impl_->quotas; }
MessageService& Engine::messages() { return *impl_->messages; }
TransferService& Engine::transfers() { return *impl_->transfers; }
IdempotencyService& Engine::idempotency() { return *impl_->idempotency; }
std::vector<PoolState> Engine::Pools() const {
  if (impl_->scheduler) return impl_->scheduler->scheduler().Pools();
  // Another process schedules: ask it.
  auto pools = internal::SchedulerClient(*impl_->transport).Pools(std::chrono::seconds(10));
  return pools.ok() ? std::move(pools).value() : std::vector<PoolState>{};
}
const EngineRecovery& Engine::recovery() const { return impl_->recovery; }

Result<std::vector<ServiceState>> Engine::Services() const { return impl_->heartbeat->States(); }

Result<ServiceState> Engine::SetServiceDisabled(const std::string& host, const std::string& binary,
                                                bool disabled, const std::string& reason) {
  return impl_->heartbeat->SetDisabled(host, binary, disabled, reason);
}

Status Engine::RefreshStats() {
  for (const auto& m : impl_->managers) {
    BS_RETURN_IF_ERROR(internal::VolumeClient(*impl_->transport, m->backend()).ReportStats());
  }
  return Status::Ok();
}

uint64_t Engine::Subscribe(std::function<void(const Event&)> callback) {
  return impl_->bus.Subscribe(std::move(callback));
}
void Engine::Unsubscribe(uint64_t token) { impl_->bus.Unsubscribe(token); }

namespace {
template <typename E>
bool Contains(const std::vector<E>& v, E x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

Result<Volume> Engine::WaitForVolume(const RequestContext& ctx, const std::string& id,
                                     const std::vector<VolumeStatus>& statuses,
                                     std::chrono::milliseconds timeout) {
  BS_RETURN_IF_ERROR(impl_->volumes->Get(ctx, id).status());  // policy and id checks
  return impl_->Wait<Volume>([&] { return impl_->store->volumes().Get(id); },
                             [&](const Volume& v) { return Contains(statuses, v.status); },
                             timeout, id);
}

Status Engine::WaitForVolumeDeleted(const RequestContext& ctx, const std::string& id,
                                    std::chrono::milliseconds timeout) {
  auto first = impl_->volumes->Get(ctx, id);
  if (!first.ok()) return first.status().code() == Code::kNotFound ? Status::Ok() : first.status();
  auto r = impl_->Wait<Volume>([&] { return impl_->store->volumes().Get(id); },
                               [](const Volume&) { return false; }, timeout, id);
  return r.status().code() == Code::kNotFound ? Status::Ok() : r.status();
}

Result<Snapshot> Engine::WaitForSnapshot(const RequestContext& ctx, const std::string& id,
                                         const std::vector<SnapshotStatus>& statuses,
                                         std::chrono::milliseconds timeout) {
  BS_RETURN_IF_ERROR(impl_->snapshots->Get(ctx, id).status());
  return impl_->Wait<Snapshot>([&] { return impl_->store->snapshots().Get(id); },
                               [&](const Snapshot& s) { return Contains(statuses, s.status); },
                               timeout, id);
}

Status Engine::WaitForSnapshotDeleted(const RequestContext& ctx, const std::string& id,
                                      std::chrono::milliseconds timeout) {
  auto first = impl_->snapshots->Get(ctx, id);
  if (!first.ok()) return first.status().code() == Code::kNotFound ? Status::Ok() : first.status();
  auto r = impl_->Wait<Snapshot>([&] { return impl_->store->snapshots().Get(id); },
                                 [](const Snapshot&) { return false; }, timeout, id);
  return r.status().code() == Code::kNotFound ? Status::Ok() : r.status();
}

Result<Backup> Engine::WaitForBackup(const RequestContext& ctx, const std::string& id,
                                     const std::vector<BackupStatus>& statuses,
                                     std::chrono::milliseconds timeout) {
  BS_RETURN_IF_ERROR(impl_->backup_service->Get(ctx, id).status());
  return impl_->Wait<Backup>([&] { return impl_->store->backups().Get(id); },
                             [&](const Backup& b) { return Contains(statuses, b.status); },
                             timeout, id);
}

Status Engine::WaitForBackupDeleted(const RequestContext& ctx, const std::string& id,
                                    std::chrono::milliseconds timeout) {
  auto first = impl_->backup_service->Get(ctx, id);
  if (!first.ok()) return first.status().code() == Code::kNotFound ? Status::Ok() : first.status();
  auto r = impl_->Wait<Backup>([&] { return impl_->store->backups().Get(id); },
                               [](const Backup&) { return false; }, timeout, id);
  return r.status().code() == Code::kNotFound ? Status::Ok() : r.status();
}

}  // namespace blockstore
