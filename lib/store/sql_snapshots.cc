// The SQL snapshot repository, and the session's snapshot readers.
#include <algorithm>

#include "lib/core/macros.hpp"
#include "lib/domain/type_quota.hpp"
#include "lib/store/list_query.hpp"
#include "lib/store/row_query.hpp"
#include "lib/store/sql_repositories.hpp"
#include "lib/store/status_set.hpp"

namespace blockstore::internal {
namespace {

constexpr const char* kSnapshotColumns =
    "t.id, t.project_id, t.user_id, t.volume_id, t.name, t.description, t.size, t.status, "
    "t.progress, t.created_at, t.updated_at, "
    "(SELECT json_group_object(m.key, m.value) FROM snapshot_metadata m WHERE m.snapshot_id = "
    "t.id)";

Snapshot ReadSnapshot(const Stmt& st) {
  Snapshot s;
  s.id = st.Text(0);
  s.project_id = st.Text(1);
  s.user_id = st.Text(2);
  s.volume_id = st.Text(3);
  s.name = st.Text(4);
  s.description = st.Text(5);
  s.size_gb = static_cast<uint64_t>(st.Int(6));
  s.status = ParseSnapshotStatus(st.Text(7)).value_or(SnapshotStatus::kError);
  s.progress = st.Text(8);
  s.created_at = ParseTime(st.Text(9)).value_or(TimePoint{});
  s.updated_at = ParseTime(st.Text(10)).value_or(TimePoint{});
  s.metadata = MetadataFromColumn(st, 11);
  return s;
}

const ListTable& SnapshotTable() {
  static const ListTable kTable{"snapshots",
                                "snapshot_metadata",
                                "snapshot_id",
                                {"created_at", "updated_at", "id", "name", "description", "size",
                                 "status", "project_id", "user_id", "volume_id"},
                                {"volume_id"}};
  return kTable;
}

std::string SnapshotOwner(std::string_view id) { return "snapshot:" + std::string(id); }

}  // namespace

Result<Snapshot> SqlSession::GetSnapshotLocked(std::string_view id) {
  BS_ASSIGN_OR_RETURN(auto found, QuerySnapshotsLocked("WHERE t.id = ?", {std::string(id)}));
  if (found.empty()) return NotFound("snapshot " + std::string(id) + " not found");
  return std::move(found.front());
}

Result<std::vector<Snapshot>> SqlSession::QuerySnapshotsLocked(
    const std::string& tail, const std::vector<std::string>& binds, bool cache) {
  return QueryRows(*db_, std::string("SELECT ") + kSnapshotColumns + " FROM snapshots t " + tail,
                   binds, cache, ReadSnapshot);
}

Result<Snapshot> SqlSnapshots::Create(const Snapshot& s,
                                      const std::vector<VolumeStatus>& volume_statuses,
                                      const std::vector<QuotaCharge>& charges) {
  return sessions_.Run([&](SqlSession& session) -> Result<Snapshot> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Volume v, session.GetVolumeLocked(s.volume_id));
    if (!In(v.status, volume_statuses)) {
      return FailedPrecondition("volume " + v.id + " is '" + std::string(ToString(v.status)) +
                                "'; a snapshot needs one of: " + StatusList(volume_statuses));
    }
    if (v.host.empty()) {
      return FailedPrecondition("volume " + v.id + " was never placed on a backend");
    }
    BS_RETURN_IF_ERROR(session.ReserveLocked(s.project_id, SnapshotOwner(s.id), charges));
    BS_ASSIGN_OR_RETURN(
        Stmt * ins,
        session.db().Prepare(
            "INSERT INTO snapshots (id, project_id, user_id, volume_id, name, description, "
            "size, status, progress, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?)"));
    BS_RETURN_IF_ERROR(ins->Bind(1, s.id)
                           .Bind(2, s.project_id)
                           .Bind(3, s.user_id)
                           .Bind(4, s.volume_id)
                           .Bind(5, s.name)
                           .Bind(6, s.description)
                           .Bind(7, static_cast<int64_t>(s.size_gb))
                           .Bind(8, ToString(s.status))
                           .Bind(9, s.progress)
                           .Bind(10, FormatTime(s.created_at))
                           .Bind(11, FormatTime(s.updated_at))
                           .Run());
    BS_RETURN_IF_ERROR(
        session.UpsertPairsLocked("snapshot_metadata", "snapshot_id", s.id, s.metadata));
    BS_RETURN_IF_ERROR(tx.Commit());
    return s;
  });
}

Result<Snapshot> SqlSnapshots::Get(std::string_view id) {
  return sessions_.Run(
      [&](SqlSession& session) -> Result<Snapshot> { return session.GetSnapshotLocked(id); });
}

Result<std::vector<Snapshot>> SqlSnapshots::List(const ListQuery& q,
                                                 std::string_view project_scope) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<Snapshot>> {
    return ListPage(
        SnapshotTable(), q, project_scope,
        [&](const std::string& id) { return session.GetSnapshotLocked(id); },
        [&](const ListSql& sql) {
          return session.QuerySnapshotsLocked(sql.tail, sql.binds, /*cache=*/false);
        });
  });
}

