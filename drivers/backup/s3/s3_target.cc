// The S3 backup target: objects in one bucket, over the S3 API, every request signed with
// AWS Signature Version 4 (canonical query sorted and encoded here, the payload's SHA-256 in
// x-amz-content-sha256 so the store checks the body it receives).
#include <algorithm>
#include <ctime>
#include <set>

#include "blockstore/s3_target.hpp"
#include "drivers/backup/http/http_client.hpp"
#include "drivers/backup/target_options.hpp"
#include "lib/core/macros.hpp"
#include "lib/env/retry.hpp"

namespace blockstore {
namespace {

std::string XmlUnescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    static const std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool matched = false;
    for (const auto& [entity, ch] : kEntities) {
      if (s.substr(i, entity.size()) == entity) {
        out += ch;
        i += entity.size() - 1;
        matched = true;
        break;
      }
    }
    if (!matched) out += '&';
  }
  return out;
}

// The text of every <tag>…</tag> in `xml`, in order.
std::vector<std::string> Elements(std::string_view xml, std::string_view tag) {
  std::vector<std::string> out;
  const std::string open = std::string("<").append(tag).append(">");
  const std::string close = std::string("</").append(tag).append(">");
  std::size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    const std::size_t start = pos + open.size();
    const std::size_t end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    out.push_back(XmlUnescape(xml.substr(start, end - start)));
    pos = end + close.size();
  }
  return out;
}

struct Endpoint {
  std::string scheme;  // http | https
  std::string host;    // without port
  std::string port;    // empty for the scheme's default
};

Result<Endpoint> ParseEndpoint(const std::string& url) {
  Endpoint e;
  const auto sep = url.find("://");
  if (sep == std::string::npos) return InvalidArgument("s3 endpoint '" + url + "' needs a scheme");
  e.scheme = url.substr(0, sep);
  if (e.scheme != "http" && e.scheme != "https") {
    return InvalidArgument("s3 endpoint '" + url + "': the scheme must be http or https");
  }
  std::string rest = url.substr(sep + 3);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find('/') != std::string::npos || rest.find('?') != std::string::npos) {
    return InvalidArgument("s3 endpoint '" + url + "' must be scheme://host[:port]");
  }
  const auto colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']') == std::string::npos) {
    e.host = rest.substr(0, colon);
    e.port = rest.substr(colon + 1);
  } else {
    e.host = rest;
  }
  if ((e.scheme == "http" && e.port == "80") || (e.scheme == "https" && e.port == "443")) {
    e.port.clear();
  }
  return e;
}

class S3Target final : public BackupTarget {
 public:
  S3Target(S3TargetOptions o, Endpoint e)
      : o_(std::move(o)), e_(std::move(e)), client_({o_.timeout_s, 10, o_.verify_tls, o_.ca_file}) {}

  // Creates the bucket when asked to, again while the store answers that it cannot now.
  Status Start() {
    if (!o_.create_bucket) return Status::Ok();
    return internal::WithRetries(internal::kSetupRetries, [&] { return CreateBucket(); });
  }

  Status CreateBucket() {
    auto r = Send("PUT", "", {}, {});
    if (!r.ok()) return r.status();
    if (r->status == 200) return Status::Ok();
    if (r->status == 409 && r->Text().find("BucketAlreadyOwnedByYou") != std::string_view::npos) {
      return Status::Ok();
    }
    return http::FromHttp(*r, "creating bucket " + o_.bucket);
  }

  Status Put(const std::string& name, std::span<const std::byte> data) override {
    return PutSigned(name, data, http::Sha256Hex(data));
  }

  Status PutHashed(const std::string& name, std::span<const std::byte> data,
                   const std::array<unsigned char, 32>& sha256) override {
    return PutSigned(name, data,
                     http::ToHex(std::string_view(reinterpret_cast<const char*>(sha256.data()),
                                                  sha256.size())));
  }

