// The configuration schema against the one table of cases (config_cases.tsv): each case read
// as typed JSON and as text gives the same configuration or the same error; every key of the
// schema has a case; the key file.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <boost/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "blockstore/engine_config.hpp"
#include "tests/support/test_support.hpp"

namespace json = boost::json;
using namespace blockstore;

TEST_SUITE_BEGIN("config");

namespace {

struct Case {
  int line = 0;
  std::string path, typed, text, expect;
};

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

std::vector<Case> LoadCases(const std::string& dir) {
  {
    std::ofstream(dir + "/keys") << "k1 " << std::string(64, '1') << "\n";
    REQUIRE(::chmod((dir + "/keys").c_str(), 0600) == 0);
  }
  std::ifstream in(BS_CONFIG_CASES);
  REQUIRE(in);
  std::vector<Case> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::istringstream fields(line);
    std::string col;
    while (std::getline(fields, col, '\t')) cols.push_back(Replace(col, "@DIR@", dir));
    REQUIRE_MESSAGE(cols.size() == 4, "config_cases.tsv:" << n << ": want 4 columns");
    out.push_back({n, cols[0], cols[1], cols[2], cols[3]});
  }
  return out;
}

// The tree a case describes, around the state_path every configuration needs: `value` at the
// case's path (a backend case inside backend b1).
json::object Tree(const Case& c, const json::value& value, const std::string& state, bool text) {
  json::object root{{"state_path", state}};
  const std::string& p = c.path;
  if (p.starts_with("backends[].")) {
    json::object b{{"name", "b1"}, {"driver", "file"}};
    const std::string key = p.substr(11);
    if (key.starts_with("options.")) b["options"] = json::object{{key.substr(8), value}};
    else b[key] = value;
    root["backends"] = json::array{b};
    return root;
  }
  if (p == "backup.target" && text) {
    json::object options;
    std::istringstream items(value.as_string().c_str());
    std::string item;
    while (std::getline(items, item, ';')) {
      const auto eq = item.find('=');
      options[item.substr(0, eq)] = item.substr(eq + 1);
    }
    root["backup"] = json::object{{"target", options}};
    return root;
  }
  json::object* at = &root;
  std::string rest = p;
  for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
    at = &(*at)[rest.substr(0, dot)].emplace_object();
    rest = rest.substr(dot + 1);
  }
  (*at)[rest] = value;
  return root;
}

// What a configuration holds, as text, for comparing two readings of it.
std::string Describe(const EngineConfig& c) {
  std::ostringstream o;
  o << c.state_path << "|" << c.database_connection << "|" << c.host << "|" << c.availability_zone << "|" << c.default_volume_type << "|"
    << static_cast<int>(c.durability) << "|" << c.volume_workers << "|" << c.stats_interval.count() << "|" << c.message_ttl.count() << "|"
    << c.idempotency_key_ttl.count() << "|";
  for (const auto& [k, v] : c.quota_defaults) o << k << "=" << v << ",";
  for (const auto& b : c.backends) {
    o << "[" << b.name << " " << b.driver << " " << b.volume_backend_name << " " << b.filter_function << " "
      << b.goodness_function;
    for (const auto& [k, v] : b.options) o << " " << k << "=" << v;
    o << "]";
  }
  const auto& s = c.scheduler;
  for (const auto& f : s.filters) o << f << ",";
  for (const auto& [k, v] : s.weighers) o << k << ":" << v << ",";
  o << s.weight_handler << "|" << s.max_attempts << "|" << s.max_over_subscription_ratio << "|"
    << s.stale_after.count() << "|" << s.reservation_ttl.count() << "|" << s.seed << "|";
  const auto& b = c.backup;
  o << (b.target ? b.target->Describe() : "-") << "|" << b.compression << "|" << b.chunk_size << "|"
    << b.workers << "|" << b.read_streams << "|" << b.memory_budget << "|" << b.max_jobs << "|"
    << b.bandwidth_bytes_per_s << "|" << b.retries << "|" << b.verify_after_backup << "|" << b.changed_block_tracking << "|"
    << b.progress_interval.count() << "|" << b.encryption_key_id;
  return o.str();
}

std::string SchemaPathOf(const std::string& path) {
  if (path.starts_with("backends[].options.")) return "backends[].options.*";
  if (path.starts_with("quota_defaults.")) return "quota_defaults.*";
  if (path == "backup.target") return "backup.target.*";
  return path;
}

}  // namespace

