// Internal: what every role needs to stamp and publish events.
#ifndef BLOCKSTORE_LIB_EVENTS_NOTIFIER_HPP
#define BLOCKSTORE_LIB_EVENTS_NOTIFIER_HPP

#include <functional>
#include <memory>
#include <string>

#include "blockstore/env.hpp"
#include "blockstore/types.hpp"

namespace blockstore::internal {

class Notifier {
 public:
  using Sink = std::function<void(Event)>;
  Notifier(Sink sink, std::shared_ptr<Env> env) : sink_(std::move(sink)), env_(std::move(env)) {}

  void Volume(const std::string& type, const blockstore::Volume& v, std::string message = {}) const {
    Emit(type, "volume", v.id, v.project_id, std::string(ToString(v.status)), std::move(message));
  }
  void Snapshot(const std::string& type, const blockstore::Snapshot& s,
                std::string message = {}) const {
    Emit(type, "snapshot", s.id, s.project_id, std::string(ToString(s.status)),
         std::move(message));
  }
  void Backup(const std::string& type, const blockstore::Backup& b,
              std::string message = {}) const {
    Emit(type, "backup", b.id, b.project_id, std::string(ToString(b.status)), std::move(message));
  }
  void Emit(std::string type, std::string resource_type, std::string id, std::string project,
            std::string status, std::string message = {}) const {
    if (!sink_) return;
    Event e;
    e.type = std::move(type);
    e.resource_type = std::move(resource_type);
    e.resource_id = std::move(id);
    e.project_id = std::move(project);
    e.status = std::move(status);
    e.message = std::move(message);
    e.at = env_->Now();
    sink_(std::move(e));
  }
  TimePoint Now() const { return env_->Now(); }
  Env& env() const { return *env_; }

 private:
  Sink sink_;
  std::shared_ptr<Env> env_;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_EVENTS_NOTIFIER_HPP
