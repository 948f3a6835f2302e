#include "drivers/volume/common/backend_options.hpp"

#include <cstdlib>

namespace blockstore::drivers {

Status CheckResourceId(const std::string& id) {
  if (id.empty() || id.size() > 64) return InvalidArgument("bad resource id '" + id + "'");
  for (char c : id) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-';
    if (!ok) return InvalidArgument("bad resource id '" + id + "'");
  }
  return Status::Ok();
}

Result<std::string> ParseOverSubscriptionRatio(const std::string& backend, const std::string& value) {
  char* end = nullptr;
  const double r = std::strtod(value.c_str(), &end);
  if (value != "auto" && (value.empty() || *end != '\0' || !(r > 0))) {
    return InvalidArgument("backend '" + backend + "': max_over_subscription_ratio must be a positive number or auto");
  }
  return value;
}

Result<int> ParseReservedPercentage(const std::string& backend, const std::string& value) {
  char* end = nullptr;
  const long p = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || p < 0 || p > 100) {
    return InvalidArgument("backend '" + backend + "': reserved_percentage must be 0..100");
  }
  return static_cast<int>(p);
}

}  // namespace blockstore::drivers
