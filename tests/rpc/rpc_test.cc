// The roles' RPC APIs: the envelope, its version rule (a receiver refuses another major and,
// within its own, ignores what it does not know), and each role's client and dispatcher
// meeting over a transport.
#include <boost/json.hpp>

#include <mutex>
#include <vector>

#include "blockstore/transport.hpp"
#include "lib/attach/attach_codec.hpp"
#include "lib/backup/backup_rpc.hpp"
#include "lib/rpc/endpoint.hpp"
#include "lib/rpc/envelope.hpp"
#include "lib/scheduler/request_spec_codec.hpp"
#include "lib/scheduler/scheduler_rpc.hpp"
#include "lib/volume/volume_rpc.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;
using namespace blockstore::internal;
namespace json = boost::json;

namespace {

// A volume service that records what it was asked.
struct RecordingVolume final : VolumeHandler {
  std::mutex mu;
  std::vector<std::string> calls;
  RequestSpec last_spec;
  void Record(std::string what) {
    std::lock_guard<std::mutex> l(mu);
    calls.push_back(std::move(what));
  }
  void CreateVolume(const std::string& id, const RequestSpec& spec) override {
    {
      std::lock_guard<std::mutex> l(mu);
      last_spec = spec;
    }
    Record("create_volume " + id);
  }
  void DeleteVolume(const std::string& id) override { Record("delete_volume " + id); }
  void ExtendVolume(const std::string& id) override { Record("extend_volume " + id); }
  void CreateSnapshot(const std::string& id) override { Record("create_snapshot " + id); }
  void DeleteSnapshot(const std::string& id) override { Record("delete_snapshot " + id); }
  Result<ConnectionInfo> InitializeConnection(const std::string& id, const Connector& connector,
                                              const std::string& mode) override {
    Record("initialize_connection " + id + " " + connector.host + " " + mode);
    return ConnectionInfo{"local", "{\"device_path\": \"/dev/null\"}"};
  }
  Status TerminateConnection(const std::string& id, const std::optional<Connector>& connector,
                             bool revoke_host, bool remove_export) override {
    Record("terminate_connection " + id + " " + (connector ? connector->host : "-") + " " +
           (revoke_host ? "revoke" : "keep") + " " + (remove_export ? "remove" : "stay"));
    return Status::Ok();
  }
  Result<ConnectionInfo> ConnectSnapshot(const std::string& id, const Connector&) override {
    Record("connect_snapshot " + id);
    return NotFound("snapshot " + id + " is gone");
  }
  Status DisconnectSnapshot(const std::string& id, const Connector&) override {
    Record("disconnect_snapshot " + id);
    return Status::Ok();
  }
  void RevertToSnapshot(const std::string& id, const std::string& snapshot_id) override {
    Record("revert_to_snapshot " + id + " " + snapshot_id);
  }
  Result<std::vector<Extent>> ChangedExtents(const std::string& id, const std::string& from,
                                             const std::string& to) override {
    Record("changed_extents " + id + " " + from + ".." + (to.empty() ? "now" : to));
    if (from == "gone") return NotFound("snapshot gone is gone");
    return std::vector<Extent>{{0, 4096}, {uint64_t{5} << 40, 1 << 20}};
  }
  Status Retype(const std::string& id, const std::string& type_id) override {
    Record("retype " + id + " " + type_id);
    return Status::Ok();
  }
  void MigrateVolume(const std::string& id, bool force_host_copy) override {
    Record("migrate_volume " + id + (force_host_copy ? " host-copy" : ""));
  }
  Status CreateMigrationTarget(const std::string& id) override {
    Record("create_migration_target " + id);
    return Status::Ok();
  }
  Status DeleteMigrationTarget(const std::string& id) override {
    Record("delete_migration_target " + id);
    return FailedPrecondition("volume " + id + " lives here");
  }
  Status ReportStats() override {
    Record("report_stats");
    return Status::Ok();
  }
  void CheckCreate(const std::string& id) override { Record("check_create " + id); }
};

struct RecordingBackup final : BackupHandler {
  std::vector<std::string> calls;
  void CreateBackup(const std::string& id) override { calls.push_back("create " + id); }
  void RestoreBackup(const std::string& id, bool is_new) override {
    calls.push_back("restore " + id + (is_new ? " new" : " existing"));
  }
  void DeleteBackup(const std::string& id) override { calls.push_back("delete " + id); }
  void ImportBackup(const std::string& id) override { calls.push_back("import " + id); }
  Status VerifyBackup(const std::string& id) override {
    calls.push_back("verify " + id);
    return DataLoss("chunk 3 of " + id + " does not match its hash");
  }
};

std::string Message(const std::string& method, const std::string& version, json::object args,
                    const std::string& id = "v-1") {
  return json::serialize(json::object{
      {"method", method}, {"version", version}, {"id", id}, {"args", std::move(args)}});
}

}  // namespace

