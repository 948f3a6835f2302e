// libFuzzer target: the filter_function / goodness_function language. Any input must compile
// or be refused, and any compiled expression must evaluate or fail — never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lib/scheduler/evaluator/expression.hpp"

using namespace blockstore::internal::eval;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto e = Expression::Compile(text);
  if (!e.ok()) return 0;
  const Variables vars = [](std::string_view dict, std::string_view key) -> std::optional<Value> {
    if (dict == "stats" && key == "free_capacity_gb") return Value::Number(42.5);
    if (dict == "stats" && key == "storage_protocol") return Value::String("iSCSI");
    if (dict == "capabilities" && key == "thin") return Value::Bool(true);
    if (dict == "volume" && key == "size") return Value::Number(10);
    if (dict == "extra" && key == "tier") return Value::String("'gold'");
    return std::nullopt;
  };
  auto v = (*e)->Evaluate(vars);
  if (v.ok()) (void)v->ToString();
  return 0;
}
