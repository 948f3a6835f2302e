// blockstore in C++: a host attaches a volume, uses it, and detaches it — the attach workflow
// end to end. The host describes itself with a connector; the volume's backend exports the
// volume for it (an iSCSI LUN with CHAP, or the file itself); the host opens what it was given
// and really reads and writes it.
//
//   attach_host [--iscsi] [STATE_DIR]   (default: a new directory under /tmp)
//
// --iscsi exports through a tgtd the file backend starts itself (tgt_manage) on free ports;
// it needs Debian's tgt package and root.
#include <blockstore/connector.hpp>
#include <blockstore/engine.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace blockstore;

namespace {

int Die(const char* step, const Status& s) {
  std::fprintf(stderr, "attach_host: %s: %s\n", step, s.ToString().c_str());
  return 1;
}

// A TCP port nobody listens on now.
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    std::exit(1);
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

// A tgtd control port whose socket nobody uses.
int FreeControlPort() {
  for (int p = 1000 + static_cast<int>(::getpid() % 20000);; ++p) {
    struct stat st {};
    if (::stat(("/run/tgtd/socket." + std::to_string(p)).c_str(), &st) != 0) return p;
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool iscsi = false;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--iscsi") == 0) iscsi = true;
    else dir = argv[i];
  }
  if (dir.empty()) {
    char tmpl[] = "/tmp/blockstore-attach-XXXXXX";
    if (!mkdtemp(tmpl)) return 1;
    dir = tmpl;
  }
  EngineConfig config;
  config.state_path = dir;
  BackendConfig file;
  file.name = "file";
  file.driver = "file";
  file.options["volumes_dir"] = dir + "/volumes";
  if (iscsi) {
    file.options["target_protocol"] = "iscsi";
    file.options["tgt_manage"] = "true";
    file.options["tgt_control_port"] = std::to_string(FreeControlPort());
    file.options["target_port"] = std::to_string(FreePort());
  }
  config.backends.push_back(file);
  auto engine = Engine::Open(config);
  if (!engine.ok()) return Die("opening the engine", engine.status());
  Engine& eng = **engine;
  const RequestContext me = RequestContext::User("demo");

  // 1. The volume to attach.
  VolumeCreateRequest create;
  create.size_gb = 1;
  create.name = "attach-demo";
  auto vol = eng.volumes().Create(me, create);
  if (!vol.ok()) return Die("creating the volume", vol.status());
  auto ready = (*engine)->WaitForVolume(me, vol->id, {VolumeStatus::kAvailable}, std::chrono::seconds(10));
  if (!ready.ok()) return Die("waiting for the volume", ready.status());
  std::printf("volume     %s  %s\n", ready->id.c_str(), std::string(ToString(ready->status)).c_str());

  // 2. This host describes itself; the backend exports the volume for it.
  const Connector host = HostConnector("127.0.0.1");
  std::printf("connector  host=%s initiator=%s\n", host.host.c_str(), host.initiator.c_str());
  AttachmentCreateRequest attach;
  attach.volume_id = vol->id;
  attach.connector = host;
  auto attachment = eng.attachments().Create(me, attach);
  if (!attachment.ok()) return Die("attaching", attachment.status());
  const ConnectionInfo& info = *attachment->connection_info;
  std::printf("attachment %s  %s, connection %s\n", attachment->id.c_str(),
              std::string(ToString(attachment->attach_status)).c_str(),
              info.driver_volume_type.c_str());

  // 3. The host connects with what it was given, and uses the volume.
  ConnectOptions options;
  options.initiator = host.initiator;
  auto device = ConnectVolume(info, options);
  if (!device.ok()) return Die("connecting", device.status());
  auto done = eng.attachments().Complete(me, attachment->id);
  if (!done.ok()) return Die("completing the attachment", done.status());
  std::printf("volume     %s  %s (%llu bytes seen by the host)\n", vol->id.c_str(),
              std::string(ToString(eng.volumes().Get(me, vol->id)->status)).c_str(),
              static_cast<unsigned long long>((*device)->SizeBytes()));
  std::vector<std::byte> wrote(4 << 20), got(4 << 20);
  for (std::size_t i = 0; i < wrote.size(); ++i) wrote[i] = static_cast<std::byte>(i * 31 + 7);
  if (Status s = (*device)->WriteAt(1 << 20, wrote); !s.ok()) return Die("writing", s);
  if (Status s = (*device)->Flush(); !s.ok()) return Die("flushing", s);
  auto n = (*device)->ReadAt(1 << 20, got);
  if (!n.ok()) return Die("reading", n.status());
  if (*n != got.size() || got != wrote) return Die("reading", DataLoss("read back other bytes"));
  std::printf("host       wrote and read back 4 MiB at offset 1 MiB through %s\n",
              info.driver_volume_type.c_str());
  device->reset();

  // 4. Detach: the export goes, the volume is free again.
  auto left = eng.attachments().Delete(me, attachment->id);
  if (!left.ok()) return Die("detaching", left.status());
  auto after = eng.volumes().Get(me, vol->id);
  std::printf("volume     %s  %s / %s\n", vol->id.c_str(), std::string(ToString(after->status)).c_str(),
              std::string(ToString(after->attach_status)).c_str());
  if (after->status != VolumeStatus::kAvailable) return 1;
  std::printf("state in %s\n", dir.c_str());
  return 0;
}
