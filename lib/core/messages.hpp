// Internal: the messages roles send each other, and the topic names.
#ifndef BLOCKSTORE_LIB_CORE_MESSAGES_HPP
#define BLOCKSTORE_LIB_CORE_MESSAGES_HPP

#include <string>
#include <string_view>

#include "blockstore/result.hpp"

namespace blockstore::internal {

inline constexpr std::string_view kSchedulerTopic = "scheduler";
inline constexpr std::string_view kBackupTopic = "backup";

// "volume.host@backend"
std::string VolumeTopic(std::string_view backend);
// "host@backend#pool" → "host@backend"
std::string BackendOf(std::string_view pool_host);

struct Message {
  std::string method;
  std::string id;          // the resource the method acts on
  std::string request_id;
  std::string body;        // method-specific JSON text, may be empty
};

std::string EncodeMessage(const Message& m);
Result<Message> DecodeMessage(const std::string& text);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_CORE_MESSAGES_HPP
