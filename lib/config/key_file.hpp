// Internal: a file of backup encryption keys, one per line: "<key id> <64 hex digits>" (the 32
// bytes of an AES-256 key); blank lines and lines starting with # are skipped. The file must be
// a regular file no one but its owner can read or write (mode 0600 or 0400), as ssh asks of a
// private key: a key others can read is no secret.
#ifndef BLOCKSTORE_LIB_CONFIG_KEY_FILE_HPP
#define BLOCKSTORE_LIB_CONFIG_KEY_FILE_HPP

#include <functional>
#include <map>
#include <string>

#include "blockstore/result.hpp"

namespace blockstore::internal {

// key id → 32 key bytes. invalid_argument naming the file and line for anything else.
Result<std::map<std::string, std::string>> ReadKeyFile(const std::string& path);

// A BackupConfig::key_provider answering from `keys`; not_found for an id it does not hold.
std::function<Result<std::string>(const std::string&)> KeyProviderOf(
    std::map<std::string, std::string> keys);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_CONFIG_KEY_FILE_HPP
