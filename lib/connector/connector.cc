// The host side of attach: connection info → an open BlockDevice.
#include "blockstore/connector.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>

#include "lib/attach/attach_codec.hpp"
#include "lib/attach/iscsi_name.hpp"
#include "lib/connector/iscsi_device.hpp"
#include "lib/connector/loop_device.hpp"
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
  return Unimplemented("no connector for driver_volume_type '" + info.driver_volume_type + "'");
}

}  // namespace blockstore
