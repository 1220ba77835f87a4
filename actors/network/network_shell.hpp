// NetworkShell: the network actor's shell. Owns the peer sockets: a ROUTER inbox bound to
// this node's port and one DEALER per peer. The ROUTER only receives; its routing ids are
// its own (no peer names one, so no connection can take over another's). With security on
// every socket is CURVE: the ROUTER a server with our key in the ZAP domain "peer", each
// DEALER a client that knows its peer's key; each frame comes with the node its
// connection's key belongs to (the ZAP user id), which the core checks against `from`.
// Frames a DEALER cannot take now wait in a backlog, in order, until it can: a full queue is
// backpressure, not loss. A DEALER whose handshake fails (junk on the port, a key the peer
// refuses) is never dialled again by libzmq, so a monitor watches each one and the shell
// replaces it after kRedialMs; the link layer resends what the old one held. Connections the
// ROUTER refuses in the ZeroMQ handshake, before ZAP is asked (a plain client, junk), are
// logged by a HandshakeWatch.
#pragma once

#include <deque>
#include <map>

#include "actors/network/network_core.hpp"
#include "runtime/actor_shell.hpp"
#include "runtime/handshake_watch.hpp"
#include "config/cluster_config.hpp"
#include "security/key_files.hpp"

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
  static constexpr int kPeerSendHwm = 1000;
  // Our own backlog per peer, at most (frames). Only sequenced frames wait in it, and the
  // link session keeps at most LinkSession::kWindow of them unacked: past this a frame is
  // dropped, still held by the session, which resends it (go-back-N) once the socket drains.
  static constexpr std::size_t kPeerBacklogMax = 2 * 1024;
  // Frames from all peers queued in ZeroMQ before we read them, at most; past it ZeroMQ stops
  // reading the connection, and TCP pushes back on the sender: a flood costs us at most this
  // many frames of max_peer_frame.
  static constexpr int kInboxHwm = 1000;
  // What CURVE adds to a frame on the wire (command name, nonce, MAC: some 33 bytes), with
  // room to spare: the socket's size limit is max_peer_frame plus this, so a frame of up to
  // max_peer_frame reaches the decoder, which holds it to max_peer_frame exactly.
  static constexpr std::size_t kWireOverhead = 1024;
  // An unauthenticated connection gets this long to finish its ZeroMQ handshake.
  static constexpr int kHandshakeMs = 5000;
  static constexpr int kPeerLingerMs = 200;
  static constexpr int kReconnectMs = 50;
  static constexpr int kReconnectMaxMs = 1000;
  // A DEALER whose handshake failed is replaced this long after (no faster: a port that
  // keeps answering junk must not make us spin).
  static constexpr std::int64_t kRedialMs = 500;

  // Binds the peer port now, so a port in use fails before any thread starts. `secret`
  // (with `keys`, every node's public keys) turns CURVE on; nullptr: security off.
  NetworkShell(zmq::context_t& ctx, const ClusterConfig& config, NodeId self, NetworkCore core,
               const NodeSecret* secret, const KeyRing* keys);

 protected:
  void step(const BusMessage& in, Outbox& out) override;
  // A bye to every peer (each DEALER lingers kPeerLingerMs to send it), so peers count this
  // node down at once instead of after the failure-detection time.
  void on_stop() override;
  void set_now_us(std::int64_t now_us) override { core_.set_now_us(now_us); }
  void deliver(Addressed& a) override;
  std::vector<zmq::pollitem_t> extra_items() override;
  void on_ready(const std::vector<zmq::pollitem_t>& items) override;

 private:
  struct Peer {
    std::string endpoint;
    KeyRing::CurveKey server{};  // its CURVE key (security on)
    zmq::socket_t dealer;
    zmq::socket_t monitor;        // handshake failures of `dealer`
    std::deque<WireOut> backlog;
    std::int64_t redial_at = 0;   // when to replace a failed dealer (0: it is fine)
  };
  void dial(NodeId id, Peer& p);
  void on_monitor(NodeId id, Peer& p);
  void flush(Peer& p);

  NetworkCore core_;
  zmq::socket_t router_;
  HandshakeWatch handshakes_;  // of router_
  bool secure_ = false;
  std::string public_z85_, secret_z85_;  // our CURVE pair (security on)
  NodeId self_;
  std::uint64_t dials_ = 0;              // names each monitor's endpoint apart
  std::map<NodeId, Peer> peers_;
};

}  // namespace bank
