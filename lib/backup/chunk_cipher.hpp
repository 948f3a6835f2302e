// Internal: authenticated encryption of backup objects with AES-256-GCM.
//
// A sealed object is nonce (12 random bytes) || ciphertext || tag (16 bytes). The object's
// name is the associated data, so an object moved or swapped under another name fails to open,
// as does any changed byte.
//
// Thread-safety: free functions over their arguments.
#ifndef BLOCKSTORE_LIB_BACKUP_CHUNK_CIPHER_HPP
#define BLOCKSTORE_LIB_BACKUP_CHUNK_CIPHER_HPP

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "blockstore/result.hpp"

namespace blockstore::internal {

inline constexpr std::size_t kBackupKeyBytes = 32;

// invalid_argument for a key that is not 32 bytes.
Result<std::vector<std::byte>> Seal(std::string_view key, std::string_view name,
                                    std::span<const std::byte> plaintext);
// data_loss naming `what` when the object was changed, cut short, or sealed with another key
// or under another name.
Result<std::vector<std::byte>> Unseal(std::string_view key, std::string_view name,
                                      std::span<const std::byte> sealed, const std::string& what);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_BACKUP_CHUNK_CIPHER_HPP
