// Internal: the scheduler's RPC API, version 3.0 (its major follows Cinder's scheduler API).
//
// | method          | kind | id           | args                                  | reply |
// |-----------------|------|--------------|---------------------------------------|-------|
// | create_volume   | cast | volume       | spec                                  |       |
// | extend_volume   | cast | volume       | spec                                  |       |
// | create_snapshot | cast | snapshot     | spec                                  |       |
// | update_stats    | cast | backend      | availability_zone, taken_at, stats    |       |
// | freed           | cast | pool         | volume_id, size                       |       |
// | release         | cast | reservation  | —                                     |       |
// | explain         | call | —            | spec                                  | the placement explanation |
// | ping            | call | —            | —                                     | {}    |
//
// One scheduler in a process serves the "scheduler" topic with one worker, so the stats
// reports and placements it is sent are handled in order; ping is a barrier behind them.
#ifndef BLOCKSTORE_LIB_SCHEDULER_SCHEDULER_RPC_HPP
#define BLOCKSTORE_LIB_SCHEDULER_SCHEDULER_RPC_HPP

#include <chrono>
#include <string>

#include "blockstore/scheduler.hpp"
#include "lib/rpc/endpoint.hpp"

namespace blockstore::internal {

inline constexpr rpc::Version kSchedulerRpcVersion{3, 0};
inline constexpr const char* kSchedulerTopic = "scheduler";

// A backend's report of its pools.
struct StatsReport {
  std::string backend;  // "host@backend"
  std::string availability_zone;
  TimePoint taken_at{};  // when the backend read the store's usage for it
  BackendStats stats;
};

class SchedulerClient {
 public:
  explicit SchedulerClient(Transport& transport);
  Status CreateVolume(const std::string& volume_id, const RequestSpec& spec,
                      const std::string& request_id = {}) const;
  Status ExtendVolume(const std::string& volume_id, const RequestSpec& spec,
                      const std::string& request_id = {}) const;
  Status CreateSnapshot(const std::string& snapshot_id, const RequestSpec& spec,
                        const std::string& request_id = {}) const;
  Status UpdateStats(const StatsReport& report) const;
  // `size_gb` of `pool` is free again (a volume there was deleted).
  Status Freed(const std::string& pool, const std::string& volume_id, double size_gb) const;
  // A placement's reservation is no longer needed (what it reserved for failed).
  Status Release(const std::string& reservation) const;
  Result<PlacementExplanation> Explain(const RequestSpec& spec,
                                       std::chrono::milliseconds timeout) const;
  // Returns once every message sent to the scheduler before it has been handled.
  Status Ping(std::chrono::milliseconds timeout) const;
  // The pools a scheduler knows, as last reported (for an engine without the scheduler role).
  Result<std::vector<PoolState>> Pools(std::chrono::milliseconds timeout) const;

 private:
  rpc::Client client_;
};

class SchedulerHandler {
 public:
  virtual ~SchedulerHandler() = default;
  virtual void CreateVolume(const std::string& id, RequestSpec spec, const std::string& request_id) = 0;
  virtual void ExtendVolume(const std::string& id, RequestSpec spec, const std::string& request_id) = 0;
  virtual void CreateSnapshot(const std::string& id, RequestSpec spec, const std::string& request_id) = 0;
  virtual void UpdateStats(const StatsReport& report) = 0;
  virtual void Freed(const std::string& pool, const std::string& volume_id, double size_gb) = 0;
  virtual void Release(const std::string& reservation) = 0;
  virtual Result<PlacementExplanation> Explain(const RequestSpec& spec) = 0;
  virtual std::vector<PoolState> Pools() = 0;
};

rpc::Dispatcher SchedulerDispatcher(SchedulerHandler& handler);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_SCHEDULER_SCHEDULER_RPC_HPP
