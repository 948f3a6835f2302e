// The benchmarks' Ceph: the KEY=VALUE file `scripts/ceph-aio start` prints, and the rbd backend
// over it.
#ifndef BLOCKSTORE_BENCH_CEPH_ENV_HPP
#define BLOCKSTORE_BENCH_CEPH_ENV_HPP

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "blockstore/driver.hpp"

namespace blockstore::bench {

// BS_CEPH_CONF, BS_CEPH_USER, BS_CEPH_KEYRING, BS_CEPH_POOL, …; exits naming what is missing.
inline std::map<std::string, std::string> ReadCephEnv(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (auto eq = line.find('='); eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  for (const char* k : {"BS_CEPH_CONF", "BS_CEPH_USER", "BS_CEPH_KEYRING", "BS_CEPH_POOL"}) {
    if (!out.count(k)) {
      std::fprintf(stderr, "%s has no %s\n", path.c_str(), k);
      std::exit(1);
    }
  }
  return out;
}

// A backend "ceph" of the rbd driver on the environment's pool, with `extra` options.
inline BackendConfig RbdBackend(const std::map<std::string, std::string>& env,
                                std::map<std::string, std::string> extra = {}) {
  extra["rbd_pool"] = env.at("BS_CEPH_POOL");
  extra["rbd_user"] = env.at("BS_CEPH_USER");
  extra["rbd_ceph_conf"] = env.at("BS_CEPH_CONF");
  extra["rbd_keyring_conf"] = env.at("BS_CEPH_KEYRING");
  return {"ceph", "rbd", "ceph", std::move(extra)};
}

}  // namespace blockstore::bench

#endif  // BLOCKSTORE_BENCH_CEPH_ENV_HPP
