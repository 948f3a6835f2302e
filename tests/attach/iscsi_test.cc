// Attach through a real tgtd (started by the suite) and a real iSCSI initiator (libiscsi):
// CHAP logins, data both ways, resize, detach under open I/O, restart recovery of exports.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <sstream>

#include "tests/attach/attach_fixture.hpp"

namespace blockstore::testing {
namespace {

using VS = VolumeStatus;

std::string Str(const std::vector<std::byte>& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// A tgtd of the test's own (scripts/tgt-aio in a temporary directory), stopped by its pid
// when the test ends, for tests that restart it: the suite's tgtd serves other tests at the
// same time.
struct PrivateTgt {
  TempDir dir;
  TgtEnv env;
  PrivateTgt() {
    auto shared = LoadTgtEnv();
    REQUIRE_MESSAGE(shared.has_value(), "BS_TGT_ENV must name the tgt-aio environment file");
    const std::string out = Shell(shared->script + " start " + dir.path());
    std::map<std::string, std::string> kv;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
      const auto eq = line.find('=');
      if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
    }
    REQUIRE_MESSAGE(!kv["TGT_CONTROL_PORT"].empty(), out);
    env.control_port = kv["TGT_CONTROL_PORT"];
    env.portal_ip = kv["TGT_PORTAL_IP"];
    env.portal_port = kv["TGT_PORTAL_PORT"];
    env.dir = dir.path();
    env.script = shared->script;
  }
  ~PrivateTgt() { Shell(env.script + " stop " + dir.path()); }
};

struct IscsiFixture {
  TgtEnv tgt;
  TempDir dir;
  std::unique_ptr<Engine> engine;
  RequestContext alice = RequestContext::User("alice");
  RequestContext admin = RequestContext::Admin();

