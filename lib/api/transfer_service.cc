// TransferService: volumes given from one project to another, with a key only the giver sees.
#include "blockstore/transfer_service.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>

#include "lib/api/service_core.hpp"
#include "lib/api/validation.hpp"
#include "lib/core/ids.hpp"
#include "lib/core/macros.hpp"
#include "lib/encoding/hex.hpp"

namespace blockstore {
namespace {

constexpr std::size_t kSaltLength = 8;
constexpr std::size_t kAuthKeyLength = 16;

// Letters and digits a reader cannot mistake for one another (no 0/O, 1/l/I).
constexpr std::string_view kKeyAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

Result<std::string> RandomWord(std::size_t length) {
  std::string out;
  // Rejection sampling keeps every character equally likely.
  const unsigned limit = 256 - 256 % kKeyAlphabet.size();
  while (out.size() < length) {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      return Internal("no random bytes for a transfer key");
    }
    for (unsigned char b : bytes) {
      if (b < limit && out.size() < length) out += kKeyAlphabet[b % kKeyAlphabet.size()];
    }
  }
  return out;
}

// Hex HMAC-SHA1 of the key, keyed by the salt.
std::string KeyHash(const std::string& salt, const std::string& auth_key) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), salt.data(), static_cast<int>(salt.size()),
       reinterpret_cast<const unsigned char*>(auth_key.data()), auth_key.size(), mac, &len);
  return internal::HexEncode(mac, len);
}

bool SameHash(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

TransferService::TransferService(internal::ServiceCore& core) : core_(core) {}

Result<TransferCreated> TransferService::Create(const RequestContext& ctx, const std::string& volume_id,
                                                const std::string& name, bool no_snapshots) {
  BS_RETURN_IF_ERROR(core_.CheckOpen());
  BS_RETURN_IF_ERROR(core_.CheckContext(ctx));
  BS_RETURN_IF_ERROR(internal::CheckText("name", name));
  BS_ASSIGN_OR_RETURN(Volume v, core_.LoadVolume(ctx, volume_id));
  TransferCreated out;
  BS_ASSIGN_OR_RETURN(out.auth_key, RandomWord(kAuthKeyLength));
  VolumeTransfer& t = out.transfer;
  t.id = internal::NewUuid();
  t.volume_id = v.id;
  t.name = name;
  t.no_snapshots = no_snapshots;
  BS_ASSIGN_OR_RETURN(t.salt, RandomWord(kSaltLength));
  t.crypt_hash = KeyHash(t.salt, out.auth_key);
  t.created_at = t.updated_at = core_.env().Now();
  BS_ASSIGN_OR_RETURN(t, core_.store().transfers().Create(t));
  NotifyVolume("volume.transfer.create.end", t.volume_id);
  return out;
}

Result<VolumeTransfer> TransferService::Get(const RequestContext& ctx, const std::string& id) {
  BS_RETURN_IF_ERROR(core_.CheckContext(ctx));
  BS_RETURN_IF_ERROR(internal::CheckLookupId("transfer", id));
  BS_ASSIGN_OR_RETURN(VolumeTransfer t, core_.store().transfers().Get(id));
  BS_RETURN_IF_ERROR(core_.Visible(ctx, t.source_project_id, "transfer", id));
  return t;
}

Result<std::vector<VolumeTransfer>> TransferService::List(const RequestContext& ctx, bool all_projects) {
  BS_RETURN_IF_ERROR(core_.CheckContext(ctx));
  if (all_projects) BS_RETURN_IF_ERROR(core_.RequireAdmin(ctx, "listing every project's transfers"));
  return core_.store().transfers().List(all_projects ? "" : ctx.project_id);
}

Status TransferService::Delete(const RequestContext& ctx, const std::string& id) {
  BS_RETURN_IF_ERROR(core_.CheckOpen());
  BS_ASSIGN_OR_RETURN(VolumeTransfer t, Get(ctx, id));
  BS_RETURN_IF_ERROR(core_.store().transfers().Delete(id));
  NotifyVolume("volume.transfer.delete.end", t.volume_id);
  return Status::Ok();
}

Result<VolumeTransfer> TransferService::Accept(const RequestContext& ctx, const std::string& id,
                                               const std::string& auth_key) {
  BS_RETURN_IF_ERROR(core_.CheckOpen());
  BS_RETURN_IF_ERROR(core_.CheckContext(ctx));
  BS_RETURN_IF_ERROR(internal::CheckLookupId("transfer", id));
  if (auth_key.empty()) return InvalidArgument("auth_key is required to accept a transfer");
  BS_ASSIGN_OR_RETURN(VolumeTransfer t, core_.store().transfers().Get(id));
  if (!SameHash(KeyHash(t.salt, auth_key), t.crypt_hash)) {
    return InvalidArgument("attempt to accept transfer " + id + " with an invalid auth key");
  }
  if (t.source_project_id == ctx.project_id) {
    return FailedPrecondition("volume " + t.volume_id + " already belongs to project " + ctx.project_id +
                              "; delete the transfer instead");
  }
  BS_ASSIGN_OR_RETURN(t, core_.store().transfers().Accept(id, ctx.project_id, ctx.user_id));
  NotifyVolume("volume.transfer.accept.end", t.volume_id);
  return t;
}

// Cinder's volume usage notification for a transfer step, with the volume as it now is.
void TransferService::NotifyVolume(const std::string& type, const std::string& volume_id) {
  if (auto v = core_.store().volumes().Get(volume_id); v.ok()) core_.notifier().Volume(type, *v);
}

}  // namespace blockstore
