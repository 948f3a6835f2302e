#include "lib/connector/rbd_device.hpp"

#include <sstream>

#include "lib/ceph/rados_connection.hpp"
#include "lib/ceph/rbd_image.hpp"
#include "lib/core/macros.hpp"

namespace blockstore::internal {

std::string KeyFromKeyring(const std::string& keyring, const std::string& user) {
  std::istringstream in(keyring);
  std::string line, section, first_key;
  auto trim = [](std::string s) {
    const auto b = s.find_first_not_of(" \t\r");
    const auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.starts_with("[") && line.ends_with("]")) {
      section = line.substr(1, line.size() - 2);
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos || trim(line.substr(0, eq)) != "key") continue;
    const std::string key = trim(line.substr(eq + 1));
    if (section == "client." + user) return key;
    if (first_key.empty()) first_key = key;
  }
  return first_key;
}

Result<std::unique_ptr<BlockDevice>> OpenRbdDevice(const RbdTarget& t) {
  ceph::ConnectionOptions o;
  o.cluster = t.cluster;
  o.user = t.user;
  o.conf_file = t.conf_file;
  o.keyring_file = t.key.empty() ? t.keyring_file : std::string();
  o.key = t.key;
  for (const auto& a : t.mon_addresses) o.mon_host += (o.mon_host.empty() ? "" : ",") + a;
  o.pool = t.pool;
  o.timeout_s = t.timeout_s;
  o.cephx = t.auth_enabled;
  o.what = "rbd connection to " + t.pool + "/" + t.image;
  BS_ASSIGN_OR_RETURN(auto connection, ceph::RadosConnection::Shared(o));
  BS_ASSIGN_OR_RETURN(auto image, ceph::Image::Open(connection->io(), t.image, t.snapshot, t.read_only));
  BS_ASSIGN_OR_RETURN(uint64_t size, image->Size());
  return ceph::NewImageDevice(std::move(image), size, connection);
}

}  // namespace blockstore::internal
