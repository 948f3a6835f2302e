// The Swift backup target: objects in one container, over the Swift v1 API.
#include <boost/json.hpp>

#include <mutex>
#include <set>

#include "blockstore/swift_target.hpp"
#include "drivers/backup/http/http_client.hpp"
#include "drivers/backup/target_options.hpp"
#include "lib/core/macros.hpp"
#include "lib/env/retry.hpp"

namespace blockstore {
namespace {

class SwiftTarget final : public BackupTarget {
 public:
  explicit SwiftTarget(SwiftTargetOptions o)
      : o_(std::move(o)), client_({o_.timeout_s, 10, o_.verify_tls, o_.ca_file}) {}

  // Authenticates and creates the container when asked to, again while the store answers
  // that it cannot now.
  Status Start() {
    return internal::WithRetries(internal::kSetupRetries, [&] { return StartOnce(); });
  }

  Status StartOnce() {
    if (Status s = Authenticate(); !s.ok()) return s;
    if (!o_.create_container) return Status::Ok();
    auto r = Call("PUT", ContainerUrl(), {}, {});
    if (!r.ok()) return r.status();
    if (r->status != 201 && r->status != 202) {
      return http::FromHttp(*r, "creating container " + o_.container);
    }
    return Status::Ok();
  }

  Status Put(const std::string& name, std::span<const std::byte> data) override {
    if (Status s = CheckObjectName(name); !s.ok()) return s;
    // Swift answers with the MD5 of the bytes it stored (ETag); the body's own MD5 is taken as
    // it is sent. When they differ the object is damaged: the put fails as unavailable, so the
    // engine sends it again, over it, and no backup ever names it as it is.
    auto r = Call("PUT", ObjectUrl(name), {"Content-Type: application/octet-stream"}, data,
                  /*md5=*/true);
    if (!r.ok()) return r.status();
    if (r->status != 201) return http::FromHttp(*r, "PUT " + name);
    const std::string etag = http::Unquoted(r->Header("etag"));
    if (etag.empty()) {
      return Internal("PUT " + name + ": the store answered without an ETag, so what it stored "
                      "cannot be checked");
    }
    if (etag != r->payload_md5) {
      return Unavailable("PUT " + name + ": the store holds other bytes than were sent (ETag '" +
                         etag.substr(0, 40) + "', MD5 sent " + r->payload_md5 + ")");
    }
    return Status::Ok();
  }

  Result<std::vector<std::byte>> Get(const std::string& name) override {
    if (Status s = CheckObjectName(name); !s.ok()) return s;
    auto r = Call("GET", ObjectUrl(name), {}, {}, /*md5=*/true);
    if (!r.ok()) return r.status();
    if (r->status == 404) return NotFound("object " + name + " not found in " + Describe());
    if (r->status != 200) return http::FromHttp(*r, "GET " + name);
    const std::string etag = http::Unquoted(r->Header("etag"));
    if (!etag.empty() && etag != r->payload_md5) {
      return Unavailable("GET " + name + ": the body does not match its ETag");
    }
    return std::move(r->body);
  }

  Result<std::vector<std::string>> List(const std::string& prefix) override {
    std::vector<std::string> out;
    std::string marker;
    while (true) {
      std::string url = ContainerUrl() + "?format=json&prefix=" + http::Encode(prefix, false);
      if (!marker.empty()) url += "&marker=" + http::Encode(marker, false);
      auto r = Call("GET", url, {}, {});
      if (!r.ok()) return r.status();
      if (r->status == 204 || r->status == 404) return out;
      if (r->status != 200) return http::FromHttp(*r, "listing " + o_.container);
      boost::system::error_code ec;
      auto v = boost::json::parse(r->Text(), ec);
      if (ec || !v.is_array()) return Internal("listing " + o_.container + ": not a JSON list");
      if (v.as_array().empty()) return out;
      for (const auto& item : v.as_array()) {
        const auto* o = item.if_object();
        const auto* n = o ? o->if_contains("name") : nullptr;
        if (!n || !n->is_string()) return Internal("listing " + o_.container + ": an entry has no name");
        out.emplace_back(n->as_string());
      }
      marker = out.back();
    }
  }

