// A TCP proxy on 127.0.0.1 that forwards to a real server and breaks connections on demand:
// every Nth new connection is dropped at once, a connection is cut in the middle of a request
// once it has carried `cut_after_bytes` towards the server, and while `down` is set every
// connection (open ones included) is cut. It can also damage data in flight: flip one byte of
// a request body or of a response body. For tests of
// what clients do when a store goes away mid-transfer, or hands back other bytes than it got.
#ifndef BLOCKSTORE_TESTS_SUPPORT_FAULT_PROXY_HPP
#define BLOCKSTORE_TESTS_SUPPORT_FAULT_PROXY_HPP

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace blockstore::testing {

class FaultProxy {
 public:
  explicit FaultProxy(int upstream_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  std::atomic<int> drop_every{0};  // 0: drop none; N: drop connections N, 2N, …
  std::atomic<int> drop_first{0};  // drop connections 1 to N
  std::atomic<bool> down{false};
  std::atomic<long> cut_after_bytes{0};  // 0: never
  std::atomic<int> max_cuts{0};          // cut no more connections than this (0: no limit)
  // The next N large reads (16 KiB or more at once, so inside a body) towards the server
  // (upload) or back from it (download) get one byte flipped.
  std::atomic<int> flip_upload{0};
  std::atomic<int> flip_download{0};
  std::atomic<int> flipped{0};
  std::atomic<int> connections{0};
  std::atomic<int> dropped{0};

 private:
  void Accept();
  void Pump(int client);
  int upstream_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> cuts_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> pumps_;
};

}  // namespace blockstore::testing

#endif  // BLOCKSTORE_TESTS_SUPPORT_FAULT_PROXY_HPP
