// Internal: reads the fields of one JSON object strictly; wrong types and unknown keys are
// errors that name the field.
#ifndef BLOCKSTORE_LIB_JSON_JSON_READER_HPP
#define BLOCKSTORE_LIB_JSON_JSON_READER_HPP

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lib/json/json_codec.hpp"

namespace blockstore::internal {

// Reads fields of one JSON object strictly: wrong types are errors, and so are unknown keys
// unless told to ignore them (messages between roles: a newer minor may add fields).
class Reader {
 public:
  enum Unknown { kRefuseUnknown, kIgnoreUnknown };
  Reader(const json::value& v, std::string_view what, Unknown unknown = kRefuseUnknown)
      : what_(what), unknown_(unknown) {
    obj_ = v.if_object();
    if (!obj_) status_ = InvalidArgument(std::string(what) + " must be a JSON object");
  }
  Reader(const json::object& o, std::string_view what, Unknown unknown = kRefuseUnknown)
      : what_(what), unknown_(unknown), obj_(&o) {}

  void String(std::string_view key, std::string& out) {
    if (auto* v = Find(key)) {
      if (auto* s = v->if_string()) out.assign(s->data(), s->size());
      else Fail(key, "a string");
    }
  }
  void String(std::string_view key, std::optional<std::string>& out) {
    if (auto* v = Find(key)) {
      if (auto* s = v->if_string()) out = std::string(s->data(), s->size());
      else Fail(key, "a string");
    }
  }
  void Int(std::string_view key, std::optional<int64_t>& out) {
    if (auto* v = Find(key)) {
      if (auto* i = v->if_int64()) out = *i;
      else if (auto* u = v->if_uint64()) out = *u > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(*u);
      else Fail(key, "an integer");
    }
  }
  // Any JSON number.
  void Number(std::string_view key, std::optional<double>& out) {
    if (auto* v = Find(key)) {
      if (v->is_number()) out = v->to_number<double>();
      else Fail(key, "a number");
    }
  }
  void Bool(std::string_view key, bool& out) {
    std::optional<bool> b;
    Bool(key, b);
    if (b) out = *b;
  }
  void Bool(std::string_view key, std::optional<bool>& out) {
    if (auto* v = Find(key)) {
      if (auto* b = v->if_bool()) out = *b;
      else Fail(key, "true or false");
    }
  }
  void Strings(std::string_view key, std::vector<std::string>& out) {
    if (auto* v = Find(key)) {
      const auto* a = v->if_array();
      if (!a) return Fail(key, "a list of strings");
      for (const auto& e : *a) {
        if (!e.is_string()) return Fail(key, "a list of strings");
        out.emplace_back(e.get_string());
      }
    }
  }
  // A whole number ≥ 0.
  void Count(std::string_view key, uint64_t& out) {
    if (auto* v = Find(key)) {
      if (auto* i = v->if_int64(); i && *i >= 0) out = static_cast<uint64_t>(*i);
      else if (auto* u = v->if_uint64()) out = *u;
      else Fail(key, "a whole number ≥ 0");
    }
  }
  void Number(std::string_view key, double& out) {
    std::optional<double> d;
    Number(key, d);
    if (d) out = *d;
  }
  // name → number.
  void Numbers(std::string_view key, std::map<std::string, double>& out) {
    if (auto* v = Find(key)) {
      const auto* o = v->if_object();
      if (!o) return Fail(key, "an object of numbers");
      for (const auto& kv : *o) {
        if (!kv.value().is_number()) return Fail(key, "an object of numbers");
        out[std::string(kv.key())] = kv.value().to_number<double>();
      }
    }
  }
  // A list of objects, each read with its own Reader.
  template <typename F>
  void Objects(std::string_view key, F read) {
    if (auto* v = Find(key)) {
      const auto* a = v->if_array();
      if (!a) return Fail(key, "a list of objects");
      for (const auto& e : *a) {
        if (!e.is_object()) return Fail(key, "a list of objects");
        Reader inner(e, std::string(what_) + ": " + std::string(key), unknown_);
        read(inner);
        if (Status s = inner.Finish(); !s.ok()) {
          if (status_.ok()) status_ = s;
          return;
        }
      }
    }
  }
  // For a reader's own checks: the first error wins.
  void Error(Status s) {
    if (status_.ok() && !s.ok()) status_ = std::move(s);
  }
  // A nested object read with its own Reader.
  template <typename F>
  void Object(std::string_view key, F read) {
    if (auto* v = Find(key)) {
      Reader inner(*v, std::string(what_) + ": " + std::string(key), unknown_);
      read(inner);
      if (Status s = inner.Finish(); !s.ok() && status_.ok()) status_ = s;
    }
  }
  void Meta(std::string_view key, Metadata& out) {
    if (auto* v = Find(key)) Take(MetadataFromJson(*v, key), out);
  }
  void Meta(std::string_view key, std::optional<Metadata>& out) {
    if (auto* v = Find(key)) {
      Metadata m;
      Take(MetadataFromJson(*v, key), m);
      out = std::move(m);
    }
  }
  const json::value* Find(std::string_view key) {
    seen_.insert(std::string(key));
    if (!status_.ok() || !obj_) return nullptr;
    auto it = obj_->find(key);
    if (it == obj_->end() || it->value().is_null()) return nullptr;
    return &it->value();
  }
  Status Finish() {
    if (!status_.ok() || unknown_ == kIgnoreUnknown) return status_;
    for (const auto& kv : *obj_) {
      if (!seen_.count(std::string(kv.key()))) {
        return InvalidArgument(std::string(what_) + ": unknown field '" +
                               std::string(kv.key()) + "'");
      }
    }
    return Status::Ok();
  }

 private:
  void Fail(std::string_view key, std::string_view want) {
    if (status_.ok()) {
      status_ = InvalidArgument(std::string(what_) + ": '" + std::string(key) + "' must be " +
                                std::string(want));
    }
  }
  void Take(Result<Metadata> r, Metadata& out) {
    if (!r.ok()) {
      if (status_.ok()) status_ = r.status();
    } else {
      out = std::move(r).value();
    }
  }

  std::string what_;
  Unknown unknown_ = kRefuseUnknown;
  const json::object* obj_ = nullptr;
  Status status_;
  std::set<std::string> seen_;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_JSON_JSON_READER_HPP
