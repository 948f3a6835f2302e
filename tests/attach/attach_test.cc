// Attachments, legacy actions and the local connector, on a file backend that exports locally.
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "tests/attach/attach_fixture.hpp"

namespace blockstore::testing {
namespace {

using VS = VolumeStatus;
using AS = AttachStatus;

struct Fixture : EngineFixture {
  Fixture() : EngineFixture([](EngineConfig& c) { c = AttachConfig(c.state_path, std::nullopt); }) {}
  Volume Available(int64_t gb, const std::string& type = {}) {
    VolumeCreateRequest r;
    r.volume_type = type;
    return EngineFixture::Available(alice, gb, r);
  }
  Volume Get(const std::string& id) { return EngineFixture::Get(alice, id); }
  std::string MultiattachType() {
    auto t = engine->types().Create(admin, {"shared", "", true, {{"multiattach", "<is> True"}}});
    REQUIRE_MESSAGE(t.ok(), t.status().ToString());
    return t->id;
  }
};

Attachment Attach(Fixture& f, const Volume& v, const std::string& mode = {}) {
  AttachmentCreateRequest r;
  r.volume_id = v.id;
  r.connector = TestConnector();
  r.mode = mode;
  auto a = f.engine->attachments().Create(f.alice, r);
  REQUIRE_MESSAGE(a.ok(), a.status().ToString());
  return *a;
}

TEST_SUITE_BEGIN("attach");

TEST_CASE("the attachments API walks a volume through reserved, attaching, in-use and back") {
  Fixture f;
  const Volume v = f.Available(1);
  AttachmentCreateRequest r;
  r.volume_id = v.id;
  r.instance_uuid = "6a0c3c4e-1f4b-4d7e-9f43-2b1c4c8a0d11";
  auto a = f.engine->attachments().Create(f.alice, r);
  BS_REQUIRE_OK(a);
  CHECK(a->attach_status == AS::kReserved);
  CHECK(a->attach_mode == "null");
  CHECK(!a->connection_info);
  CHECK(f.Get(v.id).status == VS::kReserved);
  CHECK(f.Get(v.id).attach_status == AS::kReserved);

  auto updated = f.engine->attachments().Update(f.alice, a->id, TestConnector());
  BS_REQUIRE_OK(updated);
  CHECK(updated->attach_status == AS::kAttaching);
  CHECK(updated->attach_mode == "rw");
  REQUIRE(updated->connection_info);
  CHECK(updated->connection_info->driver_volume_type == "local");
  CHECK(updated->connection_info->data.find(f.VolumeFile(v.id)) != std::string::npos);
  CHECK(updated->connection_info->data.find("\"access_mode\":\"rw\"") != std::string::npos);
  CHECK(f.Get(v.id).status == VS::kAttaching);

  auto done = f.engine->attachments().Complete(f.alice, a->id);
  BS_REQUIRE_OK(done);
  CHECK(done->attach_status == AS::kAttached);
  CHECK(done->attach_time.has_value());
  Volume in_use = f.Get(v.id);
  CHECK(in_use.status == VS::kInUse);
  CHECK(in_use.attach_status == AS::kAttached);

  // The host really reads and writes the volume, and the file holds what it wrote.
  auto dev = ConnectVolume(*updated->connection_info);
  BS_REQUIRE_OK(dev);
  CHECK((*dev)->SizeBytes() == kGiB);
  const auto data = Pattern(1 << 20, 7);
  BS_REQUIRE_OK((*dev)->WriteAt(5 << 20, data));
  BS_REQUIRE_OK((*dev)->Flush());
  CHECK(ReadRange(f.VolumeFile(v.id), 5 << 20, data.size()) ==
        std::string(reinterpret_cast<const char*>(data.data()), data.size()));
  dev->reset();

  // An attached volume cannot be deleted; listing and showing work; another project sees nothing.
  BS_CHECK_CODE(f.engine->volumes().Delete(f.alice, v.id), Code::kFailedPrecondition);
  AttachmentQuery q;
  q.volume_id = v.id;
  auto listed = f.engine->attachments().List(f.alice, q);
  BS_REQUIRE_OK(listed);
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().id == a->id);
  auto theirs = f.engine->attachments().List(f.bob, {});
  BS_REQUIRE_OK(theirs);
  CHECK(theirs->empty());
  BS_CHECK_CODE(f.engine->attachments().Get(f.bob, a->id), Code::kNotFound);
  BS_CHECK_CODE(f.engine->attachments().Delete(f.bob, a->id), Code::kNotFound);

