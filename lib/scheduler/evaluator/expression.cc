// The filter_function / goodness_function language: lexer, recursive-descent parser and a
// tree walker. Chains of one precedence level (a + b + c, a < b < c, x, y, z) are flat nodes,
// so evaluation depth follows parenthesis nesting, which the parser bounds.
#include "lib/scheduler/evaluator/expression.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace blockstore::internal::eval {

bool Value::Truthy() const {
  switch (kind) {
    case Kind::kNumber:
    case Kind::kBool:
      return number != 0;
    case Kind::kString:
      return !text.empty();
    case Kind::kList:
      return !list.empty();
  }
  return false;
}

std::string Value::ToString() const {
  switch (kind) {
    case Kind::kBool:
      return number != 0 ? "True" : "False";
    case Kind::kNumber: {
      if (std::isfinite(number) && number == std::floor(number) && std::fabs(number) < 1e15) {
        return std::to_string(static_cast<long long>(number));
      }
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", number);
      return buf;
    }
    case Kind::kString:
      return "'" + text + "'";
    case Kind::kList: {
      std::string out = "[";
      for (std::size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + list[i].ToString();
      return out + "]";
    }
  }
  return "?";
}

namespace {

bool IsWordChar(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

// Python's int() then float() on text, as Cinder coerces every constant.
std::optional<double> ParseNumber(std::string_view raw) {
  std::string s(raw);
  auto b = s.find_first_not_of(" \t\n\r");
  auto e = s.find_last_not_of(" \t\n\r");
  if (b == std::string::npos) return std::nullopt;
  s = s.substr(b, e - b + 1);
  // strtod also reads hex and "infinity"-like spellings Python's float does not share in part;
  // keep to decimal forms and Python's inf/nan words.
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view body = lower;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
  if (body == "inf" || body == "infinity" || body == "nan") {
    double v = body == "nan" ? NAN : INFINITY;
    return lower[0] == '-' ? -v : v;
  }
  if (body.empty() || body.find('x') != std::string_view::npos) return std::nullopt;
  for (char c : body) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != 'e' && c != '+' &&
        c != '-') {
      return std::nullopt;
    }
  }
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Value Coerce(std::string_view raw) {
  if (auto n = ParseNumber(raw)) return Value::Number(*n);
  std::string s;
  for (char c : raw) {
    if (c != '"' && c != '\'') s += c;
  }
  return Value::String(std::move(s));
}

// ---------------------------------------------------------------------------------------------
// Tree

struct Expression::Node {
  enum class Type {
    kConstant, kVariable, kSign, kNot, kAdd, kMul, kPow, kCompare, kTernary, kAnd, kOr, kList,
    kFunction,
  };
  Type type = Type::kConstant;
  Value constant;                 // kConstant
  std::string dict, key;          // kVariable
  std::vector<std::string> ops;   // operator of each operand after the first (add/mul/compare)
  std::vector<std::unique_ptr<Node>> kids;
  char sign = '+';                // kSign
  std::string function;           // kFunction
};

using Node = Expression::Node;

namespace {

Status Error(std::string message) { return InvalidArgument(std::move(message)); }

// ---------------------------------------------------------------------------------------------
// Lexer

struct Token {
  enum class Kind { kEnd, kNumber, kString, kWord, kOp };
  Kind kind = Kind::kEnd;
  std::string text;
  std::size_t pos = 0;
};

Result<std::vector<Token>> Lex(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  static const char* kTwo[] = {"<=", ">=", "==", "!=", "<>", "&&", "||"};
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.pos = i;
    if (std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t j = i;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      if (j + 1 < s.size() && s[j] == '.' && std::isdigit(static_cast<unsigned char>(s[j + 1]))) {
        ++j;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      }
      t.kind = Token::Kind::kNumber;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (IsWordChar(c)) {
      std::size_t j = i;
      while (j < s.size() && IsWordChar(s[j])) ++j;
      t.kind = Token::Kind::kWord;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (c == '"' || c == '\'') {
      std::size_t j = i + 1;
      std::string text;
      while (j < s.size() && s[j] != c) {
        if (s[j] == '\\' && j + 1 < s.size()) ++j;
        text += s[j++];
      }
      if (j >= s.size()) return Error("unterminated string starting at position " + std::to_string(i));
      t.kind = Token::Kind::kString;
      t.text = std::move(text);
      i = j + 1;
    } else {
      t.kind = Token::Kind::kOp;
      for (const char* two : kTwo) {
        if (s.substr(i, 2) == two) t.text = two;
      }
      if (t.text.empty()) {
        if (std::strchr("()+-*/^<>?:,!", c) == nullptr || c == '\0') {
          std::string shown = std::isprint(static_cast<unsigned char>(c)) ? std::string(1, c) : "?";
          return Error("unexpected character '" + shown + "' at position " + std::to_string(i));
        }
        t.text = std::string(1, c);
      }
      i += t.text.size();
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.pos = s.size();
  out.push_back(end);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parser

bool IsWord(const Token& t, std::initializer_list<const char*> words) {
  if (t.kind != Token::Kind::kWord) return false;
  for (const char* w : words) {
    if (t.text == w) return true;
  }
  return false;
}
bool IsOp(const Token& t, std::initializer_list<const char*> ops) {
  if (t.kind != Token::Kind::kOp) return false;
  for (const char* o : ops) {
    if (t.text == o) return true;
  }
  return false;
}
bool IsKeyword(const Token& t) {
  return IsWord(t, {"and", "AND", "or", "OR", "not", "NOT"});
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::vector<std::string>& keys)
      : t_(std::move(tokens)), keys_(keys) {}

  Result<std::unique_ptr<Node>> Parse() {
    auto root = ParseList();
    if (!root.ok()) return root.status();
    if (Peek().kind != Token::Kind::kEnd) return Unexpected();
    return root;
  }

 private:
  using R = Result<std::unique_ptr<Node>>;

  const Token& Peek() const { return t_[i_]; }
  const Token& Next() { return t_[i_ < t_.size() - 1 ? i_++ : i_]; }
  Status Unexpected() const {
    const Token& t = Peek();
    if (t.kind == Token::Kind::kEnd) return Error("the expression ends too early");
    return Error("unexpected '" + t.text + "' at position " + std::to_string(t.pos));
  }
  // Every nested construct passes through here, so nesting depth is bounded.
  template <typename F>
  R Nested(F f) {
    if (++depth_ > kMaxExpressionDepth) {
      return Error("the expression nests deeper than " + std::to_string(kMaxExpressionDepth) +
                   " levels");
    }
    R r = f();
    --depth_;
    return r;
  }
  static std::unique_ptr<Node> Make(Node::Type type) {
    auto n = std::make_unique<Node>();
    n->type = type;
    return n;
  }

  // a, b, c  → one list node
  R ParseList() {
    auto first = ParseOr();
    if (!first.ok() || !IsOp(Peek(), {","})) return first;
    auto list = Make(Node::Type::kList);
    list->kids.push_back(std::move(first).value());
    while (IsOp(Peek(), {","})) {
      Next();
      auto more = ParseOr();
      if (!more.ok()) return more;
      list->kids.push_back(std::move(more).value());
    }
    return list;
  }

  R ParseChain(Node::Type type, std::initializer_list<const char*> words,
               std::initializer_list<const char*> ops, R (Parser::*next)()) {
    auto first = (this->*next)();
    if (!first.ok()) return first;
    if (!IsWord(Peek(), words) && !IsOp(Peek(), ops)) return first;
    auto node = Make(type);
    node->kids.push_back(std::move(first).value());
    while (IsWord(Peek(), words) || IsOp(Peek(), ops)) {
      node->ops.push_back(Next().text);
      auto more = (this->*next)();
      if (!more.ok()) return more;
      node->kids.push_back(std::move(more).value());
    }
    return node;
  }

  R ParseOr() { return ParseChain(Node::Type::kOr, {"or", "OR"}, {"||"}, &Parser::ParseAnd); }
  R ParseAnd() {
    return ParseChain(Node::Type::kAnd, {"and", "AND"}, {"&&"}, &Parser::ParseTernary);
  }

  // cond ? yes : no, right-associative as in C: `a ? b : c ? d : e` is `a ? b : (c ? d : e)`,
  // and the middle operand may itself be a conditional (`a ? b ? c : d : e`).
  R ParseTernary() {
    auto cond = ParseCompare();
    if (!cond.ok() || !IsOp(Peek(), {"?"})) return cond;
    Next();
    return Nested([&]() -> R {
      auto yes = ParseTernary();
      if (!yes.ok()) return yes;
      if (!IsOp(Peek(), {":"})) return Peek().kind == Token::Kind::kEnd ? Error("'?' without its ':'") : Unexpected();
      Next();
      auto no = ParseTernary();
      if (!no.ok()) return no;
      auto t = Make(Node::Type::kTernary);
      t->kids.push_back(std::move(cond).value());
      t->kids.push_back(std::move(yes).value());
      t->kids.push_back(std::move(no).value());
      return t;
    });
  }

  R ParseCompare() {
    return ParseChain(Node::Type::kCompare, {}, {"<", "<=", ">", ">=", "==", "!=", "<>"},
                      &Parser::ParseNot);
  }

  R ParseNot() {
    if (IsWord(Peek(), {"not", "NOT"}) || IsOp(Peek(), {"!"})) {
      Next();
      return Nested([&]() -> R {
        auto inner = ParseNot();
        if (!inner.ok()) return inner;
        auto n = Make(Node::Type::kNot);
        n->kids.push_back(std::move(inner).value());
        return n;
      });
    }
    return ParseAdd();
  }

  R ParseAdd() { return ParseChain(Node::Type::kAdd, {}, {"+", "-"}, &Parser::ParseMul); }
  R ParseMul() { return ParseChain(Node::Type::kMul, {}, {"*", "/"}, &Parser::ParseSign); }

  R ParseSign() {
    if (IsOp(Peek(), {"+", "-"})) {
      const char sign = Next().text[0];
      return Nested([&]() -> R {
        auto inner = ParseSign();
        if (!inner.ok()) return inner;
        auto n = Make(Node::Type::kSign);
        n->sign = sign;
        n->kids.push_back(std::move(inner).value());
        return n;
      });
    }
    return ParsePow();
  }

  R ParsePow() {
    auto base = ParseFunction();
    if (!base.ok() || !IsOp(Peek(), {"^"})) return base;
    Next();
    return Nested([&]() -> R {
      auto exponent = ParseSign();  // right associative: 2^3^2 = 2^9; 2^-1 is allowed
      if (!exponent.ok()) return exponent;
      auto n = Make(Node::Type::kPow);
      n->kids.push_back(std::move(base).value());
      n->kids.push_back(std::move(exponent).value());
      return n;
    });
  }

  R ParseFunction() {
    const Token& t = Peek();
    if (t.kind == Token::Kind::kWord && i_ + 1 < t_.size() && IsOp(t_[i_ + 1], {"("})) {
      if (!IsWord(t, {"abs", "max", "min"})) {
        return Error("unknown function '" + t.text + "' at position " + std::to_string(t.pos) +
                     " (known: abs, max, min)");
      }
      std::string name = Next().text;
      return Nested([&]() -> R {
        auto arg = ParsePrimary();
        if (!arg.ok()) return arg;
        auto n = Make(Node::Type::kFunction);
        n->function = std::move(name);
        n->kids.push_back(std::move(arg).value());
        return n;
      });
    }
    return ParsePrimary();
  }

  R ParsePrimary() {
    const Token& t = Peek();
    switch (t.kind) {
      case Token::Kind::kNumber: {
        Next();
        auto n = Make(Node::Type::kConstant);
        n->constant = Value::Number(std::strtod(t.text.c_str(), nullptr));
        return n;
      }
      case Token::Kind::kString: {
        Next();
        auto n = Make(Node::Type::kConstant);
        n->constant = Value::String(t.text);  // quoted text stays text, even "12"
        return n;
      }
      case Token::Kind::kWord: {
        if (IsKeyword(t)) return Unexpected();
        Next();
        const auto dot = t.text.find('.');
        const bool variable = dot != std::string::npos && dot > 0 && dot + 1 < t.text.size() &&
                              t.text.find('.', dot + 1) == std::string::npos;
        if (variable) {
          auto n = Make(Node::Type::kVariable);
          n->dict = t.text.substr(0, dot);
          n->key = t.text.substr(dot + 1);
          keys_.push_back(n->key);
          return n;
        }
        auto n = Make(Node::Type::kConstant);
        n->constant = Coerce(t.text);
        return n;
      }
      case Token::Kind::kOp:
        if (t.text == "(") {
          Next();
          auto inner = Nested([&] { return ParseList(); });
          if (!inner.ok()) return inner;
          if (!IsOp(Peek(), {")"})) return Peek().kind == Token::Kind::kEnd ? Error("a '(' is never closed") : Unexpected();
          Next();
          return inner;
        }
        return Unexpected();
      case Token::Kind::kEnd:
        return Unexpected();
    }
    return Unexpected();
  }

  std::vector<Token> t_;
  std::size_t i_ = 0;
  int depth_ = 0;
  std::vector<std::string>& keys_;
};

// ---------------------------------------------------------------------------------------------
// Evaluation

const char* KindName(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNumber: return "a number";
    case Value::Kind::kBool: return "a boolean";
    case Value::Kind::kString: return "a string";
    case Value::Kind::kList: return "a list";
  }
  return "?";
}

Result<Value> Finite(double d, const char* what) {
  if (std::isnan(d)) return Error(std::string(what) + " is not a number (NaN)");
  return Value::Number(d);
}

// Python's comparison of two values: numbers with numbers, strings with strings; == and !=
// between anything else are simply false/true; ordering them is a type error.
Result<bool> Compare(const std::string& op, const Value& a, const Value& b) {
  const bool eq_op = op == "==" || op == "!=" || op == "<>";
  int cmp = 0;
  if (a.is_numeric() && b.is_numeric()) {
    cmp = a.number < b.number ? -1 : (a.number > b.number ? 1 : 0);
    if (std::isnan(a.number) || std::isnan(b.number)) return op == "!=" || op == "<>";
  } else if (a.kind == Value::Kind::kString && b.kind == Value::Kind::kString) {
    cmp = a.text.compare(b.text);
    cmp = cmp < 0 ? -1 : (cmp > 0 ? 1 : 0);
  } else if (eq_op) {
    const bool equal = a.kind == Value::Kind::kList && b.kind == Value::Kind::kList &&
                       a.ToString() == b.ToString();
    return op == "==" ? equal : !equal;
  } else {
    return Error(std::string("cannot compare ") + KindName(a) + " with " + KindName(b) +
                 " using '" + op + "'");
  }
  if (op == "<") return cmp < 0;
  if (op == "<=") return cmp <= 0;
  if (op == ">") return cmp > 0;
  if (op == ">=") return cmp >= 0;
  if (op == "==") return cmp == 0;
  return cmp != 0;  // != and <>
}

Result<Value> Eval(const Node& n, const Variables& vars);

Result<Value> EvalFunction(const Node& n, const Variables& vars) {
  auto arg = Eval(*n.kids[0], vars);
  if (!arg.ok()) return arg;
  const Value& v = *arg;
  if (n.function == "abs") {
    if (!v.is_numeric()) return Error(std::string("abs() of ") + KindName(v));
    return Value::Number(std::fabs(v.number));
  }
  // max / min take a list (two or more arguments).
  if (v.kind != Value::Kind::kList) {
    return Error(n.function + "() needs at least two arguments, got " + KindName(v));
  }
  const bool want_max = n.function == "max";
  const Value* best = &v.list[0];
  for (std::size_t i = 1; i < v.list.size(); ++i) {
    auto better = Compare(want_max ? ">" : "<", v.list[i], *best);
    if (!better.ok()) return better.status();
    if (*better) best = &v.list[i];
  }
  return *best;
}

Result<Value> Eval(const Node& n, const Variables& vars) {
  using T = Node::Type;
  switch (n.type) {
    case T::kConstant:
      return n.constant;
    case T::kVariable: {
      std::optional<Value> raw = vars ? vars(n.dict, n.key) : std::nullopt;
      if (!raw) return Error("unknown variable '" + n.dict + "." + n.key + "'");
      if (raw->kind == Value::Kind::kBool) return Value::Number(raw->number);  // int(True) is 1
      if (raw->kind == Value::Kind::kString) return Coerce(raw->text);
      return *raw;
    }
    case T::kSign: {
      auto v = Eval(*n.kids[0], vars);
      if (!v.ok()) return v;
      if (!v->is_numeric()) return Error(std::string("unary '") + n.sign + "' of " + KindName(*v));
      return Value::Number(n.sign == '-' ? -v->number : v->number);
    }
    case T::kNot: {
      auto v = Eval(*n.kids[0], vars);
      if (!v.ok()) return v;
      return Value::Bool(!v->Truthy());
    }
    case T::kAdd: {
      auto acc = Eval(*n.kids[0], vars);
      if (!acc.ok()) return acc;
      Value sum = std::move(acc).value();
      for (std::size_t i = 1; i < n.kids.size(); ++i) {
        auto v = Eval(*n.kids[i], vars);
        if (!v.ok()) return v;
        const std::string& op = n.ops[i - 1];
        if (sum.is_numeric() && v->is_numeric()) {
          sum = Value::Number(op == "+" ? sum.number + v->number : sum.number - v->number);
        } else if (op == "+" && sum.kind == Value::Kind::kString &&
                   v->kind == Value::Kind::kString) {
          sum = Value::String(sum.text + v->text);
        } else {
          return Error(std::string("cannot apply '") + op + "' to " + KindName(sum) + " and " +
                       KindName(*v));
        }
      }
      return sum;
    }
    case T::kMul: {
      auto acc = Eval(*n.kids[0], vars);
      if (!acc.ok()) return acc;
      Value prod = std::move(acc).value();
      for (std::size_t i = 1; i < n.kids.size(); ++i) {
        auto v = Eval(*n.kids[i], vars);
        if (!v.ok()) return v;
        const std::string& op = n.ops[i - 1];
        if (!prod.is_numeric() || !v->is_numeric()) {
          return Error(std::string("cannot apply '") + op + "' to " + KindName(prod) + " and " +
                       KindName(*v));
        }
        if (op == "/" && v->number == 0) return Error("division by zero");
        auto r = Finite(op == "*" ? prod.number * v->number : prod.number / v->number, "a product");
        if (!r.ok()) return r;
        prod = *r;
      }
      return prod;
    }
    case T::kPow: {
      auto base = Eval(*n.kids[0], vars);
      if (!base.ok()) return base;
      auto exp = Eval(*n.kids[1], vars);
      if (!exp.ok()) return exp;
      if (!base->is_numeric() || !exp->is_numeric()) {
        return Error(std::string("cannot raise ") + KindName(*base) + " to " + KindName(*exp));
      }
      if (base->number == 0 && exp->number < 0) return Error("zero to a negative power");
      return Finite(std::pow(base->number, exp->number), "the power");
    }
    case T::kCompare: {
      auto first = Eval(*n.kids[0], vars);
      if (!first.ok()) return first;
      Value left = std::move(first).value();
      for (std::size_t i = 1; i < n.kids.size(); ++i) {
        auto right = Eval(*n.kids[i], vars);
        if (!right.ok()) return right;
        auto holds = Compare(n.ops[i - 1], left, *right);
        if (!holds.ok()) return holds.status();
        if (!*holds) return Value::Bool(false);
        left = std::move(right).value();
      }
      return Value::Bool(true);
    }
    case T::kTernary: {
      auto cond = Eval(*n.kids[0], vars);
      if (!cond.ok()) return cond;
      return Eval(*n.kids[cond->Truthy() ? 1 : 2], vars);
    }
    case T::kAnd:
    case T::kOr: {
      // Python's `a and b` / `a or b`, returning an operand; Cinder evaluates both sides.
      auto acc = Eval(*n.kids[0], vars);
      if (!acc.ok()) return acc;
      Value result = std::move(acc).value();
      for (std::size_t i = 1; i < n.kids.size(); ++i) {
        auto v = Eval(*n.kids[i], vars);
        if (!v.ok()) return v;
        const bool keep_left = n.type == T::kAnd ? !result.Truthy() : result.Truthy();
        if (!keep_left) result = std::move(v).value();
      }
      return result;
    }
    case T::kList: {
      Value list;
      list.kind = Value::Kind::kList;
      for (const auto& kid : n.kids) {
        auto v = Eval(*kid, vars);
        if (!v.ok()) return v;
        list.list.push_back(std::move(v).value());
      }
      return list;
    }
    case T::kFunction:
      return EvalFunction(n, vars);
  }
  return Error("unknown expression node");
}

}  // namespace

Expression::~Expression() = default;

Result<std::shared_ptr<const Expression>> Expression::Compile(std::string_view text) {
  if (text.size() > kMaxExpressionLength) {
    return Error("the expression is " + std::to_string(text.size()) + " characters long; the limit is " +
                 std::to_string(kMaxExpressionLength));
  }
  auto tokens = Lex(text);
  if (!tokens.ok()) return tokens.status();
  if (tokens->size() == 1) return Error("the expression is empty");
  std::shared_ptr<Expression> e(new Expression());
  e->text_ = std::string(text);
  Parser p(std::move(tokens).value(), e->keys_read_);
  auto root = p.Parse();
  if (!root.ok()) return root.status();
  e->root_ = std::move(root).value();
  return std::shared_ptr<const Expression>(std::move(e));
}

Result<Value> Expression::Evaluate(const Variables& vars) const { return Eval(*root_, vars); }

bool Expression::Reads(std::string_view key) const {
  return std::find(keys_read_.begin(), keys_read_.end(), key) != keys_read_.end();
}

}  // namespace blockstore::internal::eval
