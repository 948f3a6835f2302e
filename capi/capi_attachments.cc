// C ABI: attachments, the legacy attach actions and the host-side connector.
#include "blockstore/connector.hpp"
#include "capi/capi_internal.hpp"
#include "lib/attach/attach_codec.hpp"
#include "lib/core/macros.hpp"

using namespace blockstore;
namespace json = blockstore::internal::json;
using capi::ToArray;

struct bs_device {
  std::unique_ptr<BlockDevice> device;
};

namespace {

Result<Connector> ConnectorArg(const char* text) {
  BS_ASSIGN_OR_RETURN(std::string s, capi::Arg(text, "connector_json"));
  BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(s, "connector"));
  return internal::ConnectorFromJson(v);
}

// Answers the volume a volume action returned.
template <typename F>
int VolumeAction(char** out, bs_engine* e, const bs_context* c, const char* volume_id, F call) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    BS_ASSIGN_OR_RETURN(Volume v, call(e->engine->attachments(), c->ctx, id));
    return capi::Emit(out, internal::ToJson(v));
  });
}

}  // namespace

extern "C" {

int bs_attachment_create(char** out, bs_engine* e, const bs_context* c, const char* request_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(request_json, "request_json"));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "attachment create request"));
    BS_ASSIGN_OR_RETURN(AttachmentCreateRequest r, internal::AttachmentCreateRequestFromJson(v));
    BS_ASSIGN_OR_RETURN(Attachment a, e->engine->attachments().Create(c->ctx, r));
    return capi::Emit(out, internal::ToJson(a));
  });
}

int bs_attachment_update(char** out, bs_engine* e, const bs_context* c, const char* attachment_id,
                         const char* connector_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(attachment_id, "attachment_id"));
    BS_ASSIGN_OR_RETURN(Connector conn, ConnectorArg(connector_json));
    BS_ASSIGN_OR_RETURN(Attachment a, e->engine->attachments().Update(c->ctx, id, conn));
    return capi::Emit(out, internal::ToJson(a));
  });
}

int bs_attachment_complete(char** out, bs_engine* e, const bs_context* c,
                           const char* attachment_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(attachment_id, "attachment_id"));
    BS_ASSIGN_OR_RETURN(Attachment a, e->engine->attachments().Complete(c->ctx, id));
    return capi::Emit(out, internal::ToJson(a));
  });
}

int bs_attachment_delete(char** out, bs_engine* e, const bs_context* c, const char* attachment_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(attachment_id, "attachment_id"));
    BS_ASSIGN_OR_RETURN(auto left, e->engine->attachments().Delete(c->ctx, id));
    return capi::Emit(out, ToArray(left));
  });
}

int bs_attachment_get(char** out, bs_engine* e, const bs_context* c, const char* attachment_id) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(attachment_id, "attachment_id"));
    BS_ASSIGN_OR_RETURN(Attachment a, e->engine->attachments().Get(c->ctx, id));
    return capi::Emit(out, internal::ToJson(a));
  });
}

int bs_attachment_list(char** out, bs_engine* e, const bs_context* c, const char* query_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(json::value v, capi::JsonArg(query_json, "query_json"));
    BS_ASSIGN_OR_RETURN(AttachmentQuery q, internal::AttachmentQueryFromJson(v));
    BS_ASSIGN_OR_RETURN(auto list, e->engine->attachments().List(c->ctx, q));
    return capi::Emit(out, ToArray(list));
  });
}

int bs_volume_reserve(char** out, bs_engine* e, const bs_context* c, const char* volume_id) {
  return VolumeAction(out, e, c, volume_id, [](AttachmentService& attachments, const RequestContext& ctx,
                                               const std::string& id) {
    return attachments.Reserve(ctx, id);
  });
}

int bs_volume_unreserve(char** out, bs_engine* e, const bs_context* c, const char* volume_id) {
  return VolumeAction(out, e, c, volume_id, [](AttachmentService& attachments, const RequestContext& ctx,
                                               const std::string& id) {
    return attachments.Unreserve(ctx, id);
  });
}

int bs_volume_begin_detaching(char** out, bs_engine* e, const bs_context* c,
                              const char* volume_id) {
  return VolumeAction(out, e, c, volume_id, [](AttachmentService& attachments, const RequestContext& ctx,
                                               const std::string& id) {
    return attachments.BeginDetaching(ctx, id);
  });
}

int bs_volume_roll_detaching(char** out, bs_engine* e, const bs_context* c,
                             const char* volume_id) {
  return VolumeAction(out, e, c, volume_id, [](AttachmentService& attachments, const RequestContext& ctx,
                                               const std::string& id) {
    return attachments.RollDetaching(ctx, id);
  });
}

int bs_volume_detach(char** out, bs_engine* e, const bs_context* c, const char* volume_id,
                     const char* attachment_id) {
  const std::string which = attachment_id ? attachment_id : "";
  return VolumeAction(out, e, c, volume_id, [&](AttachmentService& attachments, const RequestContext& ctx,
                                                const std::string& id) {
    return attachments.Detach(ctx, id, which);
  });
}

