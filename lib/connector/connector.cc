// The host side of attach: connection info → an open BlockDevice.
#include "blockstore/connector.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "lib/attach/attach_codec.hpp"
#include "lib/attach/iscsi_name.hpp"
#include "lib/connector/iscsi_device.hpp"
#include "lib/connector/loop_device.hpp"
#include "lib/connector/rbd_device.hpp"
#include "lib/core/macros.hpp"
#include "lib/io/file_block_device.hpp"
#include "lib/json/json_codec.hpp"

namespace blockstore {
namespace {

namespace json = internal::json;

Result<std::string> Field(const json::object& data, std::string_view key) {
  const auto* v = data.if_contains(key);
  if (!v || !v->is_string() || v->get_string().empty()) {
    return InvalidArgument("connection info: '" + std::string(key) + "' must be a non-empty string");
  }
  return std::string(v->get_string());
}

// "ro" when the connection info says so.
bool ReadOnly(const json::object& data) {
  const auto* m = data.if_contains("access_mode");
  return m && m->is_string() && m->get_string() == "ro";
}

Result<std::unique_ptr<BlockDevice>> ConnectIscsi(const json::object& data,
                                                  const ConnectOptions& options) {
  internal::IscsiTarget t;
  BS_ASSIGN_OR_RETURN(t.portal, Field(data, "target_portal"));
  BS_ASSIGN_OR_RETURN(t.iqn, Field(data, "target_iqn"));
  const auto* lun = data.if_contains("target_lun");
  if (!lun || !lun->is_int64() || lun->get_int64() < 0 || lun->get_int64() > 16383) {
    return InvalidArgument("connection info: 'target_lun' must be a LUN number");
  }
  t.lun = static_cast<int>(lun->get_int64());
  if (const auto* method = data.if_contains("auth_method");
      method && method->is_string() && method->get_string() == "CHAP") {
    BS_ASSIGN_OR_RETURN(t.user, Field(data, "auth_username"));
    BS_ASSIGN_OR_RETURN(t.password, Field(data, "auth_password"));
  }
  if (options.initiator.empty() || !internal::IsIscsiName(options.initiator)) {
    return InvalidArgument("connect options: 'initiator' must be this host's iSCSI name (the "
                           "connector's initiator)");
  }
  t.initiator = options.initiator;
  t.read_only = ReadOnly(data);
  t.timeout = options.timeout;
  return internal::OpenIscsiDevice(t);
}

Result<std::unique_ptr<BlockDevice>> ConnectLocal(const json::object& data,
                                                  const ConnectOptions& options) {
  BS_ASSIGN_OR_RETURN(std::string path, Field(data, "device_path"));
  if (path.front() != '/') return InvalidArgument("connection info: 'device_path' must be absolute");
  const bool ro = ReadOnly(data);
  if (options.use_loop_device) return internal::OpenLoopDevice(path, ro);
  return io::FileBlockDevice::Open(path, ro);
}

// Cinder's `rbd` connection: "pool/image" (or "pool/image@snapshot", read-only), the monitors'
// hosts and ports, the cephx user, and the user's keyring when the backend hands it out;
// otherwise this host's own Ceph files (a host on the Ceph node).
Result<std::unique_ptr<BlockDevice>> ConnectRbd(const json::object& data, const ConnectOptions& options) {
  internal::RbdTarget t;
  BS_ASSIGN_OR_RETURN(std::string name, Field(data, "name"));
  const auto slash = name.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == name.size()) {
    return InvalidArgument("connection info: 'name' must be 'pool/image', not '" + name + "'");
  }
  t.pool = name.substr(0, slash);
  t.image = name.substr(slash + 1);
  if (const auto at = t.image.find('@'); at != std::string::npos) {
    t.snapshot = t.image.substr(at + 1);
    t.image = t.image.substr(0, at);
    if (t.image.empty() || t.snapshot.empty()) {
      return InvalidArgument("connection info: 'name' must be 'pool/image@snapshot', not '" + name + "'");
    }
  }
  const auto* hosts = data.if_contains("hosts");
  const auto* ports = data.if_contains("ports");
  if (hosts && !hosts->is_array()) return InvalidArgument("connection info: 'hosts' must be a list");
  if (ports && !ports->is_array()) return InvalidArgument("connection info: 'ports' must be a list");
  if (hosts) {
    const auto& h = hosts->get_array();
    for (std::size_t i = 0; i < h.size(); ++i) {
      if (!h[i].is_string() || h[i].get_string().empty()) {
        return InvalidArgument("connection info: 'hosts' must hold host names");
      }
      std::string port = "6789";
      if (ports && i < ports->get_array().size()) {
        const auto& p = ports->get_array()[i];
        if (p.is_string()) port = std::string(p.get_string());
        else if (p.is_int64()) port = std::to_string(p.get_int64());
        else return InvalidArgument("connection info: 'ports' must hold port numbers");
      }
      std::string host(h[i].get_string());
      if (host.find(':') != std::string::npos) host = "[" + host + "]";  // IPv6
      t.mon_addresses.push_back("v1:" + host + ":" + port);
    }
  }
  if (const auto* c = data.if_contains("cluster_name"); c && c->is_string() && !c->get_string().empty()) {
    t.cluster = std::string(c->get_string());
  }
  if (const auto* a = data.if_contains("auth_enabled"); a && a->is_bool()) t.auth_enabled = a->get_bool();
  if (t.auth_enabled) {
    BS_ASSIGN_OR_RETURN(t.user, Field(data, "auth_username"));
  }
  if (const auto* k = data.if_contains("keyring"); k && k->is_string() && !k->get_string().empty()) {
    t.key = internal::KeyFromKeyring(std::string(k->get_string()), t.user);
    if (t.key.empty()) return InvalidArgument("connection info: 'keyring' holds no key");
  }
  t.conf_file = options.ceph_conf;
  t.keyring_file = options.ceph_keyring;
  if (t.mon_addresses.empty() && t.conf_file.empty()) {
    return InvalidArgument("connection info: no monitors ('hosts') and no Ceph configuration on this host");
  }
  t.read_only = ReadOnly(data) || !t.snapshot.empty();
  t.timeout_s = static_cast<int>(std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(options.timeout).count()));
  return internal::OpenRbdDevice(t);
}

