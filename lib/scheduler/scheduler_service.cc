#include "lib/scheduler/scheduler_service.hpp"

#include "lib/core/json_codec.hpp"
#include "lib/core/macros.hpp"
#include "lib/core/messages.hpp"

namespace blockstore::internal {

using VS = VolumeStatus;

SchedulerService::SchedulerService(Store& store, Transport& transport,
                                   std::unique_ptr<Scheduler> scheduler, Notifier notifier)
    : store_(store), transport_(transport), scheduler_(std::move(scheduler)),
      notifier_(std::move(notifier)) {}

Status SchedulerService::Start() {
  BS_ASSIGN_OR_RETURN(auto stranded, store_.ListUnplacedVolumes({VS::kCreating}));
  for (const auto& v : stranded) {
    Fail(v, Unavailable("interrupted: the scheduler restarted before placing the volume"));
    ++recovered_;
  }
  return transport_.Listen(std::string(kSchedulerTopic),
                           [this](const std::string& text) { return Handle(text); }, 1);
}

Result<std::string> SchedulerService::Handle(const std::string& text) {
  BS_ASSIGN_OR_RETURN(Message m, DecodeMessage(text));
  if (m.method == "update_stats") {
    BS_ASSIGN_OR_RETURN(json::value body, ParseJson(m.body, "stats report"));
    const auto* o = body.if_object();
    if (!o || !o->if_contains("stats")) return InvalidArgument("stats report without stats");
    BS_ASSIGN_OR_RETURN(BackendStats stats, BackendStatsFromJson(o->at("stats")));
    std::string zone;
    if (auto* z = o->if_contains("availability_zone"); z && z->is_string()) {
      zone = std::string(z->get_string());
    }
    scheduler_->UpdateBackend(m.id, zone, stats, notifier_.Now());
    return std::string("{}");
  }
  if (m.method == "ping") return std::string("{}");  // a barrier: earlier messages are done
  if (m.method == "create_volume") {
    CreateVolume(m.id, m.request_id);
    return std::string("{}");
  }
  return InvalidArgument("scheduler: unknown method '" + m.method + "'");
}

void SchedulerService::Fail(const Volume& v, const Status& why) {
  VolumeTransition t;
  t.from = {VS::kCreating};
  t.to = VS::kError;
  t.quota = QuotaAction::kRollback;
  auto failed = store_.TransitionVolume(v.id, t);
  if (failed.ok()) notifier_.Volume("volume.create.error", *failed, why.ToString());
}

void SchedulerService::CreateVolume(const std::string& id, const std::string& request_id) {
  auto loaded = store_.GetVolume(id);
  if (!loaded.ok() || loaded->status != VS::kCreating || !loaded->host.empty()) return;
  const Volume& v = *loaded;
  // A copy is made where its source lives: the driver copies extents locally.
  std::string source_host;
  if (!v.snapshot_id.empty()) {
    auto snap = store_.GetSnapshot(v.snapshot_id);
    auto parent = snap.ok() ? store_.GetVolume(snap->volume_id) : Result<Volume>(snap.status());
    if (!parent.ok()) return Fail(v, parent.status());
    source_host = parent->host;
  } else if (!v.source_volid.empty()) {
    auto src = store_.GetVolume(v.source_volid);
    if (!src.ok()) return Fail(v, src.status());
    source_host = src->host;
  }
  std::string pool;
  if (!source_host.empty()) {
    pool = source_host;
  } else {
    auto type = store_.GetVolumeType(v.volume_type_id);
    if (!type.ok()) return Fail(v, type.status());
    PlacementRequest req{v.id, v.size_gb, *type, v.availability_zone};
    auto chosen = scheduler_->SelectPool(req);
    if (!chosen.ok()) return Fail(v, chosen.status());
    pool = *chosen;
  }
  VolumeTransition t;
  t.from = {VS::kCreating};
  t.to = VS::kCreating;
  t.host = pool;
  auto placed = store_.TransitionVolume(id, t);
  if (!placed.ok()) {
    scheduler_->ReleaseCapacity(pool, v.size_gb);
    return;  // deleted or reset while we chose
  }
  Status s = transport_.Cast(VolumeTopic(BackendOf(pool)),
                             EncodeMessage({"create_volume", id, request_id, {}}));
  if (!s.ok()) {
    scheduler_->ReleaseCapacity(pool, v.size_gb);
    Fail(*placed, s);
  }
}

}  // namespace blockstore::internal
