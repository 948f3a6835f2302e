// AttachmentService: attachments and the legacy attach actions.
#include "blockstore/attachment_service.hpp"

#include <algorithm>

#include "lib/api/service_core.hpp"
#include "lib/api/validation.hpp"
#include "lib/attach/attach_codec.hpp"
#include "lib/attach/teardown.hpp"
#include "lib/core/ids.hpp"
#include "lib/core/macros.hpp"
#include "lib/json/json_codec.hpp"

namespace blockstore {
namespace {

using VS = VolumeStatus;
using AS = AttachStatus;

bool InError(const Volume& v) { return ToString(v.status).find("error") != std::string_view::npos; }

Status CheckAttachable(const Volume& v) {
  if (InError(v)) {
    return FailedPrecondition("volume " + v.id + " is '" + std::string(ToString(v.status)) +
                              "'; a volume in an error status cannot be attached");
  }
  if (v.status == VS::kMaintenance) {
    return FailedPrecondition("volume " + v.id + " is in maintenance");
  }
  if (v.host.empty()) return FailedPrecondition("volume " + v.id + " has no backend yet");
  return Status::Ok();
}

// The statuses a volume may be attached from.
std::vector<VS> ReservableStatuses(const Volume& v) {
  std::vector<VS> out = {VS::kAvailable, VS::kDownloading};
  if (v.multiattach) out.insert(out.end(), {VS::kInUse, VS::kReserved, VS::kAttaching});
  return out;
}

bool IsReadonly(const Volume& v) { return v.readonly.value_or(false); }

Status CheckMode(const std::string& mode, bool allow_empty) {
  if ((allow_empty && mode.empty()) || mode == "rw" || mode == "ro") return Status::Ok();
  return InvalidArgument("mode must be rw or ro");
}

bool SameHost(const Connector& a, const Connector& b) {
  return internal::HostKey(a) == internal::HostKey(b);
}

// Exports the volume to `c` through its backend's volume service.
Result<ConnectionInfo> Connect(internal::ServiceCore& d, const RequestContext& ctx, const Volume& v,
                               const Connector& c, const std::string& mode) {
  return d.volume(v.host).InitializeConnection(v.id, c, mode, ctx.request_id);
}

// Tears down what a leaving connector used, keeping what `others` (the volume's other
// attachments) and the hosts connected through the legacy actions still need.
Status Disconnect(internal::ServiceCore& d, const RequestContext& ctx, const Volume& v,
                  const std::optional<Connector>& c, const std::vector<Attachment>& others) {
  BS_ASSIGN_OR_RETURN(auto legacy, d.store().attachments().ListLegacyConnectors(v.id));
  const internal::Teardown t = internal::TeardownFor(c, others, legacy);
  return d.volume(v.host).TerminateConnection(v.id, c, t.revoke_host, t.remove_export,
                                              ctx.request_id);
}

// Tears down one attachment's connection, then forgets it. On a backend failure the
// attachment is kept, error_detaching.
Result<Volume> ForgetAttachment(internal::ServiceCore& d, const RequestContext& ctx,
                                const Attachment& a) {
  BS_ASSIGN_OR_RETURN(Volume v, d.store().volumes().Get(a.volume_id));
  if (a.connection_info || a.connector) {
    BS_ASSIGN_OR_RETURN(auto rows, d.store().attachments().ListOfVolume(v.id));
    std::erase_if(rows, [&](const Attachment& o) { return o.id == a.id; });
    if (Status s = Disconnect(d, ctx, v, a.connector, rows); !s.ok()) {
      AttachmentChange c;
      c.to = AS::kErrorDetaching;
      (void)d.store().attachments().Update(a.id, c);
      d.notifier().Volume("volume.detach.error", v, s.ToString());
      return s;
    }
  }
  BS_ASSIGN_OR_RETURN(Volume after, d.store().attachments().Delete(a.id));
  d.notifier().Volume("volume.detach.end", after);
  return after;
}

}  // namespace

AttachmentService::AttachmentService(internal::ServiceCore& core) : core_(core) {}

Result<Attachment> AttachmentService::Create(const RequestContext& ctx,
                                         const AttachmentCreateRequest& r) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.CheckContext(ctx));
  BS_RETURN_IF_ERROR(internal::CheckId("volume", r.volume_id));
  if (!r.instance_uuid.empty()) BS_RETURN_IF_ERROR(internal::CheckId("instance", r.instance_uuid));
  BS_RETURN_IF_ERROR(CheckMode(r.mode, /*allow_empty=*/true));
  if (r.connector) BS_RETURN_IF_ERROR(internal::CheckConnector(*r.connector));
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, r.volume_id));
  BS_RETURN_IF_ERROR(CheckAttachable(v));
  Attachment a;
  a.id = internal::NewUuid();
  a.volume_id = v.id;
  a.instance_uuid = r.instance_uuid;
  a.attach_status = AS::kReserved;
  a.attach_mode = IsReadonly(v) ? "ro" : r.mode.empty() ? "null" : r.mode;
  BS_ASSIGN_OR_RETURN(a, d.store().attachments().Create(a, ReservableStatuses(v)));
  if (auto now = d.store().volumes().Get(v.id); now.ok()) d.notifier().Volume("volume.attach.start", *now);
  if (!r.connector) return a;
  auto connected = Update(ctx, a.id, *r.connector);
  if (!connected.ok()) {
    // Nothing is left behind: the reservation goes (the backend kept nothing either).
    (void)ForgetAttachment(d, ctx, a);
    return connected.status();
  }
  return connected;
}

