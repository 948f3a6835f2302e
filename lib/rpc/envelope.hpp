// Internal: the envelope every message between roles travels in, and its version.
//
//   {"method": "create_volume", "version": "3.0", "id": "<resource>", "request_id": "req-…",
//    "args": {…}}
//
// Each role's API (scheduler, volume, backup) has a version major.minor, as Cinder's RPC APIs
// do. A sender stamps the version it speaks; a receiver refuses a major it does not serve
// (unimplemented, naming both versions) and, within its major, ignores fields it does not
// know and gives fields it misses their defaults — so processes of adjacent releases (one
// minor apart) work side by side during a rolling upgrade. A method a receiver does not have
// is unimplemented too.
//
// Thread-safety: free functions and plain values.
#ifndef BLOCKSTORE_LIB_RPC_ENVELOPE_HPP
#define BLOCKSTORE_LIB_RPC_ENVELOPE_HPP

#include <boost/json.hpp>

#include <string>
#include <string_view>

#include "blockstore/result.hpp"

namespace blockstore::internal::rpc {

struct Version {
  int major = 1;
  int minor = 0;
  std::string ToString() const { return std::to_string(major) + "." + std::to_string(minor); }
};

struct Envelope {
  std::string method;
  Version version;
  std::string id;          // the resource the method acts on; may be empty
  std::string request_id;  // the caller's, carried through for logs and events
  boost::json::object args;
};

std::string Encode(const Envelope& e);
// invalid_argument for text that is not an envelope (not JSON, no method, a version that is
// not "major.minor").
Result<Envelope> Decode(std::string_view text);
// unimplemented unless `e`'s major is `served`'s: "<api> API 4.0 is not served here (this
// service speaks 3.x)".
Status CheckVersion(const Envelope& e, std::string_view api, Version served);

}  // namespace blockstore::internal::rpc

#endif  // BLOCKSTORE_LIB_RPC_ENVELOPE_HPP
