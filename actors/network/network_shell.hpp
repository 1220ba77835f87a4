// NetworkShell: the network actor's shell. Owns the peer sockets: a ROUTER inbox bound to
// this node's port (router_handover: a restarted peer's new connection takes over its id)
// and one DEALER per peer, whose routing id is our node id. Frames a DEALER cannot take now
// wait in a backlog, in order, until it can: a full queue is backpressure, not loss.
#pragma once

#include <deque>
#include <map>

#include "actors/network/network_core.hpp"
#include "runtime/actor_shell.hpp"
#include "config/cluster_config.hpp"

namespace bank {

class NetworkShell : public ActorShell {
 public:
  // The link timers (resend, heartbeat, peer timeout) are checked this often.
  static constexpr std::int64_t kTickMs = 10;
  // Frames read per wake-up at most: a flood cannot starve the inbox and the ticks.
  static constexpr int kFramesPerWake = 512;
  // Per peer DEALER: frames queued in ZeroMQ before a send would block (then they wait in
  // our own backlog), how long unsent frames may delay close, and how soon a broken
  // connection is retried (backing off to the max).
  static constexpr int kPeerSendHwm = 10000;
  static constexpr int kPeerLingerMs = 200;
  static constexpr int kReconnectMs = 50;
  static constexpr int kReconnectMaxMs = 1000;

  // Binds the peer port now, so a port in use fails before any thread starts.
  NetworkShell(zmq::context_t& ctx, const ClusterConfig& config, NodeId self, NetworkCore core);

 protected:
  void step(const BusMessage& in, Outbox& out) override { core_.step(in, out); }
  void deliver(Addressed& a) override;
  std::vector<zmq::pollitem_t> extra_items() override;
  void on_ready(const std::vector<zmq::pollitem_t>& items) override;

 private:
  struct Peer {
    zmq::socket_t dealer;
    std::deque<WireOut> backlog;
  };
  void flush(Peer& p);

  NetworkCore core_;
  zmq::socket_t router_;
  std::map<NodeId, Peer> peers_;
};

}  // namespace bank