Result<Attachment> AttachmentService::Update(const RequestContext& ctx, const std::string& id,
                                         const Connector& connector) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.CheckContext(ctx));
  BS_RETURN_IF_ERROR(internal::CheckId("attachment", id));
  BS_RETURN_IF_ERROR(internal::CheckConnector(connector));
  BS_ASSIGN_OR_RETURN(Attachment a, d.store().attachments().Get(id));
  BS_RETURN_IF_ERROR(d.Visible(ctx, a.project_id, "attachment", id));
  BS_ASSIGN_OR_RETURN(Volume v, d.store().volumes().Get(a.volume_id));
  BS_RETURN_IF_ERROR(CheckAttachable(v));
  const std::vector<AS> from = {AS::kReserved, AS::kAttaching, AS::kErrorAttaching};
  if (std::find(from.begin(), from.end(), a.attach_status) == from.end()) {
    return FailedPrecondition("attachment " + id + " is '" +
                              std::string(ToString(a.attach_status)) +
                              "'; only a reserved or attaching attachment takes a connector");
  }
  if (!v.multiattach) {
    BS_ASSIGN_OR_RETURN(auto rows, d.store().attachments().ListOfVolume(v.id));
    for (const auto& o : rows) {
      if (o.id != a.id && o.connection_info) {
        return FailedPrecondition("volume " + v.id + " is already connected through attachment " +
                                  o.id + " and its type does not allow multiattach");
      }
    }
  }
  const std::string mode = IsReadonly(v)              ? "ro"
                           : a.attach_mode != "null" ? a.attach_mode
                           : !connector.mode.empty() ? connector.mode
                                                     : "rw";
  auto info = Connect(d, ctx, v, connector, mode);
  if (!info.ok()) {
    if (info.status().code() != Code::kInvalidArgument) {
      AttachmentChange c;
      c.to = AS::kErrorAttaching;
      (void)d.store().attachments().Update(id, c);
      d.notifier().Volume("volume.attach.error", v, info.status().ToString());
    }
    return info.status();
  }
  AttachmentChange c;
  c.from = from;
  c.to = AS::kAttaching;
  c.connector = connector;
  c.connection_info = *info;
  c.attach_mode = mode;
  c.attached_host = connector.host;
  if (!connector.mountpoint.empty()) c.mountpoint = connector.mountpoint;
  auto done = d.store().attachments().Update(id, c);
  if (!done.ok()) {
    // Deleted or changed meanwhile: do not leave an export nobody records.
    (void)Disconnect(d, ctx, v, connector, {});
    return done.status();
  }
  return done;
}