  // The store checks the body against the SHA-256 the request signs (x-amz-content-sha256).
  Status PutSigned(const std::string& name, std::span<const std::byte> data,
                   const std::string& payload_sha256) {
    if (Status s = CheckObjectName(name); !s.ok()) return s;
    auto r = Send("PUT", name, {}, data, payload_sha256);
    if (!r.ok()) return r.status();
    if (r->status == 400 && r->Text().find("BadDigest") != std::string_view::npos) {
      return Unavailable("PUT " + name + ": the store received damaged bytes");
    }
    if (r->status != 200) return http::FromHttp(*r, "PUT " + name);
    return Status::Ok();
  }

  Result<std::vector<std::byte>> Get(const std::string& name) override {
    if (Status s = CheckObjectName(name); !s.ok()) return s;
    auto r = Send("GET", name, {}, {}, {}, /*md5=*/true);
    if (!r.ok()) return r.status();
    if (r->status == 404) return NotFound("object " + name + " not found in " + Describe());
    if (r->status != 200) return http::FromHttp(*r, "GET " + name);
    // A single-part object's ETag is its MD5 (a multipart one's is not, and is longer).
    const std::string etag = http::Unquoted(r->Header("etag"));
    if (etag.size() == 32 && etag != r->payload_md5) {
      return Unavailable("GET " + name + ": the body does not match its ETag");
    }
    return std::move(r->body);
  }

  Result<std::vector<std::string>> List(const std::string& prefix) override {
    std::vector<std::string> out;
    std::string token;
    while (true) {
      std::vector<std::pair<std::string, std::string>> q = {{"list-type", "2"}, {"prefix", prefix}};
      if (!token.empty()) q.push_back({"continuation-token", token});
      auto r = Send("GET", "", q, {});
      if (!r.ok()) return r.status();
      if (r->status != 200) return http::FromHttp(*r, "listing " + o_.bucket);
      for (auto& k : Elements(r->Text(), "Key")) out.push_back(std::move(k));
      const auto truncated = Elements(r->Text(), "IsTruncated");
      const auto next = Elements(r->Text(), "NextContinuationToken");
      if (truncated.empty() || truncated.front() != "true" || next.empty()) return out;
      token = next.front();
    }
  }

  Status Delete(const std::string& name) override {
    if (Status s = CheckObjectName(name); !s.ok()) return s;
    auto r = Send("DELETE", name, {}, {});
    if (!r.ok()) return r.status();
    if (r->status != 204 && r->status != 200 && r->status != 404) {
      return http::FromHttp(*r, "DELETE " + name);
    }
    return Status::Ok();
  }

  // Every request costs the store a fixed amount of work (authentication, container or bucket
  // listing updates, a new file): larger objects than on a local disk.
  uint64_t PreferredChunkSize() const override { return 16ull << 20; }

  std::string Describe() const override {
    return "s3:" + e_.scheme + "://" + HostPort(false) + "/" + o_.bucket;
  }

 private:
  std::string HostPort(bool with_bucket) const {
    std::string h = with_bucket ? o_.bucket + "." + e_.host : e_.host;
    return e_.port.empty() ? h : h + ":" + e_.port;
  }

  // A signed request for `key` in the bucket (the bucket itself when key is empty).
  Result<http::Response> Send(const std::string& method, const std::string& key,
                              std::vector<std::pair<std::string, std::string>> query,
                              std::span<const std::byte> body,
                              std::string payload = {}, bool md5 = false) {
    const bool virtual_host = o_.addressing == "virtual";
    const std::string host = HostPort(virtual_host);
    std::string path = "/";
    if (!virtual_host) path.append(http::Encode(o_.bucket, false)).append(key.empty() ? "" : "/");
    path += http::Encode(key, true);
    for (auto& [k, v] : query) {
      k = http::Encode(k, false);
      v = http::Encode(v, false);
    }
    std::sort(query.begin(), query.end());
    std::string canonical_query;
    for (const auto& [k, v] : query) canonical_query += (canonical_query.empty() ? "" : "&") + k + "=" + v;

    char date[32], stamp[16];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);
    std::strftime(stamp, sizeof stamp, "%Y%m%d", &tm);
    if (payload.empty()) payload = http::Sha256Hex(body);
    const std::string signed_headers = "host;x-amz-content-sha256;x-amz-date";
    const std::string canonical = method + "\n" + path + "\n" + canonical_query + "\n" +
                                  "host:" + host + "\n" + "x-amz-content-sha256:" + payload +
                                  "\n" + "x-amz-date:" + date + "\n\n" + signed_headers + "\n" +
                                  payload;
    const std::string scope = std::string(stamp) + "/" + o_.region + "/s3/aws4_request";
    const std::string to_sign = std::string("AWS4-HMAC-SHA256\n") + date + "\n" + scope + "\n" +
                                http::Sha256Hex(canonical);
    std::string k = http::HmacSha256("AWS4" + o_.secret_key, stamp);
    k = http::HmacSha256(k, o_.region);
    k = http::HmacSha256(k, "s3");
    k = http::HmacSha256(k, "aws4_request");
    const std::string signature = http::ToHex(http::HmacSha256(k, to_sign));

