// The SQL volume-transfer repository: a pending transfer holds its volume in awaiting-transfer;
// accepting one moves the volume, its snapshots and what they count against quota to the
// accepting project in one transaction.
#include "lib/core/macros.hpp"
#include "lib/domain/type_quota.hpp"
#include "lib/store/sql_repositories.hpp"

namespace blockstore::internal {
namespace {

constexpr const char* kTransferColumns =
    "id, volume_id, name, source_project_id, destination_project_id, accepted, no_snapshots, salt, "
    "crypt_hash, created_at, updated_at";

VolumeTransfer ReadTransfer(const Stmt& st) {
  VolumeTransfer t;
  t.id = st.Text(0);
  t.volume_id = st.Text(1);
  t.name = st.Text(2);
  t.source_project_id = st.Text(3);
  t.destination_project_id = st.Text(4);
  t.accepted = st.Int(5) != 0;
  t.no_snapshots = st.Int(6) != 0;
  t.salt = st.Text(7);
  t.crypt_hash = st.Text(8);
  t.created_at = ParseTime(st.Text(9)).value_or(TimePoint{});
  t.updated_at = ParseTime(st.Text(10)).value_or(TimePoint{});
  return t;
}

Status TransferNotFound(std::string_view id) {
  return NotFound("transfer " + std::string(id) + " could not be found");
}

// A pending transfer; with `lock`, its row stays as read for the rest of the transaction.
Result<VolumeTransfer> PendingTransfer(SqlSession& session, std::string_view id, bool lock) {
  BS_ASSIGN_OR_RETURN(Stmt * st, session.db().Prepare(std::string("SELECT ") + kTransferColumns +
                                                      " FROM transfers t WHERE id = ? AND accepted = 0" +
                                                      (lock ? session.RowLock() : "")));
  st->Bind(1, id);
  BS_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) {
    st->Reset();
    return TransferNotFound(id);
  }
  VolumeTransfer t = ReadTransfer(*st);
  st->Reset();
  return t;
}

// What a volume and the snapshots that move with it count against its project's quota.
Result<std::vector<QuotaCharge>> MovingChargesLocked(SqlSession& session, const Volume& v,
                                                     bool with_snapshots) {
  std::string type_name;
  if (!v.volume_type_id.empty()) {
    if (auto type = session.GetVolumeTypeLocked(v.volume_type_id); type.ok()) type_name = type->name;
  }
  std::vector<QuotaCharge> charges;
  BS_ASSIGN_OR_RETURN(const bool committed, session.VolumeQuotaCommittedLocked(v.id));
  if (committed) charges = CountAndSizeCharges(kQuotaVolumes, static_cast<int64_t>(v.size_gb), type_name);
  if (!with_snapshots) return charges;
  BS_ASSIGN_OR_RETURN(Stmt * snaps,
                      session.db().Prepare("SELECT size FROM snapshots WHERE volume_id = ? AND quota_committed <> 0"));
  snaps->Bind(1, v.id);
  while (true) {
    BS_ASSIGN_OR_RETURN(bool more, snaps->Step());
    if (!more) break;
    for (auto& c : CountAndSizeCharges(kQuotaSnapshots, snaps->Int(0), type_name)) charges.push_back(std::move(c));
  }
  snaps->Reset();
  return charges;
}

}  // namespace

Result<VolumeTransfer> SqlTransfers::Create(const VolumeTransfer& t) {
  return sessions_.Run([&](SqlSession& session) -> Result<VolumeTransfer> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Volume v, session.GetVolumeLocked(t.volume_id));
    if (v.status != VolumeStatus::kAvailable) {
      return FailedPrecondition("volume " + v.id + " is '" + std::string(ToString(v.status)) +
                                "'; only an available volume can be transferred");
    }
    if (!t.no_snapshots) {
      BS_ASSIGN_OR_RETURN(Stmt * busy, session.db().Prepare("SELECT id, status FROM snapshots WHERE volume_id = ? "
                                                            "AND status <> 'available' ORDER BY id LIMIT 1"));
      busy->Bind(1, v.id);
      BS_ASSIGN_OR_RETURN(bool row, busy->Step());
      if (row) {
        const std::string what = "snapshot " + busy->Text(0) + " of volume " + v.id + " is '" + busy->Text(1) +
                                 "'; a volume transfers with its snapshots only when all are available";
        busy->Reset();
        return FailedPrecondition(what);
      }
      busy->Reset();
    }
    VolumeTransition to_awaiting;
    to_awaiting.from = {VolumeStatus::kAvailable};
    to_awaiting.to = VolumeStatus::kAwaitingTransfer;
    BS_RETURN_IF_ERROR(session.TransitionVolumeLocked(v.id, to_awaiting).status());
    VolumeTransfer made = t;
    made.source_project_id = v.project_id;
    BS_ASSIGN_OR_RETURN(Stmt * ins, session.db().Prepare(std::string("INSERT INTO transfers (") + kTransferColumns +
                                                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    BS_RETURN_IF_ERROR(ins->Bind(1, made.id)
                           .Bind(2, made.volume_id)
                           .Bind(3, made.name)
                           .Bind(4, made.source_project_id)
                           .Bind(5, std::string())
                           .Bind(6, int64_t{0})
                           .Bind(7, int64_t{made.no_snapshots ? 1 : 0})
                           .Bind(8, made.salt)
                           .Bind(9, made.crypt_hash)
                           .Bind(10, FormatTime(made.created_at))
                           .Bind(11, FormatTime(made.updated_at))
                           .Run());
    BS_RETURN_IF_ERROR(tx.Commit());
    return made;
  });
}

