// Api: construction and the checks every operation shares.
#include "lib/api/api_impl.hpp"

#include <algorithm>
#include <thread>

#include "lib/api/validation.hpp"
#include "lib/core/ids.hpp"
#include "lib/core/macros.hpp"

namespace blockstore {

namespace {
std::function<TimePoint()> ClockOr(std::function<TimePoint()> c) {
  if (c) return c;
  return [] { return std::chrono::time_point_cast<std::chrono::microseconds>(Clock::now()); };
}
}  // namespace

Api::Impl::Impl(Store& s, Transport& t, ApiOptions o)
    : store(s), transport(t), options(std::move(o)),
      notifier(options.notify, ClockOr(options.clock)) {
  options.clock = ClockOr(options.clock);
}

Api::Api(Store& store, Transport& transport, ApiOptions options)
    : impl_(std::make_unique<Impl>(store, transport, std::move(options))) {}
Api::~Api() = default;

Status Api::Impl::Visible(const RequestContext& ctx, const std::string& project_id,
                          std::string_view kind, const std::string& id) {
  if (ctx.is_admin() || ctx.project_id == project_id) return Status::Ok();
  return NotFound(std::string(kind) + " " + id + " not found");
}

Status Api::Impl::RequireAdmin(const RequestContext& ctx, std::string_view what) const {
  BS_RETURN_IF_ERROR(CheckOpen());
  if (ctx.is_admin()) return Status::Ok();
  if (ctx.project_id.empty()) return InvalidArgument("the request context has no project");
  return PermissionDenied(std::string(what) + " is an admin-only operation");
}

void Api::Close() { impl_->closed = true; }

Status Api::Impl::CheckOpen() const {
  if (closed) return Unavailable("the engine is closed");
  return Status::Ok();
}

Status Api::Impl::CheckContext(const RequestContext& ctx) const {
  BS_RETURN_IF_ERROR(CheckOpen());
  if (ctx.project_id.empty()) return InvalidArgument("the request context has no project");
  return internal::CheckText("project id", ctx.project_id);
}

Result<VolumeType> Api::Impl::ResolveType(const RequestContext& ctx,
                                          const std::string& id_or_name) {
  const std::string& want = id_or_name.empty() ? options.default_volume_type : id_or_name;
  Result<VolumeType> t = internal::IsUuid(want) ? store.GetVolumeType(want)
                                                 : store.GetVolumeTypeByName(want);
  if (!t.ok() && internal::IsUuid(want)) t = store.GetVolumeTypeByName(want);
  if (!t.ok()) {
    if (t.status().code() == Code::kNotFound) {
      return NotFound("volume type '" + want + "' not found");
    }
    return t.status();
  }
  if (!t->is_public && !ctx.is_admin()) {
    // A private type exists, for everyone else, only for the projects given access to it.
    BS_ASSIGN_OR_RETURN(auto projects, store.ListVolumeTypeAccess(t->id));
    if (std::find(projects.begin(), projects.end(), ctx.project_id) == projects.end()) {
      return NotFound("volume type '" + want + "' not found");
    }
  }
  return t;
}

VolumeType Api::Impl::ForCaller(const RequestContext& ctx, VolumeType t) {
  if (ctx.is_admin()) return t;
  Metadata visible;
  for (const char* k : {"RESKEY:availability_zones", "multiattach", "replication_enabled"}) {
    auto it = t.extra_specs.find(k);
    if (it != t.extra_specs.end()) visible.insert(*it);
  }
  t.extra_specs = std::move(visible);
  return t;
}

Result<Volume> Api::Impl::LoadVolume(const RequestContext& ctx, const std::string& id) {
  BS_RETURN_IF_ERROR(CheckContext(ctx));
  BS_RETURN_IF_ERROR(internal::CheckId("volume", id));
  BS_ASSIGN_OR_RETURN(Volume v, store.GetVolume(id));
  BS_RETURN_IF_ERROR(Visible(ctx, v.project_id, "volume", id));
  return v;
}

Result<Snapshot> Api::Impl::LoadSnapshot(const RequestContext& ctx, const std::string& id) {
  BS_RETURN_IF_ERROR(CheckContext(ctx));
  BS_RETURN_IF_ERROR(internal::CheckId("snapshot", id));
  BS_ASSIGN_OR_RETURN(Snapshot s, store.GetSnapshot(id));
  BS_RETURN_IF_ERROR(Visible(ctx, s.project_id, "snapshot", id));
  return s;
}

Result<Backup> Api::Impl::LoadBackup(const RequestContext& ctx, const std::string& id) {
  BS_RETURN_IF_ERROR(CheckContext(ctx));
  BS_RETURN_IF_ERROR(internal::CheckId("backup", id));
  BS_ASSIGN_OR_RETURN(Backup b, store.GetBackup(id));
  BS_RETURN_IF_ERROR(Visible(ctx, b.project_id, "backup", id));
  return b;
}

Status Api::Impl::AwaitCreated(const std::string& volume_id, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::microseconds(200);
  while (true) {
    BS_ASSIGN_OR_RETURN(Volume v, store.GetVolume(volume_id));
    if (v.status == VolumeStatus::kAvailable) return Status::Ok();
    if (v.status != VolumeStatus::kCreating) {
      return FailedPrecondition("volume " + volume_id + " could not be created ('" +
                                std::string(ToString(v.status)) + "')");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return DeadlineExceeded("volume " + volume_id + " is still being created");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(20000));
  }
}

Status Api::Impl::CheckBackupService() const {
  if (options.backup_host.empty()) return Unavailable("no backup service runs with this Api");
  return Status::Ok();
}

Status Api::Impl::Cast(const std::string& topic, std::string method, const std::string& id,
                       const RequestContext& ctx, std::string body) {
  internal::Message m{std::move(method), id, ctx.request_id, std::move(body)};
  return transport.Cast(topic, internal::EncodeMessage(m));
}

RequestSpec Api::Impl::SpecFor(const Volume& v) {
  auto type = store.GetVolumeType(v.volume_type_id);
  return SpecFor(v, type.ok() ? *type : VolumeType{});
}

RequestSpec Api::Impl::SpecFor(const Volume& v, const VolumeType& type) {
  RequestSpec spec;
  spec.volume_id = v.id;
  spec.project_id = v.project_id;
  spec.user_id = v.user_id;
  spec.size_gb = v.size_gb;
  spec.availability_zone = v.availability_zone;
  spec.volume_type = type;
  spec.metadata = v.metadata;
  spec.status = std::string(ToString(v.status));
  spec.attached = v.attach_status == AttachStatus::kAttached;
  if (!type.qos_specs_id.empty()) {
    if (auto q = store.GetQosSpec(type.qos_specs_id); q.ok()) spec.qos_specs = q->specs;
  }
  return spec;
}

Status Api::Impl::CheckPerVolumeLimit(const std::string& project_id, int64_t size_gb) {
  BS_ASSIGN_OR_RETURN(QuotaSet q, store.GetQuotaSet(project_id));
  auto it = q.resources.find(std::string(kQuotaPerVolumeGigabytes));
  if (it != q.resources.end() && it->second.limit >= 0 && size_gb > it->second.limit) {
    return ResourceExhausted("a volume of " + std::to_string(size_gb) +
                             " GB exceeds the per-volume limit of " +
                             std::to_string(it->second.limit) + " GB");
  }
  return Status::Ok();
}

}  // namespace blockstore