  IscsiFixture() {
    auto env = LoadTgtEnv();
    REQUIRE_MESSAGE(env.has_value(), "BS_TGT_ENV must name the tgt-aio environment file");
    tgt = *env;
    Open();
  }
  explicit IscsiFixture(const TgtEnv& own) : tgt(own) { Open(); }
  void Open() {
    auto e = Engine::Open(AttachConfig(dir.path(), tgt));
    REQUIRE_MESSAGE(e.ok(), e.status().ToString());
    engine = std::move(e).value();
  }
  Volume Available(int64_t gb) {
    VolumeCreateRequest r;
    r.size_gb = gb;
    auto v = engine->volumes().Create(alice, r);
    REQUIRE_MESSAGE(v.ok(), v.status().ToString());
    auto done = engine->WaitForVolume(alice, v->id, {VS::kAvailable}, kWait);
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
    return *done;
  }
  Attachment Attach(const Volume& v, const char* iqn = kHostIqn) {
    AttachmentCreateRequest r;
    r.volume_id = v.id;
    r.connector = TestConnector(iqn);
    auto a = engine->attachments().Create(alice, r);
    REQUIRE_MESSAGE(a.ok(), a.status().ToString());
    auto done = engine->attachments().Complete(alice, a->id);
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
    return *done;
  }
  std::string Targets() {
    return Shell("tgtadm -C " + tgt.control_port + " --lld iscsi --mode target --op show");
  }
  std::string TargetPrefix() {
    return "iqn.2026-11.org.blockstore.test." + std::filesystem::path(dir.path()).filename().string();
  }
  std::string VolumeFile(const std::string& id) { return dir / ("volumes/volume-" + id); }
};

ConnectOptions As(const char* iqn) {
  ConnectOptions o;
  o.initiator = iqn;
  o.timeout = std::chrono::seconds(5);
  return o;
}

// The same connection info with the CHAP password replaced.
ConnectionInfo WithPassword(ConnectionInfo info, const std::string& password) {
  const std::string key = "\"auth_password\":\"";
  const auto at = info.data.find(key);
  REQUIRE(at != std::string::npos);
  const auto end = info.data.find('"', at + key.size());
  info.data.replace(at + key.size(), end - at - key.size(), password);
  return info;
}

TEST_SUITE_BEGIN("iscsi attach");

TEST_CASE("an iSCSI attach: CHAP login, data both ways, wrong credentials refused") {
  IscsiFixture f;
  const Volume v = f.Available(1);
  const Attachment a = f.Attach(v);
  REQUIRE(a.connection_info);
  const ConnectionInfo& info = *a.connection_info;
  CHECK(info.driver_volume_type == "iscsi");
  for (const char* key : {"\"target_iqn\"", "\"target_portal\"", "\"target_lun\":1",
                          "\"target_portals\"", "\"target_iqns\"", "\"target_luns\"",
                          "\"auth_method\":\"CHAP\"", "\"auth_username\"", "\"auth_password\"",
                          "\"discard\":true", "\"access_mode\":\"rw\"", "\"target_discovered\":false"}) {
    CHECK_MESSAGE(info.data.find(key) != std::string::npos, key);
  }
  CHECK(info.data.find(f.TargetPrefix() + ":volume-" + v.id) != std::string::npos);
  CHECK(f.engine->volumes().Get(f.alice, v.id)->status == VS::kInUse);

  auto dev = ConnectVolume(info, As(kHostIqn));
  BS_REQUIRE_OK(dev);
  CHECK((*dev)->SizeBytes() == kGiB);
  // Host → volume file.
  const auto data = Pattern(8 << 20, 21);
  BS_REQUIRE_OK((*dev)->WriteAt(16 << 20, data));
  BS_REQUIRE_OK((*dev)->Flush());
  CHECK(ReadRange(f.VolumeFile(v.id), 16 << 20, data.size()) == Str(data));
  // Volume file → host, including a range that does not start on a block.
  WritePattern(f.VolumeFile(v.id), (64 << 20) + 100, 3 << 20, 5);
  std::vector<std::byte> back(3 << 20);
  auto n = (*dev)->ReadAt((64 << 20) + 100, back);
  BS_REQUIRE_OK(n);
  CHECK(*n == back.size());
  CHECK(Str(back) == ReadRange(f.VolumeFile(v.id), (64 << 20) + 100, 3 << 20));
  // An unaligned write lands exactly where asked.
  const auto small = Pattern(777, 9);
  BS_REQUIRE_OK((*dev)->WriteAt(1000, small));
  CHECK(ReadRange(f.VolumeFile(v.id), 1000, small.size()) == Str(small));

  // Wrong password, and a host the target does not admit: refused.
  BS_CHECK_CODE(ConnectVolume(WithPassword(info, "WrongPassword123"), As(kHostIqn)),
                Code::kPermissionDenied);
  BS_CHECK_CODE(ConnectVolume(info, As(kOtherIqn)), Code::kPermissionDenied);
  // The secret is nowhere in the target's listing of the volume's account.
  const std::string pw_key = "\"auth_password\":\"";
  const auto at = info.data.find(pw_key) + pw_key.size();
  const std::string password = info.data.substr(at, info.data.find('"', at) - at);
  CHECK(password.size() == 16);
  CHECK(f.Targets().find(password) == std::string::npos);
}

TEST_CASE("extend of an attached volume: the host sees the new size after reconnecting") {
  IscsiFixture f;
  const Volume v = f.Available(1);
  const Attachment a = f.Attach(v);
  BS_REQUIRE_OK(f.engine->volumes().Extend(f.alice, v.id, 2));
  auto grown = f.engine->WaitForVolume(f.alice, v.id, {VS::kInUse}, kWait);
  BS_REQUIRE_OK(grown);
  CHECK(grown->size_gb == 2);
  auto dev = ConnectVolume(*a.connection_info, As(kHostIqn));
  BS_REQUIRE_OK(dev);
  CHECK((*dev)->SizeBytes() == 2 * kGiB);
}

TEST_CASE("detach while a host has the volume open: the export goes, the host's I/O fails cleanly") {
  IscsiFixture f;
  const Volume v = f.Available(1);
  const Attachment a = f.Attach(v);
  auto dev = ConnectVolume(*a.connection_info, As(kHostIqn));
  BS_REQUIRE_OK(dev);
  const auto data = Pattern(1 << 20, 2);
  BS_REQUIRE_OK((*dev)->WriteAt(0, data));
  CHECK(f.Targets().find(v.id) != std::string::npos);
  BS_REQUIRE_OK(f.engine->attachments().Delete(f.alice, a.id));
  CHECK(f.Targets().find(v.id) == std::string::npos);
  CHECK(f.engine->volumes().Get(f.alice, v.id)->status == VS::kAvailable);
  std::vector<std::byte> back(1 << 20);
  auto r = (*dev)->ReadAt(0, back);
  CHECK_FALSE(r.ok());
  BS_CHECK_CODE((*dev)->WriteAt(0, data), Code::kUnavailable);
  // What the host wrote before the detach is in the volume.
  CHECK(ReadRange(f.VolumeFile(v.id), 0, data.size()) == Str(data));
  // The target is gone: tgt refuses the login or drops the connection.
  const Code code = CodeOf(ConnectVolume(*a.connection_info, As(kHostIqn)));
  CHECK((code == Code::kPermissionDenied || code == Code::kUnavailable));
}

TEST_CASE("two hosts on a multiattach volume: detaching one keeps the other's access") {
  IscsiFixture f;
  auto t = f.engine->types().Create(f.admin, {"shared", "", true, {{"multiattach", "<is> True"}}});
  BS_REQUIRE_OK(t);
  VolumeCreateRequest r;
  r.size_gb = 1;
  r.volume_type = t->id;
  auto created = f.engine->volumes().Create(f.alice, r);
  BS_REQUIRE_OK(created);
  auto v = f.engine->WaitForVolume(f.alice, created->id, {VS::kAvailable}, kWait);
  BS_REQUIRE_OK(v);
  const Attachment one = f.Attach(*v, kHostIqn);
  const Attachment two = f.Attach(*v, kOtherIqn);
  BS_REQUIRE_OK(f.engine->attachments().Delete(f.alice, one.id));
  // The first host is off the target's list; the second still gets in.
  BS_CHECK_CODE(ConnectVolume(*one.connection_info, As(kHostIqn)), Code::kPermissionDenied);
  auto dev = ConnectVolume(*two.connection_info, As(kOtherIqn));
  BS_CHECK_OK(dev);
}

TEST_CASE("a restart brings back the exports of attached volumes and drops the others") {
  PrivateTgt own;
  IscsiFixture f(own.env);
  const Volume v = f.Available(1);
  const Attachment a = f.Attach(v);
  const auto data = Pattern(1 << 20, 4);
  {
    auto dev = ConnectVolume(*a.connection_info, As(kHostIqn));
    BS_REQUIRE_OK(dev);
    BS_REQUIRE_OK((*dev)->WriteAt(0, data));
  }
  // The engine goes away with the volume attached, and so does the target host's tgtd: its
  // exports are gone. A stray target of this backend (a volume detached meanwhile) is left.
  f.engine.reset();
  REQUIRE(!f.tgt.script.empty());
  const std::string restarted = Shell(f.tgt.script + " restart " + f.tgt.dir);
  REQUIRE(restarted.find("TGT_CONTROL_PORT=" + f.tgt.control_port) != std::string::npos);
  CHECK(f.Targets().find(v.id) == std::string::npos);
  const std::string stray = f.TargetPrefix() + ":volume-00000000-0000-0000-0000-0000000000aa";
  Shell("tgtadm -C " + f.tgt.control_port + " --lld iscsi --mode target --op new --tid 77 "
        "--targetname " + stray);
  REQUIRE(f.Targets().find(stray) != std::string::npos);

  // A host the volume no longer has an attachment for is on its ACL too (it was detached
  // while the engine was down): the restart takes it off.
  Shell("tgtadm -C " + f.tgt.control_port + " --lld iscsi --mode target --op new --tid 78 "
        "--targetname " + f.TargetPrefix() + ":volume-" + v.id);
  Shell("tgtadm -C " + f.tgt.control_port + " --lld iscsi --mode target --op bind --tid 78 "
        "--initiator-name " + kOtherIqn);
  REQUIRE(f.Targets().find(kOtherIqn) != std::string::npos);

  f.Open();
  CHECK(f.engine->recovery().backends.begin()->second.exports_restored == 1);
  CHECK(f.Targets().find(stray) == std::string::npos);
  CHECK(f.Targets().find(kOtherIqn) == std::string::npos);
  BS_CHECK_CODE(ConnectVolume(*a.connection_info, As(kOtherIqn)), Code::kPermissionDenied);
  // The host reconnects with the credentials it already had.
  auto dev = ConnectVolume(*a.connection_info, As(kHostIqn));
  BS_REQUIRE_OK(dev);
  std::vector<std::byte> back(data.size());
  BS_REQUIRE_OK((*dev)->ReadAt(0, back));
  CHECK(back == data);
  CHECK(f.engine->volumes().Get(f.alice, v.id)->status == VS::kInUse);
}

TEST_CASE("a restart admits a host connected through the legacy actions again") {
  PrivateTgt own;
  IscsiFixture f(own.env);
  const Volume v = f.Available(1);
  BS_REQUIRE_OK(f.engine->attachments().Reserve(f.alice, v.id));
  auto info = f.engine->attachments().InitializeConnection(f.alice, v.id, TestConnector(kHostIqn));
  BS_REQUIRE_OK(info);
  LegacyAttachRequest r;
  r.host_name = "host-a";
  r.mountpoint = "/dev/vdb";
  BS_REQUIRE_OK(f.engine->attachments().Attach(f.alice, v.id, r));
  const auto data = Pattern(1 << 20, 8);
  {
    auto dev = ConnectVolume(*info, As(kHostIqn));
    BS_REQUIRE_OK(dev);
    BS_REQUIRE_OK((*dev)->WriteAt(0, data));
  }
  // Engine and tgtd go away; the next engine exports the volume again, to that host only.
  f.engine.reset();
  REQUIRE(Shell(f.tgt.script + " restart " + f.tgt.dir).find("TGT_CONTROL_PORT") != std::string::npos);
  CHECK(f.Targets().find(v.id) == std::string::npos);
  f.Open();
  CHECK(f.engine->recovery().backends.begin()->second.exports_restored == 1);
  BS_CHECK_CODE(ConnectVolume(*info, As(kOtherIqn)), Code::kPermissionDenied);
  {
    auto dev = ConnectVolume(*info, As(kHostIqn));
    BS_REQUIRE_OK(dev);
    std::vector<std::byte> back(data.size());
    BS_REQUIRE_OK((*dev)->ReadAt(0, back));
    CHECK(back == data);
  }
  // Detached the legacy way, the export goes and a further restart brings nothing back.
  BS_REQUIRE_OK(f.engine->attachments().BeginDetaching(f.alice, v.id));
  BS_REQUIRE_OK(f.engine->attachments().TerminateConnection(f.alice, v.id, TestConnector(kHostIqn)));
  auto detached = f.engine->attachments().Detach(f.alice, v.id);
  BS_REQUIRE_OK(detached);
  CHECK(detached->status == VS::kAvailable);
  CHECK(f.Targets().find(v.id) == std::string::npos);
  f.engine.reset();
  f.Open();
  CHECK(f.engine->recovery().backends.begin()->second.exports_restored == 0);
  CHECK(f.Targets().find(v.id) == std::string::npos);
}

TEST_CASE("an engine killed with SIGKILL while a volume is attached: the next one exports it again") {
  PrivateTgt own;
  TempDir dir;
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The engine that crashes: it attaches a volume, says how to reach it, and waits.
    ::close(pipe_fds[0]);
    auto e = Engine::Open(AttachConfig(dir.path(), own.env));
    if (!e.ok()) _exit(2);
    const auto alice = RequestContext::User("alice");
    VolumeCreateRequest r;
    r.size_gb = 1;
    auto v = (*e)->volumes().Create(alice, r);
    if (!v.ok() || !(*e)->WaitForVolume(alice, v->id, {VS::kAvailable}, kWait).ok()) _exit(3);
    AttachmentCreateRequest a;
    a.volume_id = v->id;
    a.connector = TestConnector();
    auto att = (*e)->attachments().Create(alice, a);
    if (!att.ok() || !(*e)->attachments().Complete(alice, att->id).ok()) _exit(4);
    const std::string line = v->id + "\n" + ConnectionInfoToJson(*att->connection_info) + "\n";
    if (::write(pipe_fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(5);
    while (true) ::pause();
  }
  ::close(pipe_fds[1]);
  std::string got;
  char buf[4096];
  ssize_t n;
  while (std::count(got.begin(), got.end(), '\n') < 2 && (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0) {
    got.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  const std::string child_said = "the child engine failed: " + got;
  REQUIRE_MESSAGE(std::count(got.begin(), got.end(), '\n') == 2, child_said);
  const std::string volume_id = got.substr(0, got.find('\n'));
  auto info = ParseConnectionInfo(got.substr(got.find('\n') + 1, got.rfind('\n') - got.find('\n') - 1));
  BS_REQUIRE_OK(info);
  // The target host went down with it.
  REQUIRE(Shell(own.env.script + " restart " + own.env.dir).find("TGT_CONTROL_PORT") != std::string::npos);
  const Code before = CodeOf(ConnectVolume(*info, As(kHostIqn)));
  CHECK((before == Code::kUnavailable || before == Code::kPermissionDenied));

  auto e = Engine::Open(AttachConfig(dir.path(), own.env));
  BS_REQUIRE_OK(e);
  CHECK((*e)->recovery().backends.begin()->second.exports_restored == 1);
  auto dev = ConnectVolume(*info, As(kHostIqn));
  BS_REQUIRE_OK(dev);
  const auto data = Pattern(1 << 20, 8);
  BS_REQUIRE_OK((*dev)->WriteAt(0, data));
  CHECK(ReadRange(dir / ("volumes/volume-" + volume_id), 0, data.size()) == Str(data));
  CHECK((*e)->volumes().Get(RequestContext::User("alice"), volume_id)->status == VS::kInUse);
}

}  // namespace
}  // namespace blockstore::testing

TEST_SUITE_END();
