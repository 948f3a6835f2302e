#include "lib/scheduler/json_query.hpp"

#include <set>

#include "lib/core/macros.hpp"
#include "lib/json/json_parse.hpp"

namespace blockstore::internal {
namespace json = boost::json;

namespace {

Status Check(const json::array& q, int depth) {
  if (depth > 32) return InvalidArgument("query hint: nested deeper than 32 levels");
  if (q.empty()) return Status::Ok();
  static const std::set<std::string> kOps = {"=", "<", ">", "in", "<=", ">=", "not", "or", "and"};
  if (!q[0].is_string() || !kOps.count(std::string(q[0].get_string()))) {
    return InvalidArgument("query hint: '" + json::serialize(q[0]) +
                           "' is not an operator (= < > <= >= in not or and)");
  }
  for (std::size_t i = 1; i < q.size(); ++i) {
    if (const auto* sub = q[i].if_array()) {
      if (Status s = Check(*sub, depth + 1); !s.ok()) return s;
    } else if (q[i].is_object()) {
      return InvalidArgument("query hint: objects are not operands");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<json::value> PrepareQuery(const std::string& text) {
  if (text.size() > 65536) return InvalidArgument("query hint: longer than 64 KiB");
  BS_ASSIGN_OR_RETURN(json::value v, ParseJson(text, "query hint", 40));
  if (!v.is_array()) return InvalidArgument("query hint must be a JSON list [op, args…]");
  if (Status s = Check(v.get_array(), 0); !s.ok()) return s;
  return v;
}

}  // namespace blockstore::internal
