// Internal to the object-store targets: HTTP requests over libcurl, with connections kept
// alive and reused across calls and threads, and the digests the stores check (also computed
// on the fly, as a payload streams).
//
// Thread-safety: Send may be called from several threads at once; each call takes its own
// connection handle from a small pool.
#ifndef BLOCKSTORE_DRIVERS_BACKUP_HTTP_HTTP_CLIENT_HPP
#define BLOCKSTORE_DRIVERS_BACKUP_HTTP_HTTP_CLIENT_HPP

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "blockstore/result.hpp"

namespace blockstore::http {

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::span<const std::byte> body;   // sent with PUT
  // The MD5 of the payload (the body a PUT sends, or the one a GET receives), computed as it
  // streams, into Response::payload_md5: a store's ETag can then be checked without a pass of
  // its own over the data before the request or after it.
  bool md5 = false;
};

struct Response {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::vector<std::byte> body;
  std::string payload_md5;  // lowercase hex, when the request asked for it
  std::string Header(const std::string& lower_name) const;
  std::string_view Text() const {
    return {reinterpret_cast<const char*>(body.data()), body.size()};
  }
};

struct ClientOptions {
  long timeout_s = 300;          // a whole request
  long connect_timeout_s = 10;
  bool verify_tls = true;
  std::string ca_file;           // Default: the system's CA bundle
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Any HTTP status is a response; unavailable when no response came (refused, reset, timed
  // out), naming the URL without its query.
  Result<Response> Send(const Request& request);

 private:
  void* Take();
  void Give(void* handle);
  ClientOptions options_;
  std::mutex mu_;
  std::vector<void*> idle_;
};

// Percent-encodes everything but A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash), uppercase hex:
// the form both Swift paths and SigV4's canonical requests accept.
std::string Encode(std::string_view s, bool keep_slash);

// An ETag without the double quotes HTTP puts around it (S3 quotes it, Swift does not).
std::string Unquoted(std::string etag);

std::string Sha256Hex(std::span<const std::byte> data);
std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw bytes
std::string ToHex(std::string_view raw);

// A failed response as a Status: 5xx, 408 and 429 are unavailable (worth a retry), 401 and 403
// permission_denied, 404 not_found, the rest internal; the message names `what` and quotes the
// start of the body.
Status FromHttp(const Response& r, const std::string& what);

}  // namespace blockstore::http

#endif  // BLOCKSTORE_DRIVERS_BACKUP_HTTP_HTTP_CLIENT_HPP
