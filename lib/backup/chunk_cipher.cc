#include "lib/backup/chunk_cipher.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

namespace blockstore::internal {
namespace {

constexpr int kNonce = 12;
constexpr int kTag = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* U(const void* p) { return static_cast<const unsigned char*>(p); }
unsigned char* U(void* p) { return static_cast<unsigned char*>(p); }

}  // namespace

Result<std::vector<std::byte>> Seal(std::string_view key, std::string_view name,
                                    std::span<const std::byte> plaintext) {
  if (key.size() != kBackupKeyBytes) return InvalidArgument("a backup key is 32 bytes");
  std::vector<std::byte> out(kNonce + plaintext.size() + kTag);
  if (RAND_bytes(U(out.data()), kNonce) != 1) return Internal("no random bytes for a nonce");
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int n = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key.data()), U(out.data())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, U(name.data()), static_cast<int>(name.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), U(out.data() + kNonce), &n, U(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), U(out.data() + kNonce + n), &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag,
                          out.data() + kNonce + plaintext.size()) != 1) {
    return Internal("AES-256-GCM encryption failed");
  }
  return out;
}

Result<std::vector<std::byte>> Unseal(std::string_view key, std::string_view name,
                                      std::span<const std::byte> sealed, const std::string& what) {
  if (key.size() != kBackupKeyBytes) return InvalidArgument("a backup key is 32 bytes");
  if (sealed.size() < kNonce + kTag) return DataLoss(what + ": the encrypted object is cut short");
  const std::size_t len = sealed.size() - kNonce - kTag;
  std::vector<std::byte> out(len);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int n = 0;
  std::byte tag[kTag];
  std::copy(sealed.end() - kTag, sealed.end(), tag);
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key.data()), U(sealed.data())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, U(name.data()), static_cast<int>(name.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), U(out.data()), &n, U(sealed.data() + kNonce), static_cast<int>(len)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag) != 1) {
    return Internal("AES-256-GCM decryption failed");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), U(out.data() + n), &n) != 1) {
    return DataLoss(what + ": the encrypted object fails authentication (changed, or another key)");
  }
  return out;
}

}  // namespace blockstore::internal
