// HandshakeWatch: logs the connections a server socket (the peer or the console ROUTER)
// refused during the ZeroMQ handshake, before any ZAP request: a plain ZeroMQ client at a
// CURVE port (another security mechanism), a CURVE client that does not know the node's
// key, junk, or a connection that closed or timed out before finishing. libzmq drops those
// silently; a socket monitor reports them (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL and
// _PROTOCOL). A refused key (_AUTH) is not counted here: the ZAP handler logs that.
//
// Logged as `error`, at most one line a second with how many there were (RefusalCounter),
// as the ZAP handler logs refused keys: a stranger hammering the port must not fill the disk.
// The owning shell calls on_tick() on its timer: it reads the events that came since and
// logs a count left over within the second after. The monitor is not in the thread's poll
// set: a refused handshake is not urgent, and zmq_poll costs system calls per socket polled
// on every wake-up (a ZMQ_EVENTS check per socket and pass).
// Threading rule: like the socket it watches, used only by the thread that owns the shell.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "messages/bus_message.hpp"
#include "runtime/refusal_counter.hpp"

namespace bank {

class HandshakeWatch {
 public:
  static constexpr std::int64_t kLogEveryMs = 1000;

  // Watches `server` (which must outlive this); `port` names it in the log ("peer port").
  HandshakeWatch(zmq::context_t& ctx, zmq::socket_t& server, std::string port);
  ~HandshakeWatch();
  HandshakeWatch(const HandshakeWatch&) = delete;
  HandshakeWatch& operator=(const HandshakeWatch&) = delete;

  // Reads the monitor's events; the line to log, if one is due.
  std::optional<LogOut> on_tick(std::int64_t now_ms);
  // At stop: what came since the last tick, and any count not logged yet, due or not.
  std::vector<LogOut> on_stop(std::int64_t now_ms);

 private:
  std::optional<LogOut> line(const std::optional<RefusalCounter::Line>& l) const;

  zmq::socket_t& server_;
  zmq::socket_t monitor_;
  std::string port_;
  RefusalCounter refused_{kLogEveryMs};
};

}  // namespace bank
