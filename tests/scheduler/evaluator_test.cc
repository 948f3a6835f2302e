// The filter_function / goodness_function language against the reference semantics, and its
// refusal of broken input.
#include <cmath>
#include <map>

#include "lib/scheduler/evaluator/expression.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;
using namespace blockstore::internal::eval;

namespace {

const std::map<std::string, Value>& Vars() {
  static const std::map<std::string, Value> k = {
      {"stats.total_capacity_gb", Value::Number(100)},
      {"stats.free_capacity_gb", Value::Number(40)},
      {"stats.storage_protocol", Value::String("iSCSI")},
      {"capabilities.thin", Value::Bool(true)},
      {"capabilities.tier", Value::String("gold")},
      {"capabilities.iops", Value::String("5000")},     // numeric text is a number
      {"capabilities.quoted", Value::String("'fast'")},  // quotes are removed
      {"volume.size", Value::Number(10)},
      {"extra.replicas", Value::String("3")},
  };
  return k;
}

Variables Lookup() {
  return [](std::string_view d, std::string_view k) -> std::optional<Value> {
    auto it = Vars().find(std::string(d) + "." + std::string(k));
    if (it == Vars().end()) return std::nullopt;
    return it->second;
  };
}

Result<Value> Run(const std::string& text) {
  auto e = Expression::Compile(text);
  if (!e.ok()) return e.status();
  return (*e)->Evaluate(Lookup());
}

double Num(const std::string& text) {
  auto v = Run(text);
  REQUIRE_MESSAGE(v.ok(), text << ": " << v.status().ToString());
  REQUIRE_MESSAGE(v->is_numeric(), text << " gave " << v->ToString());
  return v->number;
}

bool Truth(const std::string& text) {
  auto v = Run(text);
  REQUIRE_MESSAGE(v.ok(), text << ": " << v.status().ToString());
  return v->Truthy();
}

}  // namespace

