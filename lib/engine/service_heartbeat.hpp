// Internal: this engine's rows in the services table, kept alive.
//
// Each role of the engine (cinder-scheduler, cinder-volume per backend, cinder-backup) has a
// row, reported once when the engine opens and then every report interval, as Cinder's
// services report. What every engine on the store reported is read back on the same beat, so
// the scheduler knows without asking the database which backends are in service: up (reported
// within the down time) and not disabled. A disable made here counts here at once, and in
// every other engine on the store by its next beat.
#ifndef BLOCKSTORE_LIB_ENGINE_SERVICE_HEARTBEAT_HPP
#define BLOCKSTORE_LIB_ENGINE_SERVICE_HEARTBEAT_HPP

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "blockstore/engine.hpp"
#include "blockstore/store.hpp"

namespace blockstore::internal {

class ServiceHeartbeat {
 public:
  struct Options {
    std::vector<ServiceRecord> own;             // host, binary, zone, version of each role
    std::chrono::milliseconds interval{10000};  // 0: report once, at Start
    std::chrono::milliseconds down_after{60000};
    std::shared_ptr<Env> env;
  };
  ServiceHeartbeat(Store& store, Options options);
  ~ServiceHeartbeat();
  ServiceHeartbeat(const ServiceHeartbeat&) = delete;
  ServiceHeartbeat& operator=(const ServiceHeartbeat&) = delete;

  // Reports every role once and reads every service back; then beats on a thread of its own.
  Status Start();
  // Stops beating (the rows stay, and go down once the down time passes). Idempotent.
  void Stop();

  // Whether a backend's volume service takes new work, as of the last beat.
  bool InService(const std::string& backend) const;
  // Whether a cinder-scheduler other than this engine's was up at the last beat.
  bool OtherSchedulerUp() const;
  // Every service on the store, read now, with up computed.
  Result<std::vector<ServiceState>> States() const;
  Result<ServiceState> SetDisabled(const std::string& host, const std::string& binary, bool disabled,
                                   const std::string& reason);

 private:
  Status Beat();
  ServiceState StateOf(const ServiceRecord& r, TimePoint now) const;

  Store& store_;
  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::map<std::pair<std::string, std::string>, ServiceState> seen_;  // (binary, host) → state
  std::thread thread_;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_ENGINE_SERVICE_HEARTBEAT_HPP
