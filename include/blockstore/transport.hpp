// blockstore — Transport: how the roles (api, scheduler, volume managers) talk.
//
// Messages are JSON objects carried as text, so an out-of-process transport (AMQP, HTTP) can
// carry them unchanged. A topic is a named queue ("scheduler", "volume.host@backend"); each
// topic has one handler and its own worker threads. Cast is fire-and-forget; Call waits for the
// handler's reply.
//
// NewInProcessTransport is the embedded default: queues in memory, threads it owns and joins.
//
// Thread-safety: every method may be called from any thread, including from inside a handler.
#ifndef BLOCKSTORE_TRANSPORT_HPP
#define BLOCKSTORE_TRANSPORT_HPP

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "blockstore/export.h"
#include "blockstore/result.hpp"

namespace blockstore {

// A handler gets the message text and answers with reply text (ignored for casts).
using MessageHandler = std::function<Result<std::string>(const std::string& message)>;

class BS_API Transport {
 public:
  virtual ~Transport();
  // Starts `workers` threads serving `topic`. already_exists if the topic has a handler.
  virtual Status Listen(const std::string& topic, MessageHandler handler, int workers) = 0;
  // Queues a message. unavailable when nobody listens on the topic or the transport is closed.
  virtual Status Cast(const std::string& topic, std::string message) = 0;
  // Queues a message and waits for the reply; deadline_exceeded after `timeout`.
  virtual Result<std::string> Call(const std::string& topic, std::string message,
                                   std::chrono::milliseconds timeout) = 0;
  // Delivers a message to every process listening on `topic`, each running it once (stats
  // reports reach every scheduler). Nobody listening is not an error. Default: Cast, right
  // where one process holds every listener.
  virtual Status Fanout(const std::string& topic, std::string message);
  // Publishes a notification (Cinder's shape: event_type, publisher_id, priority, payload) for
  // consumers outside the system; `priority` is "info" or "error". Default: nothing, as no one
  // outside the process can listen.
  virtual Status Notify(const std::string& priority, std::string message);
  // Waits until every queue is empty and every handler has returned (messages cast by handlers
  // included), then stops and joins the workers. Later casts fail with unavailable. Idempotent.
  virtual void Shutdown() = 0;
};

BS_API std::unique_ptr<Transport> NewInProcessTransport();

}  // namespace blockstore

#endif  // BLOCKSTORE_TRANSPORT_HPP
