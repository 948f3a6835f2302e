#include "drivers/volume/tgt/tgt_admin.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <sstream>
#include <thread>

extern char** environ;

namespace blockstore::tgt {
namespace {

constexpr auto kCommandTimeout = std::chrono::seconds(30);

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

// Runs argv, collecting stdout and stderr together. The exit status, or -1 when it could not
// run or ran too long (it is then killed).
int Spawn(const std::vector<std::string>& argv, std::string& output) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    output = std::string("cannot run ") + argv[0] + ": " + std::strerror(rc);
    return -1;
  }
  const auto deadline = std::chrono::steady_clock::now() + kCommandTimeout;
  char buf[4096];
  bool timed_out = false;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      timed_out = n == 0;
      break;
    }
    const ssize_t got = ::read(fds[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    output.append(buf, static_cast<std::size_t>(got));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    output = std::string(argv[0]) + " did not finish in time";
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<TargetState> ParseShow(const std::string& text) {
  std::vector<TargetState> out;
  std::istringstream in(text);
  std::string line;
  enum class Section { kOther, kLun, kAccounts, kAcl } section = Section::kOther;
  int lun = -1;
  while (std::getline(in, line)) {
    if (line.starts_with("Target ")) {
      TargetState t;
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      t.tid = std::atoi(line.substr(7, colon - 7).c_str());
      t.name = Trim(line.substr(colon + 1));
      out.push_back(std::move(t));
      section = Section::kOther;
      continue;
    }
    if (out.empty()) continue;
    auto& t = out.back();
    const std::string body = Trim(line);
    const std::size_t indent = line.find_first_not_of(' ');
    if (indent == 4) {
      if (body == "LUN information:") section = Section::kLun;
      else if (body == "Account information:") section = Section::kAccounts;
      else if (body == "ACL information:") section = Section::kAcl;
      else section = Section::kOther;
      continue;
    }
    switch (section) {
      case Section::kLun:
        if (body.starts_with("LUN: ")) lun = std::atoi(body.c_str() + 5);
        else if (lun == 1 && body.starts_with("Backing store path: ")) t.backing_path = body.substr(20);
        break;
      case Section::kAccounts:
        if (!body.empty()) t.accounts.push_back(body.substr(0, body.find(' ')));
        break;
      case Section::kAcl:
        if (!body.empty()) t.acl.push_back(body);
        break;
      case Section::kOther:
        break;
    }
  }
  return out;
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

Result<Chap> NewChap() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  auto draw = [](std::size_t n) -> Result<std::string> {
    std::string out;
    while (out.size() < n) {
      unsigned char buf[32];
      if (RAND_bytes(buf, sizeof buf) != 1) return Internal("the random generator failed");
      for (unsigned char b : buf) {
        if (b >= 248) continue;  // 248 = 4 × 62: keeps every character equally likely
        if (out.size() < n) out.push_back(kAlphabet[b % 62]);
      }
    }
    return out;
  };
  Chap c;
  auto user = draw(20);
  if (!user.ok()) return user.status();
  auto password = draw(16);
  if (!password.ok()) return password.status();
  c.user = *user;
  c.password = *password;
  return c;
}

Result<std::unique_ptr<TgtAdmin>> TgtAdmin::Open(TgtOptions options) {
  if (options.control_port <= 0 || options.control_port > 65535) {
    return InvalidArgument("tgt: a control port (1..65535) is required");
  }
  if (options.portal_port <= 0 || options.portal_port > 65535) {
    return InvalidArgument("tgt: the portal port must be 1..65535");
  }
  std::unique_ptr<TgtAdmin> admin(new TgtAdmin(std::move(options)));
  if (Status s = admin->Connect(); !s.ok()) return s;
  return admin;
}

TgtAdmin::~TgtAdmin() {
  if (managed_pid_ <= 0) return;
  ::kill(managed_pid_, SIGTERM);
  int status = 0;
  // tgtd keeps serving on SIGTERM while it has targets; it holds nothing worth a wait.
  for (int i = 0; i < 10; ++i) {
    if (::waitpid(managed_pid_, &status, WNOHANG) == managed_pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(managed_pid_, SIGKILL);
  ::waitpid(managed_pid_, &status, 0);
}

std::string TgtAdmin::TargetName(const std::string& volume_id) const {
  return o_.iqn_prefix + ":volume-" + volume_id;
}

std::string TgtAdmin::Portal() const {
  const bool v6 = o_.portal_ip.find(':') != std::string::npos;
  return (v6 ? "[" + o_.portal_ip + "]" : o_.portal_ip) + ":" + std::to_string(o_.portal_port);
}

Result<std::string> TgtAdmin::Run(const std::vector<std::string>& args, const std::string& what) {
  std::vector<std::string> argv = {"tgtadm", "-C", std::to_string(o_.control_port), "--lld",
                                   "iscsi"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string output;
  const int rc = Spawn(argv, output);
  if (rc != 0) {
    std::string first = Trim(output.substr(0, output.find('\n')));
    return Unavailable("tgt: " + what + " failed" +
                       (rc > 0 ? " (tgtadm exit " + std::to_string(rc) + ")" : "") +
                       (first.empty() ? "" : ": " + first));
  }
  return output;
}

Status TgtAdmin::Connect() {
  auto up = Run({"--mode", "target", "--op", "show"}, "reaching tgtd");
  if (up.ok()) return Status::Ok();
  if (!o_.manage) {
    return Unavailable("tgt: no tgtd answers on control port " + std::to_string(o_.control_port) +
                       " (start one with: tgtd -C " + std::to_string(o_.control_port) +
                       " --iscsi portal=" + Portal() + ", or set tgt_manage = true)");
  }
  ::mkdir("/run/tgtd", 0755);
  const std::string dir = o_.state_dir.empty() ? "/tmp" : o_.state_dir;
  const std::string log = dir + "/tgtd-" + std::to_string(o_.control_port) + ".log";
  std::vector<std::string> argv = {"tgtd", "-f", "-C", std::to_string(o_.control_port),
                                   "--iscsi", "portal=" + Portal()};
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own session: tgtd's signals never reach the host process's group.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, "tgtd", &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Unavailable(std::string("tgt: cannot start tgtd: ") + std::strerror(rc));
  managed_pid_ = pid;
  for (int i = 0; i < 100; ++i) {
    if (Run({"--mode", "target", "--op", "show"}, "reaching tgtd").ok()) return Status::Ok();
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      managed_pid_ = -1;
      return Unavailable("tgt: tgtd exited at start; see " + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Unavailable("tgt: tgtd did not answer within 5 s; see " + log);
}

Result<std::vector<TargetState>> TgtAdmin::ListLocked() {
  auto text = Run({"--mode", "target", "--op", "show"}, "listing targets");
  if (!text.ok()) return text.status();
  return ParseShow(*text);
}

Result<std::vector<TargetState>> TgtAdmin::List() {
  std::lock_guard lock(mu_);
  auto all = ListLocked();
  if (!all.ok()) return all.status();
  std::vector<TargetState> out;
  for (auto& t : *all) {
    if (t.name.starts_with(o_.iqn_prefix + ":volume-")) out.push_back(std::move(t));
  }
  return out;
}

Result<int> TgtAdmin::Export(const std::string& volume_id, const std::string& path,
                             const Chap& chap, const std::string& initiator) {
  std::lock_guard lock(mu_);
  auto all = ListLocked();
  if (!all.ok()) return all.status();
  const std::string name = TargetName(volume_id);
  const TargetState* found = nullptr;
  int max_tid = 0;
  for (const auto& t : *all) {
    max_tid = std::max(max_tid, t.tid);
    if (t.name == name) found = &t;
  }
  TargetState t;
  bool created = false;
  if (found) {
    t = *found;
  } else {
    t.tid = max_tid + 1;
    t.name = name;
    const std::string tid = std::to_string(t.tid);
    auto made = Run({"--mode", "target", "--op", "new", "--tid", tid, "--targetname", name},
                    "creating target for volume " + volume_id);
    if (!made.ok()) return made.status();
    created = true;
  }
  const std::string tid = std::to_string(t.tid);
  auto undo = [&](Status s) -> Result<int> {
    if (created) (void)Run({"--mode", "target", "--op", "delete", "--force", "--tid", tid}, "undo");
    return s;
  };
  if (t.backing_path.empty()) {
    auto lun = Run({"--mode", "logicalunit", "--op", "new", "--tid", tid, "--lun", "1",
                    "--backing-store", path},
                   "adding the LUN of volume " + volume_id);
    if (!lun.ok()) return undo(lun.status());
    // UNMAP punches holes in the file: a host's discard keeps the volume thin.
    auto thin = Run({"--mode", "logicalunit", "--op", "update", "--tid", tid, "--lun", "1",
                     "--params", "thin_provisioning=1"},
                    "enabling discard on volume " + volume_id);
    if (!thin.ok()) return undo(thin.status());
  }
  if (!Contains(t.accounts, chap.user)) {
    auto accounts = Run({"--mode", "account", "--op", "show"}, "listing CHAP accounts");
    if (!accounts.ok()) return undo(accounts.status());
    if (accounts->find("    " + chap.user + "\n") == std::string::npos) {
      auto acc = Run({"--mode", "account", "--op", "new", "--user", chap.user, "--password",
                      chap.password},
                     "creating the CHAP account of volume " + volume_id);
      if (!acc.ok()) return undo(acc.status());
    }
    auto bind = Run({"--mode", "account", "--op", "bind", "--tid", tid, "--user", chap.user},
                    "binding the CHAP account of volume " + volume_id);
    if (!bind.ok()) return undo(bind.status());
  }
  if (!initiator.empty() && !Contains(t.acl, initiator)) {
    auto acl = Run({"--mode", "target", "--op", "bind", "--tid", tid, "--initiator-name",
                    initiator},
                   "letting " + initiator + " reach volume " + volume_id);
    if (!acl.ok()) return undo(acl.status());
  }
  return t.tid;
}

Status TgtAdmin::Revoke(const std::string& volume_id, const std::string& initiator) {
  std::lock_guard lock(mu_);
  auto all = ListLocked();
  if (!all.ok()) return all.status();
  for (const auto& t : *all) {
    if (t.name != TargetName(volume_id) || !Contains(t.acl, initiator)) continue;
    return Run({"--mode", "target", "--op", "unbind", "--tid", std::to_string(t.tid),
                "--initiator-name", initiator},
               "revoking " + initiator + " from volume " + volume_id)
        .status();
  }
  return Status::Ok();
}

Status TgtAdmin::Remove(const std::string& volume_id) {
  std::lock_guard lock(mu_);
  auto all = ListLocked();
  if (!all.ok()) return all.status();
  for (const auto& t : *all) {
    if (t.name != TargetName(volume_id)) continue;
    auto del = Run({"--mode", "target", "--op", "delete", "--force", "--tid",
                    std::to_string(t.tid)},
                   "removing the target of volume " + volume_id);
    if (!del.ok()) return del.status();
    for (const auto& user : t.accounts) {
      auto acc = Run({"--mode", "account", "--op", "delete", "--user", user},
                     "removing the CHAP account of volume " + volume_id);
      if (!acc.ok()) return acc.status();
    }
  }
  return Status::Ok();
}

Status TgtAdmin::Refresh(const std::string& volume_id) {
  std::lock_guard lock(mu_);
  auto all = ListLocked();
  if (!all.ok()) return all.status();
  for (const auto& t : *all) {
    if (t.name != TargetName(volume_id) || t.backing_path.empty()) continue;
    const std::string tid = std::to_string(t.tid);
    auto del = Run({"--mode", "logicalunit", "--op", "delete", "--tid", tid, "--lun", "1"},
                   "detaching the LUN of volume " + volume_id);
    if (!del.ok()) return del.status();
    auto add = Run({"--mode", "logicalunit", "--op", "new", "--tid", tid, "--lun", "1",
                    "--backing-store", t.backing_path},
                   "re-adding the LUN of volume " + volume_id);
    if (!add.ok()) return add.status();
    return Run({"--mode", "logicalunit", "--op", "update", "--tid", tid, "--lun", "1",
                "--params", "thin_provisioning=1"},
               "enabling discard on volume " + volume_id)
        .status();
  }
  return Status::Ok();
}

}  // namespace blockstore::tgt
