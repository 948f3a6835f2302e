// Internal helpers for propagating Status and Result.
#ifndef BLOCKSTORE_LIB_CORE_MACROS_HPP
#define BLOCKSTORE_LIB_CORE_MACROS_HPP

#include "blockstore/result.hpp"
#include "blockstore/status.hpp"

#define BS_CONCAT_INNER(a, b) a##b
#define BS_CONCAT(a, b) BS_CONCAT_INNER(a, b)

#define BS_RETURN_IF_ERROR(expr)                \
  do {                                          \
    ::blockstore::Status bs_status_ = (expr);   \
    if (!bs_status_.ok()) return bs_status_;    \
  } while (0)

#define BS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()

#define BS_ASSIGN_OR_RETURN(lhs, expr) \
  BS_ASSIGN_OR_RETURN_IMPL(BS_CONCAT(bs_result_, __LINE__), lhs, expr)

#endif  // BLOCKSTORE_LIB_CORE_MACROS_HPP
