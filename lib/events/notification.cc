// NotificationOf: an event in oslo.messaging's notification envelope.
#include "lib/events/notification.hpp"

#include <boost/json.hpp>

#include <ctime>

#include "lib/core/ids.hpp"

namespace blockstore::internal {

namespace {

std::string OsloTime(TimePoint t) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06lld", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(us % 1000000));
  return buf;
}

}  // namespace

Notification NotificationOf(const Event& e, const std::string& host) {
  const bool error = e.type.ends_with(".error") || e.type.find(".error.") != std::string::npos;
  boost::json::object payload{{e.resource_type + "_id", e.resource_id},
                              {"tenant_id", e.project_id},
                              {"status", e.status}};
  if (!e.message.empty()) payload["message"] = e.message;
  boost::json::object message{{"message_id", NewUuid()},
                              {"publisher_id", e.resource_type + "." + host},
                              {"event_type", e.type},
                              {"priority", error ? "ERROR" : "INFO"},
                              {"timestamp", OsloTime(e.at)},
                              {"payload", std::move(payload)}};
  boost::json::object envelope{{"oslo.version", "2.0"}, {"oslo.message", boost::json::serialize(message)}};
  return {error ? "error" : "info", boost::json::serialize(envelope)};
}

}  // namespace blockstore::internal
