// ServiceHeartbeat: reporting this engine's services, and reading everyone's back.
#include "lib/engine/service_heartbeat.hpp"

#include "lib/core/macros.hpp"

namespace blockstore::internal {

namespace {
constexpr const char* kVolumeBinary = "cinder-volume";
constexpr const char* kSchedulerBinary = "cinder-scheduler";
}  // namespace

ServiceHeartbeat::ServiceHeartbeat(Store& store, Options options)
    : store_(store), options_(std::move(options)) {}

ServiceHeartbeat::~ServiceHeartbeat() { Stop(); }

Status ServiceHeartbeat::Start() {
  BS_RETURN_IF_ERROR(Beat());
  if (options_.interval.count() <= 0) return Status::Ok();
  thread_ = std::thread([this] {
    Env& env = *options_.env;
    std::unique_lock lock(mu_);
    while (!env.WaitUntil(lock, cv_, env.SteadyNow() + options_.interval, [this] { return stop_; })) {
      lock.unlock();
      // A store that does not answer now is asked again on the next beat; until then the
      // services it could not hear from go down on their own, as their beats age.
      (void)Beat();
      lock.lock();
    }
  });
  return Status::Ok();
}

void ServiceHeartbeat::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ServiceState ServiceHeartbeat::StateOf(const ServiceRecord& r, TimePoint now) const {
  ServiceState s;
  s.binary = r.binary;
  s.host = r.host;
  s.availability_zone = r.availability_zone;
  s.version = r.version;
  s.updated_at = r.updated_at;
  s.up = now - r.updated_at <= options_.down_after;
  s.disabled = r.disabled;
  s.disabled_reason = r.disabled_reason;
  return s;
}

Status ServiceHeartbeat::Beat() {
  Status failed = Status::Ok();
  for (const auto& own : options_.own) {
    if (auto r = store_.services().Report(own); !r.ok() && failed.ok()) failed = r.status();
  }
  BS_ASSIGN_OR_RETURN(auto all, store_.services().List());
  const TimePoint now = options_.env->Now();
  std::map<std::pair<std::string, std::string>, ServiceState> seen;
  for (const auto& r : all) seen[{r.binary, r.host}] = StateOf(r, now);
  std::lock_guard lock(mu_);
  seen_ = std::move(seen);
  return failed;
}

// "Up" is judged now, from the beat last read: a service that stopped beating goes down on
// time even when this engine reads the table less often than that.
bool ServiceHeartbeat::InService(const std::string& backend) const {
  const TimePoint now = options_.env->Now();
  std::lock_guard lock(mu_);
  auto it = seen_.find({kVolumeBinary, backend});
  return it != seen_.end() && now - it->second.updated_at <= options_.down_after && !it->second.disabled;
}

bool ServiceHeartbeat::OtherSchedulerUp() const {
  const TimePoint now = options_.env->Now();
  std::lock_guard lock(mu_);
  for (const auto& [key, state] : seen_) {
    if (key.first != kSchedulerBinary || now - state.updated_at > options_.down_after) continue;
    bool mine = false;
    for (const auto& own : options_.own) mine = mine || (own.binary == key.first && own.host == key.second);
    if (!mine) return true;
  }
  return false;
}

Result<std::vector<ServiceState>> ServiceHeartbeat::States() const {
  BS_ASSIGN_OR_RETURN(auto all, store_.services().List());
  const TimePoint now = options_.env->Now();
  std::vector<ServiceState> out;
  out.reserve(all.size());
  for (const auto& r : all) out.push_back(StateOf(r, now));
  return out;
}

Result<ServiceState> ServiceHeartbeat::SetDisabled(const std::string& host, const std::string& binary,
                                                   bool disabled, const std::string& reason) {
  if (reason.size() > 255) return InvalidArgument("disabled_reason is longer than 255 characters");
  BS_ASSIGN_OR_RETURN(ServiceRecord r, store_.services().SetDisabled(host, binary, disabled, reason));
  ServiceState s = StateOf(r, options_.env->Now());
  std::lock_guard lock(mu_);
  seen_[{r.binary, r.host}] = s;
  return s;
}

}  // namespace blockstore::internal
