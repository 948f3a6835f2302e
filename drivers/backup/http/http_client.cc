#include "drivers/backup/http/http_client.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>

namespace blockstore::http {
namespace {

std::once_flag g_curl_init;

// An MD5 taken piece by piece; without a context (not asked for) every call does nothing.
class Md5Stream {
 public:
  explicit Md5Stream(bool wanted) : ctx_(wanted ? EVP_MD_CTX_new() : nullptr) { Reset(); }
  ~Md5Stream() { EVP_MD_CTX_free(ctx_); }
  Md5Stream(const Md5Stream&) = delete;
  Md5Stream& operator=(const Md5Stream&) = delete;
  void Reset() {
    if (ctx_) EVP_DigestInit_ex(ctx_, EVP_md5(), nullptr);
  }
  void Update(const void* data, std::size_t n) {
    if (ctx_) EVP_DigestUpdate(ctx_, data, n);
  }
  std::string Hex() {
    if (!ctx_) return {};
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, out, &len);
    return ToHex(std::string_view(reinterpret_cast<const char*>(out), len));
  }

 private:
  EVP_MD_CTX* ctx_;
};

struct Upload {
  std::span<const std::byte> data;
  std::size_t offset = 0;
  Md5Stream& md5;
};

std::size_t ReadBody(char* out, std::size_t size, std::size_t n, void* p) {
  auto* u = static_cast<Upload*>(p);
  const std::size_t want = std::min(size * n, u->data.size() - u->offset);
  std::memcpy(out, u->data.data() + u->offset, want);
  u->md5.Update(out, want);  // from the copy, still in the cache
  u->offset += want;
  return want;
}

// libcurl rewinds an upload to send it again (on a kept-alive connection the server had
// closed, say): the digest starts over with it.
int SeekBody(void* p, curl_off_t offset, int origin) {
  auto* u = static_cast<Upload*>(p);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > u->data.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  u->offset = static_cast<std::size_t>(offset);
  u->md5.Reset();
  u->md5.Update(u->data.data(), u->offset);
  return CURL_SEEKFUNC_OK;
}

// Bodies up to the largest a backup chunk is stored as (256 MiB, plus a sealed chunk's few
// bytes) are reserved for in advance; beyond that a Content-Length is not taken on trust.
constexpr curl_off_t kMaxReserve = curl_off_t{257} << 20;

struct Download {
  CURL* handle;
  std::vector<std::byte>& body;
  Md5Stream& md5;
  bool sized = false;
};

std::size_t WriteBody(char* in, std::size_t size, std::size_t n, void* p) {
  auto* d = static_cast<Download*>(p);
  if (!d->sized) {  // one allocation for the whole body, not a doubling series of copies
    d->sized = true;
    curl_off_t length = -1;
    curl_easy_getinfo(d->handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    if (length > 0 && length <= kMaxReserve) d->body.reserve(static_cast<std::size_t>(length));
  }
  const auto* b = reinterpret_cast<const std::byte*>(in);
  d->body.insert(d->body.end(), b, b + size * n);
  d->md5.Update(in, size * n);
  return size * n;
}

std::size_t WriteHeader(char* in, std::size_t size, std::size_t n, void* p) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(p);
  std::string_view line(in, size * n);
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    (*headers)[name] = std::string(value);
  } else if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new response (after 100 Continue or a redirect)
  }
  return size * n;
}

std::string WithoutQuery(const std::string& url) { return url.substr(0, url.find('?')); }

std::string Digest(const EVP_MD* md, const void* data, std::size_t n) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data, n, out, &len, md, nullptr);
  return ToHex(std::string_view(reinterpret_cast<const char*>(out), len));
}

}  // namespace

std::string Response::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

Client::Client(ClientOptions options) : options_(std::move(options)) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Client::~Client() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* Client::Take() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void Client::Give(void* handle) {
  std::lock_guard lock(mu_);
  idle_.push_back(handle);
}

Result<Response> Client::Send(const Request& r) {
  CURL* c = static_cast<CURL*>(Take());
  if (!c) return Unavailable("cannot create an HTTP handle");
  curl_easy_reset(c);
  Response resp;
  const bool put = r.method == "PUT";
  Md5Stream sent(r.md5 && put), received(r.md5 && !put);
  Upload upload{r.body, 0, sent};
  Download download{c, resp.body, received};
  curl_slist* headers = nullptr;
  for (const auto& h : r.headers) headers = curl_slist_append(headers, h.c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(c, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, options_.timeout_s);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &download);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp.headers);
  if (put) {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, SeekBody);
    curl_easy_setopt(c, CURLOPT_SEEKDATA, &upload);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
  } else if (r.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (r.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  const CURLcode rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    curl_easy_cleanup(c);  // a broken connection is not reused
    return Unavailable(r.method + " " + WithoutQuery(r.url) + ": " + curl_easy_strerror(rc));
  }
  Give(c);
  resp.payload_md5 = put ? sent.Hex() : received.Hex();
  return resp;
}

std::string Encode(std::string_view s, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char ch : s) {
    const bool plain = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                       (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' ||
                       ch == '~' || (keep_slash && ch == '/');
    if (plain) {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

std::string ToHex(std::string_view raw) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char ch : raw) {
    out += kHex[ch >> 4];
    out += kHex[ch & 15];
  }
  return out;
}

std::string Unquoted(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

std::string Sha256Hex(std::span<const std::byte> d) {
  return Digest(EVP_sha256(), d.data(), d.size());
}
std::string Sha256Hex(std::string_view d) { return Digest(EVP_sha256(), d.data(), d.size()); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

Status FromHttp(const Response& r, const std::string& what) {
  std::string body(r.Text().substr(0, 200));
  for (char& ch : body) {
    if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
  }
  const std::string msg = what + ": HTTP " + std::to_string(r.status) +
                          (body.empty() ? std::string() : " (" + body + ")");
  if (r.status >= 500 || r.status == 408 || r.status == 429) return Unavailable(msg);
  if (r.status == 401 || r.status == 403) return PermissionDenied(msg);
  if (r.status == 404) return NotFound(msg);
  return Internal(msg);
}

}  // namespace blockstore::http
