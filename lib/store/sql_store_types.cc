// SqlStore: volume types and QoS specs.
#include "lib/core/macros.hpp"
#include "lib/domain/type_quota.hpp"
#include "lib/store/sql_store.hpp"

namespace blockstore::internal {
namespace {

// The extra specs ride along as one JSON object, as a volume's metadata does.
constexpr const char* kTypeColumns =
    "SELECT id, name, description, is_public, qos_specs_id, created_at, "
    "(SELECT json_group_object(s.key, s.value) FROM volume_type_extra_specs s "
    "WHERE s.type_id = volume_types.id) FROM volume_types ";

VolumeType ReadType(const Stmt& st) {
  VolumeType t;
  t.id = st.Text(0);
  t.name = st.Text(1);
  t.description = st.Text(2);
  t.is_public = st.Int(3) != 0;
  t.qos_specs_id = st.Text(4);
  t.created_at = ParseTime(st.Text(5)).value_or(TimePoint{});
  t.extra_specs = MetadataFromColumn(st, 6);
  return t;
}

}  // namespace

Result<VolumeType> SqlStore::GetVolumeTypeLocked(std::string_view id) {
  BS_ASSIGN_OR_RETURN(Stmt * st, db_->Prepare(std::string(kTypeColumns) + "WHERE id = ?"));
  st->Bind(1, id);
  BS_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) {
    st->Reset();
    return NotFound("volume type " + std::string(id) + " not found");
  }
  VolumeType t = ReadType(*st);
  st->Reset();
  return t;
}

Result<VolumeType> SqlStore::CreateVolumeType(const VolumeType& t) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  BS_RETURN_IF_ERROR(tx.status());
  BS_ASSIGN_OR_RETURN(Stmt * dup, db_->Prepare("SELECT 1 FROM volume_types WHERE name = ?"));
  dup->Bind(1, t.name);
  BS_ASSIGN_OR_RETURN(bool exists, dup->Step());
  dup->Reset();
  if (exists) return AlreadyExists("volume type '" + t.name + "' already exists");
  BS_ASSIGN_OR_RETURN(Stmt * ins,
                      db_->Prepare("INSERT INTO volume_types (id, name, description, is_public, "
                                   "qos_specs_id, created_at) VALUES (?, ?, ?, ?, ?, ?)"));
  BS_RETURN_IF_ERROR(ins->Bind(1, t.id)
                         .Bind(2, t.name)
                         .Bind(3, t.description)
                         .Bind(4, int64_t{t.is_public})
                         .Bind(5, t.qos_specs_id)
                         .Bind(6, FormatTime(t.created_at))
                         .Run());
  BS_RETURN_IF_ERROR(UpsertPairsLocked("volume_type_extra_specs", "type_id", t.id, t.extra_specs));
  BS_RETURN_IF_ERROR(tx.Commit());
  return t;
}

Result<VolumeType> SqlStore::GetVolumeType(std::string_view id) {
  std::lock_guard lock(mu_);
  return GetVolumeTypeLocked(id);
}

Result<VolumeType> SqlStore::GetVolumeTypeByName(std::string_view name) {
  std::lock_guard lock(mu_);
  BS_ASSIGN_OR_RETURN(Stmt * st, db_->Prepare(std::string(kTypeColumns) + "WHERE name = ?"));
  st->Bind(1, name);
  BS_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) {
    st->Reset();
    return NotFound("volume type '" + std::string(name) + "' not found");
  }
  VolumeType t = ReadType(*st);
  st->Reset();
  return t;
}

Result<std::vector<VolumeType>> SqlStore::ListVolumeTypes(bool include_private,
                                                             std::string_view access_project) {
  std::lock_guard lock(mu_);
  BS_ASSIGN_OR_RETURN(
      Stmt * st,
      db_->Prepare(std::string(kTypeColumns) +
                   "WHERE is_public = 1 OR ? OR id IN (SELECT type_id FROM volume_type_projects "
                   "WHERE project_id = ?) ORDER BY name"));
  st->Bind(1, int64_t{include_private}).Bind(2, access_project);
  std::vector<VolumeType> out;
  while (true) {
    BS_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadType(*st));
  }
  st->Reset();
  return out;
}

