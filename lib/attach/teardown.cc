#include "lib/attach/teardown.hpp"

#include "lib/attach/attach_codec.hpp"

namespace blockstore::internal {

Teardown TeardownFor(const std::optional<Connector>& leaving, const std::vector<Attachment>& others,
                     const std::vector<Connector>& legacy) {
  bool export_needed = false;
  bool host_needed = false;
  for (const auto& o : others) {
    if (!o.connection_info) continue;
    export_needed = true;
    if (leaving && o.connector && HostKey(*leaving) == HostKey(*o.connector)) host_needed = true;
  }
  for (const auto& l : legacy) {
    export_needed = true;
    if (leaving && HostKey(*leaving) == HostKey(l)) host_needed = true;
  }
  return {leaving.has_value() && !host_needed, !export_needed};
}

}  // namespace blockstore::internal
