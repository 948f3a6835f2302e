// Internal: the filter_function / goodness_function language.
//
// The grammar is Cinder's (reference §2.6). Operands are integers, reals (`d.d`), quoted
// strings and words `[A-Za-z_.]+`; a word of the form `dict.key` (one dot) is a variable, any
// other word is a string. Precedence, high to low: the functions abs/max/min, `^` (right
// associative), unary + and -, `* /`, `+ -`, `NOT not !`, comparisons (`< <= > >= == != <>`,
// chainable), the ternary `c ? a : b`, `AND and &&`, `OR or ||`, and `,` (builds a list).
//
// Compile parses once; Evaluate runs the tree as often as needed and is thread-safe. Neither
// ever crashes or hangs: input is limited in length and nesting, numbers are doubles (a huge
// power is infinity, not a hang), and every type error, unknown variable or division by zero
// is an invalid_argument naming the cause.
#ifndef BLOCKSTORE_LIB_SCHEDULER_EVALUATOR_EXPRESSION_HPP
#define BLOCKSTORE_LIB_SCHEDULER_EVALUATOR_EXPRESSION_HPP

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blockstore/result.hpp"

namespace blockstore::internal::eval {

// A value: a number, a boolean (a number in arithmetic, as in Python), a string or a list.
struct Value {
  enum class Kind { kNumber, kBool, kString, kList };
  Kind kind = Kind::kNumber;
  double number = 0;  // kNumber; kBool holds 0 or 1
  std::string text;   // kString
  std::vector<Value> list;

  static Value Number(double d) { return {Kind::kNumber, d, {}, {}}; }
  static Value Bool(bool b) { return {Kind::kBool, b ? 1.0 : 0.0, {}, {}}; }
  static Value String(std::string s) { return {Kind::kString, 0, std::move(s), {}}; }
  bool is_numeric() const { return kind == Kind::kNumber || kind == Kind::kBool; }
  bool Truthy() const;
  std::string ToString() const;
};

// The value a variable reference reads, or nullopt when `dict.key` does not exist. Strings are
// coerced as Cinder does: an integer or real text becomes a number.
using Variables = std::function<std::optional<Value>(std::string_view dict, std::string_view key)>;

// Turns a variable's raw text into a number when it reads as one, else a string (quotes
// removed), as Cinder's evaluator coerces values.
Value Coerce(std::string_view raw);

class Expression {
 public:
  // invalid_argument for text that does not parse, with the position of the problem.
  static Result<std::shared_ptr<const Expression>> Compile(std::string_view text);
  ~Expression();

  Result<Value> Evaluate(const Variables& vars) const;
  // Whether the text reads a variable `*.key` (e.g. storage_protocol).
  bool Reads(std::string_view key) const;
  const std::string& text() const { return text_; }

  struct Node;

 private:
  Expression() = default;
  std::string text_;
  std::unique_ptr<Node> root_;
  std::vector<std::string> keys_read_;
};

inline constexpr std::size_t kMaxExpressionLength = 8192;
inline constexpr int kMaxExpressionDepth = 64;

}  // namespace blockstore::internal::eval

#endif  // BLOCKSTORE_LIB_SCHEDULER_EVALUATOR_EXPRESSION_HPP
