#include "lib/rest/json_out.hpp"

#include <charconv>

namespace blockstore::rest {
namespace {

bool NeedsEscape(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f) return true;
  }
  return false;
}

void AppendString(std::string& out, std::string_view s) {
  if (!NeedsEscape(s)) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  internal::json::serializer sr;
  sr.reset(s);
  char buf[512];
  while (!sr.done()) out.append(sr.read(buf, sizeof buf));
}

}  // namespace

void JsonOut::Separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (first_.empty()) return;
  if (!first_.back()) out_ += ',';
  first_.back() = false;
}

JsonOut& JsonOut::Open(char c) {
  Separate();
  out_ += c;
  first_.push_back(true);
  return *this;
}

JsonOut& JsonOut::Close(char c) {
  out_ += c;
  first_.pop_back();
  return *this;
}

JsonOut& JsonOut::Raw(std::string_view text) {
  Separate();
  out_ += text;
  return *this;
}

JsonOut& JsonOut::Key(std::string_view key) {
  Separate();
  AppendString(out_, key);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonOut& JsonOut::Str(std::string_view s) {
  Separate();
  AppendString(out_, s);
  return *this;
}

JsonOut& JsonOut::Int(int64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  return Raw(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

JsonOut& JsonOut::UInt(uint64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  return Raw(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

}  // namespace blockstore::rest
