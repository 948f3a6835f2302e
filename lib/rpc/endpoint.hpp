// Internal: the two ends of a role's RPC API over a Transport.
//
// A Dispatcher is what a role serves on its topic: a table of method names to handlers, behind
// the version check. A Client is what callers hold: it stamps its API's version on every
// envelope it casts or calls. Each role's typed client and dispatcher (scheduler_rpc,
// volume_rpc, backup_rpc) are built on these and own their method names and codecs; nothing
// else spells a method name.
//
// Thread-safety: a Dispatcher is filled before it serves and read-only after; a Client's
// methods may be called from any thread.
#ifndef BLOCKSTORE_LIB_RPC_ENDPOINT_HPP
#define BLOCKSTORE_LIB_RPC_ENDPOINT_HPP

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "blockstore/transport.hpp"
#include "lib/rpc/envelope.hpp"

namespace blockstore::internal::rpc {

class Dispatcher {
 public:
  // The reply of a call, as JSON (a cast's is dropped).
  using Method = std::function<Result<boost::json::value>(const Envelope&)>;

  Dispatcher(std::string api, Version served) : api_(std::move(api)), served_(served) {}
  void Add(std::string method, Method m) { methods_[std::move(method)] = std::move(m); }
  // Decodes, checks the version, runs the method: its reply text, or the error.
  Result<std::string> Handle(const std::string& text) const;
  // Serves `topic` on `transport` with `workers` threads.
  Status Serve(Transport& transport, const std::string& topic, int workers) const;

 private:
  std::string api_;
  Version served_;
  std::map<std::string, Method, std::less<>> methods_;
};

class Client {
 public:
  Client(Transport& transport, std::string topic, Version version)
      : transport_(transport), topic_(std::move(topic)), version_(version) {}
  Status Cast(std::string method, std::string id, std::string request_id,
              boost::json::object args = {}) const;
  // To every process serving the topic (Transport::Fanout).
  Status Fanout(std::string method, std::string id, boost::json::object args = {}) const;
  Result<boost::json::value> Call(std::string method, std::string id, std::string request_id,
                                  boost::json::object args, std::chrono::milliseconds timeout) const;
  const std::string& topic() const { return topic_; }

 private:
  Transport& transport_;
  std::string topic_;
  Version version_;
};

}  // namespace blockstore::internal::rpc

#endif  // BLOCKSTORE_LIB_RPC_ENDPOINT_HPP
