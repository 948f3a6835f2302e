// The SQL idempotency-key repository: a key is claimed by the first request that brings it,
// with one insert that a concurrent claimer of the same key cannot also win.
#include "lib/core/macros.hpp"
#include "lib/store/sql_repositories.hpp"

namespace blockstore::internal {

Result<std::optional<IdempotentRequest>> SqlIdempotency::Claim(const IdempotentRequest& r, TimePoint now) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::optional<IdempotentRequest>> {
    BS_ASSIGN_OR_RETURN(Stmt * expired, session.db().Prepare("DELETE FROM idempotency_keys WHERE project_id = ? "
                                                             "AND key = ? AND expires_at < ?"));
    BS_RETURN_IF_ERROR(expired->Bind(1, r.project_id).Bind(2, r.key).Bind(3, FormatTime(now)).Run());
    BS_ASSIGN_OR_RETURN(Stmt * ins, session.db().Prepare(
                                        "INSERT INTO idempotency_keys (project_id, key, fingerprint, created_at, "
                                        "expires_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id, key) DO NOTHING"));
    BS_RETURN_IF_ERROR(ins->Bind(1, r.project_id)
                           .Bind(2, r.key)
                           .Bind(3, r.fingerprint)
                           .Bind(4, FormatTime(r.created_at))
                           .Bind(5, FormatTime(r.expires_at))
                           .Run());
    if (session.db().Changes() == 1) return std::optional<IdempotentRequest>();
    BS_ASSIGN_OR_RETURN(Stmt * sel, session.db().Prepare(
                                        "SELECT fingerprint, answered, status_code, answer, created_at, expires_at "
                                        "FROM idempotency_keys WHERE project_id = ? AND key = ?"));
    sel->Bind(1, r.project_id).Bind(2, r.key);
    BS_ASSIGN_OR_RETURN(bool row, sel->Step());
    if (!row) {  // expired and removed by another claimer in between: rare; the caller retries
      sel->Reset();
      return Aborted("idempotency key " + r.key + " changed hands; send the request again");
    }
    IdempotentRequest held;
    held.project_id = r.project_id;
    held.key = r.key;
    held.fingerprint = sel->Text(0);
    held.answered = sel->Int(1) != 0;
    held.status_code = static_cast<int>(sel->Int(2));
    held.answer = sel->Text(3);
    held.created_at = ParseTime(sel->Text(4)).value_or(TimePoint{});
    held.expires_at = ParseTime(sel->Text(5)).value_or(TimePoint{});
    sel->Reset();
    return std::optional<IdempotentRequest>(std::move(held));
  });
}

Status SqlIdempotency::Answer(std::string_view project_id, std::string_view key, int status_code,
                              std::string_view answer) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    BS_ASSIGN_OR_RETURN(Stmt * st, session.db().Prepare("UPDATE idempotency_keys SET answered = 1, status_code = ?, "
                                                        "answer = ? WHERE project_id = ? AND key = ?"));
    return st->Bind(1, int64_t{status_code}).Bind(2, answer).Bind(3, project_id).Bind(4, key).Run();
  });
}

Status SqlIdempotency::Release(std::string_view project_id, std::string_view key) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    BS_ASSIGN_OR_RETURN(Stmt * st,
                        session.db().Prepare("DELETE FROM idempotency_keys WHERE project_id = ? AND key = ?"));
    return st->Bind(1, project_id).Bind(2, key).Run();
  });
}

Result<int64_t> SqlIdempotency::DeleteExpired(TimePoint now) {
  return sessions_.Run([&](SqlSession& session) -> Result<int64_t> {
    BS_ASSIGN_OR_RETURN(Stmt * st, session.db().Prepare("DELETE FROM idempotency_keys WHERE expires_at < ?"));
    BS_RETURN_IF_ERROR(st->Bind(1, FormatTime(now)).Run());
    return session.db().Changes();
  });
}

}  // namespace blockstore::internal
