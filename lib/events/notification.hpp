// Internal: an event as the notification an outside consumer of the bus reads.
//
// The shape is oslo.messaging's (version 2.0), so that tools written for Cinder's notifications
// read ours: {"oslo.version": "2.0", "oslo.message": "<JSON text>"}, the inner message
// {"message_id", "publisher_id": "<resource>.<host>", "event_type": "volume.create.end",
//  "priority": "INFO" | "ERROR", "timestamp": "YYYY-MM-DD HH:MM:SS.ffffff",
//  "payload": {"<resource>_id", "tenant_id", "status", "message"?}}.
#ifndef BLOCKSTORE_LIB_EVENTS_NOTIFICATION_HPP
#define BLOCKSTORE_LIB_EVENTS_NOTIFICATION_HPP

#include <string>

#include "blockstore/types.hpp"

namespace blockstore::internal {

struct Notification {
  std::string priority;  // "info" or "error": the routing key's last word
  std::string body;
};

Notification NotificationOf(const Event& e, const std::string& host);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_EVENTS_NOTIFICATION_HPP
