// ParseAmqpUrl: cinder.conf's transport_url, with its several hosts, vhost and TLS switch.
#include <cctype>
#include <charconv>
#include <optional>

#include "blockstore/amqp_transport.hpp"

namespace blockstore {

namespace amqp_url {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; nullopt for a broken one.
std::optional<std::string> Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = HexDigit(s[i + 1]), lo = HexDigit(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

Result<AmqpEndpoint> ParseEndpoint(std::string_view text, int default_port) {
  AmqpEndpoint e;
  e.port = default_port;
  std::string_view hostport = text;
  if (const auto at = text.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = text.substr(0, at);
    hostport = text.substr(at + 1);
    const auto colon = userinfo.find(':');
    auto user = Unescape(userinfo.substr(0, colon));
    auto pass = Unescape(colon == std::string_view::npos ? std::string_view() : userinfo.substr(colon + 1));
    if (!user || !pass) return InvalidArgument("transport_url: a broken %-escape in the credentials");
    e.user = std::move(*user);
    e.password = colon == std::string_view::npos ? std::string() : std::move(*pass);
    if (e.user.empty()) return InvalidArgument("transport_url: an empty user name");
  }
  std::string_view host = hostport;
  std::string_view port;
  if (!hostport.empty() && hostport.front() == '[') {  // [v6] or [v6]:port
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return InvalidArgument("transport_url: an unclosed '[' in a host");
    host = hostport.substr(1, close - 1);
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      return InvalidArgument("transport_url: text after ']' that is not a port");
    }
    if (!after.empty()) port = after.substr(1);
  } else if (const auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  if (port.data() != nullptr) {  // a ':' was there: a port must follow
    int number = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (ec != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535) {
      return InvalidArgument("transport_url: port '" + std::string(port.substr(0, 16)) +
                             "' is not a number from 1 to 65535");
    }
    e.port = number;
  }
  if (host.empty()) return InvalidArgument("transport_url: a broker without a host name");
  e.host = std::string(host);
  return e;
}

}  // namespace amqp_url

using namespace amqp_url;

Result<AmqpUrl> ParseAmqpUrl(const std::string& url) {
  AmqpUrl out;
  std::string_view rest = url;
  const auto scheme_end = rest.find("://");
  if (scheme_end == std::string_view::npos) {
    return InvalidArgument("transport_url must look like rabbit://user:pass@host:port/vhost");
  }
  const std::string_view scheme = rest.substr(0, scheme_end);
  rest.remove_prefix(scheme_end + 3);
  if (scheme == "amqps" || scheme == "rabbits") {
    out.tls = true;
  } else if (scheme != "rabbit" && scheme != "amqp") {
    return InvalidArgument("transport_url: scheme '" + std::string(scheme.substr(0, 16)) +
                           "' is not one of rabbit, amqp, amqps");
  }
  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (!path.empty()) {
    auto vhost = Unescape(path);
    if (!vhost) return InvalidArgument("transport_url: a broken %-escape in the vhost");
    out.vhost = std::move(*vhost);
  }
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (kv == "ssl=1" || kv == "ssl=true" || kv == "ssl=True") {
      out.tls = true;
    } else if (kv == "ssl=0" || kv == "ssl=false" || kv == "ssl=False") {
      out.tls = false;
    } else if (!kv.empty()) {
      return InvalidArgument("transport_url: unknown option '" + std::string(kv.substr(0, 32)) +
                             "' (only ssl=1|0)");
    }
  }
  const int default_port = out.tls ? 5671 : 5672;
  if (rest.empty()) return InvalidArgument("transport_url names no broker");
  while (true) {
    const auto comma = rest.find(',');
    auto e = ParseEndpoint(rest.substr(0, comma), default_port);
    if (!e.ok()) return e.status();
    out.endpoints.push_back(std::move(e).value());
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace blockstore
