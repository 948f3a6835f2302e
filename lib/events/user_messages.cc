#include "lib/events/user_messages.hpp"

#include <map>
#include <string>

#include "blockstore/status.hpp"
#include "lib/core/ids.hpp"

namespace blockstore::internal {
namespace {

struct Action {
  const char* resource;  // VOLUME | SNAPSHOT | BACKUP
  const char* code;      // Cinder's action number where Cinder has one
  const char* what;
};

// Event type → the action it reports on.
const std::map<std::string, Action>& Actions() {
  static const std::map<std::string, Action> kActions = {
      {"volume.create.error", {"VOLUME", "001", "create volume"}},
      {"volume.attach.error", {"VOLUME", "002", "attach volume"}},
      {"volume.export.error", {"VOLUME", "002", "attach volume"}},
      {"volume.resize.error", {"VOLUME", "006", "extend volume"}},
      {"volume.delete.error", {"VOLUME", "016", "delete volume"}},
      {"volume.detach.error", {"VOLUME", "017", "detach volume"}},
      {"volume.revert.error", {"VOLUME", "018", "revert volume to snapshot"}},
      {"snapshot.create.error", {"SNAPSHOT", "008", "create snapshot"}},
      {"snapshot.delete.error", {"SNAPSHOT", "009", "delete snapshot"}},
      {"backup.create.error", {"BACKUP", "012", "create backup"}},
      {"backup.delete.error", {"BACKUP", "013", "delete backup"}},
      {"backup.restore.error", {"BACKUP", "014", "restore backup"}},
      {"backup.import.error", {"BACKUP", "015", "import backup record"}},
  };
  return kActions;
}

// "resource_exhausted: No valid backend …" → "No valid backend …": the reason as a user reads it.
std::string Reason(const std::string& message) {
  const auto colon = message.find(": ");
  if (colon == std::string::npos) return message;
  const std::string head = message.substr(0, colon);
  for (int c = static_cast<int>(Code::kInvalidArgument); c <= static_cast<int>(Code::kPermissionDenied); ++c) {
    if (CodeName(static_cast<Code>(c)) == head) return message.substr(colon + 2);
  }
  return message;
}

}  // namespace

std::optional<UserMessage> MessageFor(const Event& e, TimePoint now, std::chrono::seconds ttl) {
  const auto it = Actions().find(e.type);
  if (it == Actions().end() || e.project_id.empty()) return std::nullopt;
  const Action& a = it->second;
  // Cinder's details: 003 no backend could take it, 001 anything else (the reason follows).
  const bool no_backend = e.message.find("No valid backend") != std::string::npos;
  UserMessage m;
  m.id = NewUuid();
  m.project_id = e.project_id;
  m.resource_type = a.resource;
  m.resource_uuid = e.resource_id;
  m.event_id = std::string("VOLUME_") + a.resource + "_" + a.code + "_" + (no_backend ? "003" : "001");
  m.message_level = "ERROR";
  m.user_message = std::string(a.what) + ": " + (e.message.empty() ? "an unknown error occurred" : Reason(e.message));
  m.created_at = now;
  m.expires_at = now + ttl;
  return m;
}

}  // namespace blockstore::internal