Result<VolumeType> SqlStore::UpdateVolumeType(std::string_view id, const VolumeTypeUpdate& u) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  BS_RETURN_IF_ERROR(tx.status());
  BS_ASSIGN_OR_RETURN(VolumeType t, GetVolumeTypeLocked(id));
  if (u.name && *u.name != t.name) {
    BS_ASSIGN_OR_RETURN(Stmt * dup, db_->Prepare("SELECT 1 FROM volume_types WHERE name = ?"));
    dup->Bind(1, *u.name);
    BS_ASSIGN_OR_RETURN(bool exists, dup->Step());
    dup->Reset();
    if (exists) return AlreadyExists("volume type '" + *u.name + "' already exists");
    // The type's quota resources (volumes_<name> …) follow its name, as Cinder's do.
    const auto from = PerTypeResources(t.name);
    const auto to = PerTypeResources(*u.name);
    for (const char* table : {"quota_usages", "quota_limits", "reservations"}) {
      BS_ASSIGN_OR_RETURN(Stmt * ren, db_->Prepare(std::string("UPDATE ") + table +
                                                   " SET resource = ? WHERE resource = ?"));
      for (std::size_t i = 0; i < from.size(); ++i) {
        ren->Reset();
        BS_RETURN_IF_ERROR(ren->Bind(1, to[i]).Bind(2, from[i]).Run());
      }
    }
    t.name = *u.name;
  }
  if (u.description) t.description = *u.description;
  if (u.is_public) t.is_public = *u.is_public;
  BS_ASSIGN_OR_RETURN(Stmt * st, db_->Prepare("UPDATE volume_types SET name = ?, description = ?, "
                                              "is_public = ? WHERE id = ?"));
  BS_RETURN_IF_ERROR(
      st->Bind(1, t.name).Bind(2, t.description).Bind(3, int64_t{t.is_public}).Bind(4, t.id).Run());
  BS_RETURN_IF_ERROR(tx.Commit());
  return t;
}

Status SqlStore::DeleteVolumeType(std::string_view id) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  BS_RETURN_IF_ERROR(tx.status());
  BS_ASSIGN_OR_RETURN(VolumeType type, GetVolumeTypeLocked(id));
  BS_ASSIGN_OR_RETURN(Stmt * used, db_->Prepare("SELECT count(*) FROM volumes WHERE volume_type_id = ?"));
  used->Bind(1, id);
  BS_ASSIGN_OR_RETURN(bool row, used->Step());
  const int64_t n = row ? used->Int(0) : 0;
  used->Reset();
  if (n > 0) {
    return FailedPrecondition("volume type " + std::string(id) + " is used by " +
                              std::to_string(n) + " volume(s)");
  }
  // Its quota resources go with it (a later type of the same name starts afresh).
  for (const char* table : {"quota_usages", "quota_limits", "reservations"}) {
    BS_ASSIGN_OR_RETURN(Stmt * drop, db_->Prepare(std::string("DELETE FROM ") + table + " WHERE resource = ?"));
    for (const auto& resource : PerTypeResources(type.name)) {
      drop->Reset();
      BS_RETURN_IF_ERROR(drop->Bind(1, resource).Run());
    }
  }
  BS_ASSIGN_OR_RETURN(Stmt * del, db_->Prepare("DELETE FROM volume_types WHERE id = ?"));
  BS_RETURN_IF_ERROR(del->Bind(1, id).Run());
  return tx.Commit();
}

Result<VolumeType> SqlStore::SetExtraSpecs(std::string_view type_id, const Metadata& specs) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  BS_RETURN_IF_ERROR(tx.status());
  BS_RETURN_IF_ERROR(GetVolumeTypeLocked(type_id).status());
  BS_RETURN_IF_ERROR(UpsertPairsLocked("volume_type_extra_specs", "type_id", type_id, specs));
  BS_ASSIGN_OR_RETURN(VolumeType t, GetVolumeTypeLocked(type_id));
  BS_RETURN_IF_ERROR(tx.Commit());
  return t;
}

Result<VolumeType> SqlStore::UnsetExtraSpec(std::string_view type_id, std::string_view key) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  BS_RETURN_IF_ERROR(tx.status());
  BS_ASSIGN_OR_RETURN(VolumeType t, GetVolumeTypeLocked(type_id));
  if (!t.extra_specs.count(std::string(key))) {
    return NotFound("volume type " + t.id + " has no extra spec '" + std::string(key) + "'");
  }
  BS_ASSIGN_OR_RETURN(Stmt * del, db_->Prepare("DELETE FROM volume_type_extra_specs WHERE "
                                               "type_id = ? AND key = ?"));
  BS_RETURN_IF_ERROR(del->Bind(1, type_id).Bind(2, key).Run());
  BS_RETURN_IF_ERROR(tx.Commit());
  t.extra_specs.erase(std::string(key));
  return t;
}

// ---- QoS specs ----

