#include "lib/scheduler/scheduler_service.hpp"

#include "lib/core/macros.hpp"
#include "lib/volume/create_failure.hpp"
#include "lib/volume/volume_rpc.hpp"

namespace blockstore::internal {

using VS = VolumeStatus;
using SS = SnapshotStatus;

std::string DescribeAttempts(const RequestSpec& spec) {
  std::string out;
  for (std::size_t i = 0; i < spec.attempts.size(); ++i) {
    out += (i ? "; " : "") + std::string("attempt ") + std::to_string(i + 1) + " on " +
           spec.attempts[i].backend + ": " + spec.attempts[i].error;
  }
  return out;
}

SchedulerService::SchedulerService(Store& store, Transport& transport,
                                   std::unique_ptr<Scheduler> scheduler, Notifier notifier,
                                   int max_attempts)
    : store_(store), transport_(transport), dispatcher_(SchedulerDispatcher(*this)),
      scheduler_(std::move(scheduler)), notifier_(std::move(notifier)),
      max_attempts_(max_attempts) {}

Status SchedulerService::Start(const std::function<bool(const Volume&)>& stranded) {
  BS_ASSIGN_OR_RETURN(auto unplaced, store_.volumes().ListUnplaced({VS::kCreating}));
  for (const auto& v : unplaced) {
    if (!stranded(v)) continue;
    FailVolumeCreate(store_, notifier_, v.id,
                     Unavailable("interrupted: the scheduler restarted before placing the volume"));
    ++recovered_;
  }
  return dispatcher_.Serve(transport_, kSchedulerTopic, 1);
}

void SchedulerService::UpdateStats(const StatsReport& r) {
  scheduler_->UpdateBackend(r.backend, r.availability_zone, r.stats,
                            r.taken_at == TimePoint{} ? notifier_.Now() : r.taken_at);
}

void SchedulerService::Freed(const std::string& pool, const std::string& volume_id,
                             double size_gb) {
  scheduler_->Freed(pool, volume_id, size_gb);
}

void SchedulerService::Release(const std::string& reservation) { scheduler_->Release(reservation); }

Result<PlacementExplanation> SchedulerService::Explain(const RequestSpec& spec) {
  return scheduler_->Explain(spec);
}

std::vector<PoolState> SchedulerService::Pools() { return scheduler_->Pools(); }

void SchedulerService::CreateVolume(const std::string& id, RequestSpec spec,
                                    const std::string& request_id) {
  // The volume is not read first: the placement's compare-and-set (still creating, not placed
  // yet) tells a volume deleted or already placed (a message delivered twice) from one to place,
  // and a copy's source backend came in the spec (resource_backend).
  auto fail = [&](const Status& why) {
    FailVolumeCreate(store_, notifier_, id, why, spec.restore_backup_id, /*unplaced_only=*/true);
  };
  spec.volume_id = id;
  if (!spec.attempts.empty()) scheduler_->Release(ReservationKey(spec));
  if (static_cast<int>(spec.attempts.size()) >= max_attempts_) {
    return fail(Unavailable("the volume could not be created after " +
                               std::to_string(spec.attempts.size()) + " attempt(s): " +
                               DescribeAttempts(spec)));
  }
  auto chosen = scheduler_->SelectPool(spec, [&](const std::string& pool) -> Status {
    VolumeTransition t;
    t.from = {VS::kCreating};
    t.to = VS::kCreating;
    t.expect_unplaced = true;
    t.host = pool;
    return store_.volumes().CompareAndSet(id, t);
  });
  if (!chosen.ok()) {
    if (chosen.status().code() == Code::kFailedPrecondition ||
        chosen.status().code() == Code::kNotFound) {
      return;  // deleted or reset while we chose
    }
    std::string why = chosen.status().message();
    if (!spec.attempts.empty()) why += "; earlier: " + DescribeAttempts(spec);
    return fail(Status(chosen.status().code(), why));
  }
  if (Status s = VolumeClient(transport_, *chosen).CreateVolume(id, spec, request_id); !s.ok()) {
    scheduler_->Release(ReservationKey(spec));
    fail(s);
  }
}

void SchedulerService::ExtendVolume(const std::string& id, RequestSpec spec,
                                    const std::string& request_id) {
  auto loaded = store_.volumes().Get(id);
  if (!loaded.ok() || loaded->status != VS::kExtending) return;
  Result<std::string> chosen = scheduler_->SelectPool(spec);
  if (chosen.ok()) {
    Status s = VolumeClient(transport_, loaded->host).ExtendVolume(id, request_id);
    if (s.ok()) return;
    scheduler_->Release(ReservationKey(spec));
    chosen = s;
  }
  // No room: the volume returns to where it was and the reservation is rolled back, as Cinder
  // does for NoValidBackend on extend.
  VolumeTransition t;
  t.from = {VS::kExtending};
  t.restore_previous_status = true;
  t.to = VS::kAvailable;
  t.quota = QuotaAction::kRollback;
  auto back = store_.volumes().Transition(id, t);
  if (back.ok()) notifier_.Volume("volume.resize.error", *back, chosen.status().ToString());
}

void SchedulerService::CreateSnapshot(const std::string& id, RequestSpec spec,
                                      const std::string& request_id) {
  auto snap = store_.snapshots().Get(id);
  if (!snap.ok() || snap->status != SS::kCreating) return;
  Result<std::string> chosen = scheduler_->SelectPool(spec);
  if (chosen.ok()) {
    Status s = VolumeClient(transport_, *chosen).CreateSnapshot(id, request_id);
    if (s.ok()) return;
    scheduler_->Release(ReservationKey(spec));
    chosen = s;
  }
  SnapshotTransition t;
  t.from = {SS::kCreating};
  t.to = SS::kError;
  t.quota = QuotaAction::kRollback;
  auto failed = store_.snapshots().Transition(id, t);
  if (failed.ok()) notifier_.Snapshot("snapshot.create.error", *failed, chosen.status().ToString());
}

}  // namespace blockstore::internal
