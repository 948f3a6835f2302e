// blockstore — the engine's configuration schema: one table of keys, read the same way from
// JSON (the C ABI), a Python dict and the daemon's INI file, so that all three accept the same
// keys with the same errors.
//
// A configuration is a tree. Its keys are paths: "host", "scheduler.filters",
// "backends[].driver", "quota_defaults.volumes", "backup.target.root". Two syntaxes:
//   kTyped  JSON values of the key's type (an integer is a JSON integer, a list a JSON array);
//           what the C ABI and Python give.
//   kText   every value a string, parsed by the key's type: integers and numbers whole (no
//           trailing text), booleans true|false, lists "a, b, c", weighers "Name:1.0, Other:-1";
//           what an INI file gives.
// A wrong type, a value out of range, an unknown key or a missing required one is
// invalid_argument naming the key ("config: backup.workers must be an integer from 1 to 1024").
//
// Example:
//   std::string bad;
//   auto config = blockstore::EngineConfigFromJson(
//       R"({"state_path": "/var/lib/blockstore", "volume_workers": 4,
//           "scheduler": {"filters": ["CapacityFilter"]}})",
//       blockstore::ConfigSyntax::kTyped, &bad);
//   if (!config.ok()) return;  // bad names the key at fault
//   auto engine = blockstore::Engine::Open(std::move(config).value());
#ifndef BLOCKSTORE_ENGINE_CONFIG_HPP
#define BLOCKSTORE_ENGINE_CONFIG_HPP

#include <string>
#include <string_view>
#include <vector>

#include "blockstore/engine.hpp"
#include "blockstore/export.h"
#include "blockstore/result.hpp"

namespace blockstore {

enum class ConfigSyntax { kTyped, kText };

// One key of the schema, as docs/configuration.md lists it.
struct ConfigKeyInfo {
  std::string path;     // "backup.workers"; "backends[].options.*" for a map's entries
  std::string type;     // "string", "integer", "number", "boolean", "list", "map", "one of a|b"
  std::string range;    // "1..1024", or empty
  std::string default_value;  // as text, or empty when there is none
  std::string doc;
};

// Every key, in the order the documentation lists them.
BS_API const std::vector<ConfigKeyInfo>& EngineConfigKeys();

// The configuration a JSON object describes. On an error, `error_key` (if given) receives the
// path of the key at fault ("backends[1].driver"; "" when the text is not a JSON object).
BS_API Result<EngineConfig> EngineConfigFromJson(std::string_view json_text,
                                                 ConfigSyntax syntax = ConfigSyntax::kTyped,
                                                 std::string* error_key = nullptr);

}  // namespace blockstore

#endif  // BLOCKSTORE_ENGINE_CONFIG_HPP
