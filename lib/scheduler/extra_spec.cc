#include "lib/scheduler/extra_spec.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "lib/scheduler/evaluator/expression.hpp"

namespace blockstore::internal {
namespace json = boost::json;
using Op = SpecRequirement::Op;

namespace {

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::optional<double> Number(std::string_view s) {
  auto v = eval::Coerce(s);
  if (v.kind != eval::Value::Kind::kNumber) return std::nullopt;
  return v.number;
}

std::optional<double> CapNumber(const json::value& v) {
  if (v.is_bool()) return v.get_bool() ? 1.0 : 0.0;
  if (v.is_number()) return v.to_number<double>();
  if (v.is_string()) return Number(std::string(v.get_string()));
  return std::nullopt;
}

std::optional<bool> CapBool(const json::value& v) {
  if (v.is_bool()) return v.get_bool();
  return BoolWord(CapabilityText(v)).value_or(false);
}

bool MatchScalar(const SpecRequirement& r, const json::value& cap) {
  switch (r.op) {
    case Op::kWhole: {
      if (cap.is_bool()) {
        auto want = BoolWord(r.value);
        const std::string lower = [&] {
          std::string l;
          for (char c : r.value) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          return l;
        }();
        // Only the words True/False compare as booleans; "1" against True stays textual.
        if (want && (lower == "true" || lower == "false")) return *want == cap.get_bool();
        return false;
      }
      if (cap.is_number()) {
        auto want = Number(r.value);
        auto have = CapNumber(cap);
        return want && have && *want == *have;
      }
      return CapabilityText(cap) == r.value;
    }
    case Op::kNumAtLeast:
    case Op::kNumEq:
    case Op::kNumNe:
    case Op::kNumGe:
    case Op::kNumLe: {
      auto have = CapNumber(cap);
      if (!have) return false;
      switch (r.op) {
        case Op::kNumEq: return *have == r.number;
        case Op::kNumNe: return *have != r.number;
        case Op::kNumLe: return *have <= r.number;
        default: return *have >= r.number;  // = and >=
      }
    }
    case Op::kStrEq:
    case Op::kStrNe:
    case Op::kStrLt:
    case Op::kStrLe:
    case Op::kStrGt:
    case Op::kStrGe: {
      const int c = CapabilityText(cap).compare(r.operands[0]);
      switch (r.op) {
        case Op::kStrEq: return c == 0;
        case Op::kStrNe: return c != 0;
        case Op::kStrLt: return c < 0;
        case Op::kStrLe: return c <= 0;
        case Op::kStrGt: return c > 0;
        default: return c >= 0;
      }
    }
    case Op::kIn:
      return CapabilityText(cap).find(r.operands[0]) != std::string::npos;
    case Op::kIs: {
      auto have = CapBool(cap);
      return have && *have == r.truth;
    }
    case Op::kOr: {
      const std::string text = CapabilityText(cap);
      for (const auto& alt : r.operands) {
        if (alt == text) return true;
      }
      return false;
    }
  }
  return false;
}

Status Bad(const std::string& key, const std::string& value, const std::string& why) {
  return InvalidArgument("extra spec '" + key + "'='" + value + "': " + why);
}

}  // namespace

std::optional<bool> BoolWord(std::string_view s) {
  std::string l;
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (l == "1" || l == "t" || l == "true" || l == "on" || l == "y" || l == "yes") return true;
  if (l == "0" || l == "f" || l == "false" || l == "off" || l == "n" || l == "no") return false;
  return std::nullopt;
}

std::string CapabilityText(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "True" : "False";
  if (v.is_null()) return "None";
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) {
    const double d = v.get_double();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
      return std::to_string(static_cast<long long>(d)) + ".0";
    }
    std::ostringstream out;
    out.precision(17);
    out << d;
    return out.str();
  }
  return json::serialize(v);
}

