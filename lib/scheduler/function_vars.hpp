// Internal: what a pool's filter_function / goodness_function may read (reference §2.6):
// `stats.*` (the backend's figures), `capabilities.*` (the pool's capabilities), `volume.*`
// (the request), `qos.*` (the type's QoS specs) and `extra.*` (the type's extra specs).
#ifndef BLOCKSTORE_LIB_SCHEDULER_FUNCTION_VARS_HPP
#define BLOCKSTORE_LIB_SCHEDULER_FUNCTION_VARS_HPP

#include <string>
#include <vector>

#include "lib/scheduler/pool_entry.hpp"

namespace blockstore::internal {

// `protocol` replaces stats.storage_protocol (one of the protocol's spellings).
eval::Variables FunctionVariables(const PoolEntry& pool, const PreparedRequest& request,
                                  const std::string& protocol);

// The spellings a storage protocol is known by: iSCSI → {iSCSI, iscsi}; FC → {FC,
// fibre_channel, fc}; NFS → {NFS, nfs}; NVMe-oF → {NVMe-oF, NVMeOF, nvmeof}; others as they are.
std::vector<std::string> ProtocolVariants(const std::string& protocol);

// Evaluates a pool function once per protocol spelling when it reads storage_protocol, once
// otherwise; the results in order.
std::vector<Result<eval::Value>> EvaluatePoolFunction(const eval::Expression& fn,
                                                      const PoolEntry& pool,
                                                      const PreparedRequest& request);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_SCHEDULER_FUNCTION_VARS_HPP
