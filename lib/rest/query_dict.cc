#include "lib/rest/query_dict.hpp"

#include <cctype>
#include <optional>
#include <string>

namespace blockstore::rest {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  void Space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool Take(char c) {
    Space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool AtEnd() {
    Space();
    return pos_ == text_.size();
  }
  // A quoted string ('…' or "…") with backslash escapes of the quote, the backslash and \n \t.
  std::optional<std::string> Quoted() {
    Space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) return std::nullopt;
    const char quote = text_[pos_++];
    std::string out;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == quote) return out;
      if (c == '\\') {
        if (pos_ >= text_.size()) return std::nullopt;
        const char e = text_[pos_++];
        switch (e) {
          case 'n': c = '\n'; break;
          case 't': c = '\t'; break;
          case '\\': case '\'': case '"': case '/': c = e; break;
          default: return std::nullopt;
        }
      }
      out.push_back(c);
    }
    return std::nullopt;
  }
  // A bare value: a number or a boolean, kept as written (True/true → "True"/"true").
  std::optional<std::string> Bare() {
    Space();
    const std::size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.' ||
            text_[pos_] == '-' || text_[pos_] == '+')) {
      ++pos_;
    }
    if (pos_ == start) return std::nullopt;
    std::string word(text_.substr(start, pos_ - start));
    const bool number = std::isdigit(static_cast<unsigned char>(word[0])) || word[0] == '-' || word[0] == '+';
    if (!number && word != "True" && word != "False" && word != "true" && word != "false") {
      return std::nullopt;
    }
    return word;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

Result<Metadata> ParseQueryDict(std::string_view text, std::string_view what) {
  auto bad = [&] {
    return InvalidArgument(std::string(what) + " must be a dictionary of strings, such as {\"key\": \"value\"}");
  };
  Reader in(text);
  Metadata out;
  if (!in.Take('{')) return bad();
  if (!in.Take('}')) {
    while (true) {
      auto key = in.Quoted();
      if (!key || !in.Take(':')) return bad();
      auto value = in.Quoted();
      if (!value) value = in.Bare();
      if (!value) return bad();
      out[*key] = *value;
      if (in.Take('}')) break;
      if (!in.Take(',')) return bad();
    }
  }
  if (!in.AtEnd()) return bad();
  return out;
}

}  // namespace blockstore::rest
