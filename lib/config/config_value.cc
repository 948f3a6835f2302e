#include "lib/config/config_value.hpp"

#include "lib/core/macros.hpp"
#include "lib/json/json_codec.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace blockstore::internal {

namespace json = boost::json;

namespace config_value {

std::string TrimText(const std::string& s) {
  const auto a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

// The comma-separated items of a text value, trimmed, empty ones dropped.
std::vector<std::string> SplitItems(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    item = TrimText(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string RangeText(int64_t lo, int64_t hi) {
  return "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
}

std::string NumberText(double d) {
  std::ostringstream o;
  o << d;
  return o.str();
}

}  // namespace config_value

Status ConfigValueReader::Fail(const std::string& path, const std::string& must_be) {
  return InvalidArgument("config: " + path + " must be " + must_be);
}

Result<std::string> ConfigValueReader::String(const json::value& v, const std::string& path) const {
  if (const auto* s = v.if_string()) return std::string(s->data(), s->size());
  return Fail(path, "a string");
}

Result<int64_t> ConfigValueReader::Integer(const json::value& v, const std::string& path,
                                           int64_t lo, int64_t hi) const {
  int64_t x = 0;
  if (syntax_ == ConfigSyntax::kText) {
    const auto* s = v.if_string();
    if (!s) return Fail(path, config_value::RangeText(lo, hi));
    const std::string text(s->data(), s->size());
    char* end = nullptr;
    errno = 0;
    x = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno == ERANGE) return Fail(path, config_value::RangeText(lo, hi));
  } else if (const auto* i = v.if_int64()) {
    x = *i;
  } else {
    return Fail(path, config_value::RangeText(lo, hi));
  }
  if (x < lo || x > hi) return Fail(path, config_value::RangeText(lo, hi));
  return x;
}

Result<double> ConfigValueReader::Number(const json::value& v, const std::string& path, double lo,
                                         double hi) const {
  const std::string must = "a number from " + config_value::NumberText(lo) + " to " +
                           config_value::NumberText(hi);
  double x = 0;
  if (syntax_ == ConfigSyntax::kText) {
    const auto* s = v.if_string();
    if (!s) return Fail(path, must);
    const std::string text(s->data(), s->size());
    char* end = nullptr;
    x = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0') return Fail(path, must);
  } else if (v.is_number()) {
    x = v.to_number<double>();
  } else {
    return Fail(path, must);
  }
  if (!std::isfinite(x) || x < lo || x > hi) return Fail(path, must);
  return x;
}

Result<bool> ConfigValueReader::Boolean(const json::value& v, const std::string& path) const {
  if (syntax_ == ConfigSyntax::kText) {
    if (const auto* s = v.if_string()) {
      if (*s == "true") return true;
      if (*s == "false") return false;
    }
  } else if (const auto* b = v.if_bool()) {
    return *b;
  }
  return Fail(path, "true or false");
}

Result<std::vector<std::string>> ConfigValueReader::List(const json::value& v,
                                                         const std::string& path) const {
  std::vector<std::string> out;
  if (syntax_ == ConfigSyntax::kText) {
    const auto* s = v.if_string();
    if (!s) return Fail(path, "a list of names");
    return config_value::SplitItems(std::string(s->data(), s->size()));
  }
  const auto* a = v.if_array();
  if (!a) return Fail(path, "a list of names");
  for (const auto& e : *a) {
    const auto* s = e.if_string();
    if (!s || s->empty()) return Fail(path, "a list of names");
    out.emplace_back(s->data(), s->size());
  }
  return out;
}

Result<std::map<std::string, double>> ConfigValueReader::Weights(const json::value& v,
                                                                 const std::string& path) const {
  constexpr double kMax = 1e9;
  std::map<std::string, double> out;
  if (syntax_ == ConfigSyntax::kText) {
    const auto* s = v.if_string();
    if (!s) return Fail(path, "a list of Name:multiplier");
    for (const auto& item : config_value::SplitItems(std::string(s->data(), s->size()))) {
      const auto colon = item.find(':');
      const std::string name = config_value::TrimText(item.substr(0, colon));
      if (name.empty()) return Fail(path, "a list of Name:multiplier");
      const std::string m = colon == std::string::npos ? "1" : config_value::TrimText(item.substr(colon + 1));
      BS_ASSIGN_OR_RETURN(double x, Number(json::value(m), path + "." + name, -kMax, kMax));
      if (!out.emplace(name, x).second) return InvalidArgument("config: " + path + " names " + name + " twice");
    }
    return out;
  }
  const auto* o = v.if_object();
  if (!o) return Fail(path, "an object of name: multiplier");
  for (const auto& kv : *o) {
    const std::string name(kv.key());
    BS_ASSIGN_OR_RETURN(double x, Number(kv.value(), path + "." + name, -kMax, kMax));
    out[name] = x;
  }
  return out;
}

Result<std::map<std::string, std::string>> ConfigValueReader::TextMap(const json::value& v,
                                                                      const std::string& path) const {
  const auto* o = v.if_object();
  if (!o) return Fail(path, "an object");
  std::map<std::string, std::string> out;
  for (const auto& kv : *o) {
    const std::string key(kv.key());
    const json::value& val = kv.value();
    if (key.empty()) return InvalidArgument("config: " + path + " has an entry without a name");
    if (const auto* s = val.if_string()) out[key] = std::string(s->data(), s->size());
    else if (syntax_ == ConfigSyntax::kTyped && val.is_number()) out[key] = NumberText(val);
    else if (syntax_ == ConfigSyntax::kTyped && val.is_bool()) out[key] = val.get_bool() ? "true" : "false";
    else return Fail(path + "." + key, "a string, a number or true/false");
  }
  return out;
}

}  // namespace blockstore::internal