  Status Delete(const std::string& name) override {
    if (Status s = CheckObjectName(name); !s.ok()) return s;
    auto r = Call("DELETE", ObjectUrl(name), {}, {});
    if (!r.ok()) return r.status();
    if (r->status != 204 && r->status != 404) return http::FromHttp(*r, "DELETE " + name);
    return Status::Ok();
  }

  // Every request costs the store a fixed amount of work (authentication, container or bucket
  // listing updates, a new file): larger objects than on a local disk.
  uint64_t PreferredChunkSize() const override { return 16ull << 20; }

  std::string Describe() const override {
    std::lock_guard lock(mu_);
    return "swift:" + (storage_url_.empty() ? o_.auth_url : storage_url_) + "/" + o_.container;
  }

 private:
  Status Authenticate() {
    auto r = client_.Send({"GET", o_.auth_url, {"X-Auth-User: " + o_.user, "X-Auth-Key: " + o_.key}, {}});
    if (!r.ok()) return r.status();
    if (r->status != 200 && r->status != 204) return http::FromHttp(*r, "authenticating at " + o_.auth_url);
    const std::string token = r->Header("x-auth-token");
    const std::string url = r->Header("x-storage-url");
    if (token.empty() || url.empty()) {
      return Internal("authenticating at " + o_.auth_url + ": no token or storage URL in the answer");
    }
    std::lock_guard lock(mu_);
    token_ = token;
    storage_url_ = o_.storage_url.empty() ? url : o_.storage_url;
    return Status::Ok();
  }

  // One request with the current token; on 401 (an expired token) one more after signing in.
  Result<http::Response> Call(const std::string& method, const std::string& url_tail,
                              std::vector<std::string> headers, std::span<const std::byte> body,
                              bool md5 = false) {
    for (int attempt = 0;; ++attempt) {
      std::string token, base;
      {
        std::lock_guard lock(mu_);
        token = token_;
        base = storage_url_;
      }
      std::vector<std::string> h = headers;
      h.push_back("X-Auth-Token: " + token);
      auto r = client_.Send({method, base + url_tail, std::move(h), body, md5});
      if (!r.ok() || r->status != 401 || attempt > 0) return r;
      if (Status s = Authenticate(); !s.ok()) return s;
    }
  }

  std::string ContainerUrl() const { return std::string("/").append(http::Encode(o_.container, false)); }
  std::string ObjectUrl(const std::string& name) const {
    return ContainerUrl() + "/" + http::Encode(name, true);
  }

  SwiftTargetOptions o_;
  http::Client client_;
  mutable std::mutex mu_;
  std::string token_;
  std::string storage_url_;
};

}  // namespace

Result<std::unique_ptr<BackupTarget>> NewSwiftTarget(const SwiftTargetOptions& options) {
  if (options.auth_url.empty()) return InvalidArgument("a swift target needs an auth_url");
  if (options.user.empty()) return InvalidArgument("a swift target needs a user");
  if (options.container.empty() || options.container.size() > 256 ||
      options.container.find('/') != std::string::npos) {
    return InvalidArgument("a swift container name is 1..256 bytes without '/'");
  }
  auto t = std::make_unique<SwiftTarget>(options);
  if (Status s = t->Start(); !s.ok()) return s;
  return std::unique_ptr<BackupTarget>(std::move(t));
}

Status RegisterSwiftTarget(BackupTargetRegistry& registry) {
  return registry.Register("swift", [](const BackupTargetOptions& options)
                                        -> Result<std::unique_ptr<BackupTarget>> {
    std::set<std::string> known = {"auth_url", "user", "key", "container", "storage_url",
                                   "create_container"};
    known.insert(internal::HttpOptionKeys().begin(), internal::HttpOptionKeys().end());
    BS_RETURN_IF_ERROR(internal::OnlyKnown(options, "swift", known));
    SwiftTargetOptions o;
    internal::TextOption(options, "auth_url", o.auth_url);
    internal::TextOption(options, "user", o.user);
    internal::TextOption(options, "key", o.key);
    internal::TextOption(options, "container", o.container);
    internal::TextOption(options, "storage_url", o.storage_url);
    BS_RETURN_IF_ERROR(internal::FlagOption(options, "create_container", o.create_container));
    BS_RETURN_IF_ERROR(internal::HttpOptions(options, o));
    return NewSwiftTarget(o);
  });
}

}  // namespace blockstore
