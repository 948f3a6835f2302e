// The SQL attachment repository — attachments and the exports that serve them — and the
// session's attachment readers.
#include <algorithm>

#include "lib/attach/attach_codec.hpp"
#include "lib/core/macros.hpp"
#include "lib/domain/attach_state.hpp"
#include "lib/store/row_query.hpp"
#include "lib/store/sql_repositories.hpp"
#include "lib/store/status_set.hpp"

namespace blockstore::internal {
namespace {

using VS = VolumeStatus;
using AS = AttachStatus;

constexpr const char* kAttachmentColumns =
    "t.id, t.volume_id, t.project_id, t.instance_uuid, t.attached_host, t.mountpoint, "
    "t.attach_status, t.attach_mode, t.connector, t.connection_info, t.attach_time, "
    "t.detach_time, t.created_at, t.updated_at";

std::optional<TimePoint> OptionalTime(const Stmt& st, int col) {
  if (st.IsNull(col)) return std::nullopt;
  return ParseTime(st.Text(col));
}

Attachment ReadAttachment(const Stmt& st) {
  Attachment a;
  a.id = st.Text(0);
  a.volume_id = st.Text(1);
  a.project_id = st.Text(2);
  a.instance_uuid = st.Text(3);
  a.attached_host = st.Text(4);
  a.mountpoint = st.Text(5);
  a.attach_status = ParseAttachStatus(st.Text(6)).value_or(AS::kErrorAttaching);
  a.attach_mode = st.Text(7);
  if (!st.IsNull(8)) {
    boost::system::error_code ec;
    auto v = json::parse(st.Text(8), ec);
    if (!ec) {
      if (auto c = ConnectorFromJson(v); c.ok()) a.connector = std::move(c).value();
    }
  }
  if (!st.IsNull(9)) {
    boost::system::error_code ec;
    auto v = json::parse(st.Text(9), ec);
    if (!ec) {
      if (auto c = ConnectionInfoFromJson(v); c.ok()) a.connection_info = std::move(c).value();
    }
  }
  a.attach_time = OptionalTime(st, 10);
  a.detach_time = OptionalTime(st, 11);
  a.created_at = ParseTime(st.Text(12)).value_or(TimePoint{});
  a.updated_at = ParseTime(st.Text(13)).value_or(TimePoint{});
  return a;
}

// The statuses whose word the attachments decide.
void BindOptionalTime(Stmt& st, int i, const std::optional<TimePoint>& t) {
  if (t)
    st.Bind(i, FormatTime(*t));
  else
    st.BindNull(i);
}

}  // namespace

Result<std::vector<Attachment>> SqlSession::QueryAttachmentsLocked(
    const std::string& tail, const std::vector<std::string>& binds, bool cache) {
  return QueryRows(
      *db_, std::string("SELECT ") + kAttachmentColumns + " FROM volume_attachments t " + tail,
      binds, cache, ReadAttachment);
}

Result<Attachment> SqlSession::GetAttachmentLocked(std::string_view id) {
  BS_ASSIGN_OR_RETURN(auto rows, QueryAttachmentsLocked("WHERE t.id = ?", {std::string(id)}));
  if (rows.empty()) return NotFound("attachment " + std::string(id) + " not found");
  return rows.front();
}

Result<Volume> SqlSession::DeriveAttachStateLocked(std::string_view volume_id) {
  BS_ASSIGN_OR_RETURN(Volume v, GetVolumeLocked(volume_id));
  BS_ASSIGN_OR_RETURN(auto rows,
                      QueryAttachmentsLocked("WHERE t.volume_id = ?", {std::string(volume_id)}));
  std::vector<AS> statuses;
  statuses.reserve(rows.size());
  for (const auto& a : rows) statuses.push_back(a.attach_status);
  const AttachState derived = DeriveAttachState(v.status, statuses);
  v.status = derived.status;
  v.attach_status = derived.attach_status;
  v.updated_at = options_.env->Now();
  BS_ASSIGN_OR_RETURN(Stmt * st, db_->Prepare("UPDATE volumes SET status = ?, attach_status = ?, "
                                              "updated_at = ? WHERE id = ?"));
  BS_RETURN_IF_ERROR(st->Bind(1, ToString(v.status))
                         .Bind(2, ToString(v.attach_status))
                         .Bind(3, FormatTime(v.updated_at))
                         .Bind(4, v.id)
                         .Run());
  return v;
}

Result<Attachment> SqlAttachments::Create(const Attachment& in,
                                          const std::vector<VolumeStatus>& volume_statuses) {
  return sessions_.Run([&](SqlSession& session) -> Result<Attachment> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Volume v, session.GetVolumeLocked(in.volume_id));
    if (!In(v.status, volume_statuses)) {
      bool same_server = false;
      if (!in.instance_uuid.empty() && (v.status == VS::kInUse || v.status == VS::kReserved)) {
        BS_ASSIGN_OR_RETURN(auto mine, session.QueryAttachmentsLocked(
                                           "WHERE t.volume_id = ? AND t.instance_uuid = ?",
                                           {v.id, in.instance_uuid}));
        same_server = !mine.empty();
      }
      if (!same_server) {
        return FailedPrecondition("volume " + v.id + " is '" + std::string(ToString(v.status)) +
                                  "'; attaching needs one of: " + StatusList(volume_statuses));
      }
    }
    Attachment a = in;
    a.project_id = v.project_id;
    a.created_at = a.updated_at = session.options().env->Now();
    BS_ASSIGN_OR_RETURN(
        Stmt * ins, session.db().Prepare(
                        "INSERT INTO volume_attachments (id, volume_id, project_id, instance_uuid, "
                        "attached_host, mountpoint, attach_status, attach_mode, connector, "
                        "connection_info, attach_time, detach_time, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    ins->Bind(1, a.id).Bind(2, a.volume_id).Bind(3, a.project_id).Bind(4, a.instance_uuid);
    ins->Bind(5, a.attached_host).Bind(6, a.mountpoint).Bind(7, ToString(a.attach_status));
    ins->Bind(8, a.attach_mode);
    if (a.connector)
      ins->Bind(9, json::serialize(ToJson(*a.connector)));
    else
      ins->BindNull(9);
    if (a.connection_info)
      ins->Bind(10, json::serialize(ToJson(*a.connection_info)));
    else
      ins->BindNull(10);
    BindOptionalTime(*ins, 11, a.attach_time);
    BindOptionalTime(*ins, 12, a.detach_time);
    ins->Bind(13, FormatTime(a.created_at)).Bind(14, FormatTime(a.updated_at));
    BS_RETURN_IF_ERROR(ins->Run());
    BS_RETURN_IF_ERROR(session.DeriveAttachStateLocked(v.id).status());
    BS_RETURN_IF_ERROR(tx.Commit());
    return a;
  });
}

Result<Attachment> SqlAttachments::Get(std::string_view id) {
  return sessions_.Run(
      [&](SqlSession& session) -> Result<Attachment> { return session.GetAttachmentLocked(id); });
}

Result<std::vector<Attachment>> SqlAttachments::List(const AttachmentQuery& q,
                                                     std::string_view project_scope) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<Attachment>> {
    std::vector<std::string> where, binds;
    auto add = [&](std::string clause, std::string bind) {
      where.push_back(std::move(clause));
      binds.push_back(std::move(bind));
    };
    if (!project_scope.empty()) add("t.project_id = ?", std::string(project_scope));
    if (q.volume_id) add("t.volume_id = ?", *q.volume_id);
    if (q.instance_uuid) add("t.instance_uuid = ?", *q.instance_uuid);
    if (q.attach_status) add("t.attach_status = ?", std::string(ToString(*q.attach_status)));
    if (!q.marker.empty()) {
      auto m = session.GetAttachmentLocked(q.marker);
      if (!m.ok() || (!project_scope.empty() && m->project_id != project_scope)) {
        return InvalidArgument("marker " + q.marker + " not found");
      }
      where.push_back("(t.created_at > ? OR (t.created_at = ? AND t.id > ?))");
      const std::string at = FormatTime(m->created_at);
      binds.insert(binds.end(), {at, at, m->id});
    }
    const int64_t limit = q.limit.value_or(1000);
    if (limit < 1 || limit > 1000) return InvalidArgument("limit must be between 1 and 1000");
    std::string tail;
    for (std::size_t i = 0; i < where.size(); ++i) tail += (i ? " AND " : "WHERE ") + where[i];
    tail += " ORDER BY t.created_at, t.id LIMIT " + std::to_string(limit);
    return session.QueryAttachmentsLocked(tail, binds, /*cache=*/false);
  });
}

