#include "lib/api/validation.hpp"

#include <arpa/inet.h>

#include <string>

#include "blockstore/scheduler.hpp"
#include "lib/attach/iscsi_name.hpp"
#include "lib/core/ids.hpp"
#include "lib/core/macros.hpp"

namespace blockstore::internal {
namespace {

bool ValidUtf8NoControl(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    int extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(extra) >= s.size()) return false;  // truncated sequence
    for (int k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if (cp >= 0x80 && cp <= 0x9f) return false;  // C1 controls
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

}  // namespace

Status CheckText(std::string_view field, std::string_view value, std::size_t max) {
  if (value.size() > max) {
    return InvalidArgument(std::string(field) + " is " + std::to_string(value.size()) +
                           " bytes long; the limit is " + std::to_string(max));
  }
  if (!ValidUtf8NoControl(value)) {
    return InvalidArgument(std::string(field) +
                           " must be UTF-8 text without control characters");
  }
  return Status::Ok();
}

Status CheckMetadata(std::string_view field, const Metadata& m) {
  if (m.size() > kMaxMetadataItems) {
    return InvalidArgument(std::string(field) + " has " + std::to_string(m.size()) +
                           " items; the limit is " + std::to_string(kMaxMetadataItems));
  }
  for (const auto& [k, v] : m) {
    if (k.empty()) return InvalidArgument(std::string(field) + " keys must not be empty");
    if (Status s = CheckText(std::string(field) + " key", k); !s.ok()) return s;
    if (Status s = CheckText(std::string(field) + " value of '" + k + "'", v); !s.ok()) return s;
  }
  return Status::Ok();
}

Status CheckId(std::string_view kind, std::string_view id) {
  if (id.empty()) return InvalidArgument(std::string(kind) + " id is required");
  if (!IsUuid(id)) {
    std::string shown(id.substr(0, 64));
    for (auto& c : shown) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
    }
    return InvalidArgument("'" + shown + "' is not a valid " + std::string(kind) + " id (UUID)");
  }
  return Status::Ok();
}

Status CheckLookupId(std::string_view kind, std::string_view id) {
  Status s = CheckId(kind, id);
  if (s.ok() || id.empty()) return s;
  std::string shown(id.substr(0, 64));
  for (auto& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return NotFound(std::string(kind) + " " + shown + " could not be found");
}

Status CheckSize(std::string_view field, int64_t gb) {
  if (gb <= 0) {
    return InvalidArgument(std::string(field) + " must be a positive number of GB, got " +
                           std::to_string(gb));
  }
  if (gb > kMaxVolumeGb) {
    return InvalidArgument(std::string(field) + " of " + std::to_string(gb) +
                           " GB is beyond the largest volume blockstore accepts (" +
                           std::to_string(kMaxVolumeGb) + " GB)");
  }
  return Status::Ok();
}

Status CheckConnector(const Connector& c) {
  auto word = [](std::string_view s, std::size_t max, bool dots_and_dashes) {
    if (s.size() > max) return false;
    for (char ch : s) {
      const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '_' ||
                      (dots_and_dashes && (ch == '.' || ch == '-'));
      if (!ok) return false;
    }
    return true;
  };
  if (c.host.empty()) return InvalidArgument("connector: 'host' is required");
  if (!word(c.host, 255, true) || c.host.front() == '-' || c.host.front() == '.') {
    return InvalidArgument("connector: 'host' must be a host name (letters, digits, '.', '-', "
                           "'_'; at most 255 bytes)");
  }
  if (!c.ip.empty()) {
    unsigned char buf[16];
    const std::string ip(c.ip);
    if (inet_pton(AF_INET, ip.c_str(), buf) != 1 && inet_pton(AF_INET6, ip.c_str(), buf) != 1) {
      return InvalidArgument("connector: 'ip' must be an IPv4 or IPv6 address");
    }
  }
  if (!c.initiator.empty() && !IsIscsiName(c.initiator)) {
    return InvalidArgument("connector: 'initiator' is not an iSCSI name (want "
                           "iqn.YYYY-MM.reversed.domain[:name] in lower case, or eui./naa. hex)");
  }
  if (!word(c.platform, 64, true)) return InvalidArgument("connector: 'platform' must be a short word");
  if (!word(c.os_type, 64, true)) return InvalidArgument("connector: 'os_type' must be a short word");
  if (!c.mode.empty() && c.mode != "rw" && c.mode != "ro") {
    return InvalidArgument("connector: 'mode' must be rw or ro");
  }
  return CheckText("connector mountpoint", c.mountpoint);
}

Status CheckSpecs(std::string_view field, const Metadata& specs) {
  BS_RETURN_IF_ERROR(CheckMetadata(field, specs));
  for (const auto& [k, v] : specs) BS_RETURN_IF_ERROR(ValidateExtraSpec(k, v));
  return Status::Ok();
}

}  // namespace blockstore::internal