Result<std::optional<SpecRequirement>> CompileExtraSpec(const std::string& key,
                                                        const std::string& value) {
  std::vector<std::string> scope = Split(key, ':');
  if (scope.size() > 1 && scope[0] != "capabilities") return std::optional<SpecRequirement>();
  if (scope[0] == "capabilities") scope.erase(scope.begin());
  for (const auto& part : scope) {
    if (part.empty()) return Bad(key, value, "the key has an empty part");
  }
  if (scope.empty()) return Bad(key, value, "the key names no capability");

  SpecRequirement r;
  r.key = key;
  r.value = value;
  r.path = std::move(scope);
  std::vector<std::string> words = Words(value);
  if (words.empty()) {
    r.op = Op::kWhole;
    return std::optional<SpecRequirement>(std::move(r));
  }
  static const std::vector<std::pair<std::string, Op>> kOps = {
      {"=", Op::kNumAtLeast}, {"==", Op::kNumEq},  {"!=", Op::kNumNe}, {">=", Op::kNumGe},
      {"<=", Op::kNumLe},     {"s==", Op::kStrEq}, {"s!=", Op::kStrNe}, {"s<", Op::kStrLt},
      {"s<=", Op::kStrLe},    {"s>", Op::kStrGt},  {"s>=", Op::kStrGe}, {"<in>", Op::kIn},
      {"<is>", Op::kIs},      {"<or>", Op::kOr}};
  const std::string& first = words[0];
  auto it = std::find_if(kOps.begin(), kOps.end(), [&](const auto& p) { return p.first == first; });
  if (it == kOps.end()) {
    if (first.size() > 2 && first.front() == '<' && first.back() == '>') {
      return Bad(key, value,
                 "unknown operator " + first + " (known: <in> <is> <or> = == != >= <= s== s!= "
                 "s< s<= s> s>=)");
    }
    r.op = Op::kWhole;
    return std::optional<SpecRequirement>(std::move(r));
  }
  r.op = it->second;
  if (words.size() < 2) return Bad(key, value, "operator " + first + " needs an operand");
  if (r.op == Op::kOr) {
    // <or> a <or> b <or> c: alternatives separated by <or>.
    for (std::size_t i = 1; i < words.size(); ++i) {
      const bool want_word = (i % 2) == 1;
      if (want_word == (words[i] == "<or>")) {
        return Bad(key, value, "an <or> list alternates values and <or>: '<or> a <or> b'");
      }
      if (want_word) r.operands.push_back(words[i]);
    }
    if (words.size() % 2 == 1) return Bad(key, value, "the <or> list ends with <or>");
    return std::optional<SpecRequirement>(std::move(r));
  }
  if (words.size() > 2) {
    return Bad(key, value, "operator " + first + " takes one operand (a single word)");
  }
  r.operands.push_back(words[1]);
  switch (r.op) {
    case Op::kNumAtLeast:
    case Op::kNumEq:
    case Op::kNumNe:
    case Op::kNumGe:
    case Op::kNumLe: {
      auto n = Number(words[1]);
      if (!n || std::isnan(*n)) {
        return Bad(key, value, "operator " + first + " compares numbers; '" + words[1] +
                                   "' is not one");
      }
      r.number = *n;
      break;
    }
    case Op::kIs: {
      auto b = BoolWord(words[1]);
      if (!b) return Bad(key, value, "<is> takes a boolean word such as True or False");
      r.truth = *b;
      break;
    }
    default:
      break;
  }
  return std::optional<SpecRequirement>(std::move(r));
}

const json::value* FindCapability(const json::object& caps, const std::vector<std::string>& path) {
  const json::object* obj = &caps;
  const json::value* cur = nullptr;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (!obj) return nullptr;
    cur = obj->if_contains(path[i]);
    if (!cur) return nullptr;
    obj = cur->if_object();
  }
  return cur;
}

bool SpecMatches(const SpecRequirement& req, const json::value* cap) {
  if (!cap) return false;
  if (const auto* list = cap->if_array()) {
    for (const auto& element : *list) {
      if (MatchScalar(req, element)) return true;
    }
    return false;
  }
  return MatchScalar(req, *cap);
}

}  // namespace blockstore::internal
