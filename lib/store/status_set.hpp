// Internal: a set of statuses a transition accepts, as the store's compare-and-sets use it.
#ifndef BLOCKSTORE_LIB_STORE_STATUS_SET_HPP
#define BLOCKSTORE_LIB_STORE_STATUS_SET_HPP

#include <algorithm>
#include <string>
#include <vector>

#include "blockstore/types.hpp"

namespace blockstore::internal {

template <typename Status>
bool In(Status s, const std::vector<Status>& set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

// "available, in-use": for the message of a refused transition.
template <typename Status>
std::string StatusList(const std::vector<Status>& set) {
  std::string out;
  for (auto s : set) out += (out.empty() ? "" : ", ") + std::string(ToString(s));
  return out;
}

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_STORE_STATUS_SET_HPP
