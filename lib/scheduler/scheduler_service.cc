#include "lib/scheduler/scheduler_service.hpp"

#include "lib/core/json_codec.hpp"
#include "lib/core/macros.hpp"
#include "lib/scheduler/request_spec_codec.hpp"

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
    : store_(store), transport_(transport), scheduler_(std::move(scheduler)),
      notifier_(std::move(notifier)), max_attempts_(max_attempts) {}

Status SchedulerService::Start() {
  BS_ASSIGN_OR_RETURN(auto stranded, store_.ListUnplacedVolumes({VS::kCreating}));
  for (const auto& v : stranded) {
    Fail(v, Unavailable("interrupted: the scheduler restarted before placing the volume"));
    ++recovered_;
  }
  return transport_.Listen(std::string(kSchedulerTopic),
                           [this](const std::string& text) { return Handle(text); }, 1);
}

namespace {

Result<RequestSpec> SpecOf(const Message& m) {
  BS_ASSIGN_OR_RETURN(json::value body, ParseJson(m.body, "request spec"));
  return RequestSpecFromJson(body);
}

}  // namespace

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
    TimePoint taken = notifier_.Now();
    if (auto* t = o->if_contains("taken_at"); t && t->is_string()) {
      taken = ParseTime(t->get_string()).value_or(taken);
    }
    scheduler_->UpdateBackend(m.id, zone, stats, taken);
    return std::string("{}");
  }
  if (m.method == "ping") return std::string("{}");  // a barrier: earlier messages are done
  if (m.method == "freed") {
    BS_ASSIGN_OR_RETURN(json::value body, ParseJson(m.body, "freed"));
    const auto* size = body.is_object() ? body.as_object().if_contains("size") : nullptr;
    const auto* volume = body.is_object() ? body.as_object().if_contains("volume_id") : nullptr;
    if (!size || !size->is_number() || !volume || !volume->is_string()) {
      return InvalidArgument("freed needs a size and a volume_id");
    }
    scheduler_->Freed(m.id, std::string(volume->get_string()), size->to_number<double>());
    return std::string("{}");
  }
  if (m.method == "release") {
    scheduler_->Release(m.id);
    return std::string("{}");
  }
  if (m.method == "explain") {
    BS_ASSIGN_OR_RETURN(RequestSpec spec, SpecOf(m));
    BS_ASSIGN_OR_RETURN(PlacementExplanation e, scheduler_->Explain(spec));
    return json::serialize(ToJson(e));
  }
  if (m.method == "create_volume") CreateVolume(m);
  else if (m.method == "extend_volume") ExtendVolume(m);
  else if (m.method == "create_snapshot") CreateSnapshot(m);
  else return InvalidArgument("scheduler: unknown method '" + m.method + "'");
  return std::string("{}");
}

void SchedulerService::Fail(const Volume& v, const Status& why) {
  VolumeTransition t;
  t.from = {VS::kCreating};
  t.to = VS::kError;
  t.quota = QuotaAction::kRollback;
  auto failed = store_.TransitionVolume(v.id, t);
  if (failed.ok()) notifier_.Volume("volume.create.error", *failed, why.ToString());
}

