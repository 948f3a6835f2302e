#include "blockstore/driver.hpp"

namespace blockstore {

Status DriverRegistry::Register(std::string name, DriverFactory factory) {
  if (name.empty() || !factory) return InvalidArgument("a driver needs a name and a factory");
  if (factories_.count(name)) return AlreadyExists("driver '" + name + "' is already registered");
  factories_.emplace(std::move(name), std::move(factory));
  return Status::Ok();
}

Result<std::unique_ptr<VolumeDriver>> DriverRegistry::Create(const BackendConfig& config) const {
  auto it = factories_.find(config.driver);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& [n, f] : factories_) known += (known.empty() ? "" : ", ") + n;
    return NotFound("backend '" + config.name + "': unknown volume driver '" + config.driver +
                    "' (registered: " + known + ")");
  }
  return it->second(config);
}

std::vector<std::string> DriverRegistry::Names() const {
  std::vector<std::string> out;
  for (const auto& [n, f] : factories_) out.push_back(n);
  return out;
}

}  // namespace blockstore
