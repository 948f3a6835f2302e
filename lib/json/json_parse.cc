#include "lib/json/json_parse.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <set>
#include <string>
#include <vector>

namespace blockstore::internal {
namespace {

namespace json = boost::json;
using boost::system::error_code;

// A SAX pass that only watches keys: each open object keeps the keys it has seen, and the
// second sighting of one stops the parse.
struct DuplicateKeyFinder {
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

  std::vector<std::set<std::string, std::less<>>> open;
  std::string key;        // the key being read, when it comes in parts
  std::string duplicate;  // set when one is found

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_object_begin(error_code&) {
    open.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, error_code&) {
    open.pop_back();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, error_code&) { return true; }
  bool on_key_part(json::string_view s, std::size_t, error_code&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, error_code& ec) {
    key.append(s.data(), s.size());
    const bool fresh = open.back().insert(std::move(key)).second;
    key.clear();
    if (fresh) return true;
    duplicate.assign(s.data(), s.size());
    ec = json::error::syntax;
    return false;
  }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, error_code&) { return true; }
  bool on_double(double, json::string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }
};

}  // namespace

Result<json::value> ParseJson(std::string_view text, std::string_view what,
                              std::size_t max_depth) {
  json::parse_options opts;
  opts.max_depth = max_depth;
  error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec, {}, opts);
  if (ec) return InvalidArgument(std::string(what) + ": malformed JSON (" + ec.message() + ")");
  // Only text that parsed is checked for repeated keys, so the common case pays one more pass
  // over a document already known to be well formed.
  json::basic_parser<DuplicateKeyFinder> keys{opts};
  keys.write_some(false, text.data(), text.size(), ec);
  if (!keys.handler().duplicate.empty()) {
    std::string name = keys.handler().duplicate.substr(0, 64);
    return InvalidArgument(std::string(what) + ": malformed JSON (the key '" + name +
                           "' appears twice in one object)");
  }
  return v;
}

}  // namespace blockstore::internal