Result<std::vector<Attachment>> SqlAttachments::ListOfVolume(std::string_view volume_id) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<Attachment>> {
    return session.QueryAttachmentsLocked("WHERE t.volume_id = ? ORDER BY t.created_at, t.id",
                                          {std::string(volume_id)});
  });
}

Result<Attachment> SqlAttachments::Update(std::string_view id, const AttachmentChange& c) {
  return sessions_.Run([&](SqlSession& session) -> Result<Attachment> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Attachment a, session.GetAttachmentLocked(id));
    if (!c.from.empty() &&
        std::find(c.from.begin(), c.from.end(), a.attach_status) == c.from.end()) {
      std::string want;
      for (auto s : c.from) want += (want.empty() ? "" : ", ") + std::string(ToString(s));
      return FailedPrecondition("attachment " + a.id + " is '" +
                                std::string(ToString(a.attach_status)) +
                                "'; this needs one of: " + want);
    }
    if (c.to) a.attach_status = *c.to;
    if (c.connector) a.connector = *c.connector;
    if (c.connection_info) a.connection_info = *c.connection_info;
    if (c.attach_mode) a.attach_mode = *c.attach_mode;
    if (c.attached_host) a.attached_host = *c.attached_host;
    if (c.instance_uuid) a.instance_uuid = *c.instance_uuid;
    if (c.mountpoint) a.mountpoint = *c.mountpoint;
    if (c.attach_time) a.attach_time = *c.attach_time;
    if (c.detach_time) a.detach_time = *c.detach_time;
    a.updated_at = session.options().env->Now();
    BS_ASSIGN_OR_RETURN(
        Stmt * st,
        session.db().Prepare(
            "UPDATE volume_attachments SET attach_status = ?, connector = ?, "
            "connection_info = ?, attach_mode = ?, attached_host = ?, instance_uuid = ?, "
            "mountpoint = ?, attach_time = ?, detach_time = ?, updated_at = ? WHERE id = ?"));
    st->Bind(1, ToString(a.attach_status));
    if (a.connector)
      st->Bind(2, json::serialize(ToJson(*a.connector)));
    else
      st->BindNull(2);
    if (a.connection_info)
      st->Bind(3, json::serialize(ToJson(*a.connection_info)));
    else
      st->BindNull(3);
    st->Bind(4, a.attach_mode).Bind(5, a.attached_host).Bind(6, a.instance_uuid);
    st->Bind(7, a.mountpoint);
    BindOptionalTime(*st, 8, a.attach_time);
    BindOptionalTime(*st, 9, a.detach_time);
    BS_RETURN_IF_ERROR(st->Bind(10, FormatTime(a.updated_at)).Bind(11, a.id).Run());
    BS_RETURN_IF_ERROR(session.DeriveAttachStateLocked(a.volume_id).status());
    BS_RETURN_IF_ERROR(tx.Commit());
    return a;
  });
}