int bs_volume_force_detach(char** out, bs_engine* e, const bs_context* c, const char* volume_id,
                           const char* attachment_id) {
  const std::string which = attachment_id ? attachment_id : "";
  return VolumeAction(out, e, c, volume_id, [&](AttachmentService& attachments, const RequestContext& ctx,
                                                const std::string& id) {
    return attachments.ForceDetach(ctx, id, which);
  });
}

int bs_volume_initialize_connection(char** out, bs_engine* e, const bs_context* c,
                                    const char* volume_id, const char* connector_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    BS_ASSIGN_OR_RETURN(Connector conn, ConnectorArg(connector_json));
    BS_ASSIGN_OR_RETURN(ConnectionInfo info,
                        e->engine->attachments().InitializeConnection(c->ctx, id, conn));
    return capi::Emit(out, internal::ToJson(info));
  });
}

int bs_volume_attach(char** out, bs_engine* e, const bs_context* c, const char* volume_id,
                     const char* request_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::Begin(out, e, c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(request_json, "request_json"));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "attach request"));
    BS_ASSIGN_OR_RETURN(LegacyAttachRequest r, internal::LegacyAttachRequestFromJson(v));
    BS_ASSIGN_OR_RETURN(Attachment a, e->engine->attachments().Attach(c->ctx, id, r));
    return capi::Emit(out, internal::ToJson(a));
  });
}

int bs_volume_terminate_connection(bs_engine* e, const bs_context* c, const char* volume_id,
                                   const char* connector_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedEngine(e));
    BS_RETURN_IF_ERROR(capi::NeedContext(c));
    BS_ASSIGN_OR_RETURN(std::string id, capi::Arg(volume_id, "volume_id"));
    BS_ASSIGN_OR_RETURN(Connector conn, ConnectorArg(connector_json));
    return e->engine->attachments().TerminateConnection(c->ctx, id, conn);
  });
}

int bs_host_connector(char** out, const char* ip, const char* initiator) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedOut(out));
    *out = nullptr;
    return capi::Emit(out, internal::ToJson(HostConnector(ip ? ip : "127.0.0.1",
                                                          initiator ? initiator : "")));
  });
}

int bs_device_open(bs_device** out, const char* connection_info_json, const char* options_json) {
  return capi::Guard([&]() -> Status {
    BS_RETURN_IF_ERROR(capi::NeedOut(out));
    *out = nullptr;
    BS_ASSIGN_OR_RETURN(std::string text, capi::Arg(connection_info_json, "connection_info_json"));
    BS_ASSIGN_OR_RETURN(json::value v, internal::ParseJson(text, "connection info"));
    BS_ASSIGN_OR_RETURN(ConnectionInfo info, internal::ConnectionInfoFromJson(v));
    BS_ASSIGN_OR_RETURN(json::value ov, capi::JsonArg(options_json, "options_json"));
    const auto* o = ov.if_object();
    if (!o) return InvalidArgument("options_json must be an object");
    ConnectOptions options;
    for (const auto& kv : *o) {
      const std::string k(kv.key());
      if (k == "initiator" && kv.value().is_string()) {
        options.initiator = std::string(kv.value().get_string());
      } else if (k == "use_loop_device" && kv.value().is_bool()) {
        options.use_loop_device = kv.value().get_bool();
      } else if (k == "ceph_conf" && kv.value().is_string()) {
        options.ceph_conf = std::string(kv.value().get_string());
      } else if (k == "ceph_keyring" && kv.value().is_string()) {
        options.ceph_keyring = std::string(kv.value().get_string());
      } else if (k == "timeout_ms" && kv.value().is_int64() && kv.value().get_int64() > 0) {
        options.timeout = std::chrono::milliseconds(kv.value().get_int64());
      } else {
        return InvalidArgument("options_json: '" + k + "' is unknown or of the wrong type");
      }
    }
    BS_ASSIGN_OR_RETURN(auto device, ConnectVolume(info, options));
    *out = new bs_device{std::move(device)};
    return Status::Ok();
  });
}

uint64_t bs_device_size(const bs_device* d) { return d ? d->device->SizeBytes() : 0; }

int bs_device_read(bs_device* d, uint64_t offset, void* buf, size_t len, size_t* done) {
  return capi::Guard([&]() -> Status {
    if (!d) return InvalidArgument("device is NULL");
    if (!buf && len) return InvalidArgument("buf is NULL");
    if (done) *done = 0;
    BS_ASSIGN_OR_RETURN(std::size_t n,
                        d->device->ReadAt(offset, {static_cast<std::byte*>(buf), len}));
    if (done) *done = n;
    return Status::Ok();
  });
}

int bs_device_write(bs_device* d, uint64_t offset, const void* buf, size_t len) {
  return capi::Guard([&]() -> Status {
    if (!d) return InvalidArgument("device is NULL");
    if (!buf && len) return InvalidArgument("buf is NULL");
    return d->device->WriteAt(offset, {static_cast<const std::byte*>(buf), len});
  });
}

int bs_device_flush(bs_device* d) {
  return capi::Guard([&]() -> Status {
    if (!d) return InvalidArgument("device is NULL");
    return d->device->Flush();
  });
}

void bs_device_close(bs_device* d) { delete d; }

}  // extern "C"