Result<VolumeTransfer> SqlTransfers::Get(std::string_view id) {
  return sessions_.Run(
      [&](SqlSession& session) -> Result<VolumeTransfer> { return PendingTransfer(session, id, /*lock=*/false); });
}

Result<std::vector<VolumeTransfer>> SqlTransfers::List(std::string_view project_id) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<VolumeTransfer>> {
    BS_ASSIGN_OR_RETURN(Stmt * st,
                        session.db().Prepare(std::string("SELECT ") + kTransferColumns +
                                             " FROM transfers WHERE accepted = 0" +
                                             (project_id.empty() ? "" : " AND source_project_id = ?") +
                                             " ORDER BY created_at, id"));
    if (!project_id.empty()) st->Bind(1, project_id);
    std::vector<VolumeTransfer> out;
    while (true) {
      BS_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      out.push_back(ReadTransfer(*st));
    }
    st->Reset();
    return out;
  });
}

Status SqlTransfers::Delete(std::string_view id) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(VolumeTransfer t, PendingTransfer(session, id, /*lock=*/true));
    // The volume returns to available; one an admin moved elsewhere meanwhile keeps its status.
    VolumeTransition back;
    back.from = {VolumeStatus::kAwaitingTransfer};
    back.to = VolumeStatus::kAvailable;
    if (Status s = session.TransitionVolumeLocked(t.volume_id, back).status();
        !s.ok() && s.code() != Code::kNotFound && s.code() != Code::kFailedPrecondition) {
      return s;
    }
    BS_ASSIGN_OR_RETURN(Stmt * del, session.db().Prepare("DELETE FROM transfers WHERE id = ?"));
    BS_RETURN_IF_ERROR(del->Bind(1, id).Run());
    return tx.Commit();
  });
}

Result<VolumeTransfer> SqlTransfers::Accept(std::string_view id, std::string_view project_id,
                                            std::string_view user_id) {
  return sessions_.Run([&](SqlSession& session) -> Result<VolumeTransfer> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(VolumeTransfer t, PendingTransfer(session, id, /*lock=*/true));
    BS_ASSIGN_OR_RETURN(Volume v, session.GetVolumeLocked(t.volume_id));
    if (v.status != VolumeStatus::kAwaitingTransfer) {
      return FailedPrecondition("volume " + v.id + " is '" + std::string(ToString(v.status)) +
                                "', not awaiting-transfer: the transfer cannot be accepted");
    }
    const bool with_snapshots = !t.no_snapshots;
    BS_ASSIGN_OR_RETURN(auto charges, MovingChargesLocked(session, v, with_snapshots));
    // The new project takes the charges within its limits (reserved, then committed); the old
    // one is released from them.
    const std::string owner = "transfer:" + t.id;
    BS_RETURN_IF_ERROR(session.ReserveLocked(project_id, owner, charges));
    BS_RETURN_IF_ERROR(session.SettleLocked(owner, QuotaAction::kCommit));
    BS_RETURN_IF_ERROR(session.ReleaseLocked(v.project_id, charges));
    const std::string now = session.NowText();
    BS_ASSIGN_OR_RETURN(Stmt * vol, session.db().Prepare("UPDATE volumes SET project_id = ?, user_id = ?, "
                                                         "status = 'available', updated_at = ? WHERE id = ?"));
    BS_RETURN_IF_ERROR(vol->Bind(1, project_id).Bind(2, user_id).Bind(3, now).Bind(4, v.id).Run());
    if (with_snapshots) {
      BS_ASSIGN_OR_RETURN(Stmt * snaps, session.db().Prepare("UPDATE snapshots SET project_id = ?, user_id = ?, "
                                                             "updated_at = ? WHERE volume_id = ?"));
      BS_RETURN_IF_ERROR(snaps->Bind(1, project_id).Bind(2, user_id).Bind(3, now).Bind(4, v.id).Run());
    }
    BS_ASSIGN_OR_RETURN(Stmt * done, session.db().Prepare("UPDATE transfers SET accepted = 1, "
                                                          "destination_project_id = ?, updated_at = ? WHERE id = ?"));
    BS_RETURN_IF_ERROR(done->Bind(1, project_id).Bind(2, now).Bind(3, t.id).Run());
    BS_RETURN_IF_ERROR(tx.Commit());
    t.accepted = true;
    t.destination_project_id = std::string(project_id);
    t.updated_at = ParseTime(now).value_or(t.updated_at);
    return t;
  });
}

}  // namespace blockstore::internal
