// Internal: volume-type extra specs as requirements on pool capabilities (reference §2.5).
//
// A spec's key selects a capability: `name`, or `capabilities:name[:nested…]`; keys of any other
// scope (`provisioning:`, `RESKEY:`, `vendor:`…) are not capability requirements and compile to
// nothing. The value's first word may be an operator: `=` (numeric ≥), `== != >= <=`
// (numeric), `s== s!= s< s<= s> s>=` (string), `<in>` (substring), `<is>` (boolean),
// `<or> a <or> b`. Without one the whole value must equal the capability.
//
// Compile rejects what Cinder silently never matches: an unknown `<op>`, an operator without
// its operand, a numeric operator with a non-numeric operand, an `<is>` operand that is not a
// boolean word, a malformed `<or>` list.
//
// Where Cinder compares typed values so that a spec can never match (True ≠ "True", 5 ≠ "5",
// `s<` against a number raising), blockstore compares the capability's text form, or its
// boolean for boolean words: docs/scheduler.md lists each difference.
#ifndef BLOCKSTORE_LIB_SCHEDULER_EXTRA_SPEC_HPP
#define BLOCKSTORE_LIB_SCHEDULER_EXTRA_SPEC_HPP

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "blockstore/result.hpp"

namespace blockstore::internal {

struct SpecRequirement {
  enum class Op {
    kWhole, kNumAtLeast, kNumEq, kNumNe, kNumGe, kNumLe, kStrEq, kStrNe, kStrLt, kStrLe, kStrGt,
    kStrGe, kIn, kIs, kOr,
  };
  std::string key;                 // as written in the type
  std::string value;               // as written in the type
  std::vector<std::string> path;   // capability path: {"a", "b"} for capabilities:a:b
  Op op = Op::kWhole;
  std::vector<std::string> operands;  // one, or the alternatives of <or>
  double number = 0;                  // numeric operand
  bool truth = false;                 // <is> operand
};

// nullopt: the key is not a capability requirement. invalid_argument naming the spec for a
// malformed value.
Result<std::optional<SpecRequirement>> CompileExtraSpec(const std::string& key,
                                                        const std::string& value);

// Whether the capability satisfies the requirement; `cap` null when the pool does not report
// it (which never satisfies). A list capability satisfies when any element does.
bool SpecMatches(const SpecRequirement& req, const boost::json::value* cap);

// The capability a requirement reads, or null.
const boost::json::value* FindCapability(const boost::json::object& caps,
                                         const std::vector<std::string>& path);

// The text form a capability compares as: strings as they are, True/False, integers without a
// fraction, None.
std::string CapabilityText(const boost::json::value& v);

// Python's bool_from_string: 1 t true on y yes (any case) are true; nullopt for words that are
// neither true nor false words (0 f false off n no).
std::optional<bool> BoolWord(std::string_view s);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_SCHEDULER_EXTRA_SPEC_HPP
