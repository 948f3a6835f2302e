// The SQL user-message repository: the messages table, newest first.
#include "lib/core/macros.hpp"
#include "lib/store/sql_repositories.hpp"

namespace blockstore::internal {
namespace {

constexpr const char* kMessageColumns =
    "id, project_id, request_id, resource_type, resource_uuid, event_id, message_level, user_message, "
    "created_at, expires_at";

UserMessage ReadMessage(const Stmt& st) {
  UserMessage m;
  m.id = st.Text(0);
  m.project_id = st.Text(1);
  m.request_id = st.Text(2);
  m.resource_type = st.Text(3);
  m.resource_uuid = st.Text(4);
  m.event_id = st.Text(5);
  m.message_level = st.Text(6);
  m.user_message = st.Text(7);
  m.created_at = ParseTime(st.Text(8)).value_or(TimePoint{});
  m.expires_at = ParseTime(st.Text(9)).value_or(TimePoint{});
  return m;
}

}  // namespace

Status SqlMessages::Create(const UserMessage& m) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    BS_ASSIGN_OR_RETURN(Stmt * st, session.db().Prepare(std::string("INSERT INTO messages (") + kMessageColumns +
                                                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    return st->Bind(1, m.id)
        .Bind(2, m.project_id)
        .Bind(3, m.request_id)
        .Bind(4, m.resource_type)
        .Bind(5, m.resource_uuid)
        .Bind(6, m.event_id)
        .Bind(7, m.message_level)
        .Bind(8, m.user_message)
        .Bind(9, FormatTime(m.created_at))
        .Bind(10, FormatTime(m.expires_at))
        .Run();
  });
}

Result<UserMessage> SqlMessages::Get(std::string_view id) {
  return sessions_.Run([&](SqlSession& session) -> Result<UserMessage> {
    BS_ASSIGN_OR_RETURN(Stmt * st, session.db().Prepare(std::string("SELECT ") + kMessageColumns +
                                                        " FROM messages WHERE id = ?"));
    st->Bind(1, id);
    BS_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) {
      st->Reset();
      return NotFound("message " + std::string(id) + " could not be found");
    }
    UserMessage m = ReadMessage(*st);
    st->Reset();
    return m;
  });
}

Result<std::vector<UserMessage>> SqlMessages::List(std::string_view project_id, int64_t limit,
                                                   std::string_view marker) {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<UserMessage>> {
    // Newest first; ties (one clock tick) by id, so that a page ends where the next begins.
    std::string where = project_id.empty() ? "1 = 1" : "project_id = ?";
    std::string created, marker_id;
    if (!marker.empty()) {
      BS_ASSIGN_OR_RETURN(Stmt * m, session.db().Prepare("SELECT created_at, project_id FROM messages WHERE id = ?"));
      m->Bind(1, marker);
      BS_ASSIGN_OR_RETURN(bool found, m->Step());
      if (found) {
        created = m->Text(0);
        if (!project_id.empty() && m->Text(1) != project_id) found = false;
      }
      m->Reset();
      if (!found) return NotFound("marker message " + std::string(marker) + " could not be found");
      marker_id = std::string(marker);
      where += " AND (created_at < ? OR (created_at = ? AND id < ?))";
    }
    BS_ASSIGN_OR_RETURN(Stmt * st, session.db().Prepare(std::string("SELECT ") + kMessageColumns +
                                                        " FROM messages WHERE " + where +
                                                        " ORDER BY created_at DESC, id DESC LIMIT ?"));
    int i = 1;
    if (!project_id.empty()) st->Bind(i++, project_id);
    if (!marker_id.empty()) {
      st->Bind(i, created).Bind(i + 1, created).Bind(i + 2, marker_id);
      i += 3;
    }
    st->Bind(i, limit);
    std::vector<UserMessage> out;
    while (true) {
      BS_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      out.push_back(ReadMessage(*st));
    }
    st->Reset();
    return out;
  });
}

Status SqlMessages::Delete(std::string_view id) {
  return sessions_.Run([&](SqlSession& session) -> Status {
    BS_ASSIGN_OR_RETURN(Stmt * st, session.db().Prepare("DELETE FROM messages WHERE id = ?"));
    BS_RETURN_IF_ERROR(st->Bind(1, id).Run());
    if (session.db().Changes() == 0) return NotFound("message " + std::string(id) + " could not be found");
    return Status::Ok();
  });
}

Result<int64_t> SqlMessages::DeleteExpired(TimePoint now) {
  return sessions_.Run([&](SqlSession& session) -> Result<int64_t> {
    BS_ASSIGN_OR_RETURN(Stmt * st, session.db().Prepare("DELETE FROM messages WHERE expires_at < ?"));
    BS_RETURN_IF_ERROR(st->Bind(1, FormatTime(now)).Run());
    return session.db().Changes();
  });
}

}  // namespace blockstore::internal