Result<Volume> SqlAttachments::Delete(std::string_view id) {
  return sessions_.Run([&](SqlSession& session) -> Result<Volume> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Attachment a, session.GetAttachmentLocked(id));
    BS_ASSIGN_OR_RETURN(Stmt * del,
                        session.db().Prepare("DELETE FROM volume_attachments WHERE id = ?"));
    BS_RETURN_IF_ERROR(del->Bind(1, a.id).Run());
    BS_ASSIGN_OR_RETURN(Volume v, session.DeriveAttachStateLocked(a.volume_id));
    BS_RETURN_IF_ERROR(tx.Commit());
    return v;
  });
}

Result<Volume> SqlAttachments::SettleVolume(std::string_view volume_id,
                                            const std::vector<VolumeStatus>& from) {
  return sessions_.Run([&](SqlSession& session) -> Result<Volume> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Volume v, session.GetVolumeLocked(volume_id));
    if (!In(v.status, from)) {
      return FailedPrecondition("volume " + v.id + " is '" + std::string(ToString(v.status)) +
                                "'; this needs one of: " + StatusList(from));
    }
    BS_ASSIGN_OR_RETURN(v, session.DeriveAttachStateLocked(volume_id));
    BS_RETURN_IF_ERROR(tx.Commit());
    return v;
  });
}

