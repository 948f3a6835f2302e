#include "lib/attach/iscsi_name.hpp"

#include <cctype>

namespace blockstore::internal {
namespace {

bool AllHex(std::string_view s) {
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':';
}

}  // namespace

bool IsIscsiName(std::string_view name) {
  if (name.size() > kMaxIscsiNameLength) return false;
  if (name.starts_with("eui.")) return name.size() == 20 && AllHex(name.substr(4));
  if (name.starts_with("naa.")) {
    const auto hex = name.substr(4);
    return (hex.size() == 16 || hex.size() == 32) && AllHex(hex);
  }
  if (!name.starts_with("iqn.")) return false;
  // iqn.YYYY-MM.
  const auto date = name.substr(4, 8);
  if (date.size() != 8 || date[4] != '-' || date[7] != '.') return false;
  for (int i : {0, 1, 2, 3, 5, 6}) {
    if (!std::isdigit(static_cast<unsigned char>(date[static_cast<std::size_t>(i)]))) return false;
  }
  const int month = (date[5] - '0') * 10 + (date[6] - '0');
  if (month < 1 || month > 12) return false;
  const auto rest = name.substr(12);
  const auto colon = rest.find(':');
  const auto domain = rest.substr(0, colon);
  if (domain.empty() || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : domain) {
    if (c == ':' || !NameChar(c)) return false;
  }
  if (colon == std::string_view::npos) return true;
  const auto tail = rest.substr(colon + 1);
  if (tail.empty()) return false;
  for (char c : tail) {
    if (!NameChar(c)) return false;
  }
  return true;
}

}  // namespace blockstore::internal
