// The SQL service repository: the services table — heartbeats, and enabling or disabling a service.
//
// A heartbeat is one statement on one row (an upsert that returns the row), so it runs beside
// every other writer and never waits for a transaction of the database's.
#include "lib/core/macros.hpp"
#include "lib/store/row_query.hpp"
#include "lib/store/sql_repositories.hpp"

namespace blockstore::internal {
namespace {

constexpr const char* kServiceColumns =
    "host, binary_name, availability_zone, version, disabled, disabled_reason, report_count, "
    "created_at, updated_at";

ServiceRecord ReadService(const Stmt& st) {
  ServiceRecord s;
  s.host = st.Text(0);
  s.binary = st.Text(1);
  s.availability_zone = st.Text(2);
  s.version = st.Text(3);
  s.disabled = st.Int(4) != 0;
  s.disabled_reason = st.Text(5);
  s.report_count = st.Int(6);
  s.created_at = ParseTime(st.Text(7)).value_or(TimePoint{});
  s.updated_at = ParseTime(st.Text(8)).value_or(TimePoint{});
  return s;
}

}  // namespace

Result<ServiceRecord> SqlServices::Report(const ServiceRecord& s) {
  return sessions_.Run([&](SqlSession& session) -> Result<ServiceRecord> {
    if (s.host.empty() || s.binary.empty())
      return InvalidArgument("a service needs a host and a binary");
    BS_ASSIGN_OR_RETURN(
        Stmt * st,
        session.db().Prepare(
            std::string(
                "INSERT INTO services (host, binary_name, availability_zone, version, "
                "report_count, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5) "
                "ON CONFLICT (host, binary_name) DO UPDATE SET "
                "availability_zone = excluded.availability_zone, version = excluded.version, "
                "report_count = services.report_count + 1, updated_at = excluded.updated_at "
                "RETURNING ") +
            kServiceColumns));
    st->Bind(1, s.host)
        .Bind(2, s.binary)
        .Bind(3, s.availability_zone)
        .Bind(4, s.version)
        .Bind(5, session.NowText());
    BS_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) {
      st->Reset();
      return Internal("the heartbeat of " + s.binary + " on " + s.host + " returned no row");
    }
    ServiceRecord out = ReadService(*st);
    st->Reset();
    return out;
  });
}

Result<std::vector<ServiceRecord>> SqlServices::List() {
  return sessions_.Run([&](SqlSession& session) -> Result<std::vector<ServiceRecord>> {
    return QueryRows(
        session.db(),
        std::string("SELECT ") + kServiceColumns + " FROM services ORDER BY binary_name, host", {},
        /*cache=*/true, ReadService);
  });
}

Result<ServiceRecord> SqlServices::SetDisabled(std::string_view host, std::string_view binary,
                                               bool disabled, std::string_view reason) {
  return sessions_.Run([&](SqlSession& session) -> Result<ServiceRecord> {
    BS_ASSIGN_OR_RETURN(
        Stmt * st,
        session.db().Prepare(std::string("UPDATE services SET disabled = ?3, disabled_reason = ?4 "
                                         "WHERE host = ?1 AND binary_name = ?2 RETURNING ") +
                             kServiceColumns));
    st->Bind(1, host)
        .Bind(2, binary)
        .Bind(3, int64_t{disabled})
        .Bind(4, disabled ? std::string(reason) : std::string());
    BS_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) {
      st->Reset();
      return NotFound("no service " + std::string(binary) + " on host " + std::string(host));
    }
    ServiceRecord out = ReadService(*st);
    st->Reset();
    return out;
  });
}

}  // namespace blockstore::internal
