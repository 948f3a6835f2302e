#include "lib/config/key_file.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace blockstore::internal {

namespace key_file {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace key_file

Result<std::map<std::string, std::string>> ReadKeyFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return InvalidArgument("cannot read the key file " + path);
  if (!S_ISREG(st.st_mode)) return InvalidArgument("the key file " + path + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    return InvalidArgument("the key file " + path +
                           " may be read or written by others: it must be mode 0600 or 0400");
  }
  std::ifstream in(path);
  if (!in) return InvalidArgument("cannot read the key file " + path);
  std::map<std::string, std::string> keys;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::istringstream words(line);
    std::string id, hex, extra;
    if (!(words >> id) || id[0] == '#') continue;
    const std::string where = path + ":" + std::to_string(n) + ": ";
    if (!(words >> hex) || (words >> extra) || hex.size() != 64) {
      return InvalidArgument(where + "want '<key id> <64 hex digits>'");
    }
    std::string key(32, '\0');
    for (std::size_t i = 0; i < 32; ++i) {
      const int hi = key_file::HexDigit(hex[2 * i]), lo = key_file::HexDigit(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) return InvalidArgument(where + "want '<key id> <64 hex digits>'");
      key[i] = static_cast<char>(hi * 16 + lo);
    }
    if (!keys.emplace(id, std::move(key)).second) {
      return InvalidArgument(where + "key '" + id + "' appears twice");
    }
  }
  return keys;
}

std::function<Result<std::string>(const std::string&)> KeyProviderOf(
    std::map<std::string, std::string> keys) {
  return [keys = std::move(keys)](const std::string& id) -> Result<std::string> {
    auto it = keys.find(id);
    if (it == keys.end()) return NotFound("the key file holds no key '" + id + "'");
    return it->second;
  };
}

}  // namespace blockstore::internal