Result<Attachment> AttachmentService::Complete(const RequestContext& ctx, const std::string& id) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.CheckContext(ctx));
  BS_RETURN_IF_ERROR(internal::CheckId("attachment", id));
  BS_ASSIGN_OR_RETURN(Attachment a, d.store().attachments().Get(id));
  BS_RETURN_IF_ERROR(d.Visible(ctx, a.project_id, "attachment", id));
  if (a.attach_status == AS::kAttached) return a;
  if (a.attach_status != AS::kAttaching) {
    return FailedPrecondition("attachment " + id + " is '" +
                              std::string(ToString(a.attach_status)) +
                              "'; complete needs it connected (attaching): update it with a "
                              "connector first");
  }
  AttachmentChange c;
  c.from = {AS::kAttaching};
  c.to = AS::kAttached;
  c.attach_time = d.env().Now();
  BS_ASSIGN_OR_RETURN(a, d.store().attachments().Update(id, c));
  if (auto v = d.store().volumes().Get(a.volume_id); v.ok()) d.notifier().Volume("volume.attach.end", *v);
  return a;
}

Result<std::vector<Attachment>> AttachmentService::Delete(const RequestContext& ctx,
                                                      const std::string& id) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.CheckContext(ctx));
  BS_RETURN_IF_ERROR(internal::CheckId("attachment", id));
  BS_ASSIGN_OR_RETURN(Attachment a, d.store().attachments().Get(id));
  BS_RETURN_IF_ERROR(d.Visible(ctx, a.project_id, "attachment", id));
  BS_RETURN_IF_ERROR(ForgetAttachment(d, ctx, a).status());
  return d.store().attachments().ListOfVolume(a.volume_id);
}

Result<Attachment> AttachmentService::Get(const RequestContext& ctx, const std::string& id) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.CheckContext(ctx));
  BS_RETURN_IF_ERROR(internal::CheckId("attachment", id));
  BS_ASSIGN_OR_RETURN(Attachment a, d.store().attachments().Get(id));
  BS_RETURN_IF_ERROR(d.Visible(ctx, a.project_id, "attachment", id));
  return a;
}

Result<std::vector<Attachment>> AttachmentService::List(const RequestContext& ctx,
                                                     const AttachmentQuery& q) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.CheckContext(ctx));
  if (q.all_projects) BS_RETURN_IF_ERROR(d.RequireAdmin(ctx, "listing every project"));
  if (q.volume_id) BS_RETURN_IF_ERROR(internal::CheckId("volume", *q.volume_id));
  if (q.instance_uuid) BS_RETURN_IF_ERROR(internal::CheckId("instance", *q.instance_uuid));
  if (!q.marker.empty()) BS_RETURN_IF_ERROR(internal::CheckId("marker attachment", q.marker));
  return d.store().attachments().List(q, q.all_projects ? std::string_view() : ctx.project_id);
}

// ---- legacy actions ----

Result<Volume> AttachmentService::Reserve(const RequestContext& ctx, const std::string& volume_id) {
  auto& d = core_;
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, volume_id));
  BS_RETURN_IF_ERROR(CheckAttachable(v));
  VolumeTransition t;
  t.from = {VS::kAvailable};
  if (v.multiattach) t.from.push_back(VS::kInUse);
  t.to = VS::kAttaching;
  return d.store().volumes().Transition(v.id, t);
}

Result<Volume> AttachmentService::Unreserve(const RequestContext& ctx, const std::string& volume_id) {
  auto& d = core_;
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, volume_id));
  return d.store().attachments().SettleVolume(v.id, {VS::kAttaching});
}

