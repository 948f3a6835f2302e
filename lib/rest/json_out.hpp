// Internal: JSON text written straight into a string, for the large views (a thousand volumes
// in one answer) where building a tree of values first costs more than the answer itself.
// Strings that need escaping are escaped by Boost.JSON's serializer.
#ifndef BLOCKSTORE_LIB_REST_JSON_OUT_HPP
#define BLOCKSTORE_LIB_REST_JSON_OUT_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/json/json_codec.hpp"

namespace blockstore::rest {

class JsonOut {
 public:
  explicit JsonOut(std::string& out) : out_(out) {}

  JsonOut& BeginObject() { return Open('{'); }
  JsonOut& EndObject() { return Close('}'); }
  JsonOut& BeginArray() { return Open('['); }
  JsonOut& EndArray() { return Close(']'); }
  // The key of the next member of the open object.
  JsonOut& Key(std::string_view key);

  JsonOut& Str(std::string_view s);
  JsonOut& StrOrNull(std::string_view s) { return s.empty() ? Null() : Str(s); }
  JsonOut& Int(int64_t n);
  JsonOut& UInt(uint64_t n);
  JsonOut& Bool(bool b) { return Raw(b ? "true" : "false"); }
  JsonOut& Null() { return Raw("null"); }

 private:
  JsonOut& Open(char c);
  JsonOut& Close(char c);
  JsonOut& Raw(std::string_view text);
  void Separate();  // the comma before a value that is not first in its array

  std::string& out_;
  std::vector<bool> first_;   // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace blockstore::rest

#endif  // BLOCKSTORE_LIB_REST_JSON_OUT_HPP
