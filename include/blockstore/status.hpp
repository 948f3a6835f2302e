// blockstore — Status: the outcome of a fallible call.
//
// A Status is either OK (it costs one null pointer) or a Code with a message. The code set is
// frozen and append-only: each code maps to exactly one HTTP status (see HttpStatusOf) and one
// C error code (BS_E* in c.h, the negated value of the Code).
//
// Which codes are worth retrying: kUnavailable always; kAborted (a lost compare-and-set) after
// re-reading the resource; kDeadlineExceeded if the operation is idempotent. Never retry the
// others unchanged: the request itself is wrong or the state forbids it.
//
// A Status returned and dropped is a compile-time warning: ignore one on purpose with (void).
//
// Thread-safety: a Status is an immutable value; copies may be used from any thread.
#ifndef BLOCKSTORE_STATUS_HPP
#define BLOCKSTORE_STATUS_HPP

#include <memory>
#include <string>
#include <string_view>

#include "blockstore/export.h"

namespace blockstore {

enum class Code : int {
  kOk = 0,
  kInvalidArgument = 1,     // the request is malformed; nothing was changed
  kNotFound = 2,            // no such resource visible to the caller
  kAlreadyExists = 3,       // a resource with that unique name or id exists
  kFailedPrecondition = 4,  // the resource is in a status that forbids the operation
  kAborted = 5,             // lost a compare-and-set to a concurrent change; re-read and retry
  kResourceExhausted = 6,   // over quota, or no backend can hold the volume
  kUnavailable = 7,         // transient: retry later
  kDeadlineExceeded = 8,    // a wait ran out of time; the operation may still complete
  kCancelled = 9,           // the operation was cancelled by its caller
  kDataLoss = 10,           // stored data is missing or corrupt
  kUnimplemented = 11,      // the driver or build does not support the operation
  kInternal = 12,           // a bug or an unexpected failure of a component
  kPermissionDenied = 13,   // the caller's role does not allow the operation
};

// The lowercase name of a code ("invalid_argument"); "unknown" for values outside the set.
BS_API std::string_view CodeName(Code code);
// The HTTP status a REST layer answers with for a code (400, 404, 409, 413, …).
BS_API int HttpStatusOf(Code code);

class [[nodiscard]] Status {
 public:
  Status() noexcept = default;  // OK
  BS_API Status(Code code, std::string message);

  static Status Ok() { return Status(); }

  [[nodiscard]] bool ok() const noexcept { return rep_ == nullptr; }
  [[nodiscard]] Code code() const noexcept { return rep_ ? rep_->code : Code::kOk; }
  // Empty for OK.
  [[nodiscard]] BS_API const std::string& message() const noexcept;
  // "not_found: volume 1234 not found", or "ok".
  [[nodiscard]] BS_API std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code() == b.code() && a.message() == b.message();
  }

 private:
  struct Rep {
    Code code;
    std::string message;
  };
  std::shared_ptr<const Rep> rep_;
};

// Shorthands that read well at the call site: return NotFound("volume ", id, " not found").
BS_API Status InvalidArgument(std::string message);
BS_API Status NotFound(std::string message);
BS_API Status AlreadyExists(std::string message);
BS_API Status FailedPrecondition(std::string message);
BS_API Status Aborted(std::string message);
BS_API Status ResourceExhausted(std::string message);
BS_API Status Unavailable(std::string message);
BS_API Status DeadlineExceeded(std::string message);
BS_API Status Cancelled(std::string message);
BS_API Status DataLoss(std::string message);
BS_API Status Unimplemented(std::string message);
BS_API Status Internal(std::string message);
BS_API Status PermissionDenied(std::string message);

}  // namespace blockstore

#endif  // BLOCKSTORE_STATUS_HPP