Result<std::optional<VolumeExport>> SqlAttachments::GetExport(std::string_view volume_id) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::optional<VolumeExport>> {
    BS_ASSIGN_OR_RETURN(Stmt * st, session.db().Prepare("SELECT location, auth FROM volume_exports "
                                                        "WHERE volume_id = ?"));
    st->Bind(1, volume_id);
    BS_ASSIGN_OR_RETURN(bool row, st->Step());
    std::optional<VolumeExport> out;
    if (row) out = VolumeExport{st->Text(0), st->Text(1)};
    st->Reset();
    return out;
  });
}

Status SqlAttachments::SetExport(std::string_view volume_id, const VolumeExport& e) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    BS_RETURN_IF_ERROR(session.GetVolumeLocked(volume_id).status());
    BS_ASSIGN_OR_RETURN(
        Stmt * st,
        session.db().Prepare("INSERT INTO volume_exports (volume_id, location, auth, "
                             "updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(volume_id) DO "
                             "UPDATE SET location = excluded.location, auth = excluded.auth, "
                             "updated_at = excluded.updated_at"));
    return st->Bind(1, volume_id)
        .Bind(2, e.location)
        .Bind(3, e.auth)
        .Bind(4, session.NowText())
        .Run();
  });
}

Status SqlAttachments::SaveLegacyConnector(std::string_view volume_id, const Connector& c) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    BS_RETURN_IF_ERROR(session.GetVolumeLocked(volume_id).status());
    BS_ASSIGN_OR_RETURN(
        Stmt * st,
        session.db().Prepare("INSERT INTO volume_connectors (volume_id, host_key, connector) "
                             "VALUES (?, ?, ?) ON CONFLICT(volume_id, host_key) DO UPDATE "
                             "SET connector = excluded.connector"));
    return st->Bind(1, volume_id).Bind(2, HostKey(c)).Bind(3, json::serialize(ToJson(c))).Run();
  });
}

Status SqlAttachments::ForgetLegacyConnector(std::string_view volume_id,
                                             const std::optional<Connector>& c) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    if (!c) {
      BS_ASSIGN_OR_RETURN(
          Stmt * all, session.db().Prepare("DELETE FROM volume_connectors WHERE volume_id = ?"));
      return all->Bind(1, volume_id).Run();
    }
    BS_ASSIGN_OR_RETURN(Stmt * st,
                        session.db().Prepare("DELETE FROM volume_connectors WHERE volume_id = ? "
                                             "AND host_key = ?"));
    return st->Bind(1, volume_id).Bind(2, HostKey(*c)).Run();
  });
}

Result<std::vector<Connector>> SqlAttachments::ListLegacyConnectors(std::string_view volume_id) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<Connector>> {
    BS_ASSIGN_OR_RETURN(Stmt * st,
                        session.db().Prepare("SELECT connector FROM volume_connectors WHERE "
                                             "volume_id = ? ORDER BY host_key"));
    st->Bind(1, volume_id);
    std::vector<Connector> out;
    while (true) {
      BS_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      boost::system::error_code ec;
      auto v = json::parse(st->Text(0), ec);
      if (ec) continue;  // written by this code only; a damaged row is skipped
      if (auto c = ConnectorFromJson(v); c.ok()) out.push_back(std::move(c).value());
    }
    st->Reset();
    return out;
  });
}

Result<std::vector<Volume>> SqlAttachments::ListConnectedVolumes(std::string_view backend) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<Volume>> {
    return session.QueryVolumesLocked(
        "WHERE (t.host = ?1 OR substr(t.host, 1, length(?1) + 1) = ?1 || '#') AND (EXISTS "
        "(SELECT 1 FROM volume_attachments a WHERE a.volume_id = t.id AND "
        "a.connection_info IS NOT NULL) OR EXISTS (SELECT 1 FROM volume_connectors c "
        "WHERE c.volume_id = t.id)) ORDER BY t.created_at",
        {std::string(backend)});
  });
}

}  // namespace blockstore::internal
