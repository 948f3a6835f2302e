// blockstored's drivers from outside the library, named by a backend's volume_driver:
//
//   volume_driver = /usr/lib/blockstore/drivers/libvendor.so    a C driver (bs_volume_driver_entry)
//   volume_driver = python:vendor_pkg.driver.VendorDriver       a blockstore.VolumeDriver subclass
//
// The Python driver runs in an interpreter the daemon embeds (started only when a backend names
// one); its module and the blockstore package must be importable (PYTHONPATH).
#ifndef BLOCKSTORE_EXAMPLES_BLOCKSTORED_DRIVER_LOADING_HPP
#define BLOCKSTORE_EXAMPLES_BLOCKSTORED_DRIVER_LOADING_HPP

#include <blockstore/engine.hpp>

namespace blockstored {

// Sets config.register_drivers for the backends whose driver is a shared object or a Python
// class. Errors name the backend and why its driver cannot be had.
blockstore::Status LoadDrivers(blockstore::EngineConfig& config);

}  // namespace blockstored

#endif  // BLOCKSTORE_EXAMPLES_BLOCKSTORED_DRIVER_LOADING_HPP