    http::Request req;
    req.method = method;
    req.url = e_.scheme + "://" + host + path + (canonical_query.empty() ? "" : "?" + canonical_query);
    req.headers = {"Host: " + host, "x-amz-content-sha256: " + payload,
                   std::string("x-amz-date: ") + date,
                   "Authorization: AWS4-HMAC-SHA256 Credential=" + o_.access_key + "/" + scope +
                       ", SignedHeaders=" + signed_headers + ", Signature=" + signature};
    if (method == "PUT") req.headers.push_back("Content-Type: application/octet-stream");
    req.body = body;
    req.md5 = md5;
    return client_.Send(req);
  }

  S3TargetOptions o_;
  Endpoint e_;
  http::Client client_;
};

}  // namespace

Result<std::unique_ptr<BackupTarget>> NewS3Target(const S3TargetOptions& options) {
  auto e = ParseEndpoint(options.endpoint);
  if (!e.ok()) return e.status();
  if (options.access_key.empty() || options.secret_key.empty()) {
    return InvalidArgument("an s3 target needs an access key and a secret key");
  }
  const std::string& b = options.bucket;
  bool bucket_ok = b.size() >= 3 && b.size() <= 63;
  for (char c : b) {
    bucket_ok = bucket_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.');
  }
  if (!bucket_ok) {
    return InvalidArgument("s3 bucket names are 3..63 lowercase letters, digits, '-' and '.'");
  }
  if (options.addressing != "path" && options.addressing != "virtual") {
    return InvalidArgument("s3 addressing must be 'path' or 'virtual'");
  }
  if (options.region.empty()) return InvalidArgument("an s3 target needs a region");
  auto t = std::make_unique<S3Target>(options, std::move(e).value());
  if (Status s = t->Start(); !s.ok()) return s;
  return std::unique_ptr<BackupTarget>(std::move(t));
}

Status RegisterS3Target(BackupTargetRegistry& registry) {
  return registry.Register("s3", [](const BackupTargetOptions& options)
                                     -> Result<std::unique_ptr<BackupTarget>> {
    std::set<std::string> known = {"endpoint", "access_key", "secret_key", "region", "bucket",
                                   "addressing", "create_bucket"};
    known.insert(internal::HttpOptionKeys().begin(), internal::HttpOptionKeys().end());
    BS_RETURN_IF_ERROR(internal::OnlyKnown(options, "s3", known));
    S3TargetOptions o;
    internal::TextOption(options, "endpoint", o.endpoint);
    internal::TextOption(options, "access_key", o.access_key);
    internal::TextOption(options, "secret_key", o.secret_key);
    internal::TextOption(options, "region", o.region);
    internal::TextOption(options, "bucket", o.bucket);
    internal::TextOption(options, "addressing", o.addressing);
    BS_RETURN_IF_ERROR(internal::FlagOption(options, "create_bucket", o.create_bucket));
    BS_RETURN_IF_ERROR(internal::HttpOptions(options, o));
    return NewS3Target(o);
  });
}

}  // namespace blockstore
