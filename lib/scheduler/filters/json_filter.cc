// JsonFilter: the scheduler hint `query` is a JSON expression over the pool's attributes:
// `[op, arg…]` with ops = < > <= >= in not or and; a string "$name" or "$name.key" reads the
// pool (free_capacity_gb, capabilities.foo, host, …); nested lists are sub-expressions. The
// query is parsed and checked once per request (see PrepareQuery); a pool passes when the
// result is true, or for a list result when any element is.
//
// Where Cinder raises on comparing a number with a string (failing the whole request), the
// comparison is simply false here.
#include <cmath>

#include "lib/scheduler/filter.hpp"

namespace blockstore::internal {
namespace json = boost::json;

namespace {

bool Truthy(const json::value& v) {
  if (v.is_bool()) return v.get_bool();
  if (v.is_number()) return v.to_number<double>() != 0;
  if (v.is_string()) return !v.get_string().empty();
  if (v.is_array()) return !v.get_array().empty();
  if (v.is_object()) return !v.get_object().empty();
  return false;
}

// -1/0/1, or nullopt when the two cannot be ordered.
std::optional<int> Order(const json::value& a, const json::value& b) {
  auto num = [](const json::value& v) -> std::optional<double> {
    if (v.is_bool()) return v.get_bool() ? 1.0 : 0.0;
    if (v.is_number()) return v.to_number<double>();
    return std::nullopt;
  };
  auto x = num(a), y = num(b);
  if (x && y) return *x < *y ? -1 : (*x > *y ? 1 : 0);
  if (a.is_string() && b.is_string()) {
    const int c = a.get_string().compare(b.get_string());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

bool Equal(const json::value& a, const json::value& b) {
  auto o = Order(a, b);
  if (o) return *o == 0;
  return a == b;
}

json::value Attribute(const PoolEntry& pool, const std::string& ref) {
  std::vector<std::string> path;
  std::string cur;
  for (char c : ref) {
    if (c == '.') {
      path.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  path.push_back(cur);
  const PoolState& s = pool.state;
  json::value obj;
  const std::string& head = path[0];
  if (head == "host") obj = s.host.c_str();
  else if (head == "backend_id") obj = s.backend.c_str();
  else if (head == "availability_zone") obj = s.availability_zone.c_str();
  else if (head == "pool_name") obj = s.stats.pool_name.c_str();
  else if (head == "updated") obj = FormatTime(s.updated_at).c_str();
  else if (head == "capabilities") obj = pool.caps;
  else if (const auto* v = pool.caps.if_contains(head)) obj = *v;
  else return nullptr;
  for (std::size_t i = 1; i < path.size(); ++i) {
    const auto* o = obj.if_object();
    if (!o) return nullptr;
    const auto* next = o->if_contains(path[i]);
    if (!next) return nullptr;
    obj = *next;
  }
  return obj;
}

json::value Evaluate(const json::array& q, const PoolEntry& pool) {
  if (q.empty()) return true;
  const std::string op(q[0].get_string());
  json::array args;
  for (std::size_t i = 1; i < q.size(); ++i) {
    json::value arg;
    if (q[i].is_array()) {
      arg = Evaluate(q[i].get_array(), pool);
    } else if (q[i].is_string()) {
      const auto& s = q[i].get_string();
      if (s.empty()) continue;  // Cinder drops empty strings like missing attributes
      arg = s.starts_with("$") ? Attribute(pool, std::string(s.subview(1))) : q[i];
    } else {
      arg = q[i];
    }
    if (!arg.is_null()) args.push_back(std::move(arg));
  }
  if (op == "not") {
    json::array out;
    for (const auto& a : args) out.push_back(!Truthy(a));
    return out;
  }
  if (op == "or" || op == "and") {
    for (const auto& a : args) {
      if (Truthy(a) == (op == "or")) return op == "or";
    }
    return op == "and";
  }
  if (args.size() < 2) return false;
  if (op == "in") {
    for (std::size_t i = 1; i < args.size(); ++i) {
      if (Equal(args[0], args[i])) return true;
    }
    return false;
  }
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (op == "=") {
      if (!Equal(args[0], args[i])) return false;
      continue;
    }
    auto o = Order(args[0], args[i]);
    if (!o) return false;
    const bool holds = op == "<" ? *o < 0 : op == ">" ? *o > 0 : op == "<=" ? *o <= 0 : *o >= 0;
    if (!holds) return false;
  }
  return true;
}

class JsonFilter final : public Filter {
 public:
  bool Passes(const PoolEntry& pool, const PreparedRequest& r, std::string* why) const override {
    if (!r.query) return true;
    json::value result = Evaluate(r.query->get_array(), pool);
    bool pass = false;
    if (const auto* list = result.if_array()) {
      for (const auto& v : *list) pass = pass || Truthy(v);
    } else {
      pass = Truthy(result);
    }
    if (!pass && why) *why = "does not satisfy the query hint";
    return pass;
  }
};

}  // namespace

std::unique_ptr<Filter> NewJsonFilter() { return std::make_unique<JsonFilter>(); }

}  // namespace blockstore::internal