TEST_SUITE("rpc") {
  TEST_CASE("an envelope survives encoding; text that is not one is refused with a reason") {
    rpc::Envelope e{"create_volume", {3, 7}, "v-1", "req-1", json::object{{"spec", 1}}};
    auto back = rpc::Decode(rpc::Encode(e));
    BS_REQUIRE_OK(back);
    CHECK(back->method == "create_volume");
    CHECK(back->version.major == 3);
    CHECK(back->version.minor == 7);
    CHECK(back->id == "v-1");
    CHECK(back->request_id == "req-1");
    CHECK(back->args.at("spec").as_int64() == 1);

    const std::vector<std::pair<std::string, std::string>> bad = {
        {"not json", "message"},
        {"[1, 2]", "JSON object"},
        {R"({"version": "3.0"})", "no method"},
        {R"({"method": "m"})", "major.minor"},
        {R"({"method": "m", "version": "3"})", "major.minor"},
        {R"({"method": "m", "version": "3.x"})", "major.minor"},
        {R"({"method": "m", "version": "-1.0"})", "major.minor"},
        {R"({"method": "m", "version": "3.0", "args": [1]})", "args must be an object"},
        {R"({"method": 7, "version": "3.0"})", "'method' must be a string"},
        {R"({"method": "m", "method": "n", "version": "3.0"})", "appears twice"},
    };
    for (const auto& item : bad) {
      const std::string& text = item.first;
      const std::string& why = item.second;
      CAPTURE(text);
      auto d = rpc::Decode(text);
      BS_CHECK_CODE(d, Code::kInvalidArgument);
      CHECK(d.status().message().find(why) != std::string::npos);
    }
  }

  TEST_CASE("a receiver serves every minor of its major and refuses another major by name") {
    CHECK(rpc::CheckVersion({"m", {3, 0}, "", "", {}}, "volume", {3, 2}).ok());
    CHECK(rpc::CheckVersion({"m", {3, 9}, "", "", {}}, "volume", {3, 2}).ok());
    const Status older = rpc::CheckVersion({"m", {2, 5}, "", "", {}}, "volume", {3, 2});
    const Status newer = rpc::CheckVersion({"m", {4, 0}, "", "", {}}, "volume", {3, 2});
    for (const Status& s : {older, newer}) {
      CHECK(s.code() == Code::kUnimplemented);
      CHECK(s.message().find("this service speaks 3.x, up to 3.2") != std::string::npos);
    }
    CHECK(newer.message().find("volume API 4.0 ('m')") != std::string::npos);
  }

  TEST_CASE("the volume dispatcher: a later minor's extra fields are ignored, another major "
            "and an unknown method change nothing") {
    RecordingVolume h;
    rpc::Dispatcher d = VolumeDispatcher(h);
    RequestSpec spec;
    spec.volume_id = "v-1";
    spec.project_id = "alice";
    spec.size_gb = 5;
    json::object wire = ToJson(spec);
    wire["a_field_of_3_9"] = json::object{{"nested", true}};
    auto reply = d.Handle(json::serialize(json::object{
        {"method", "create_volume"}, {"version", "3.9"}, {"id", "v-1"},
        {"args", json::object{{"spec", wire}, {"priority", "high"}}}, {"trace", "abc"}}));
    BS_REQUIRE_OK(reply);
    REQUIRE(h.calls == std::vector<std::string>{"create_volume v-1"});
    CHECK(h.last_spec.project_id == "alice");
    CHECK(h.last_spec.size_gb == 5);

    Connector host;
    host.host = "node-1";
    auto older = d.Handle(Message("initialize_connection", "3.0",
                                  {{"connector", ToJson(host)}, {"mode", "ro"}}));
    BS_REQUIRE_OK(older);
    auto info = ConnectionInfoFromJson(json::parse(*older));
    BS_REQUIRE_OK(info);
    CHECK(info->driver_volume_type == "local");

    auto next_major = d.Handle(Message("delete_volume", "4.0", {}));
    BS_CHECK_CODE(next_major, Code::kUnimplemented);
    CHECK(next_major.status().message().find("volume API 4.0") != std::string::npos);
    auto unknown = d.Handle(Message("retype_volume", "3.9", {}));
    BS_CHECK_CODE(unknown, Code::kUnimplemented);
    CHECK(unknown.status().message().find("no method 'retype_volume'") != std::string::npos);
    auto no_spec = d.Handle(Message("create_volume", "3.0", {}));
    BS_CHECK_CODE(no_spec, Code::kInvalidArgument);
    CHECK(h.calls == std::vector<std::string>{"create_volume v-1",
                                              "initialize_connection v-1 node-1 ro"});
  }

  TEST_CASE("the volume client and dispatcher meet over a transport, errors included") {
    auto t = NewInProcessTransport();
    RecordingVolume h;
    rpc::Dispatcher d = VolumeDispatcher(h);
    BS_REQUIRE_OK(d.Serve(*t, VolumeTopic("node-1@file"), 1));
    VolumeClient client(*t, "node-1@file#pool");  // the pool is dropped
    CHECK(VolumeTopic("node-1@file") == "volume.node-1@file");
    Connector host;
    host.host = "node-2";
    auto info = client.InitializeConnection("v-2", host, "rw");
    BS_REQUIRE_OK(info);
    CHECK(info->data.find("/dev/null") != std::string::npos);
    BS_REQUIRE_OK(client.TerminateConnection("v-2", std::nullopt, true, false));
    auto snap = client.ConnectSnapshot("s-1", host);
    BS_CHECK_CODE(snap, Code::kNotFound);
    CHECK(snap.status().message() == "snapshot s-1 is gone");
    BS_REQUIRE_OK(client.DeleteVolume("v-3"));
    auto changed = client.ChangedExtents("v-4", "s-1", "");
    BS_REQUIRE_OK(changed);
    CHECK(*changed == std::vector<Extent>{{0, 4096}, {uint64_t{5} << 40, 1 << 20}});  // past 2^32 intact
    BS_CHECK_CODE(client.ChangedExtents("v-4", "gone", "s-2"), Code::kNotFound);
    BS_REQUIRE_OK(client.RevertToSnapshot("v-5", "s-3"));
    BS_REQUIRE_OK(client.Retype("v-6", "t-1"));
    BS_REQUIRE_OK(client.MigrateVolume("v-6", /*force_host_copy=*/true));
    BS_REQUIRE_OK(client.CreateMigrationTarget("v-7"));
    const Status refused = client.DeleteMigrationTarget("v-7");
    BS_CHECK_CODE(refused, Code::kFailedPrecondition);
    CHECK(refused.message() == "volume v-7 lives here");
    t->Shutdown();
    CHECK(h.calls == std::vector<std::string>{"initialize_connection v-2 node-2 rw",
                                              "terminate_connection v-2 - revoke stay",
                                              "connect_snapshot s-1", "delete_volume v-3",
                                              "changed_extents v-4 s-1..now", "changed_extents v-4 gone..s-2",
                                              "revert_to_snapshot v-5 s-3", "retype v-6 t-1", "migrate_volume v-6 host-copy",
                                              "create_migration_target v-7", "delete_migration_target v-7"});
  }

  TEST_CASE("the backup dispatcher: its own major (2), flags with their defaults") {
    RecordingBackup h;
    rpc::Dispatcher d = BackupDispatcher(h);
    BS_REQUIRE_OK(d.Handle(Message("restore_backup", "2.4", {{"volume_is_new", true},
                                                             {"later", 1}}, "b-1")));
    // A field a sender of an older minor did not send takes its default.
    BS_REQUIRE_OK(d.Handle(Message("restore_backup", "2.0", {}, "b-2")));
    auto verify = d.Handle(Message("verify_backup", "2.0", {}, "b-3"));
    BS_CHECK_CODE(verify, Code::kDataLoss);
    BS_CHECK_CODE(d.Handle(Message("create_backup", "3.0", {}, "b-4")), Code::kUnimplemented);
    BS_CHECK_CODE(d.Handle(Message("create_backup", "1.9", {}, "b-4")), Code::kUnimplemented);
    CHECK(h.calls ==
          std::vector<std::string>{"restore b-1 new", "restore b-2 existing", "verify b-3"});
  }

  TEST_CASE("the scheduler dispatcher refuses another major before it touches the handler") {
    struct Refusing final : SchedulerHandler {
      int calls = 0;
      void CreateVolume(const std::string&, RequestSpec, const std::string&) override { ++calls; }
      void ExtendVolume(const std::string&, RequestSpec, const std::string&) override { ++calls; }
      void CreateSnapshot(const std::string&, RequestSpec, const std::string&) override { ++calls; }
      void UpdateStats(const StatsReport&) override { ++calls; }
      void Freed(const std::string&, const std::string&, double) override { ++calls; }
      void Release(const std::string&) override { ++calls; }
      Result<PlacementExplanation> Explain(const RequestSpec&) override {
        ++calls;
        return PlacementExplanation{};
      }
      std::vector<PoolState> Pools() override {
        ++calls;
        return {};
      }
    } h;
    rpc::Dispatcher d = SchedulerDispatcher(h);
    json::object spec = ToJson(RequestSpec{});
    BS_CHECK_CODE(d.Handle(Message("create_volume", "4.0", {{"spec", spec}})),
                  Code::kUnimplemented);
    CHECK(h.calls == 0);
    BS_REQUIRE_OK(d.Handle(Message("create_volume", "3.5", {{"spec", spec}, {"hint", 1}})));
    CHECK(h.calls == 1);
  }

  TEST_CASE("get_pools carries a scheduler's pools to an engine without one") {
    struct Reporting final : SchedulerHandler {
      void CreateVolume(const std::string&, RequestSpec, const std::string&) override {}
      void ExtendVolume(const std::string&, RequestSpec, const std::string&) override {}
      void CreateSnapshot(const std::string&, RequestSpec, const std::string&) override {}
      void UpdateStats(const StatsReport&) override {}
      void Freed(const std::string&, const std::string&, double) override {}
      void Release(const std::string&) override {}
      Result<PlacementExplanation> Explain(const RequestSpec&) override { return PlacementExplanation{}; }
      std::vector<PoolState> Pools() override {
        PoolState p;
        p.name = "node1@file#pool-a";
        p.backend = "node1@file";
        p.host = "node1";
        p.availability_zone = "az-1";
        p.volume_backend_name = "gold";
        p.storage_protocol = "iSCSI";
        p.stats.pool_name = "pool-a";
        p.stats.total_capacity_gb = Capacity::Number(100);
        p.stats.free_capacity_gb = Capacity::Number(40);
        p.volume_count = 7;
        p.reserved_gb = 2.5;
        return {p};
      }
    } h;
    rpc::Dispatcher d = SchedulerDispatcher(h);
    auto t = NewInProcessTransport();
    REQUIRE(d.Serve(*t, kSchedulerTopic, 1).ok());
    auto pools = SchedulerClient(*t).Pools(std::chrono::seconds(5));
    BS_REQUIRE_OK(pools);
    REQUIRE(pools->size() == 1);
    const PoolState& p = pools->front();
    CHECK(p.name == "node1@file#pool-a");
    CHECK(p.backend == "node1@file");
    CHECK(p.host == "node1");
    CHECK(p.availability_zone == "az-1");
    CHECK(p.volume_backend_name == "gold");
    CHECK(p.storage_protocol == "iSCSI");
    CHECK(p.stats.pool_name == "pool-a");
    CHECK(p.stats.free_capacity_gb.gb == 40);
    CHECK(p.volume_count == 7);
    CHECK(p.reserved_gb == 2.5);
    t->Shutdown();
  }
}
