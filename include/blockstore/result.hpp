// blockstore — Result<T>: a value or the Status that explains why there is none.
//
// Thread-safety: a Result is a plain value; it is as thread-safe as T.
#ifndef BLOCKSTORE_RESULT_HPP
#define BLOCKSTORE_RESULT_HPP

#include <cstdlib>
#include <optional>
#include <utility>

#include "blockstore/status.hpp"

namespace blockstore {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = Status(Code::kInternal, "Result built from an OK status");
  }

  [[nodiscard]] bool ok() const noexcept { return value_.has_value(); }
  [[nodiscard]] const Status& status() const noexcept { return status_; }

  // Precondition: ok(). Calling these on an error aborts: check first.
  T& value() & { Check(); return *value_; }
  const T& value() const& { Check(); return *value_; }
  T&& value() && { Check(); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  void Check() const {
    if (!value_) std::abort();
  }
  std::optional<T> value_;
  Status status_;
};

}  // namespace blockstore

#endif  // BLOCKSTORE_RESULT_HPP
