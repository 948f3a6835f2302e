// The SQL volume type repository: types, their extra specs, who may use a private one.
#include "lib/core/macros.hpp"
#include "lib/domain/type_quota.hpp"
#include "lib/store/sql_repositories.hpp"

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

Result<VolumeType> SqlSession::GetVolumeTypeLocked(std::string_view id) {
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

Result<VolumeType> SqlVolumeTypes::Create(const VolumeType& t) {
  return sessions_.Run([&](SqlSession& session) -> Result<VolumeType> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(Stmt * dup,
                        session.db().Prepare("SELECT 1 FROM volume_types WHERE name = ?"));
    dup->Bind(1, t.name);
    BS_ASSIGN_OR_RETURN(bool exists, dup->Step());
    dup->Reset();
    if (exists) return AlreadyExists("volume type '" + t.name + "' already exists");
    BS_ASSIGN_OR_RETURN(
        Stmt * ins,
        session.db().Prepare("INSERT INTO volume_types (id, name, description, is_public, "
                             "qos_specs_id, created_at) VALUES (?, ?, ?, ?, ?, ?)"));
    BS_RETURN_IF_ERROR(ins->Bind(1, t.id)
                           .Bind(2, t.name)
                           .Bind(3, t.description)
                           .Bind(4, int64_t{t.is_public})
                           .Bind(5, t.qos_specs_id)
                           .Bind(6, FormatTime(t.created_at))
                           .Run());
    BS_RETURN_IF_ERROR(
        session.UpsertPairsLocked("volume_type_extra_specs", "type_id", t.id, t.extra_specs));
    BS_RETURN_IF_ERROR(tx.Commit());
    return t;
  });
}

Result<VolumeType> SqlVolumeTypes::Get(std::string_view id) {
  return sessions_.Run(
      [&](SqlSession& session) -> Result<VolumeType> { return session.GetVolumeTypeLocked(id); });
}

Result<VolumeType> SqlVolumeTypes::GetByName(std::string_view name) {
  return sessions_.Run([&](SqlSession& session) -> Result<VolumeType> {
    BS_ASSIGN_OR_RETURN(Stmt * st,
                        session.db().Prepare(std::string(kTypeColumns) + "WHERE name = ?"));
    st->Bind(1, name);
    BS_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) {
      st->Reset();
      return NotFound("volume type '" + std::string(name) + "' not found");
    }
    VolumeType t = ReadType(*st);
    st->Reset();
    return t;
  });
}

Result<std::vector<VolumeType>> SqlVolumeTypes::List(bool include_private,
                                                     std::string_view access_project) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<VolumeType>> {
    BS_ASSIGN_OR_RETURN(
        Stmt * st,
        session.db().Prepare(
            std::string(kTypeColumns) +
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
  });
}

Result<VolumeType> SqlVolumeTypes::Update(std::string_view id, const VolumeTypeUpdate& u) {
  return sessions_.Run([&](SqlSession& session) -> Result<VolumeType> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(VolumeType t, session.GetVolumeTypeLocked(id));
    if (u.name && *u.name != t.name) {
      BS_ASSIGN_OR_RETURN(Stmt * dup,
                          session.db().Prepare("SELECT 1 FROM volume_types WHERE name = ?"));
      dup->Bind(1, *u.name);
      BS_ASSIGN_OR_RETURN(bool exists, dup->Step());
      dup->Reset();
      if (exists) return AlreadyExists("volume type '" + *u.name + "' already exists");
      // The type's quota resources (volumes_<name> …) follow its name, as Cinder's do.
      const auto from = PerTypeResources(t.name);
      const auto to = PerTypeResources(*u.name);
      for (const char* table : {"quota_usages", "quota_limits", "reservations"}) {
        BS_ASSIGN_OR_RETURN(Stmt * ren,
                            session.db().Prepare(std::string("UPDATE ") + table +
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
    BS_ASSIGN_OR_RETURN(Stmt * st,
                        session.db().Prepare("UPDATE volume_types SET name = ?, description = ?, "
                                             "is_public = ? WHERE id = ?"));
    BS_RETURN_IF_ERROR(st->Bind(1, t.name)
                           .Bind(2, t.description)
                           .Bind(3, int64_t{t.is_public})
                           .Bind(4, t.id)
                           .Run());
    BS_RETURN_IF_ERROR(tx.Commit());
    return t;
  });
}

Status SqlVolumeTypes::Delete(std::string_view id) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(VolumeType type, session.GetVolumeTypeLocked(id));
    BS_ASSIGN_OR_RETURN(
        Stmt * used, session.db().Prepare("SELECT count(*) FROM volumes WHERE volume_type_id = ?"));
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
      BS_ASSIGN_OR_RETURN(Stmt * drop, session.db().Prepare(std::string("DELETE FROM ") + table +
                                                            " WHERE resource = ?"));
      for (const auto& resource : PerTypeResources(type.name)) {
        drop->Reset();
        BS_RETURN_IF_ERROR(drop->Bind(1, resource).Run());
      }
    }
    BS_ASSIGN_OR_RETURN(Stmt * del, session.db().Prepare("DELETE FROM volume_types WHERE id = ?"));
    BS_RETURN_IF_ERROR(del->Bind(1, id).Run());
    return tx.Commit();
  });
}

