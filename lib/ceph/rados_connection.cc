#include "lib/ceph/rados_connection.hpp"

#include <chrono>
#include <map>
#include <mutex>

#include "lib/ceph/rbd_api.hpp"
#include "lib/ceph/rbd_image.hpp"
#include "lib/core/macros.hpp"

namespace blockstore::ceph {

RadosConnection::~RadosConnection() {
  if (io_) Ceph().rados_ioctx_destroy(io_);
  if (cluster_) Ceph().rados_shutdown(cluster_);
}

Result<std::shared_ptr<RadosConnection>> RadosConnection::Open(const ConnectionOptions& o) {
  BS_RETURN_IF_ERROR(LoadRbdApi().status());
  std::shared_ptr<RadosConnection> c(new RadosConnection());
  const std::string name = "client." + (o.user.empty() ? std::string("admin") : o.user);
  const std::string prefix = o.what.empty() ? std::string() : o.what + ": ";
  if (int rc = Ceph().rados_create2(&c->cluster_, o.cluster.c_str(), name.c_str(), 0); rc < 0) {
    c->cluster_ = nullptr;
    return RbdError(prefix + "creating a RADOS handle for " + name, rc);
  }
  auto set = [&](const char* key, const std::string& value) -> Status {
    if (int rc = Ceph().rados_conf_set(c->cluster_, key, value.c_str()); rc < 0) {
      return RbdError(prefix + "setting " + key, rc);
    }
    return Status::Ok();
  };
  if (!o.conf_file.empty()) {
    if (int rc = Ceph().rados_conf_read_file(c->cluster_, o.conf_file.c_str()); rc < 0) {
      return RbdError(prefix + "reading " + o.conf_file, rc);
    }
  } else if (o.key.empty() && o.keyring_file.empty()) {
    // Nothing given: the host's own configuration (CEPH_CONF, /etc/ceph/<cluster>.conf, …), if
    // it has one.
    (void)Ceph().rados_conf_read_file(c->cluster_, nullptr);
  }
  if (!o.keyring_file.empty()) BS_RETURN_IF_ERROR(set("keyring", o.keyring_file));
  if (!o.key.empty()) BS_RETURN_IF_ERROR(set("key", o.key));
  if (!o.mon_host.empty()) BS_RETURN_IF_ERROR(set("mon_host", o.mon_host));
  if (!o.cephx) BS_RETURN_IF_ERROR(set("auth_client_required", "none"));
  const std::string timeout = std::to_string(o.timeout_s);
  for (const char* key : {"client_mount_timeout", "rados_mon_op_timeout", "rados_osd_op_timeout"}) {
    BS_RETURN_IF_ERROR(set(key, timeout));
  }
  if (int rc = Ceph().rados_connect(c->cluster_); rc < 0) {
    return RbdError(prefix + "connecting to the cluster as " + name, rc);
  }
  if (int rc = Ceph().rados_ioctx_create(c->cluster_, o.pool.c_str(), &c->io_); rc < 0) {
    c->io_ = nullptr;
    return RbdError(prefix + "opening pool '" + o.pool + "'", rc);
  }
  return c;
}

namespace {

struct Pooled {
  std::shared_ptr<RadosConnection> connection;
  std::chrono::steady_clock::time_point last_used;
};

std::string KeyOf(const ConnectionOptions& o) {
  std::string k;
  for (const std::string* f : {&o.cluster, &o.user, &o.conf_file, &o.keyring_file, &o.key, &o.mon_host, &o.pool}) {
    k += std::to_string(f->size()) + ":" + *f + ";";
  }
  return k + std::to_string(o.timeout_s) + (o.cephx ? "x" : "-");
}

}  // namespace

Result<std::shared_ptr<RadosConnection>> RadosConnection::Shared(const ConnectionOptions& o) {
  constexpr auto kLinger = std::chrono::seconds(60);
  // Never destroyed: connections still pooled at exit go with the process, not through
  // librados's shutdown during static destruction.
  static auto* mu = new std::mutex;
  static auto* pool = new std::map<std::string, Pooled>;
  const std::string key = KeyOf(o);
  const auto now = std::chrono::steady_clock::now();
  std::unique_lock lock(*mu);
  for (auto it = pool->begin(); it != pool->end();) {
    const bool idle = it->second.connection.use_count() == 1 && now - it->second.last_used > kLinger;
    it = idle ? pool->erase(it) : std::next(it);
  }
  if (auto it = pool->find(key); it != pool->end()) {
    it->second.last_used = now;
    return it->second.connection;
  }
  lock.unlock();  // connecting takes a while; another thread may connect meanwhile
  BS_ASSIGN_OR_RETURN(auto made, Open(o));
  lock.lock();
  auto [it, added] = pool->try_emplace(key, Pooled{made, now});
  it->second.last_used = now;
  return it->second.connection;
}

std::string RadosConnection::MonHost() const {
  char buf[1024] = {};
  if (Ceph().rados_conf_get(cluster_, "mon_host", buf, sizeof buf - 1) != 0) return {};
  return buf;
}

void MonitorAddresses(const std::string& mon_host, std::vector<std::string>& hosts,
                      std::vector<std::string>& ports) {
  std::string item;
  auto flush = [&] {
    std::string a = item;
    item.clear();
    if (a.empty() || a.starts_with("v2:")) return;
    if (a.starts_with("v1:")) a = a.substr(3);
    if (auto slash = a.find('/'); slash != std::string::npos) a = a.substr(0, slash);  // nonce
    const auto colon = a.rfind(':');
    hosts.push_back(colon == std::string::npos ? a : a.substr(0, colon));
    ports.push_back(colon == std::string::npos ? "6789" : a.substr(colon + 1));
  };
  for (char ch : mon_host) {
    if (ch == '[' || ch == ']' || ch == ' ') continue;
    if (ch == ',' || ch == ';') {
      flush();
    } else {
      item += ch;
    }
  }
  flush();
}

}  // namespace blockstore::ceph