TEST_CASE("every case reads the same as typed JSON and as text, and gives the error it names") {
  testing::TempDir dir;
  const std::string state = dir.path() + "/state";
  for (const Case& c : LoadCases(dir.path())) {
    CAPTURE(c.line);
    CAPTURE(c.path);
    auto typed_value = json::parse(c.typed);
    std::string typed_key;
    auto typed = EngineConfigFromJson(json::serialize(Tree(c, typed_value, state, false)),
                                      ConfigSyntax::kTyped, &typed_key);
    if (c.expect == "ok") {
      REQUIRE_MESSAGE(typed.ok(), typed.status().message());
    } else {
      REQUIRE_FALSE(typed.ok());
      CHECK(typed.status().code() == Code::kInvalidArgument);
      CHECK_MESSAGE(typed.status().message().find(c.expect) != std::string::npos, typed.status().message());
      CHECK(!typed_key.empty());
    }
    if (c.text == "-") continue;
    std::string text_key;
    auto text = EngineConfigFromJson(json::serialize(Tree(c, json::value(c.text), state, true)),
                                     ConfigSyntax::kText, &text_key);
    CHECK(text.ok() == typed.ok());
    if (typed.ok() && text.ok()) {
      CHECK(Describe(*text) == Describe(*typed));
    } else if (!typed.ok() && !text.ok()) {
      CHECK(text.status().message() == typed.status().message());
      CHECK(text_key == typed_key);
    }
  }
}

TEST_CASE("the table of cases covers every key of the schema, each with a good value") {
  testing::TempDir dir;
  std::set<std::string> good, any;
  for (const Case& c : LoadCases(dir.path())) {
    any.insert(SchemaPathOf(c.path));
    if (c.expect == "ok") good.insert(SchemaPathOf(c.path));
  }
  for (const auto& key : EngineConfigKeys()) {
    CAPTURE(key.path);
    CHECK(!key.doc.empty());
    CHECK(!key.type.empty());
    // state_path is an argument of its own in C and Python; its cases are below.
    if (key.path == "state_path") continue;
    CHECK(good.count(key.path));
  }
  for (const auto& path : any) {
    bool known = false;
    for (const auto& key : EngineConfigKeys()) known = known || key.path == path;
    const bool colour = path == "colour" || path.ends_with(".colour");
    CHECK_MESSAGE((known || colour), path);
  }
}

TEST_CASE("required keys, and text that is not a configuration") {
  std::string key;
  auto none = EngineConfigFromJson("{}", ConfigSyntax::kTyped, &key);
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().message() == "config: state_path is required");
  CHECK(key == "state_path");
  auto no_driver = EngineConfigFromJson(R"({"state_path": "/x", "backends": [{"name": "b"}]})",
                                        ConfigSyntax::kTyped, &key);
  REQUIRE_FALSE(no_driver.ok());
  CHECK(no_driver.status().message() == "config: backends[0].driver is required");
  CHECK(key == "backends[0].driver");
  CHECK_FALSE(EngineConfigFromJson("[1]").ok());
  CHECK_FALSE(EngineConfigFromJson(R"({"state_path": "/x", "state_path": "/y"})").ok());
  auto backends = EngineConfigFromJson(R"({"state_path": "/x", "backends": {"name": "b"}})");
  REQUIRE_FALSE(backends.ok());
  CHECK(backends.status().message() == "config: backends must be a list of backends");
}

TEST_CASE("the key file: keys by id, private, well formed") {
  testing::TempDir dir;
  const std::string file = dir.path() + "/keys";
  const std::string hex(64, 'a');
  auto write = [&](const std::string& text, mode_t mode) {
    std::ofstream(file) << text;
    ::chmod(file.c_str(), mode);
  };
  auto read = [&](const std::string& id) {
    return EngineConfigFromJson(R"({"state_path": "/x", "backup": {"encryption_key_id": ")" + id +
                                R"(", "encryption_key_file": ")" + file + R"("}})");
  };
  write("# keys\n\nk1 " + hex + "\nk2 " + std::string(64, '0') + "\n", 0600);
  auto ok = read("k1");
  REQUIRE_MESSAGE(ok.ok(), ok.status().message());
  auto key = ok->backup.key_provider("k1");
  REQUIRE(key.ok());
  CHECK(*key == std::string(32, '\xaa'));
  CHECK(ok->backup.key_provider("k2")->size() == 32);
  CHECK(ok->backup.key_provider("k3").status().code() == Code::kNotFound);

  auto missing = read("k9");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("'k9' is not in") != std::string::npos);

  write("k1 " + hex + "\n", 0644);
  auto open = read("k1");
  REQUIRE_FALSE(open.ok());
  CHECK(open.status().message().find("must be mode 0600 or 0400") != std::string::npos);

  for (const std::string& bad : std::vector<std::string>{"k1 abc\n", "k1 " + std::string(64, 'g') + "\n", "k1 " + hex + " extra\n",
                                "k1 " + hex + "\nk1 " + hex + "\n"}) {
    CAPTURE(bad);
    write(bad, 0600);
    auto r = read("k1");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find(file + ":") != std::string::npos);
  }
}

TEST_SUITE_END();
