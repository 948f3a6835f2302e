#include "daemon_config.hpp"

#include <blockstore/engine_config.hpp>

#include <boost/json.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace blockstored {
namespace {

using blockstore::InvalidArgument;
using blockstore::Result;
using blockstore::Status;

std::string Trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  const auto b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

struct Entry {
  std::string value;
  int line = 0;
};
using Section = std::map<std::string, Entry>;

}  // namespace

Result<DaemonConfig> ParseConfig(const std::string& text, const std::string& file) {
  std::map<std::string, Section> sections;
  std::map<std::string, int> section_line;
  std::string current;
  std::istringstream in(text);
  std::string raw;
  int n = 0;
  auto where = [&](int line) { return file + ":" + std::to_string(line) + ": "; };
  while (std::getline(in, raw)) {
    ++n;
    const std::string line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']' || line.size() < 3) return InvalidArgument(where(n) + "a section header is [name]");
      current = Trim(line.substr(1, line.size() - 2));
      if (sections.count(current)) return InvalidArgument(where(n) + "section [" + current + "] appears twice");
      sections[current];
      section_line[current] = n;
      continue;
    }
    if (current.empty()) return InvalidArgument(where(n) + "an option outside any section");
    const auto eq = line.find('=');
    if (eq == std::string::npos) return InvalidArgument(where(n) + "want 'name = value'");
    const std::string key = Trim(line.substr(0, eq));
    if (key.empty()) return InvalidArgument(where(n) + "an option needs a name");
    if (sections[current].count(key)) return InvalidArgument(where(n) + "option '" + key + "' is set twice");
    sections[current][key] = {Trim(line.substr(eq + 1)), n};
  }

  DaemonConfig c;
  auto integer = [&](const Entry& e, const std::string& key, long lo, long hi) -> Result<long> {
    char* end = nullptr;
    const long v = std::strtol(e.value.c_str(), &end, 10);
    if (e.value.empty() || *end != '\0' || v < lo || v > hi) {
      return InvalidArgument(where(e.line) + key + " must be an integer from " + std::to_string(lo) +
                             " to " + std::to_string(hi));
    }
    return v;
  };
  // Everything that is not the daemon's own becomes a tree for the engine's schema, every value
  // as text; `lines` maps each key's path to the line it came from, for the schema's errors.
  boost::json::object tree;
  std::map<std::string, int> lines;
  auto put = [&](boost::json::object& at, const std::string& path, const std::string& key, const Entry& e) {
    at[key] = e.value;
    lines[path] = e.line;
  };
  std::vector<std::string> backends;
  std::string token_file;
  int token_line = 0;
  for (const auto& [key, e] : sections["DEFAULT"]) {
    if (key == "listen") c.listen = e.value;
    else if (key == "port") {
      auto v = integer(e, key, 0, 65535);
      if (!v.ok()) return v.status();
      c.port = static_cast<int>(*v);
    } else if (key == "workers") {
      auto v = integer(e, key, 1, 256);
      if (!v.ok()) return v.status();
      c.workers = static_cast<int>(*v);
    } else if (key == "max_request_body_bytes") {
      auto v = integer(e, key, 1024, 64 << 20);
      if (!v.ok()) return v.status();
      c.max_body_bytes = static_cast<std::size_t>(*v);
    } else if (key == "max_connections") {
      auto v = integer(e, key, 1, 1 << 20);
      if (!v.ok()) return v.status();
      c.max_connections = static_cast<int>(*v);
    } else if (key == "request_timeout") {
      auto v = integer(e, key, 1, 3600);
      if (!v.ok()) return v.status();
      c.request_timeout = std::chrono::seconds(*v);
    } else if (key == "public_url") c.rest.public_url = e.value;
    else if (key == "tls_cert_file") c.tls_cert_file = e.value;
    else if (key == "tls_key_file") c.tls_key_file = e.value;
    else if (key == "auth_strategy") {
      if (Status s = blockstore::CheckAuthStrategy(e.value); !s.ok()) return InvalidArgument(where(e.line) + s.message());
      c.rest.auth_strategy = e.value;
    } else if (key == "token_file") {
      token_file = e.value;
      token_line = e.line;
    } else if (key == "enabled_backends") {
      std::istringstream list(e.value);
      std::string name;
      while (std::getline(list, name, ',')) {
        name = Trim(name);
        if (name.empty()) continue;
        if (!sections.count(name)) {
          return InvalidArgument(where(e.line) + "enabled backend '" + name + "' has no [" + name + "] section");
        }
        backends.push_back(name);
      }
    } else if (key.starts_with("quota_") || key == "per_volume_size_limit") {
      // Cinder's spellings of quota_defaults.<resource>.
      const std::string resource = key == "per_volume_size_limit" ? "per_volume_gigabytes" : key.substr(6);
      if (!tree["quota_defaults"].is_object()) tree["quota_defaults"] = boost::json::object();
      put(tree["quota_defaults"].as_object(), "quota_defaults." + resource, resource, e);
    } else {
      put(tree, key, key, e);
    }
  }
  if (c.rest.auth_strategy == "tokens") {
    if (token_file.empty()) return InvalidArgument(file + ": auth_strategy = tokens needs token_file");
    std::ifstream t(token_file);
    if (!t) return InvalidArgument(where(token_line) + "cannot read token_file " + token_file);
    std::stringstream all;
    all << t.rdbuf();
    auto tokens = blockstore::ParseTokenFile(all.str());
    if (!tokens.ok()) return InvalidArgument(token_file + ": " + tokens.status().message());
    c.rest.tokens = std::move(tokens).value();
  }
  boost::json::array backend_list;
  for (std::size_t i = 0; i < backends.size(); ++i) {
    const std::string& name = backends[i];
    const std::string path = "backends[" + std::to_string(i) + "]";
    boost::json::object b{{"name", name}};
    boost::json::object options;
    lines[path] = lines[path + ".name"] = lines[path + ".driver"] = section_line[name];
    for (const auto& [key, e] : sections[name]) {
      if (key == "volume_driver") put(b, path + ".driver", "driver", e);
      else if (key == "volume_backend_name" || key == "filter_function" || key == "goodness_function") {
        put(b, path + "." + key, key, e);
      } else {
        put(options, path + ".options." + key, key, e);
      }
    }
    if (!options.empty()) b["options"] = std::move(options);
    backend_list.push_back(std::move(b));
  }
  if (!backend_list.empty()) tree["backends"] = std::move(backend_list);
  // Any other section is a part of the tree: [scheduler], [backup], [backup.target],
  // [quota_defaults]; the schema refuses what it does not know.
  for (const auto& [name, section] : sections) {
    if (name == "DEFAULT") continue;
    if (std::find(backends.begin(), backends.end(), name) != backends.end()) continue;
    boost::json::object* at = &tree;
    std::string path;
    std::istringstream parts(name);
    std::string part;
    while (std::getline(parts, part, '.')) {
      path += (path.empty() ? "" : ".") + part;
      lines.emplace(path, section_line[name]);
      boost::json::value& next = (*at)[part];
      if (!next.is_object()) next = boost::json::object();
      at = &next.as_object();
    }
    for (const auto& [key, e] : section) put(*at, path + "." + key, key, e);
  }
  std::string bad_key;
  auto engine = blockstore::EngineConfigFromJson(boost::json::serialize(tree), blockstore::ConfigSyntax::kText,
                                                 &bad_key);
  if (!engine.ok()) {
    // The line of the key at fault, or of the nearest part of the tree it belongs to.
    std::string at = bad_key;
    while (!at.empty() && !lines.count(at)) {
      const auto cut = at.find_last_of(".[");
      at = cut == std::string::npos ? "" : at.substr(0, cut);
    }
    if (bad_key == "state_path") return InvalidArgument(file + ": [DEFAULT] state_path is required");
    const std::string prefix = at.empty() ? file + ": " : where(lines[at]);
    return InvalidArgument(prefix + engine.status().message());
  }
  c.engine = std::move(engine).value();
  c.rest.max_body_bytes = c.max_body_bytes;
  return c;
}

Result<DaemonConfig> LoadConfig(const std::string& file) {
  std::ifstream in(file);
  if (!in) return InvalidArgument("cannot read the configuration file " + file);
  std::stringstream all;
  all << in.rdbuf();
  return ParseConfig(all.str(), file);
}

}  // namespace blockstored
