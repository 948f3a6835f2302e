#include "lib/volume/volume_rpc.hpp"

#include "lib/attach/attach_codec.hpp"
#include "lib/core/macros.hpp"
#include "lib/json/json_reader.hpp"
#include "lib/scheduler/request_spec_codec.hpp"

namespace blockstore::internal {

namespace json = boost::json;

std::string VolumeTopic(std::string_view backend) { return "volume." + std::string(backend); }

std::string BackendOf(std::string_view pool_host) {
  return std::string(pool_host.substr(0, pool_host.find('#')));
}

VolumeClient::VolumeClient(Transport& transport, std::string_view backend)
    : client_(transport, VolumeTopic(BackendOf(backend)), kVolumeRpcVersion) {}

Status VolumeClient::CreateVolume(const std::string& id, const RequestSpec& spec,
                                  const std::string& request_id) const {
  return client_.Cast("create_volume", id, request_id, {{"spec", ToJson(spec)}});
}
Status VolumeClient::DeleteVolume(const std::string& id, const std::string& request_id) const {
  return client_.Cast("delete_volume", id, request_id);
}
Status VolumeClient::ExtendVolume(const std::string& id, const std::string& request_id) const {
  return client_.Cast("extend_volume", id, request_id);
}
Status VolumeClient::CreateSnapshot(const std::string& id, const std::string& request_id) const {
  return client_.Cast("create_snapshot", id, request_id);
}
Status VolumeClient::DeleteSnapshot(const std::string& id, const std::string& request_id) const {
  return client_.Cast("delete_snapshot", id, request_id);
}

Result<ConnectionInfo> VolumeClient::InitializeConnection(const std::string& id,
                                                          const Connector& connector,
                                                          const std::string& mode,
                                                          const std::string& request_id) const {
  BS_ASSIGN_OR_RETURN(json::value reply,
                      client_.Call("initialize_connection", id, request_id,
                                   {{"connector", ToJson(connector)}, {"mode", mode}},
                                   kConnectionTimeout));
  return ConnectionInfoFromJson(reply);
}

Status VolumeClient::TerminateConnection(const std::string& id,
                                         const std::optional<Connector>& connector,
                                         bool revoke_host, bool remove_export,
                                         const std::string& request_id) const {
  json::object args{{"revoke_host", revoke_host}, {"remove_export", remove_export}};
  if (connector) args["connector"] = ToJson(*connector);
  return client_.Call("terminate_connection", id, request_id, std::move(args), kConnectionTimeout)
      .status();
}

Result<ConnectionInfo> VolumeClient::ConnectSnapshot(const std::string& snapshot_id,
                                                     const Connector& connector,
                                                     const std::string& request_id) const {
  BS_ASSIGN_OR_RETURN(json::value reply,
                      client_.Call("connect_snapshot", snapshot_id, request_id,
                                   {{"connector", ToJson(connector)}}, kConnectionTimeout));
  return ConnectionInfoFromJson(reply);
}

Status VolumeClient::DisconnectSnapshot(const std::string& snapshot_id, const Connector& connector,
                                        const std::string& request_id) const {
  return client_.Call("disconnect_snapshot", snapshot_id, request_id,
                      {{"connector", ToJson(connector)}}, kConnectionTimeout)
      .status();
}

Status VolumeClient::RevertToSnapshot(const std::string& id, const std::string& snapshot_id,
                                      const std::string& request_id) const {
  return client_.Cast("revert_to_snapshot", id, request_id, {{"snapshot_id", snapshot_id}});
}

Result<std::vector<Extent>> VolumeClient::ChangedExtents(const std::string& id, const std::string& from,
                                                         const std::string& to) const {
  BS_ASSIGN_OR_RETURN(json::value reply, client_.Call("changed_extents", id, {},
                                                      {{"from", from}, {"to", to}}, kConnectionTimeout));
  const auto* list = reply.is_object() ? reply.as_object().if_contains("extents") : nullptr;
  if (!list || !list->is_array()) return Internal("changed_extents: the reply has no extents");
  std::vector<Extent> out;
  out.reserve(list->get_array().size());
  for (const auto& e : list->get_array()) {
    const auto* pair = e.if_array();
    if (!pair || pair->size() != 2 || !(*pair)[0].is_number() || !(*pair)[1].is_number()) {
      return Internal("changed_extents: an extent is not [offset, length]");
    }
    out.push_back({(*pair)[0].to_number<uint64_t>(), (*pair)[1].to_number<uint64_t>()});
  }
  return out;
}

Status VolumeClient::Retype(const std::string& id, const std::string& type_id) const {
  return client_.Call("retype", id, {}, {{"type_id", type_id}}, kConnectionTimeout).status();
}

Status VolumeClient::MigrateVolume(const std::string& id, bool force_host_copy,
                                   const std::string& request_id) const {
  return client_.Cast("migrate_volume", id, request_id, {{"force_host_copy", force_host_copy}});
}

Status VolumeClient::CreateMigrationTarget(const std::string& id) const {
  return client_.Call("create_migration_target", id, {}, {}, kConnectionTimeout).status();
}

Status VolumeClient::DeleteMigrationTarget(const std::string& id) const {
  return client_.Call("delete_migration_target", id, {}, {}, kConnectionTimeout).status();
}

Status VolumeClient::ReportStats() const { return client_.Cast("report_stats", {}, {}); }
Status VolumeClient::CheckCreate(const std::string& id) const { return client_.Cast("check_create", id, {}); }

namespace {

Result<Connector> ConnectorArg(const rpc::Envelope& e, bool required) {
  const auto* c = e.args.if_contains("connector");
  if (!c || c->is_null()) {
    if (required) return InvalidArgument(e.method + ": no connector");
    return Connector{};
  }
  return ConnectorFromJson(*c);
}

}  // namespace

rpc::Dispatcher VolumeDispatcher(VolumeHandler& h) {
  rpc::Dispatcher d("volume", kVolumeRpcVersion);
  auto done = [] { return Result<json::value>(json::object()); };
  d.Add("create_volume", [&h, done](const rpc::Envelope& e) -> Result<json::value> {
    const auto* spec = e.args.if_contains("spec");
    if (!spec) return InvalidArgument("create_volume: no spec");
    BS_ASSIGN_OR_RETURN(RequestSpec s, RequestSpecFromJson(*spec));
    h.CreateVolume(e.id, s);
    return done();
  });
  d.Add("delete_volume", [&h, done](const rpc::Envelope& e) {
    h.DeleteVolume(e.id);
    return done();
  });
  d.Add("extend_volume", [&h, done](const rpc::Envelope& e) {
    h.ExtendVolume(e.id);
    return done();
  });
  d.Add("create_snapshot", [&h, done](const rpc::Envelope& e) {
    h.CreateSnapshot(e.id);
    return done();
  });
  d.Add("delete_snapshot", [&h, done](const rpc::Envelope& e) {
    h.DeleteSnapshot(e.id);
    return done();
  });
  d.Add("initialize_connection", [&h](const rpc::Envelope& e) -> Result<json::value> {
    BS_ASSIGN_OR_RETURN(Connector c, ConnectorArg(e, true));
    std::string mode = "rw";
    Reader in(e.args, "initialize_connection", Reader::kIgnoreUnknown);
    in.String("mode", mode);
    BS_RETURN_IF_ERROR(in.Finish());
    BS_ASSIGN_OR_RETURN(ConnectionInfo info, h.InitializeConnection(e.id, c, mode));
    return json::value(ToJson(info));
  });
  d.Add("terminate_connection", [&h, done](const rpc::Envelope& e) -> Result<json::value> {
    std::optional<Connector> c;
    if (const auto* given = e.args.if_contains("connector"); given && !given->is_null()) {
      BS_ASSIGN_OR_RETURN(c, ConnectorFromJson(*given));
    }
    bool revoke_host = false, remove_export = false;
    Reader in(e.args, "terminate_connection", Reader::kIgnoreUnknown);
    in.Bool("revoke_host", revoke_host);
    in.Bool("remove_export", remove_export);
    BS_RETURN_IF_ERROR(in.Finish());
    BS_RETURN_IF_ERROR(h.TerminateConnection(e.id, c, revoke_host, remove_export));
    return done();
  });
  d.Add("connect_snapshot", [&h](const rpc::Envelope& e) -> Result<json::value> {
    BS_ASSIGN_OR_RETURN(Connector c, ConnectorArg(e, true));
    BS_ASSIGN_OR_RETURN(ConnectionInfo info, h.ConnectSnapshot(e.id, c));
    return json::value(ToJson(info));
  });
  d.Add("disconnect_snapshot", [&h, done](const rpc::Envelope& e) -> Result<json::value> {
    BS_ASSIGN_OR_RETURN(Connector c, ConnectorArg(e, true));
    BS_RETURN_IF_ERROR(h.DisconnectSnapshot(e.id, c));
    return done();
  });
  d.Add("revert_to_snapshot", [&h, done](const rpc::Envelope& e) -> Result<json::value> {
    std::string snapshot_id;
    Reader in(e.args, "revert_to_snapshot", Reader::kIgnoreUnknown);
    in.String("snapshot_id", snapshot_id);
    BS_RETURN_IF_ERROR(in.Finish());
    if (snapshot_id.empty()) return InvalidArgument("revert_to_snapshot: no snapshot_id");
    h.RevertToSnapshot(e.id, snapshot_id);
    return done();
  });
  d.Add("changed_extents", [&h](const rpc::Envelope& e) -> Result<json::value> {
    std::string from, to;
    Reader in(e.args, "changed_extents", Reader::kIgnoreUnknown);
    in.String("from", from);
    in.String("to", to);
    BS_RETURN_IF_ERROR(in.Finish());
    if (from.empty()) return InvalidArgument("changed_extents: no 'from' snapshot");
    BS_ASSIGN_OR_RETURN(std::vector<Extent> extents, h.ChangedExtents(e.id, from, to));
    json::array list;
    list.reserve(extents.size());
    for (const Extent& x : extents) list.push_back(json::array{x.offset, x.length});
    return json::value(json::object{{"extents", std::move(list)}});
  });
  d.Add("retype", [&h, done](const rpc::Envelope& e) -> Result<json::value> {
    std::string type_id;
    Reader in(e.args, "retype", Reader::kIgnoreUnknown);
    in.String("type_id", type_id);
    BS_RETURN_IF_ERROR(in.Finish());
    if (type_id.empty()) return InvalidArgument("retype: no type_id");
    BS_RETURN_IF_ERROR(h.Retype(e.id, type_id));
    return done();
  });
  d.Add("migrate_volume", [&h, done](const rpc::Envelope& e) -> Result<json::value> {
    bool force_host_copy = false;
    Reader in(e.args, "migrate_volume", Reader::kIgnoreUnknown);
    in.Bool("force_host_copy", force_host_copy);
    BS_RETURN_IF_ERROR(in.Finish());
    h.MigrateVolume(e.id, force_host_copy);
    return done();
  });
  d.Add("create_migration_target", [&h, done](const rpc::Envelope& e) -> Result<json::value> {
    BS_RETURN_IF_ERROR(h.CreateMigrationTarget(e.id));
    return done();
  });
  d.Add("delete_migration_target", [&h, done](const rpc::Envelope& e) -> Result<json::value> {
    BS_RETURN_IF_ERROR(h.DeleteMigrationTarget(e.id));
    return done();
  });
  d.Add("report_stats", [&h, done](const rpc::Envelope&) -> Result<json::value> {
    BS_RETURN_IF_ERROR(h.ReportStats());
    return done();
  });
  d.Add("check_create", [&h, done](const rpc::Envelope& e) -> Result<json::value> {
    h.CheckCreate(e.id);
    return done();
  });
  return d;
}

}  // namespace blockstore::internal
