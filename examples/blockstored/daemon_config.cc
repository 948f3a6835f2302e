#include "daemon_config.hpp"

#include <blockstore/backup_target.hpp>

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
    } else if (key == "state_path") c.engine.state_path = e.value;
    else if (key == "host") c.engine.host = e.value;
    else if (key == "default_volume_type") c.engine.default_volume_type = e.value;
    else if (key == "public_url") c.rest.public_url = e.value;
    else if (key == "tls_cert_file") c.tls_cert_file = e.value;
    else if (key == "tls_key_file") c.tls_key_file = e.value;
    else if (key == "auth_strategy") {
      if (e.value != "noauth" && e.value != "tokens") {
        return InvalidArgument(where(e.line) + "auth_strategy must be noauth or tokens");
      }
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
      static const std::set<std::string> known = {"quota_volumes", "quota_gigabytes", "quota_snapshots",
                                                  "quota_backups", "quota_backup_gigabytes"};
      if (key != "per_volume_size_limit" && !known.count(key)) {
        return InvalidArgument(where(e.line) + "unknown quota option '" + key + "'");
      }
      auto v = integer(e, key, -1, 1L << 40);
      if (!v.ok()) return v.status();
      const std::string resource = key == "per_volume_size_limit" ? "per_volume_gigabytes" : key.substr(6);
      c.engine.quota_defaults[resource] = *v;
    } else {
      return InvalidArgument(where(e.line) + "unknown option '" + key + "' in [DEFAULT]");
    }
  }
  if (c.engine.state_path.empty()) return InvalidArgument(file + ": [DEFAULT] state_path is required");
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
  for (const auto& name : backends) {
    blockstore::BackendConfig b;
    b.name = name;
    for (const auto& [key, e] : sections[name]) {
      if (key == "volume_driver") b.driver = e.value;
      else if (key == "volume_backend_name") b.volume_backend_name = e.value;
      else if (key == "filter_function") b.filter_function = e.value;
      else if (key == "goodness_function") b.goodness_function = e.value;
      else b.options[key] = e.value;
    }
    if (b.driver.empty()) {
      return InvalidArgument(file + ":" + std::to_string(section_line[name]) + ": [" + name + "] needs volume_driver");
    }
    c.engine.backends.push_back(std::move(b));
  }
  if (sections.count("backup")) {
    std::map<std::string, std::string> options;
    for (const auto& [key, e] : sections["backup"]) {
      options[key == "backup_target" ? "type" : key] = e.value;
    }
    auto target = blockstore::NewBackupTarget(options);
    if (!target.ok()) {
      return InvalidArgument(file + ":" + std::to_string(section_line["backup"]) + ": [backup]: " +
                             target.status().message());
    }
    c.engine.backup.target = std::move(target).value();
  }
  for (const auto& [name, section] : sections) {
    if (name == "DEFAULT" || name == "backup") continue;
    if (std::find(backends.begin(), backends.end(), name) == backends.end()) {
      return InvalidArgument(file + ":" + std::to_string(section_line[name]) + ": section [" + name +
                             "] is not in enabled_backends");
    }
  }
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