Result<Snapshot> SqlSnapshots::Update(std::string_view id, const SnapshotUpdate& u) {
  return sessions_.Run([&](SqlSession& session) -> Result<Snapshot> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Snapshot s, session.GetSnapshotLocked(id));
    BS_RETURN_IF_ERROR(
        session.UpdateNamedLocked("snapshots", "snapshot_metadata", "snapshot_id", s, u));
    BS_RETURN_IF_ERROR(tx.Commit());
    return s;
  });
}

Result<Snapshot> SqlSnapshots::Transition(std::string_view id, const SnapshotTransition& t) {
  return sessions_.Run([&](SqlSession& session) -> Result<Snapshot> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Snapshot s, session.TransitionSnapshotLocked(id, t));
    BS_RETURN_IF_ERROR(tx.Commit());
    return s;
  });
}

Result<Snapshot> SqlSession::TransitionSnapshotLocked(std::string_view id,
                                                      const SnapshotTransition& t) {
  BS_ASSIGN_OR_RETURN(Snapshot s, GetSnapshotLocked(id));
  if (!In(s.status, t.from)) {
    return FailedPrecondition("snapshot " + s.id + " is '" + std::string(ToString(s.status)) +
                              "'; moving to '" + std::string(ToString(t.to)) +
                              "' needs one of: " + StatusList(t.from));
  }
  s.status = t.to;
  if (t.progress) s.progress = *t.progress;
  s.updated_at = options_.env->Now();
  BS_RETURN_IF_ERROR(SettleLocked(SnapshotOwner(s.id), t.quota));
  BS_ASSIGN_OR_RETURN(Stmt * st,
                      db_->Prepare("UPDATE snapshots SET status = ?, progress = ?, updated_at = ?, "
                                   "quota_committed = CASE WHEN quota_committed <> 0 OR ? <> 0 "
                                   "THEN 1 ELSE 0 END WHERE id = ?"));
  BS_RETURN_IF_ERROR(st->Bind(1, ToString(s.status))
                         .Bind(2, s.progress)
                         .Bind(3, FormatTime(s.updated_at))
                         .Bind(4, int64_t{t.quota == QuotaAction::kCommit})
                         .Bind(5, s.id)
                         .Run());
  return s;
}

Result<Snapshot> SqlSnapshots::BeginDelete(std::string_view id,
                                           const std::vector<SnapshotStatus>& allowed) {
  SnapshotTransition t;
  t.from = allowed;
  t.to = SnapshotStatus::kDeleting;
  return Transition(id, t);
}

Status SqlSnapshots::FinishDelete(std::string_view id) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(
        Stmt * sel,
        session.db().Prepare("SELECT project_id, size, quota_committed, (SELECT y.name "
                             "FROM volumes v JOIN volume_types y ON y.id = v.volume_type_id "
                             "WHERE v.id = s.volume_id) FROM snapshots s WHERE id = ?"));
    sel->Bind(1, id);
    BS_ASSIGN_OR_RETURN(bool row, sel->Step());
    if (!row) {
      sel->Reset();
      return Status::Ok();
    }
    const std::string project = sel->Text(0);
    const int64_t size = sel->Int(1);
    const bool committed = sel->Int(2) != 0;
    const std::string type_name = sel->IsNull(3) ? "" : sel->Text(3);
    sel->Reset();
    BS_RETURN_IF_ERROR(session.SettleLocked(SnapshotOwner(id), QuotaAction::kRollback));
    if (committed) {
      BS_RETURN_IF_ERROR(
          session.ReleaseLocked(project, CountAndSizeCharges(kQuotaSnapshots, size, type_name)));
    }
    BS_ASSIGN_OR_RETURN(Stmt * del, session.db().Prepare("DELETE FROM snapshots WHERE id = ?"));
    BS_RETURN_IF_ERROR(del->Bind(1, id).Run());
    return tx.Commit();
  });
}

Result<std::vector<Snapshot>> SqlSnapshots::ListOfVolume(std::string_view volume_id) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<Snapshot>> {
    return session.QuerySnapshotsLocked("WHERE t.volume_id = ? ORDER BY t.created_at",
                                        {std::string(volume_id)});
  });
}

Result<std::vector<Snapshot>> SqlSnapshots::ListOnBackend(
    std::string_view backend, const std::vector<SnapshotStatus>& statuses) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<Snapshot>> {
    std::vector<Snapshot> out;
    for (auto s : statuses) {
      BS_ASSIGN_OR_RETURN(auto part,
                          session.QuerySnapshotsLocked(
                              "JOIN volumes v ON v.id = t.volume_id WHERE (v.host = ?1 OR "
                              "substr(v.host, 1, length(?1) + 1) = ?1 || '#') AND t.status = ?2 "
                              "ORDER BY t.created_at",
                              {std::string(backend), std::string(ToString(s))}));
      out.insert(out.end(), part.begin(), part.end());
    }
    return out;
  });
}

}  // namespace blockstore::internal