Result<QosSpec> SqlStore::GetQosSpecLocked(std::string_view id) {
  BS_ASSIGN_OR_RETURN(Stmt * st, db_->Prepare("SELECT id, name, consumer, created_at FROM "
                                              "qos_specs WHERE id = ?"));
  st->Bind(1, id);
  BS_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) {
    st->Reset();
    return NotFound("QoS spec " + std::string(id) + " not found");
  }
  QosSpec q{st->Text(0), st->Text(1), st->Text(2), {},
            ParseTime(st->Text(3)).value_or(TimePoint{})};
  st->Reset();
  BS_ASSIGN_OR_RETURN(q.specs, LoadPairsLocked("qos_spec_values", "qos_id", q.id));
  return q;
}

Result<QosSpec> SqlStore::CreateQosSpec(const QosSpec& q) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  BS_RETURN_IF_ERROR(tx.status());
  BS_ASSIGN_OR_RETURN(Stmt * dup, db_->Prepare("SELECT 1 FROM qos_specs WHERE name = ?"));
  dup->Bind(1, q.name);
  BS_ASSIGN_OR_RETURN(bool exists, dup->Step());
  dup->Reset();
  if (exists) return AlreadyExists("QoS spec '" + q.name + "' already exists");
  BS_ASSIGN_OR_RETURN(Stmt * ins, db_->Prepare("INSERT INTO qos_specs (id, name, consumer, "
                                               "created_at) VALUES (?, ?, ?, ?)"));
  BS_RETURN_IF_ERROR(
      ins->Bind(1, q.id).Bind(2, q.name).Bind(3, q.consumer).Bind(4, FormatTime(q.created_at)).Run());
  BS_RETURN_IF_ERROR(UpsertPairsLocked("qos_spec_values", "qos_id", q.id, q.specs));
  BS_RETURN_IF_ERROR(tx.Commit());
  return q;
}

Result<QosSpec> SqlStore::GetQosSpec(std::string_view id) {
  std::lock_guard lock(mu_);
  return GetQosSpecLocked(id);
}

Result<std::vector<QosSpec>> SqlStore::ListQosSpecs() {
  std::lock_guard lock(mu_);
  BS_ASSIGN_OR_RETURN(Stmt * st, db_->Prepare("SELECT id FROM qos_specs ORDER BY name"));
  std::vector<std::string> ids;
  while (true) {
    BS_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    ids.push_back(st->Text(0));
  }
  st->Reset();
  std::vector<QosSpec> out;
  for (const auto& id : ids) {
    BS_ASSIGN_OR_RETURN(QosSpec q, GetQosSpecLocked(id));
    out.push_back(std::move(q));
  }
  return out;
}

Status SqlStore::DeleteQosSpec(std::string_view id, bool force) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  BS_RETURN_IF_ERROR(tx.status());
  BS_RETURN_IF_ERROR(GetQosSpecLocked(id).status());
  BS_ASSIGN_OR_RETURN(Stmt * used,
                      db_->Prepare("SELECT count(*) FROM volume_types WHERE qos_specs_id = ?"));
  used->Bind(1, id);
  BS_ASSIGN_OR_RETURN(bool row, used->Step());
  const int64_t n = row ? used->Int(0) : 0;
  used->Reset();
  if (n > 0 && !force) {
    return FailedPrecondition("QoS spec " + std::string(id) + " is associated with " +
                              std::to_string(n) + " volume type(s); disassociate or force");
  }
  BS_ASSIGN_OR_RETURN(Stmt * clear, db_->Prepare("UPDATE volume_types SET qos_specs_id = '' "
                                                 "WHERE qos_specs_id = ?"));
  BS_RETURN_IF_ERROR(clear->Bind(1, id).Run());
  BS_ASSIGN_OR_RETURN(Stmt * del, db_->Prepare("DELETE FROM qos_specs WHERE id = ?"));
  BS_RETURN_IF_ERROR(del->Bind(1, id).Run());
  return tx.Commit();
}

Result<QosSpec> SqlStore::SetQosKeys(std::string_view id, const Metadata& specs) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  BS_RETURN_IF_ERROR(tx.status());
  BS_RETURN_IF_ERROR(GetQosSpecLocked(id).status());
  BS_RETURN_IF_ERROR(UpsertPairsLocked("qos_spec_values", "qos_id", id, specs));
  BS_ASSIGN_OR_RETURN(QosSpec q, GetQosSpecLocked(id));
  BS_RETURN_IF_ERROR(tx.Commit());
  return q;
}

