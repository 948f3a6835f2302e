#include "tests/support/fault_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace blockstore::testing {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

}  // namespace

FaultProxy::FaultProxy(int upstream_port) : upstream_port_(upstream_port) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = Loopback(0);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listener_, 64) != 0) {
    throw std::runtime_error("fault proxy: cannot listen");
  }
  socklen_t len = sizeof a;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { Accept(); });
}

FaultProxy::~FaultProxy() {
  stop_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  ::close(listener_);
  acceptor_.join();
  std::lock_guard lock(mu_);
  for (auto& t : pumps_) t.join();
}

void FaultProxy::Accept() {
  while (!stop_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    const int n = ++connections;
    const int every = drop_every.load();
    if (down || n <= drop_first.load() || (every > 0 && n % every == 0)) {
      ++dropped;
      ::close(client);
      continue;
    }
    std::lock_guard lock(mu_);
    pumps_.emplace_back([this, client] { Pump(client); });
  }
}

void FaultProxy::Pump(int client) {
  const int server = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = Loopback(upstream_port_);
  if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(server);
    ::close(client);
    return;
  }
  char buf[1 << 16];
  long sent = 0;
  // Flips the middle byte of buf[0, got) when the read is large (only a body streams that much
  // at once: headers are far shorter) and `budget` allows.
  auto maybe_flip = [&](ssize_t got, std::atomic<int>& budget) {
    if (got < (16 << 10)) return;
    for (int left = budget.load(); left > 0;) {
      if (budget.compare_exchange_weak(left, left - 1)) {
        buf[got / 2] = static_cast<char>(buf[got / 2] ^ 0x5a);
        ++flipped;
        return;
      }
    }
  };
  pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
  while (!stop_) {
    if (down) {
      ++dropped;
      break;
    }
    if (::poll(fds, 2, 50) < 0) break;
    bool closed = false;
    for (int i = 0; i < 2 && !closed; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got <= 0) {
        closed = true;
        break;
      }
      const int to = fds[1 - i].fd;
      if (i == 0) {
        sent += got;
        maybe_flip(got, flip_upload);
        const long limit = cut_after_bytes.load();
        const int most = max_cuts.load();
        if (limit > 0 && sent > limit && (most == 0 || cuts_.fetch_add(1) < most)) {
          ++dropped;
          closed = true;
          break;
        }
      } else {
        maybe_flip(got, flip_download);
      }
      for (ssize_t off = 0; off < got;) {
        const ssize_t put = ::write(to, buf + off, static_cast<size_t>(got - off));
        if (put <= 0) {
          closed = true;
          break;
        }
        off += put;
      }
    }
    if (closed) break;
  }
  ::close(server);
  ::close(client);
}

}  // namespace blockstore::testing
