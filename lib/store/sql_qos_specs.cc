// The SQL QoS spec repository, and the session's QoS reader.
#include "lib/core/macros.hpp"
#include "lib/store/sql_repositories.hpp"

namespace blockstore::internal {

Result<QosSpec> SqlSession::GetQosSpecLocked(std::string_view id) {
  BS_ASSIGN_OR_RETURN(Stmt * st, db_->Prepare("SELECT id, name, consumer, created_at FROM "
                                              "qos_specs WHERE id = ?"));
  st->Bind(1, id);
  BS_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) {
    st->Reset();
    return NotFound("QoS spec " + std::string(id) + " not found");
  }
  QosSpec q{
      st->Text(0), st->Text(1), st->Text(2), {}, ParseTime(st->Text(3)).value_or(TimePoint{})};
  st->Reset();
  BS_ASSIGN_OR_RETURN(q.specs, LoadPairsLocked("qos_spec_values", "qos_id", q.id));
  return q;
}

Result<QosSpec> SqlQosSpecs::Create(const QosSpec& q) {
  return sessions_.Run([&](SqlSession& session) -> Result<QosSpec> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Stmt * dup, session.db().Prepare("SELECT 1 FROM qos_specs WHERE name = ?"));
    dup->Bind(1, q.name);
    BS_ASSIGN_OR_RETURN(bool exists, dup->Step());
    dup->Reset();
    if (exists) return AlreadyExists("QoS spec '" + q.name + "' already exists");
    BS_ASSIGN_OR_RETURN(Stmt * ins,
                        session.db().Prepare("INSERT INTO qos_specs (id, name, consumer, "
                                             "created_at) VALUES (?, ?, ?, ?)"));
    BS_RETURN_IF_ERROR(ins->Bind(1, q.id)
                           .Bind(2, q.name)
                           .Bind(3, q.consumer)
                           .Bind(4, FormatTime(q.created_at))
                           .Run());
    BS_RETURN_IF_ERROR(session.UpsertPairsLocked("qos_spec_values", "qos_id", q.id, q.specs));
    BS_RETURN_IF_ERROR(tx.Commit());
    return q;
  });
}

Result<QosSpec> SqlQosSpecs::Get(std::string_view id) {
  return sessions_.Run(
      [&](SqlSession& session) -> Result<QosSpec> { return session.GetQosSpecLocked(id); });
}

Result<std::vector<QosSpec>> SqlQosSpecs::List() {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<QosSpec>> {
    BS_ASSIGN_OR_RETURN(Stmt * st, session.db().Prepare("SELECT id FROM qos_specs ORDER BY name"));
    std::vector<std::string> ids;
    while (true) {
      BS_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      ids.push_back(st->Text(0));
    }
    st->Reset();
    std::vector<QosSpec> out;
    for (const auto& id : ids) {
      BS_ASSIGN_OR_RETURN(QosSpec q, session.GetQosSpecLocked(id));
      out.push_back(std::move(q));
    }
    return out;
  });
}

Status SqlQosSpecs::Delete(std::string_view id, bool force) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_RETURN_IF_ERROR(session.GetQosSpecLocked(id).status());
    BS_ASSIGN_OR_RETURN(
        Stmt * used,
        session.db().Prepare("SELECT count(*) FROM volume_types WHERE qos_specs_id = ?"));
    used->Bind(1, id);
    BS_ASSIGN_OR_RETURN(bool row, used->Step());
    const int64_t n = row ? used->Int(0) : 0;
    used->Reset();
    if (n > 0 && !force) {
      return FailedPrecondition("QoS spec " + std::string(id) + " is associated with " +
                                std::to_string(n) + " volume type(s); disassociate or force");
    }
    BS_ASSIGN_OR_RETURN(Stmt * clear,
                        session.db().Prepare("UPDATE volume_types SET qos_specs_id = '' "
                                             "WHERE qos_specs_id = ?"));
    BS_RETURN_IF_ERROR(clear->Bind(1, id).Run());
    BS_ASSIGN_OR_RETURN(Stmt * del, session.db().Prepare("DELETE FROM qos_specs WHERE id = ?"));
    BS_RETURN_IF_ERROR(del->Bind(1, id).Run());
    return tx.Commit();
  });
}

Result<QosSpec> SqlQosSpecs::SetKeys(std::string_view id, const Metadata& specs) {
  return sessions_.Run([&](SqlSession& session) -> Result<QosSpec> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_RETURN_IF_ERROR(session.GetQosSpecLocked(id).status());
    BS_RETURN_IF_ERROR(session.UpsertPairsLocked("qos_spec_values", "qos_id", id, specs));
    BS_ASSIGN_OR_RETURN(QosSpec q, session.GetQosSpecLocked(id));
    BS_RETURN_IF_ERROR(tx.Commit());
    return q;
  });
}

Result<QosSpec> SqlQosSpecs::UnsetKey(std::string_view id, std::string_view key) {
  return sessions_.Run([&](SqlSession& session) -> Result<QosSpec> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(QosSpec q, session.GetQosSpecLocked(id));
    if (!q.specs.count(std::string(key))) {
      return NotFound("QoS spec " + q.id + " has no key '" + std::string(key) + "'");
    }
    BS_ASSIGN_OR_RETURN(
        Stmt * del,
        session.db().Prepare("DELETE FROM qos_spec_values WHERE qos_id = ? AND key = ?"));
    BS_RETURN_IF_ERROR(del->Bind(1, id).Bind(2, key).Run());
    BS_RETURN_IF_ERROR(tx.Commit());
    q.specs.erase(std::string(key));
    return q;
  });
}

Status SqlQosSpecs::Associate(std::string_view qos_id, std::string_view type_id) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_RETURN_IF_ERROR(session.GetQosSpecLocked(qos_id).status());
    BS_ASSIGN_OR_RETURN(VolumeType t, session.GetVolumeTypeLocked(type_id));
    if (!t.qos_specs_id.empty() && t.qos_specs_id != qos_id) {
      return FailedPrecondition("volume type " + t.id + " is already associated with QoS spec " +
                                t.qos_specs_id);
    }
    BS_ASSIGN_OR_RETURN(
        Stmt * st, session.db().Prepare("UPDATE volume_types SET qos_specs_id = ? WHERE id = ?"));
    BS_RETURN_IF_ERROR(st->Bind(1, qos_id).Bind(2, type_id).Run());
    return tx.Commit();
  });
}

Status SqlQosSpecs::Disassociate(std::string_view qos_id, std::string_view type_id) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_RETURN_IF_ERROR(session.GetQosSpecLocked(qos_id).status());
    BS_ASSIGN_OR_RETURN(VolumeType t, session.GetVolumeTypeLocked(type_id));
    if (t.qos_specs_id != qos_id) {
      return FailedPrecondition("volume type " + t.id + " is not associated with QoS spec " +
                                std::string(qos_id));
    }
    BS_ASSIGN_OR_RETURN(
        Stmt * st, session.db().Prepare("UPDATE volume_types SET qos_specs_id = '' WHERE id = ?"));
    BS_RETURN_IF_ERROR(st->Bind(1, type_id).Run());
    return tx.Commit();
  });
}

}  // namespace blockstore::internal
