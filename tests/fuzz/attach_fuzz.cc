// libFuzzer target: what hosts send to attach — connector dicts, connection info, attachment
// requests and iSCSI names. The first byte picks the parser; the rest is the text. Any input
// must be refused with an error or accepted — never crash or hang — and whatever is accepted
// must survive a round trip through its JSON form unchanged.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lib/api/validation.hpp"
#include "lib/attach/attach_codec.hpp"
#include "lib/attach/iscsi_name.hpp"

using namespace blockstore;
namespace json = blockstore::internal::json;

namespace {

void Require(bool ok) {
  if (!ok) __builtin_trap();
}

bool Same(const Connector& a, const Connector& b) {
  return a.host == b.host && a.ip == b.ip && a.initiator == b.initiator &&
         a.multipath == b.multipath && a.platform == b.platform && a.os_type == b.os_type &&
         a.mode == b.mode && a.do_local_attach == b.do_local_attach &&
         a.mountpoint == b.mountpoint;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 4 == 3) {
    const bool valid = internal::IsIscsiName(text);
    if (valid) Require(text.size() <= internal::kMaxIscsiNameLength);
    return 0;
  }
  auto parsed = internal::ParseJson(text, "input");
  if (!parsed.ok()) return 0;
  switch (data[0] % 4) {
    case 0: {
      auto c = internal::ConnectorFromJson(*parsed);
      if (!c.ok()) return 0;
      (void)internal::CheckConnector(*c);
      auto again = internal::ConnectorFromJson(internal::ToJson(*c));
      Require(again.ok() && Same(*c, *again));
      break;
    }
    case 1: {
      auto c = internal::ConnectionInfoFromJson(*parsed);
      if (!c.ok()) return 0;
      auto again = internal::ConnectionInfoFromJson(internal::ToJson(*c));
      Require(again.ok() && again->driver_volume_type == c->driver_volume_type &&
              json::parse(again->data) == json::parse(c->data));
      break;
    }
    case 2: {
      auto r = internal::AttachmentCreateRequestFromJson(*parsed);
      if (r.ok() && r->connector) (void)internal::CheckConnector(*r->connector);
      (void)internal::AttachmentQueryFromJson(*parsed);
      (void)internal::LegacyAttachRequestFromJson(*parsed);
      break;
    }
  }
  return 0;
}
