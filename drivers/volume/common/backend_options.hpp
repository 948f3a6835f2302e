// Internal to the volume drivers: what every driver checks the same way — the ids that become
// object names, and the capacity options every backend takes.
#ifndef BLOCKSTORE_DRIVERS_VOLUME_COMMON_BACKEND_OPTIONS_HPP
#define BLOCKSTORE_DRIVERS_VOLUME_COMMON_BACKEND_OPTIONS_HPP

#include <string>

#include "blockstore/result.hpp"

namespace blockstore::drivers {

// Ids reach the backend as object names (files, images): only UUID characters may pass.
Status CheckResourceId(const std::string& id);

// `max_over_subscription_ratio`: a positive number or "auto"; `backend` names the section in
// the error.
Result<std::string> ParseOverSubscriptionRatio(const std::string& backend, const std::string& value);

// `reserved_percentage`: 0..100.
Result<int> ParseReservedPercentage(const std::string& backend, const std::string& value);

}  // namespace blockstore::drivers

#endif  // BLOCKSTORE_DRIVERS_VOLUME_COMMON_BACKEND_OPTIONS_HPP