  auto left = f.engine->attachments().Delete(f.alice, a->id);
  BS_REQUIRE_OK(left);
  CHECK(left->empty());
  Volume after = f.Get(v.id);
  CHECK(after.status == VS::kAvailable);
  CHECK(after.attach_status == AS::kDetached);
  BS_CHECK_CODE(f.engine->attachments().Get(f.alice, a->id), Code::kNotFound);
  BS_CHECK_OK(f.engine->volumes().Delete(f.alice, v.id));
}

TEST_CASE("multiattach: only a type that allows it takes a second attachment; ro refuses writes") {
  Fixture f;
  const Volume single = f.Available(1);
  const Attachment first = Attach(f, single);
  BS_CHECK_OK(f.engine->attachments().Complete(f.alice, first.id));
  const std::string before = f.State();
  AttachmentCreateRequest second;
  second.volume_id = single.id;
  second.connector = TestConnector(kOtherIqn);
  BS_CHECK_CODE(f.engine->attachments().Create(f.alice, second), Code::kFailedPrecondition);
  BS_CHECK_CODE(f.engine->attachments().Reserve(f.alice, single.id), Code::kFailedPrecondition);
  CHECK(f.State() == before);

  const Volume shared = f.Available(1, f.MultiattachType());
  CHECK(shared.multiattach);
  const Attachment rw = Attach(f, shared, "rw");
  BS_CHECK_OK(f.engine->attachments().Complete(f.alice, rw.id));
  AttachmentCreateRequest ro_req;
  ro_req.volume_id = shared.id;
  ro_req.connector = TestConnector(kOtherIqn);
  ro_req.mode = "ro";
  auto ro = f.engine->attachments().Create(f.alice, ro_req);
  BS_REQUIRE_OK(ro);
  CHECK(ro->attach_mode == "ro");
  // The rw attachment keeps the volume in-use while the second is being connected.
  CHECK(f.Get(shared.id).status == VS::kInUse);
  BS_CHECK_OK(f.engine->attachments().Complete(f.alice, ro->id));

  auto reader = ConnectVolume(*ro->connection_info);
  BS_REQUIRE_OK(reader);
  const auto data = Pattern(4096, 3);
  BS_CHECK_CODE((*reader)->WriteAt(0, data), Code::kPermissionDenied);
  auto writer = ConnectVolume(*rw.connection_info);
  BS_REQUIRE_OK(writer);
  BS_REQUIRE_OK((*writer)->WriteAt(0, data));
  std::vector<std::byte> back(4096);
  auto n = (*reader)->ReadAt(0, back);
  BS_REQUIRE_OK(n);
  CHECK(back == data);

  BS_REQUIRE_OK(f.engine->attachments().Delete(f.alice, rw.id));
  CHECK(f.Get(shared.id).status == VS::kInUse);  // the ro host still uses it
  BS_REQUIRE_OK(f.engine->attachments().Delete(f.alice, ro->id));
  CHECK(f.Get(shared.id).status == VS::kAvailable);
}

TEST_CASE("a read-only volume is only ever connected ro; the flag changes only while available") {
  Fixture f;
  const Volume v = f.Available(1);
  CHECK_FALSE(v.readonly.has_value());
  auto flagged = f.engine->volumes().SetReadonly(f.alice, v.id, true);
  BS_REQUIRE_OK(flagged);
  CHECK(flagged->readonly == std::optional<bool>(true));
  CHECK(f.Get(v.id).readonly == std::optional<bool>(true));
  BS_CHECK_CODE(f.engine->volumes().SetReadonly(f.bob, v.id, false), Code::kNotFound);

  // The attachments API turns any asked-for mode into ro.
  const Attachment a = Attach(f, v, "rw");
  CHECK(a.attach_mode == "ro");
  REQUIRE(a.connection_info);
  auto device = ConnectVolume(*a.connection_info);
  BS_REQUIRE_OK(device);
  BS_CHECK_CODE((*device)->WriteAt(0, Pattern(4096, 1)), Code::kPermissionDenied);
  // While in use the flag stays as it is.
  BS_REQUIRE_OK(f.engine->attachments().Complete(f.alice, a.id));
  const std::string before = f.State();
  BS_CHECK_CODE(f.engine->volumes().SetReadonly(f.alice, v.id, false), Code::kFailedPrecondition);
  CHECK(f.State() == before);
  CHECK(f.Get(v.id).readonly == std::optional<bool>(true));
  device->reset();
  BS_REQUIRE_OK(f.engine->attachments().Delete(f.alice, a.id));

  // The legacy flow: initialize_connection answers ro; an rw attach is refused.
  auto info = f.engine->attachments().InitializeConnection(f.alice, v.id, TestConnector());
  BS_REQUIRE_OK(info);
  CHECK(info->data.find("\"access_mode\":\"ro\"") != std::string::npos);
  BS_CHECK_OK(f.engine->attachments().TerminateConnection(f.alice, v.id, TestConnector()));
  LegacyAttachRequest r;
  r.host_name = "host-a";
  r.mode = "rw";
  BS_CHECK_CODE(f.engine->attachments().Attach(f.alice, v.id, r), Code::kInvalidArgument);
  CHECK(f.Get(v.id).status == VS::kAvailable);

  // Read-write again: writes go through.
  auto cleared = f.engine->volumes().SetReadonly(f.alice, v.id, false);
  BS_REQUIRE_OK(cleared);
  CHECK(cleared->readonly == std::optional<bool>(false));
  const Attachment rw = Attach(f, v);
  CHECK(rw.attach_mode == "rw");
  auto writer = ConnectVolume(*rw.connection_info);
  BS_REQUIRE_OK(writer);
  BS_CHECK_OK((*writer)->WriteAt(0, Pattern(4096, 2)));
  writer->reset();
  BS_REQUIRE_OK(f.engine->attachments().Delete(f.alice, rw.id));
}

TEST_CASE("the legacy actions: reserve, initialize_connection, attach, detaching, detach") {
  Fixture f;
  const Volume v = f.Available(1);
  auto reserved = f.engine->attachments().Reserve(f.alice, v.id);
  BS_REQUIRE_OK(reserved);
  CHECK(reserved->status == VS::kAttaching);
  auto unreserved = f.engine->attachments().Unreserve(f.alice, v.id);
  BS_REQUIRE_OK(unreserved);
  CHECK(unreserved->status == VS::kAvailable);

  BS_REQUIRE_OK(f.engine->attachments().Reserve(f.alice, v.id));
  auto info = f.engine->attachments().InitializeConnection(f.alice, v.id, TestConnector());
  BS_REQUIRE_OK(info);
  CHECK(info->driver_volume_type == "local");
  LegacyAttachRequest r;
  r.host_name = "host-a";
  r.mountpoint = "/dev/vdb";
  auto a = f.engine->attachments().Attach(f.alice, v.id, r);
  BS_REQUIRE_OK(a);
  CHECK(a->attach_status == AS::kAttached);
  CHECK(f.Get(v.id).status == VS::kInUse);
  // The same host attaching again reuses its attachment.
  auto again = f.engine->attachments().Attach(f.alice, v.id, r);
  BS_REQUIRE_OK(again);
  CHECK(again->id == a->id);

  auto detaching = f.engine->attachments().BeginDetaching(f.alice, v.id);
  BS_REQUIRE_OK(detaching);
  CHECK(detaching->status == VS::kDetaching);
  auto rolled = f.engine->attachments().RollDetaching(f.alice, v.id);
  BS_REQUIRE_OK(rolled);
  CHECK(rolled->status == VS::kInUse);
  BS_REQUIRE_OK(f.engine->attachments().BeginDetaching(f.alice, v.id));
  BS_CHECK_OK(f.engine->attachments().TerminateConnection(f.alice, v.id, TestConnector()));
  auto detached = f.engine->attachments().Detach(f.alice, v.id);
  BS_REQUIRE_OK(detached);
  CHECK(detached->status == VS::kAvailable);
  CHECK(detached->attach_status == AS::kDetached);
  BS_CHECK_CODE(f.engine->attachments().Detach(f.alice, v.id), Code::kFailedPrecondition);
}

TEST_CASE("bad attach requests get clear errors and change nothing") {
  Fixture f;
  const Volume v = f.Available(1);
  const std::string before = f.State();
  auto create = [&](Connector c) {
    AttachmentCreateRequest r;
    r.volume_id = v.id;
    r.connector = std::move(c);
    return f.engine->attachments().Create(f.alice, r);
  };
  Connector c = TestConnector();
  c.initiator = "iqn.bad";
  BS_CHECK_CODE(create(c), Code::kInvalidArgument);
  c.initiator = "IQN.2026-11.ORG.EXAMPLE:UPPER";
  BS_CHECK_CODE(create(c), Code::kInvalidArgument);
  c = TestConnector();
  c.ip = "999.1.1.1";
  BS_CHECK_CODE(create(c), Code::kInvalidArgument);
  c = TestConnector();
  c.host = "";
  BS_CHECK_CODE(create(c), Code::kInvalidArgument);
  c.host = "host; rm -rf /";
  BS_CHECK_CODE(create(c), Code::kInvalidArgument);
  c.host = std::string(300, 'h');
  BS_CHECK_CODE(create(c), Code::kInvalidArgument);
  c = TestConnector();
  c.mode = "rwx";
  BS_CHECK_CODE(create(c), Code::kInvalidArgument);
  c = TestConnector();
  c.platform = "x86 64\n";
  BS_CHECK_CODE(create(c), Code::kInvalidArgument);
  AttachmentCreateRequest r;
  r.volume_id = v.id;
  r.mode = "readwrite";
  BS_CHECK_CODE(f.engine->attachments().Create(f.alice, r), Code::kInvalidArgument);
  r.mode = "";
  r.instance_uuid = "not-a-uuid";
  BS_CHECK_CODE(f.engine->attachments().Create(f.alice, r), Code::kInvalidArgument);
  r.instance_uuid = "";
  r.volume_id = "00000000-0000-0000-0000-00000000dead";
  BS_CHECK_CODE(f.engine->attachments().Create(f.alice, r), Code::kNotFound);
  r.volume_id = v.id;
  BS_CHECK_CODE(f.engine->attachments().Create(f.bob, r), Code::kNotFound);
  BS_CHECK_CODE(f.engine->attachments().Update(f.alice, "00000000-0000-0000-0000-00000000beef",
                                         TestConnector()),
                Code::kNotFound);
  BS_CHECK_CODE(f.engine->attachments().Complete(f.alice, "x"), Code::kInvalidArgument);
  BS_CHECK_CODE(f.engine->attachments().ForceDetach(f.alice, v.id), Code::kPermissionDenied);
  LegacyAttachRequest both;
  both.host_name = "h";
  both.instance_uuid = "6a0c3c4e-1f4b-4d7e-9f43-2b1c4c8a0d11";
  BS_CHECK_CODE(f.engine->attachments().Attach(f.alice, v.id, both), Code::kInvalidArgument);
  CHECK(f.State() == before);

  // A volume in error cannot be attached.
  BS_REQUIRE_OK(f.engine->volumes().ResetStatus(f.admin, v.id, VS::kError));
  const std::string in_error = f.State();
  BS_CHECK_CODE(create(TestConnector()), Code::kFailedPrecondition);
  BS_CHECK_CODE(f.engine->attachments().Reserve(f.alice, v.id), Code::kFailedPrecondition);
  BS_CHECK_CODE(f.engine->attachments().InitializeConnection(f.alice, v.id, TestConnector()),
                Code::kFailedPrecondition);
  CHECK(f.State() == in_error);

  // Completing an attachment that was never connected is refused.
  BS_REQUIRE_OK(f.engine->volumes().ResetStatus(f.admin, v.id, VS::kAvailable));
  AttachmentCreateRequest plain;
  plain.volume_id = v.id;
  auto a = f.engine->attachments().Create(f.alice, plain);
  BS_REQUIRE_OK(a);
  BS_CHECK_CODE(f.engine->attachments().Complete(f.alice, a->id), Code::kFailedPrecondition);
}

TEST_CASE("force-detach tears everything down, whatever the attachments' state") {
  Fixture f;
  const Volume v = f.Available(1, f.MultiattachType());
  const Attachment a = Attach(f, v);
  BS_REQUIRE_OK(f.engine->attachments().Complete(f.alice, a.id));
  AttachmentCreateRequest r;
  r.volume_id = v.id;
  BS_REQUIRE_OK(f.engine->attachments().Create(f.alice, r));  // a second, only reserved
  auto done = f.engine->attachments().ForceDetach(f.admin, v.id);
  BS_REQUIRE_OK(done);
  CHECK(done->status == VS::kAvailable);
  CHECK(done->attach_status == AS::kDetached);
  AttachmentQuery q;
  q.volume_id = v.id;
  auto left = f.engine->attachments().List(f.alice, q);
  BS_REQUIRE_OK(left);
  CHECK(left->empty());
}

TEST_CASE("racing attachments of a volume without multiattach: exactly one wins") {
  Fixture f;
  const Volume v = f.Available(1);
  std::atomic<int> won{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      AttachmentCreateRequest r;
      r.volume_id = v.id;
      auto a = f.engine->attachments().Create(f.alice, r);
      if (a.ok()) ++won;
      else if (a.status().code() == Code::kFailedPrecondition) ++refused;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(won == 1);
  CHECK(refused == 7);
}

// Loop devices need root: this case is skipped in the binary's own run, and CTest runs it on
// its own as attach_loop_device_test, which reports "skipped" where it cannot run (and fails
// instead when BS_REQUIRE_LOOP_DEVICE=1, as scripts/test sets it for root).
TEST_CASE("the local connector can hand the host a loop device" * doctest::skip()) {
  REQUIRE_MESSAGE(::geteuid() == 0, "loop devices need root");
  REQUIRE_MESSAGE(::access("/dev/loop-control", W_OK) == 0, "/dev/loop-control is not writable");
  Fixture f;
  const Volume v = f.Available(1);
  const Attachment a = Attach(f, v);
  ConnectOptions o;
  o.use_loop_device = true;
  auto dev = ConnectVolume(*a.connection_info, o);
  BS_REQUIRE_OK(dev);
  CHECK((*dev)->SizeBytes() == kGiB);
  const auto data = Pattern(1 << 20, 11);
  BS_REQUIRE_OK((*dev)->WriteAt(3 << 20, data));
  BS_REQUIRE_OK((*dev)->Flush());
  dev->reset();
  CHECK(ReadRange(f.VolumeFile(v.id), 3 << 20, data.size()) ==
        std::string(reinterpret_cast<const char*>(data.data()), data.size()));
}

TEST_CASE("ConnectVolume refuses connection info it cannot use") {
  BS_CHECK_CODE(ConnectVolume({"fibre_channel", "{}"}), Code::kUnimplemented);
  BS_CHECK_CODE(ConnectVolume({"local", "[]"}), Code::kInvalidArgument);
  BS_CHECK_CODE(ConnectVolume({"local", "{}"}), Code::kInvalidArgument);
  BS_CHECK_CODE(ConnectVolume({"local", R"({"device_path":"relative"})"}), Code::kInvalidArgument);
  BS_CHECK_CODE(ConnectVolume({"local", R"({"device_path":"/nonexistent/x"})"}), Code::kNotFound);
  BS_CHECK_CODE(ConnectVolume({"iscsi", R"({"target_portal":"127.0.0.1:1"})"}),
                Code::kInvalidArgument);
  BS_CHECK_CODE(ConnectVolume({"iscsi", R"({"target_portal":"127.0.0.1:1","target_iqn":"iqn.2026-11.x:y","target_lun":1})"}),
                Code::kInvalidArgument);  // no initiator name
  const Connector me = HostConnector();
  CHECK(!me.host.empty());
  CHECK(me.initiator.starts_with("iqn."));
}

}  // namespace
}  // namespace blockstore::testing

TEST_SUITE_END();