void SchedulerService::CreateVolume(const Message& m) {
  auto loaded = store_.GetVolume(m.id);
  if (!loaded.ok() || loaded->status != VS::kCreating || !loaded->host.empty()) return;
  const Volume& v = *loaded;
  auto decoded = SpecOf(m);
  if (!decoded.ok()) return Fail(v, decoded.status());
  RequestSpec spec = std::move(decoded).value();
  spec.volume_id = v.id;
  if (!spec.attempts.empty()) scheduler_->Release(ReservationKey(spec));
  if (static_cast<int>(spec.attempts.size()) >= max_attempts_) {
    return Fail(v, Unavailable("the volume could not be created after " +
                               std::to_string(spec.attempts.size()) + " attempt(s): " +
                               DescribeAttempts(spec)));
  }
  // A copy is made where its source lives: the driver copies extents locally.
  if (!v.snapshot_id.empty()) {
    auto snap = store_.GetSnapshot(v.snapshot_id);
    auto parent = snap.ok() ? store_.GetVolume(snap->volume_id) : Result<Volume>(snap.status());
    if (!parent.ok()) return Fail(v, parent.status());
    spec.resource_backend = parent->host;
  } else if (!v.source_volid.empty()) {
    auto src = store_.GetVolume(v.source_volid);
    if (!src.ok()) return Fail(v, src.status());
    spec.resource_backend = src->host;
  }
  Volume placed;
  auto chosen = scheduler_->SelectPool(spec, [&](const std::string& pool) -> Status {
    VolumeTransition t;
    t.from = {VS::kCreating};
    t.to = VS::kCreating;
    t.host = pool;
    BS_ASSIGN_OR_RETURN(placed, store_.TransitionVolume(v.id, t));
    return Status::Ok();
  });
  if (!chosen.ok()) {
    if (chosen.status().code() == Code::kFailedPrecondition ||
        chosen.status().code() == Code::kNotFound) {
      return;  // deleted or reset while we chose
    }
    std::string why = chosen.status().message();
    if (!spec.attempts.empty()) why += "; earlier: " + DescribeAttempts(spec);
    return Fail(v, Status(chosen.status().code(), why));
  }
  Status s = transport_.Cast(VolumeTopic(BackendOf(*chosen)),
                             EncodeMessage({"create_volume", v.id, m.request_id,
                                            json::serialize(ToJson(spec))}));
  if (!s.ok()) {
    scheduler_->Release(ReservationKey(spec));
    Fail(placed, s);
  }
}

void SchedulerService::ExtendVolume(const Message& m) {
  auto loaded = store_.GetVolume(m.id);
  if (!loaded.ok() || loaded->status != VS::kExtending) return;
  auto decoded = SpecOf(m);
  Result<std::string> chosen = decoded.ok() ? scheduler_->SelectPool(*decoded) : decoded.status();
  if (chosen.ok()) {
    Status s = transport_.Cast(VolumeTopic(BackendOf(loaded->host)),
                               EncodeMessage({"extend_volume", m.id, m.request_id, m.body}));
    if (s.ok()) return;
    scheduler_->Release(ReservationKey(*decoded));
    chosen = s;
  }
  // No room: the volume returns to where it was and the reservation is rolled back, as Cinder
  // does for NoValidBackend on extend.
  VolumeTransition t;
  t.from = {VS::kExtending};
  t.restore_previous_status = true;
  t.to = VS::kAvailable;
  t.quota = QuotaAction::kRollback;
  auto back = store_.TransitionVolume(m.id, t);
  if (back.ok()) notifier_.Volume("volume.resize.error", *back, chosen.status().ToString());
}

void SchedulerService::CreateSnapshot(const Message& m) {
  auto snap = store_.GetSnapshot(m.id);
  if (!snap.ok() || snap->status != SS::kCreating) return;
  auto decoded = SpecOf(m);
  Result<std::string> chosen = decoded.ok() ? scheduler_->SelectPool(*decoded) : decoded.status();
  if (chosen.ok()) {
    Status s = transport_.Cast(VolumeTopic(BackendOf(*chosen)),
                               EncodeMessage({"create_snapshot", m.id, m.request_id, m.body}));
    if (s.ok()) return;
    scheduler_->Release(ReservationKey(*decoded));
    chosen = s;
  }
  SnapshotTransition t;
  t.from = {SS::kCreating};
  t.to = SS::kError;
  t.quota = QuotaAction::kRollback;
  auto failed = store_.TransitionSnapshot(m.id, t);
  if (failed.ok()) notifier_.Snapshot("snapshot.create.error", *failed, chosen.status().ToString());
}

}  // namespace blockstore::internal
