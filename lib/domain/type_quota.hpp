// Internal: per-volume-type quota resources, as Cinder names them — volumes_<type>,
// gigabytes_<type> and snapshots_<type> (the type's name), unlimited unless a project's limit
// says otherwise. Pure functions; any store uses them.
#ifndef BLOCKSTORE_LIB_DOMAIN_TYPE_QUOTA_HPP
#define BLOCKSTORE_LIB_DOMAIN_TYPE_QUOTA_HPP

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blockstore/store.hpp"
#include "blockstore/types.hpp"

namespace blockstore::internal {

// The resources that have a per-type form: volumes, gigabytes, snapshots.
const std::vector<std::string>& PerTypeBases();

// "volumes" + "gold" → "volumes_gold".
std::string PerTypeResource(std::string_view base, std::string_view type_name);

// The per-type resources of `type_name`, in PerTypeBases order.
std::vector<std::string> PerTypeResources(std::string_view type_name);

// What one volume or snapshot of `size_gb` counts against: `count_resource` (volumes or
// snapshots) and gigabytes, each also per type when `type_name` is given. Charged when it is
// made, released when it goes.
std::vector<QuotaCharge> CountAndSizeCharges(std::string_view count_resource, int64_t size_gb,
                                             std::string_view type_name);

// The type a per-type resource names, if `resource` is one of `type_names`' resources.
std::optional<std::string> TypeOfResource(std::string_view resource,
                                          const std::vector<std::string>& type_names);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_DOMAIN_TYPE_QUOTA_HPP
