// Internal: one configuration value read by its key's type, from a typed JSON value or from
// text (ConfigSyntax). Errors name the key's path and say what it must be.
#ifndef BLOCKSTORE_LIB_CONFIG_CONFIG_VALUE_HPP
#define BLOCKSTORE_LIB_CONFIG_CONFIG_VALUE_HPP

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "blockstore/engine_config.hpp"
#include "blockstore/result.hpp"

namespace blockstore::internal {

class ConfigValueReader {
 public:
  explicit ConfigValueReader(ConfigSyntax syntax) : syntax_(syntax) {}

  Result<std::string> String(const boost::json::value& v, const std::string& path) const;
  Result<int64_t> Integer(const boost::json::value& v, const std::string& path, int64_t lo,
                          int64_t hi) const;
  Result<double> Number(const boost::json::value& v, const std::string& path, double lo,
                        double hi) const;
  Result<bool> Boolean(const boost::json::value& v, const std::string& path) const;
  Result<std::vector<std::string>> List(const boost::json::value& v, const std::string& path) const;
  // name → number: a JSON object, or text "Name:1.0, Other:-1".
  Result<std::map<std::string, double>> Weights(const boost::json::value& v,
                                                const std::string& path) const;
  // name → text: a JSON object whose values are strings, integers, numbers or booleans (written
  // as JSON writes them), or, as text, the entries of an INI section.
  Result<std::map<std::string, std::string>> TextMap(const boost::json::value& v,
                                                     const std::string& path) const;

  static Status Fail(const std::string& path, const std::string& must_be);

 private:
  ConfigSyntax syntax_;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_CONFIG_CONFIG_VALUE_HPP
