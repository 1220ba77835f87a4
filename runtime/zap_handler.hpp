// ZapHandler: the node's ZeroMQ authentication handler (ZAP, RFC 27), on a thread of its
// own. Every CURVE handshake on the node's context (peer ROUTER, console ROUTER) asks it
// whether the client's public key may connect in the socket's domain; KeyRing::admit
// answers. An admitted connection carries the key's owner ("node-2", "client-3") as the
// ZAP user id on every frame it delivers, which is how the shells know who sent what. A
// refused key never completes the handshake, so nothing it sends reaches a socket.
//
// Ordering rule: the handler is bound before any server socket binds (the constructor binds
// it): libzmq admits every CURVE client when no handler is bound.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include <zmq.hpp>

#include "runtime/log_sink.hpp"
#include "runtime/refusal_counter.hpp"
#include "security/key_ring.hpp"

namespace bank {

class ZapHandler {
 public:
  // How often the thread looks at its stop flag, and how often at most it logs refusals.
  static constexpr int kPollMs = 100;
  static constexpr std::int64_t kRefusalLogEveryMs = 1000;

  ZapHandler(zmq::context_t& ctx, std::shared_ptr<const KeyRing> keys, LogSink& log);
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

 private:
  void run();
  void answer();
  void log(const std::optional<RefusalCounter::Line>& line);

  std::shared_ptr<const KeyRing> keys_;
  LogSink& log_;
  zmq::socket_t socket_;
  std::atomic<bool> stop_{false};
  RefusalCounter refused_{kRefusalLogEveryMs};
  std::thread thread_;
};

}  // namespace bank
