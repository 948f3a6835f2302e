#include "lib/domain/type_quota.hpp"

namespace blockstore::internal {

const std::vector<std::string>& PerTypeBases() {
  static const std::vector<std::string> kBases = {std::string(kQuotaVolumes),
                                                  std::string(kQuotaGigabytes),
                                                  std::string(kQuotaSnapshots)};
  return kBases;
}

std::string PerTypeResource(std::string_view base, std::string_view type_name) {
  return std::string(base) + "_" + std::string(type_name);
}

std::vector<std::string> PerTypeResources(std::string_view type_name) {
  std::vector<std::string> out;
  for (const auto& base : PerTypeBases()) out.push_back(PerTypeResource(base, type_name));
  return out;
}

std::vector<QuotaCharge> CountAndSizeCharges(std::string_view count_resource, int64_t size_gb,
                                             std::string_view type_name) {
  std::vector<QuotaCharge> out = {{std::string(count_resource), 1},
                                  {std::string(kQuotaGigabytes), size_gb}};
  if (!type_name.empty()) {
    out.push_back({PerTypeResource(count_resource, type_name), 1});
    out.push_back({PerTypeResource(kQuotaGigabytes, type_name), size_gb});
  }
  return out;
}

std::optional<std::string> TypeOfResource(std::string_view resource,
                                          const std::vector<std::string>& type_names) {
  for (const auto& base : PerTypeBases()) {
    if (resource.size() <= base.size() + 1 || !resource.starts_with(base) ||
        resource[base.size()] != '_') {
      continue;
    }
    const std::string_view type = resource.substr(base.size() + 1);
    for (const auto& name : type_names) {
      if (name == type) return name;
    }
  }
  return std::nullopt;
}

}  // namespace blockstore::internal