std::string Initiator(const std::string& host) {
  std::ifstream in("/etc/iscsi/initiatorname.iscsi");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("InitiatorName=")) {
      std::string name = line.substr(14);
      if (internal::IsIscsiName(name)) return name;
    }
  }
  std::string tail;
  for (char c : host) {
    const char l = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '-' || l == '.') tail += l;
  }
  return "iqn.2010-10.org.blockstore:" + (tail.empty() ? std::string("host") : tail);
}

}  // namespace

Connector HostConnector(const std::string& ip, const std::string& initiator) {
  Connector c;
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || !name[0]) std::snprintf(name, sizeof name, "localhost");
  c.host = name;
  c.ip = ip;
  c.initiator = initiator.empty() ? Initiator(c.host) : initiator;
  utsname u{};
  if (::uname(&u) == 0) c.platform = u.machine;
  c.os_type = "linux";
  return c;
}

Result<Connector> ParseConnector(std::string_view text) {
  BS_ASSIGN_OR_RETURN(auto v, internal::ParseJson(text, "connector"));
  return internal::ConnectorFromJson(v);
}

std::string ConnectorToJson(const Connector& c) { return json::serialize(internal::ToJson(c)); }

Result<ConnectionInfo> ParseConnectionInfo(std::string_view text) {
  BS_ASSIGN_OR_RETURN(auto v, internal::ParseJson(text, "connection info"));
  return internal::ConnectionInfoFromJson(v);
}

std::string ConnectionInfoToJson(const ConnectionInfo& c) {
  return json::serialize(internal::ToJson(c));
}

Result<std::unique_ptr<BlockDevice>> ConnectVolume(const ConnectionInfo& info,
                                                   const ConnectOptions& options) {
  BS_ASSIGN_OR_RETURN(auto data, internal::ParseJson(info.data, "connection data"));
  if (!data.is_object()) return InvalidArgument("connection info: 'data' must be an object");
  if (info.driver_volume_type == "iscsi") return ConnectIscsi(data.as_object(), options);
  if (info.driver_volume_type == "local") return ConnectLocal(data.as_object(), options);
  if (info.driver_volume_type == "rbd") return ConnectRbd(data.as_object(), options);
  return Unimplemented("no connector for driver_volume_type '" + info.driver_volume_type + "'");
}

}  // namespace blockstore