Result<ConnectionInfo> AttachmentService::InitializeConnection(const RequestContext& ctx,
                                                 const std::string& volume_id,
                                                 const Connector& connector) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(internal::CheckConnector(connector));
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, volume_id));
  BS_RETURN_IF_ERROR(CheckAttachable(v));
  if (v.status == VS::kCreating || v.status == VS::kDeleting) {
    return FailedPrecondition("volume " + v.id + " is '" + std::string(ToString(v.status)) + "'");
  }
  const std::string mode = IsReadonly(v)               ? "ro"
                           : connector.mode.empty()  ? "rw"
                                                     : connector.mode;
  BS_ASSIGN_OR_RETURN(ConnectionInfo info, Connect(d, ctx, v, connector, mode));
  // No attachment records this connection: the connector is kept so that a restart admits
  // the host again.
  BS_RETURN_IF_ERROR(d.store().attachments().SaveLegacyConnector(v.id, connector));
  return info;
}

Result<Attachment> AttachmentService::Attach(const RequestContext& ctx, const std::string& volume_id,
                                     const LegacyAttachRequest& r) {
  auto& d = core_;
  if (r.instance_uuid.empty() == r.host_name.empty()) {
    return InvalidArgument("attach needs exactly one of instance_uuid and host_name");
  }
  if (!r.instance_uuid.empty()) BS_RETURN_IF_ERROR(internal::CheckId("instance", r.instance_uuid));
  if (!r.host_name.empty()) BS_RETURN_IF_ERROR(internal::CheckText("host_name", r.host_name));
  BS_RETURN_IF_ERROR(internal::CheckText("mountpoint", r.mountpoint));
  BS_RETURN_IF_ERROR(CheckMode(r.mode, /*allow_empty=*/false));
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, volume_id));
  BS_RETURN_IF_ERROR(CheckAttachable(v));
  if (IsReadonly(v) && r.mode == "rw") {
    return InvalidArgument("volume " + v.id + " is read-only; attach it with mode ro");
  }
  AttachmentChange c;
  c.to = AS::kAttached;
  c.attach_mode = r.mode;
  c.mountpoint = r.mountpoint;
  c.attach_time = d.env().Now();
  BS_ASSIGN_OR_RETURN(auto rows, d.store().attachments().ListOfVolume(v.id));
  for (const auto& o : rows) {
    const bool same = r.instance_uuid.empty() ? o.attached_host == r.host_name
                                              : o.instance_uuid == r.instance_uuid;
    if (same) {
      BS_ASSIGN_OR_RETURN(Attachment a, d.store().attachments().Update(o.id, c));
      if (auto now = d.store().volumes().Get(v.id); now.ok()) d.notifier().Volume("volume.attach.end", *now);
      return a;
    }
  }
  Attachment a;
  a.id = internal::NewUuid();
  a.volume_id = v.id;
  a.instance_uuid = r.instance_uuid;
  a.attached_host = r.host_name;
  a.mountpoint = r.mountpoint;
  a.attach_status = AS::kAttached;
  a.attach_mode = r.mode;
  a.attach_time = c.attach_time;
  std::vector<VS> from = ReservableStatuses(v);
  from.push_back(VS::kAttaching);
  BS_ASSIGN_OR_RETURN(a, d.store().attachments().Create(a, from));
  if (auto now = d.store().volumes().Get(v.id); now.ok()) d.notifier().Volume("volume.attach.end", *now);
  return a;
}

Result<Volume> AttachmentService::BeginDetaching(const RequestContext& ctx, const std::string& volume_id) {
  auto& d = core_;
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, volume_id));
  VolumeTransition t;
  t.from = {VS::kInUse};
  t.to = VS::kDetaching;
  return d.store().volumes().Transition(v.id, t);
}

Result<Volume> AttachmentService::RollDetaching(const RequestContext& ctx, const std::string& volume_id) {
  auto& d = core_;
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, volume_id));
  return d.store().attachments().SettleVolume(v.id, {VS::kDetaching});
}