Result<VolumeType> SqlVolumeTypes::SetExtraSpecs(std::string_view type_id, const Metadata& specs) {
  return sessions_.Run([&](SqlSession& session) -> Result<VolumeType> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_RETURN_IF_ERROR(session.GetVolumeTypeLocked(type_id).status());
    BS_RETURN_IF_ERROR(
        session.UpsertPairsLocked("volume_type_extra_specs", "type_id", type_id, specs));
    BS_ASSIGN_OR_RETURN(VolumeType t, session.GetVolumeTypeLocked(type_id));
    BS_RETURN_IF_ERROR(tx.Commit());
    return t;
  });
}

Result<VolumeType> SqlVolumeTypes::UnsetExtraSpec(std::string_view type_id, std::string_view key) {
  return sessions_.Run([&](SqlSession& session) -> Result<VolumeType> {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_ASSIGN_OR_RETURN(VolumeType t, session.GetVolumeTypeLocked(type_id));
    if (!t.extra_specs.count(std::string(key))) {
      return NotFound("volume type " + t.id + " has no extra spec '" + std::string(key) + "'");
    }
    BS_ASSIGN_OR_RETURN(Stmt * del,
                        session.db().Prepare("DELETE FROM volume_type_extra_specs WHERE "
                                             "type_id = ? AND key = ?"));
    BS_RETURN_IF_ERROR(del->Bind(1, type_id).Bind(2, key).Run());
    BS_RETURN_IF_ERROR(tx.Commit());
    t.extra_specs.erase(std::string(key));
    return t;
  });
}

Status SqlVolumeTypes::AddAccess(std::string_view type_id, std::string_view project_id) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_RETURN_IF_ERROR(session.GetVolumeTypeLocked(type_id).status());
    BS_ASSIGN_OR_RETURN(
        Stmt * ins, session.db().Prepare("INSERT INTO volume_type_projects (type_id, project_id) "
                                         "VALUES (?, ?) ON CONFLICT DO NOTHING"));
    BS_RETURN_IF_ERROR(ins->Bind(1, type_id).Bind(2, project_id).Run());
    if (session.db().Changes() == 0) {
      return AlreadyExists("project " + std::string(project_id) +
                           " already has access to volume type " + std::string(type_id));
    }
    return tx.Commit();
  });
}

Status SqlVolumeTypes::RemoveAccess(std::string_view type_id, std::string_view project_id) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    Transaction tx(session.db());
    BS_RETURN_IF_ERROR(tx.status());
    BS_RETURN_IF_ERROR(session.GetVolumeTypeLocked(type_id).status());
    BS_ASSIGN_OR_RETURN(Stmt * del, session.db().Prepare("DELETE FROM volume_type_projects WHERE "
                                                         "type_id = ? AND project_id = ?"));
    BS_RETURN_IF_ERROR(del->Bind(1, type_id).Bind(2, project_id).Run());
    if (session.db().Changes() == 0) {
      return NotFound("project " + std::string(project_id) + " has no access to volume type " +
                      std::string(type_id));
    }
    return tx.Commit();
  });
}

Result<std::vector<std::string>> SqlVolumeTypes::ListAccess(std::string_view type_id) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<std::string>> {
    BS_RETURN_IF_ERROR(session.GetVolumeTypeLocked(type_id).status());
    BS_ASSIGN_OR_RETURN(Stmt * st,
                        session.db().Prepare("SELECT project_id FROM volume_type_projects "
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
  });
}

}  // namespace blockstore::internal