Result<QosSpec> SqlStore::UnsetQosKey(std::string_view id, std::string_view key) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  BS_RETURN_IF_ERROR(tx.status());
  BS_ASSIGN_OR_RETURN(QosSpec q, GetQosSpecLocked(id));
  if (!q.specs.count(std::string(key))) {
    return NotFound("QoS spec " + q.id + " has no key '" + std::string(key) + "'");
  }
  BS_ASSIGN_OR_RETURN(Stmt * del,
                      db_->Prepare("DELETE FROM qos_spec_values WHERE qos_id = ? AND key = ?"));
  BS_RETURN_IF_ERROR(del->Bind(1, id).Bind(2, key).Run());
  BS_RETURN_IF_ERROR(tx.Commit());
  q.specs.erase(std::string(key));
  return q;
}

Status SqlStore::AssociateQos(std::string_view qos_id, std::string_view type_id) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  BS_RETURN_IF_ERROR(tx.status());
  BS_RETURN_IF_ERROR(GetQosSpecLocked(qos_id).status());
  BS_ASSIGN_OR_RETURN(VolumeType t, GetVolumeTypeLocked(type_id));
  if (!t.qos_specs_id.empty() && t.qos_specs_id != qos_id) {
    return FailedPrecondition("volume type " + t.id + " is already associated with QoS spec " +
                              t.qos_specs_id);
  }
  BS_ASSIGN_OR_RETURN(Stmt * st, db_->Prepare("UPDATE volume_types SET qos_specs_id = ? WHERE id = ?"));
  BS_RETURN_IF_ERROR(st->Bind(1, qos_id).Bind(2, type_id).Run());
  return tx.Commit();
}

Status SqlStore::DisassociateQos(std::string_view qos_id, std::string_view type_id) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  BS_RETURN_IF_ERROR(tx.status());
  BS_RETURN_IF_ERROR(GetQosSpecLocked(qos_id).status());
  BS_ASSIGN_OR_RETURN(VolumeType t, GetVolumeTypeLocked(type_id));
  if (t.qos_specs_id != qos_id) {
    return FailedPrecondition("volume type " + t.id + " is not associated with QoS spec " +
                              std::string(qos_id));
  }
  BS_ASSIGN_OR_RETURN(Stmt * st, db_->Prepare("UPDATE volume_types SET qos_specs_id = '' WHERE id = ?"));
  BS_RETURN_IF_ERROR(st->Bind(1, type_id).Run());
  return tx.Commit();
}

Status SqlStore::AddVolumeTypeAccess(std::string_view type_id, std::string_view project_id) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  BS_RETURN_IF_ERROR(tx.status());
  BS_RETURN_IF_ERROR(GetVolumeTypeLocked(type_id).status());
  BS_ASSIGN_OR_RETURN(Stmt * ins, db_->Prepare("INSERT INTO volume_type_projects (type_id, project_id) "
                                               "VALUES (?, ?) ON CONFLICT DO NOTHING"));
  BS_RETURN_IF_ERROR(ins->Bind(1, type_id).Bind(2, project_id).Run());
  if (db_->Changes() == 0) {
    return AlreadyExists("project " + std::string(project_id) +
                         " already has access to volume type " + std::string(type_id));
  }
  return tx.Commit();
}

Status SqlStore::RemoveVolumeTypeAccess(std::string_view type_id,
                                           std::string_view project_id) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  BS_RETURN_IF_ERROR(tx.status());
  BS_RETURN_IF_ERROR(GetVolumeTypeLocked(type_id).status());
  BS_ASSIGN_OR_RETURN(Stmt * del, db_->Prepare("DELETE FROM volume_type_projects WHERE "
                                               "type_id = ? AND project_id = ?"));
  BS_RETURN_IF_ERROR(del->Bind(1, type_id).Bind(2, project_id).Run());
  if (db_->Changes() == 0) {
    return NotFound("project " + std::string(project_id) + " has no access to volume type " +
                    std::string(type_id));
  }
  return tx.Commit();
}

Result<std::vector<std::string>> SqlStore::ListVolumeTypeAccess(std::string_view type_id) {
  std::lock_guard lock(mu_);
  BS_RETURN_IF_ERROR(GetVolumeTypeLocked(type_id).status());
  BS_ASSIGN_OR_RETURN(Stmt * st, db_->Prepare("SELECT project_id FROM volume_type_projects "
                                              "WHERE type_id = ? ORDER BY project_id"));
  st->Bind(1, type_id);
  std::vector<std::string> out;
  while (true) {
    BS_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(st->Text(0));
  }
  st->Reset();
  return out;
}

}  // namespace blockstore::internal
