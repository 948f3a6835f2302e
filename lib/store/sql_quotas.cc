// The SQL quota repository: limits and usage.
#include "lib/core/macros.hpp"
#include "lib/store/sql_repositories.hpp"

namespace blockstore::internal {

Result<QuotaSet> SqlQuotas::GetSet(std::string_view project_id) {
  return sessions_.Run([&](SqlSession& session) -> Result<QuotaSet> {
    QuotaSet set;
    set.project_id = std::string(project_id);
    for (const auto& [res, limit] : session.options().quota_defaults)
      set.resources[res].limit = limit;
    // The overrides (kind 0) and the usage (kind 1) in one statement.
    BS_ASSIGN_OR_RETURN(
        Stmt * st, session.db().Prepare(
                       "SELECT 0, resource, hard_limit, 0 FROM quota_limits WHERE project_id = ?1 "
                       "UNION ALL SELECT 1, resource, in_use, reserved FROM quota_usages WHERE "
                       "project_id = ?1"));
    st->Bind(1, project_id);
    while (true) {
      BS_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      auto& u = set.resources[st->Text(1)];
      if (st->Int(0) == 0) {
        u.limit = st->Int(2);
      } else {
        u.in_use = st->Int(2);
        u.reserved = st->Int(3);
      }
    }
    st->Reset();
    return set;
  });
}

Status SqlQuotas::SetLimit(std::string_view project_id, std::string_view resource, int64_t limit) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    BS_ASSIGN_OR_RETURN(
        Stmt * st,
        session.db().Prepare("INSERT INTO quota_limits (project_id, resource, hard_limit) "
                             "VALUES (?, ?, ?) ON CONFLICT (project_id, resource) "
                             "DO UPDATE SET hard_limit = excluded.hard_limit"));
    return st->Bind(1, project_id).Bind(2, resource).Bind(3, limit).Run();
  });
}

Status SqlQuotas::DeleteOverrides(std::string_view project_id) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    BS_ASSIGN_OR_RETURN(Stmt * st,
                        session.db().Prepare("DELETE FROM quota_limits WHERE project_id = ?"));
    return st->Bind(1, project_id).Run();
  });
}

}  // namespace blockstore::internal
