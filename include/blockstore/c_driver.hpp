// blockstore — volume drivers written in C (c.h's bs_volume_driver), registered as C++ drivers.
//
// A host in C++ (the example daemon, say) registers a C driver's table, or the one a shared
// object exports (bs_volume_driver_entry), in the DriverRegistry its engine builds backends from.
#ifndef BLOCKSTORE_C_DRIVER_HPP
#define BLOCKSTORE_C_DRIVER_HPP

#include <string>

#include "blockstore/driver.hpp"
#include "blockstore/export.h"

extern "C" {
struct bs_volume_driver;
}

namespace blockstore {

// Registers `table` (copied; its payload must outlive the drivers made from it) under `name`.
// invalid_argument for a table of another version or without a required function, naming it;
// already_exists when the name is taken.
BS_API Status RegisterCDriver(DriverRegistry& registry, std::string name, const bs_volume_driver& table);

// Loads the shared object at `path` (never unloaded) and registers the table its
// bs_volume_driver_entry returns under `name`. not_found, with the loader's reason, when it
// cannot be loaded or exports no entry.
BS_API Status RegisterSharedObjectDriver(DriverRegistry& registry, std::string name,
                                         const std::string& path);

}  // namespace blockstore

#endif  // BLOCKSTORE_C_DRIVER_HPP
