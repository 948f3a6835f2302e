// TgtAdmin: exports files as iSCSI LUNs on a tgtd, driven through tgtadm.
//
// One target per volume ("<iqn_prefix>:volume-<id>", LUN 1), guarded by a per-volume CHAP
// account and by an initiator-name ACL per connected host. The tgtd is reached on its own
// control port (its socket /run/tgtd/socket.<port>), so several can run side by side; with
// `manage`, a tgtd that is not running is started (in its own session) and stopped with this
// object. Secrets go to tgtadm only: no message this class returns contains one.
//
// Thread-safety: every method may be called from any thread; calls are serialized.
#ifndef BLOCKSTORE_DRIVERS_VOLUME_TGT_TGT_ADMIN_HPP
#define BLOCKSTORE_DRIVERS_VOLUME_TGT_TGT_ADMIN_HPP

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "blockstore/result.hpp"

namespace blockstore::tgt {

struct TgtOptions {
  int control_port = 0;                 // tgtd -C <port>; required
  std::string portal_ip = "127.0.0.1";  // where initiators connect
  int portal_port = 3260;
  std::string iqn_prefix = "iqn.2010-10.org.blockstore";
  bool manage = false;                  // start tgtd when it is not running; stop it at the end
  std::string state_dir;                // where a managed tgtd logs; Default: /tmp
};

// A target as tgtd reports it.
struct TargetState {
  int tid = 0;
  std::string name;
  std::string backing_path;        // LUN 1's; empty when it has none
  std::vector<std::string> accounts;
  std::vector<std::string> acl;    // initiator names and addresses
};

struct Chap {
  std::string user;
  std::string password;
};

class TgtAdmin {
 public:
  // Checks tgtd answers on the control port (starting it first when managed and not running).
  static Result<std::unique_ptr<TgtAdmin>> Open(TgtOptions options);
  ~TgtAdmin();
  TgtAdmin(const TgtAdmin&) = delete;
  TgtAdmin& operator=(const TgtAdmin&) = delete;

  const TgtOptions& options() const { return o_; }
  std::string TargetName(const std::string& volume_id) const;
  std::string Portal() const;

  // Makes the volume's target exist with `path` as LUN 1 and `chap` as its only account, and
  // lets `initiator` in (when not empty). Idempotent. The LUN's tid.
  Result<int> Export(const std::string& volume_id, const std::string& path, const Chap& chap,
                     const std::string& initiator);
  // Takes `initiator` off the volume's ACL. Idempotent.
  Status Revoke(const std::string& volume_id, const std::string& initiator);
  // Removes the volume's target and its CHAP account. Idempotent.
  Status Remove(const std::string& volume_id);
  // Deletes and re-adds LUN 1 so initiators see a new size (tgt has no online resize). OK when
  // the volume is not exported.
  Status Refresh(const std::string& volume_id);
  // The targets whose names start with the prefix (this driver's).
  Result<std::vector<TargetState>> List();

 private:
  explicit TgtAdmin(TgtOptions o) : o_(std::move(o)) {}
  Status Connect();
  Result<std::vector<TargetState>> ListLocked();
  Result<std::string> Run(const std::vector<std::string>& args, const std::string& what);

  TgtOptions o_;
  pid_t managed_pid_ = -1;
  std::mutex mu_;
};

// Random CHAP credentials from OpenSSL's RNG: a 20-character user and a 16-character secret
// (12..16 characters is what every initiator accepts).
Result<Chap> NewChap();

}  // namespace blockstore::tgt

#endif  // BLOCKSTORE_DRIVERS_VOLUME_TGT_TGT_ADMIN_HPP
