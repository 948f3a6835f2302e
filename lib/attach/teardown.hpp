// Internal: what a connection that is going away may take down with it. A volume's export stays
// while any other attachment (or host connected through the legacy actions) uses it, and a
// host keeps its access while another of its connections needs it.
#ifndef BLOCKSTORE_LIB_ATTACH_TEARDOWN_HPP
#define BLOCKSTORE_LIB_ATTACH_TEARDOWN_HPP

#include <optional>
#include <vector>

#include "blockstore/types.hpp"

namespace blockstore::internal {

struct Teardown {
  bool revoke_host = false;
  bool remove_export = false;
};

// `leaving`: the connector whose connection ends (none: only the export is considered);
// `others`: the volume's remaining attachments; `legacy`: hosts connected without one.
Teardown TeardownFor(const std::optional<Connector>& leaving, const std::vector<Attachment>& others,
                     const std::vector<Connector>& legacy);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_ATTACH_TEARDOWN_HPP