Status AttachmentService::TerminateConnection(const RequestContext& ctx, const std::string& volume_id,
                                const Connector& connector) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(internal::CheckConnector(connector));
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, volume_id));
  if (v.host.empty()) return FailedPrecondition("volume " + v.id + " has no backend");
  BS_ASSIGN_OR_RETURN(auto rows, d.store().attachments().ListOfVolume(v.id));
  // The attachments of this host stop needing the connection, and so does its legacy one.
  std::erase_if(rows, [&](const Attachment& o) {
    return o.connector && SameHost(*o.connector, connector);
  });
  auto legacy = d.store().attachments().ListLegacyConnectors(v.id);
  BS_RETURN_IF_ERROR(legacy.status());
  BS_RETURN_IF_ERROR(d.store().attachments().ForgetLegacyConnector(v.id, connector));
  if (Status s = Disconnect(d, ctx, v, connector, rows); !s.ok()) {
    // Still connected: keep what a restart needs to know.
    for (const auto& l : *legacy) {
      if (SameHost(l, connector)) (void)d.store().attachments().SaveLegacyConnector(v.id, l);
    }
    return s;
  }
  if (v.status == VS::kAttaching) (void)d.store().attachments().SettleVolume(v.id, {VS::kAttaching});
  return Status::Ok();
}

Result<Volume> AttachmentService::Detach(const RequestContext& ctx, const std::string& volume_id,
                                 const std::string& attachment_id) {
  auto& d = core_;
  if (!attachment_id.empty()) BS_RETURN_IF_ERROR(internal::CheckId("attachment", attachment_id));
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, volume_id));
  BS_ASSIGN_OR_RETURN(auto rows, d.store().attachments().ListOfVolume(v.id));
  if (rows.empty()) return FailedPrecondition("volume " + v.id + " is not attached");
  const Attachment* which = nullptr;
  if (attachment_id.empty()) {
    if (rows.size() > 1) {
      return InvalidArgument("volume " + v.id + " has " + std::to_string(rows.size()) +
                             " attachments; name the one to detach");
    }
    which = &rows.front();
  } else {
    for (const auto& a : rows) {
      if (a.id == attachment_id) which = &a;
    }
    if (!which) return NotFound("attachment " + attachment_id + " of volume " + v.id + " not found");
  }
  return ForgetAttachment(d, ctx, *which);
}

Result<Volume> AttachmentService::ForceDetach(const RequestContext& ctx, const std::string& volume_id,
                                const std::string& attachment_id) {
  auto& d = core_;
  BS_RETURN_IF_ERROR(d.RequireAdmin(ctx, "force-detaching a volume"));
  if (!attachment_id.empty()) BS_RETURN_IF_ERROR(internal::CheckId("attachment", attachment_id));
  BS_ASSIGN_OR_RETURN(Volume v, d.LoadVolume(ctx, volume_id));
  BS_ASSIGN_OR_RETURN(auto rows, d.store().attachments().ListOfVolume(v.id));
  bool found = attachment_id.empty();
  for (const auto& a : rows) {
    if (!attachment_id.empty() && a.id != attachment_id) continue;
    found = true;
    BS_ASSIGN_OR_RETURN(v, ForgetAttachment(d, ctx, a));
  }
  if (!found) return NotFound("attachment " + attachment_id + " of volume " + v.id + " not found");
  BS_ASSIGN_OR_RETURN(auto left, d.store().attachments().ListOfVolume(v.id));
  if (left.empty() && !v.host.empty()) {
    // Also what legacy connections (which record no attachment) left exported.
    BS_RETURN_IF_ERROR(d.store().attachments().ForgetLegacyConnector(v.id, std::nullopt));
    BS_RETURN_IF_ERROR(Disconnect(d, ctx, v, std::nullopt, {}));
    // A volume stuck mid-action (attaching, detaching) is settled too.
      const std::vector<VS> stuck = {VS::kAttaching, VS::kDetaching, VS::kReserved, VS::kInUse};
    auto settled = d.store().attachments().SettleVolume(v.id, stuck);
    if (settled.ok()) v = *settled;
  }
  return v;
}

}  // namespace blockstore