TEST_SUITE("evaluator") {
  TEST_CASE("arithmetic and precedence as the reference orders them") {
    const std::vector<std::pair<std::string, double>> cases = {
        {"1 + 2 * 3", 7},       {"(1 + 2) * 3", 9},    {"2 ^ 3 ^ 2", 512},  // right associative
        {"-2 ^ 2", -4},         {"10 / 4", 2.5},       {"7 - 2 - 1", 4},
        {"abs(-3)", 3},         {"max(1, 5, 3)", 5},   {"min(4, 2, 8)", 2},
        {"2.5 * 2", 5},         {"+4", 4},             {"--4", 4},
        {"1 < 2 ? 10 : 20", 10}, {"1 > 2 ? 10 : 20", 20},
        {"stats.total_capacity_gb - stats.free_capacity_gb", 60},
        {"capabilities.iops / 1000", 5}, {"extra.replicas * volume.size", 30},
        {"capabilities.thin + 1", 2},  // a boolean variable is 1, as int(True) in Python
    };
    for (const auto& c : cases) {
      const std::string& text = c.first;
      CAPTURE(text);
      CHECK(Num(text) == doctest::Approx(c.second));
    }
  }

  TEST_CASE("conditionals group to the right, as in C") {
    const std::vector<std::pair<std::string, double>> cases = {
        {"1 ? 0 : 1 ? 2 : 3", 0},          // 1 ? 0 : (1 ? 2 : 3)
        {"1 ? 2 : 3 ? 4 : 5", 2},
        {"0 ? 2 : 3 ? 4 : 5", 4},
        {"0 ? 2 : 0 ? 4 : 5", 5},
        {"0 ? 1 : 0 ? 2 : 0 ? 3 : 4", 4},  // a longer chain
        {"0 ? 1 : 0 ? 2 : 1 ? 3 : 4", 3},
        {"(1 ? 0 : 1) ? 2 : 3", 3},        // parentheses group to the left
        {"(0 ? 2 : 3) ? 4 : 5", 4},
        {"1 ? (0 ? 6 : 7) : 8", 7},
        {"1 ? 0 ? 6 : 7 : 8", 7},          // a conditional in the middle needs no parentheses
        {"0 ? 0 ? 6 : 7 : 8", 8},
        {"1 ? 1 ? 6 : 7 : 8", 6},
        {"1 < 2 ? 1 > 2 ? 10 : 20 : 30", 20},  // comparisons bind tighter than '?:'
        {"volume.size > 5 ? stats.free_capacity_gb < 10 ? 1 : 2 : 3", 2},
        {"1 + (0 ? 1 : 2) * 3", 7},
        {"0 ? 1 : 2 + 3", 5},              // arithmetic binds tighter too
        {"(1 ? 2 : 3) and 0 ? 4 : 5", 5},  // and/or bind looser: (1 ? 2 : 3) and (0 ? 4 : 5)
        {"0 or 1 ? 8 : 9", 8},
    };
    for (const auto& c : cases) {
      const std::string& text = c.first;
      CAPTURE(text);
      CHECK(Num(text) == doctest::Approx(c.second));
    }
    for (const std::string bad : {"1 ? 2 : 3 ?", "1 ? 2 : 3 ? 4", "1 ? 2 ? 3 : 4", "1 ? : 2",
                                  "1 ? 2 :", "1 ? 2 , 3 : 4"}) {
      CAPTURE(bad);
      BS_CHECK_CODE(Expression::Compile(bad), Code::kInvalidArgument);
    }
    std::string deep = "0";
    for (int i = 0; i < 200; ++i) deep = "0 ? 1 : " + deep;
    auto too_deep = Expression::Compile(deep);
    BS_CHECK_CODE(too_deep, Code::kInvalidArgument);
  }

  TEST_CASE("comparisons chain, logic returns operands, NOT binds above comparisons") {
    CHECK(Truth("1 < 2 < 3"));
    CHECK_FALSE(Truth("1 < 3 < 2"));
    CHECK(Truth("stats.storage_protocol == iSCSI"));      // a bare word is a string
    CHECK(Truth("stats.storage_protocol == 'iSCSI'"));
    CHECK(Truth("capabilities.tier != silver"));
    CHECK(Truth("capabilities.quoted == fast"));
    CHECK(Truth("1 <> 2"));
    CHECK(Truth("volume.size >= 10 AND stats.free_capacity_gb > volume.size"));
    CHECK(Truth("volume.size > 100 or volume.size < 20"));
    CHECK(Truth("volume.size > 100 || volume.size < 20"));
    CHECK_FALSE(Truth("volume.size > 100 && volume.size < 20"));
    CHECK_FALSE(Truth("not volume.size > 100"));  // (not 10) > 100, i.e. False > 100
    CHECK(Num("0 and 50") == 0);
    CHECK(Num("1 and 50") == 50);
    CHECK(Num("0 or 7") == 7);
    CHECK(Truth("NOT 0"));
    CHECK(Truth("!0"));
    auto b = Run("1 < 2");
    BS_REQUIRE_OK(b);
    CHECK(b->kind == Value::Kind::kBool);
  }

  TEST_CASE("where the language deliberately differs from Cinder's") {
    // Variables keep their fractions (Cinder truncates each to an integer, so 120.5 free
    // would read as 120 and fail this).
    auto e = Expression::Compile("stats.free_capacity_gb > 120.2");
    BS_REQUIRE_OK(e);
    auto v = (*e)->Evaluate([](std::string_view, std::string_view) -> std::optional<Value> {
      return Value::Number(120.5);
    });
    BS_REQUIRE_OK(v);
    CHECK(v->Truthy());
    CHECK(Num("capabilities.iops / 3000") == doctest::Approx(5000.0 / 3000));
    // An and/or chain uses every operand (Cinder keeps only the first two of an
    // unparenthesised chain: `1 and 1 and 0` would be 1 there).
    CHECK(Num("1 and 1 and 0") == 0);
    CHECK(Num("0 or 0 or 7") == 7);
    CHECK(Num("1 and 2 and 3 and 4") == 4);
    CHECK_FALSE(Truth("volume.size > 1 and volume.size < 100 and stats.free_capacity_gb > 50"));
  }

  TEST_CASE("variables: stats, capabilities, volume, extra; unknown ones are errors") {
    CHECK(Num("volume.size") == 10);
    auto missing = Run("capabilities.nope > 1");
    BS_CHECK_CODE(missing, Code::kInvalidArgument);
    CHECK(missing.status().message().find("capabilities.nope") != std::string::npos);
    // A word with two dots is not a variable: it is text.
    auto text = Run("a.b.c");
    BS_REQUIRE_OK(text);
    CHECK(text->kind == Value::Kind::kString);
    CHECK((*Expression::Compile("stats.storage_protocol == x"))->Reads("storage_protocol"));
    CHECK_FALSE((*Expression::Compile("volume.size > 1"))->Reads("storage_protocol"));
  }

  TEST_CASE("runtime errors are errors, never crashes") {
    const std::vector<std::string> bad = {
        "1 / 0",      "volume.size / (stats.free_capacity_gb - 40)", "'a' - 1", "'a' < 1",
        "max(1)",     "abs('x')",   "-'x'",  "0 ^ -1", "(-8) ^ 0.5", "max('a', 1)",
        "'a' * 2",
    };
    for (const auto& text : bad) {
      CAPTURE(text);
      auto v = Run(text);
      BS_CHECK_CODE(v, Code::kInvalidArgument);
    }
    CHECK(Run("1 / 0").status().message().find("division by zero") != std::string::npos);
    // Huge powers are infinity, not a hang.
    CHECK(std::isinf(Num("9 ^ 9 ^ 9 ^ 9")));
  }

  TEST_CASE("text that does not parse is refused with where and why") {
    const std::vector<std::string> bad = {
        "",          "   ",       "1 +",      "(1 + 2",   "1 + 2)",  "1 ? 2",     "foo(1)",
        "1 $ 2",     "'open",     "and 1",    "1 2",      "max 1",   "? 1 : 2",   ",1",
        "1 < < 2",   std::string("1 \x01 2"), std::string(1, '\0'),
    };
    for (const auto& text : bad) {
      CAPTURE(text);
      BS_CHECK_CODE(Expression::Compile(text), Code::kInvalidArgument);
    }
    CHECK(Expression::Compile("foo(1)").status().message().find("unknown function") != std::string::npos);
  }

  TEST_CASE("nesting and length are bounded") {
    std::string deep(1000, '(');
    deep += "1" + std::string(1000, ')');
    auto d = Expression::Compile(deep);
    BS_CHECK_CODE(d, Code::kInvalidArgument);
    CHECK(d.status().message().find("nests deeper") != std::string::npos);
    BS_CHECK_CODE(Expression::Compile(std::string(5000, '-') + "1"), Code::kInvalidArgument);
    std::string long_sum = "1";
    for (int i = 0; i < 2000; ++i) long_sum += "+1";  // flat chains are fine…
    CHECK(Num(long_sum) == 2001);
    BS_CHECK_CODE(Expression::Compile(std::string(kMaxExpressionLength + 1, '1')),
                  Code::kInvalidArgument);  // …up to the length limit
  }
}
